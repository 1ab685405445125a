// Flags every hashmesh gRPC server shares; only main.cc files include this.
#ifndef HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_
#define HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/batch_stream.h"
#include "services/common/grpc_server.h"
#include "services/common/log_flags.h"

namespace hashmesh {

// Reads the connection, TLS and drain flags; `listen_address` comes from the
// service's own --listen flag, whose default differs per service.
absl::StatusOr<GrpcServerConfig> GrpcServerConfigFromFlags(
    std::string listen_address);

// What every gRPC service's main.cc reads from the shared flags.
struct ServiceFlags {
  LogConfig log;
  GrpcServerConfig server;
  int worker_threads = 1;
  std::string worker_threads_source;            // for the start-up log
  int max_batch_items = kDefaultMaxBatchItems;  // per batch-stream message
};

// Reads the logging, server, --worker_threads and --max_batch_items flags of
// `service_name`,
// which listens on `listen_address` (its own --listen flag).
absl::StatusOr<ServiceFlags> ServiceFlagsFromFlags(std::string service_name,
                                                   std::string listen_address);

// Reads --worker_threads: the flag when positive, else the cgroup CPU quota.
// `source` says which, for the start-up log.
absl::StatusOr<int> WorkerThreadsFromFlags(std::string* source);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_SERVER_FLAGS_H_
