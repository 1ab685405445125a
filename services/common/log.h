// Process-wide logging set-up: spdlog to stderr as text or one-line JSON.
#ifndef HASHMESH_SERVICES_COMMON_LOG_H_
#define HASHMESH_SERVICES_COMMON_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hashmesh {

enum class LogFormat { kText, kJson };

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  LogFormat format = LogFormat::kText;
  std::string service_name = "hashmesh";
};

// Parses "text" or "json".
absl::Status ParseLogFormat(absl::string_view text, LogFormat* format);

// Checks that `level` is one of spdlog's level names.
absl::Status ValidateLogLevel(absl::string_view level);

// Installs the default logger (stderr, thread-safe) and routes gRPC's own log
// lines (gpr_log) through it, so that a JSON log stays one object per line.
absl::Status SetUpLogging(const LogConfig& config);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_LOG_H_
