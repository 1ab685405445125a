// Flags every hashmesh gRPC service shares; only main.cc files include this.
#ifndef HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_
#define HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/grpc_server.h"
#include "services/common/log.h"

namespace hashmesh {

// Reads --log_level and --log_format.
absl::StatusOr<LogConfig> LogConfigFromFlags(std::string service_name);

// Reads the connection, TLS and drain flags; `listen_address` comes from the
// service's own --listen flag, whose default differs per service.
absl::StatusOr<GrpcServerConfig> GrpcServerConfigFromFlags(
    std::string listen_address);

// Reads --worker_threads: the flag when positive, else the cgroup CPU quota.
// `source` says which, for the start-up log.
absl::StatusOr<int> WorkerThreadsFromFlags(std::string* source);

// Parses the command line (exits with a message on unknown or malformed
// flags, as absl does) after setting a usage message for --help.
void ParseServiceFlags(int argc, char** argv, const char* usage);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_
