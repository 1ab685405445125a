#include "services/common/log_flags.h"

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "services/common/abseil_runtime.h"

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

void ParseServiceFlags(int argc, char** argv, const char* usage,
                       const char* source_dir) {
  ConfigureAbseilRuntime();
  if (*source_dir != '\0') {
    // By default absl's --help lists only flags defined in a file named after
    // the program; hashmesh's live in main.cc and services/common/.
    absl::FlagsUsageConfig usage_config;
    usage_config.contains_help_flags =
        [dir = std::string(source_dir)](absl::string_view file) {
          return absl::StrContains(file, dir) ||
                 absl::StrContains(file, "services/common/");
        };
    absl::SetFlagsUsageConfig(usage_config);
  }
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
}

}  // namespace hashmesh
