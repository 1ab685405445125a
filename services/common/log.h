// Process-wide logging set-up: spdlog to stderr as text or one-line JSON.
#ifndef HASHMESH_SERVICES_COMMON_LOG_H_
#define HASHMESH_SERVICES_COMMON_LOG_H_

#include <spdlog/fmt/fmt.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

// Debian's Abseil has its own string_view type (not std::string_view), which
// fmt cannot format by itself: log it as fmt's string_view.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(
        fmt::string_view(s.data(), s.size()), ctx);
  }
};

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

// Keeps a log line that can repeat per request (an upstream failing, say) from
// flooding the log: at most one line per interval, the next one saying how
// many were left out. Thread-safe and lock-free.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(absl::Duration interval)
      : interval_ns_(absl::ToInt64Nanoseconds(interval)) {}

  // True when this event may be logged; then `*suppressed` is how many
  // events were refused since the last one allowed.
  bool Allow(uint64_t* suppressed) { return AllowAt(absl::Now(), suppressed); }
  // The same at a given time (tests).
  bool AllowAt(absl::Time now, uint64_t* suppressed);

 private:
  const int64_t interval_ns_;
  std::atomic<int64_t> next_ns_{0};
  std::atomic<uint64_t> refused_{0};
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_LOG_H_
