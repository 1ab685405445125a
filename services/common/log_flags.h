// Flags every hashmesh binary shares (logging, parsing); only main.cc files include this.
#ifndef HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_
#define HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/log.h"

namespace hashmesh {

// Reads --log_level and --log_format.
absl::StatusOr<LogConfig> LogConfigFromFlags(std::string service_name);

// Parses the command line (exits with a message on unknown or malformed
// flags, as absl does) after setting a usage message for --help.
void ParseServiceFlags(int argc, char** argv, const char* usage);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_
