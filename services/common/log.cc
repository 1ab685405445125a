#include "services/common/log.h"

#include <grpc/support/log.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/json_escape.h"

namespace hashmesh {
namespace {

// One JSON object per line, the shape log collectors on Kubernetes expect.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const absl::Time time = absl::FromChrono(msg.time);
    std::string line = absl::StrCat(
        R"({"ts":")",
        absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()),
        R"(","level":")",
        absl::string_view(spdlog::level::to_string_view(msg.level).data(),
                          spdlog::level::to_string_view(msg.level).size()),
        R"(","service":")", service_, R"(","thread":)", msg.thread_id,
        R"(,"msg":)");
    // A message may carry any bytes a peer sent: the line stays valid JSON.
    AppendJsonString(absl::string_view(msg.payload.data(), msg.payload.size()),
                     &line);
    line.append("}\n");
    dest.append(absl::string_view(line));
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(service_);
  }

 private:
  std::string service_;
};

// gRPC's own threads outlive main() and may still log while static
// destructors run, when spdlog's registry and its default logger are gone
// (TSan saw it: a heap-use-after-free at an engine's exit with debug logs).
// So gRPC logs to a logger of its own that is never destroyed.
std::atomic<spdlog::logger*> grpc_logger{nullptr};

void KeepLoggerForGrpc(const std::shared_ptr<spdlog::logger>& logger) {
  // Never destroyed, on purpose; it holds every logger gRPC has been given
  // (one per SetUpLogging, which runs once per process outside tests).
  static auto* const kept = new std::vector<std::shared_ptr<spdlog::logger>>;
  kept->push_back(logger);
  grpc_logger.store(logger.get(), std::memory_order_release);
}

// gRPC logs every failed TLS handshake at ERROR, and a client can fail them
// as fast as it can connect: those lines go through one limiter.
bool IsHandshakeFailure(const gpr_log_func_args& args) {
  return absl::EndsWith(args.file, "ssl_transport_security.cc") &&
         (absl::StartsWith(args.message, "Handshake failed") ||
          absl::StartsWith(args.message, "No match found for server name"));
}

void LogHandshakeFailure(spdlog::logger& logger, absl::string_view message) {
  static auto* const limiter = new LogRateLimiter(absl::Seconds(10));
  uint64_t suppressed = 0;
  if (!limiter->Allow(&suppressed)) return;
  logger.warn(
      "TLS handshake failed: {} ({} more failed handshakes not logged since "
      "the last such line; at most one line per 10 s)",
      message, suppressed);
}

void GrpcLogToSpdlog(gpr_log_func_args* args) {
  spdlog::logger* logger = grpc_logger.load(std::memory_order_acquire);
  if (logger == nullptr) return;
  if (IsHandshakeFailure(*args)) {
    LogHandshakeFailure(*logger, args->message);
    return;
  }
  spdlog::level::level_enum level = spdlog::level::info;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = spdlog::level::err;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = spdlog::level::debug;
  logger->log(level, "grpc {}:{}: {}", args->file, args->line, args->message);
}

}  // namespace

absl::Status ParseLogFormat(absl::string_view text, LogFormat* format) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("log format must be 'text' or 'json', not '", text, "'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLogLevel(absl::string_view level) {
  const std::string name(level);
  // spdlog maps unknown names to "off"; only "off" itself may give "off".
  if (spdlog::level::from_str(name) == spdlog::level::off && name != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "log level must be one of trace, debug, info, warn, error, critical, "
        "off; not '",
        level, "'"));
  }
  return absl::OkStatus();
}

absl::Status SetUpLogging(const LogConfig& config) {
  if (absl::Status s = ValidateLogLevel(config.level); !s.ok()) return s;
  // Not registered by name, so SetUpLogging may run again (tests do).
  auto logger = std::make_shared<spdlog::logger>(
      config.service_name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (config.format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>(config.service_name));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%f%z %^%l%$ " + config.service_name +
                        " [%t] %v");
  }
  logger->set_level(spdlog::level::from_str(config.level));
  logger->flush_on(spdlog::level::warn);
  KeepLoggerForGrpc(logger);
  spdlog::set_default_logger(std::move(logger));
  gpr_set_log_function(GrpcLogToSpdlog);
  gpr_set_log_verbosity(config.level == "debug" || config.level == "trace"
                            ? GPR_LOG_SEVERITY_DEBUG
                            : GPR_LOG_SEVERITY_ERROR);
  return absl::OkStatus();
}

bool LogRateLimiter::AllowAt(absl::Time at, uint64_t* suppressed) {
  const int64_t now = absl::ToUnixNanos(at);
  int64_t next = next_ns_.load(std::memory_order_relaxed);
  // Only the thread that moves the window on logs; the others count.
  if (now < next || !next_ns_.compare_exchange_strong(
                        next, now + interval_ns_, std::memory_order_relaxed)) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  *suppressed = refused_.exchange(0, std::memory_order_relaxed);
  return true;
}

}  // namespace hashmesh
