// Flags every hashmesh binary shares (logging, parsing); only main.cc files
// include this.
#ifndef HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_
#define HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/log.h"

namespace hashmesh {

// Reads --log_level and --log_format.
absl::StatusOr<LogConfig> LogConfigFromFlags(std::string service_name);

// The process-wide set-up every hashmesh binary starts with: turns off
// absl::Mutex deadlock detection (Debian's Abseil is built without NDEBUG, so
// every lock would otherwise update a lock-order graph: ~10% CPU under load),
// makes --help list the flags of `source_dir` (e.g. "services/engine/") and
// services/common/, and parses the command line (exiting with a message on
// unknown or malformed flags, as absl does).
void ParseServiceFlags(int argc, char** argv, const char* usage,
                       const char* source_dir = "");

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_LOG_FLAGS_H_
