#include "services/common/log_flags.h"

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"

ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error, critical or off");
ABSL_FLAG(std::string, log_format, "text",
          "text, or json for one JSON object per line (Kubernetes)");

namespace hashmesh {

absl::StatusOr<LogConfig> LogConfigFromFlags(std::string service_name) {
  LogConfig config;
  config.service_name = std::move(service_name);
  config.level = absl::GetFlag(FLAGS_log_level);
  if (absl::Status s = ValidateLogLevel(config.level); !s.ok()) return s;
  if (absl::Status s =
          ParseLogFormat(absl::GetFlag(FLAGS_log_format), &config.format);
      !s.ok()) {
    return s;
  }
  return config;
}

void ParseServiceFlags(int argc, char** argv, const char* usage) {
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
}

}  // namespace hashmesh
