#include "bench/loadgen/report.h"

#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hashmesh::loadgen {
namespace {

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

// gRPC and absl share google.rpc.Code, names included.
std::string CodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

struct Percentile {
  const char* name;
  double value;
};

constexpr Percentile kPercentiles[] = {
    {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}};

std::vector<std::pair<std::string, uint64_t>> Errors(const LoadResult& r) {
  std::vector<std::pair<std::string, uint64_t>> errors;
  for (int code = 1; code < kStatusCodeCount; ++code) {
    if (r.calls_by_code[code] > 0) {
      errors.emplace_back(CodeName(code), r.calls_by_code[code]);
    }
  }
  return errors;
}

std::string Mode(const LoadConfig& config) {
  return config.rate > 0 ? "open" : "closed";
}

}  // namespace

std::string FormatText(const LoadConfig& config, const LoadResult& result) {
  const LatencyHistogram& h = result.latency;
  std::string out = absl::StrFormat(
      "%s on %s\n"
      "  %s loop%s, %d calls in flight at most, %d channels, warmup %s\n"
      "  calls       %d in %.3f s (ok %d, errors %d)\n"
      "  throughput  %.1f calls/s\n"
      "  latency ms  min %.3f  mean %.3f",
      config.method, config.target, Mode(config),
      config.rate > 0 ? absl::StrFormat(" at %.1f calls/s", config.rate) : "",
      config.concurrency, config.channels, absl::FormatDuration(config.warmup),
      result.calls(), absl::ToDoubleSeconds(result.elapsed), result.ok(),
      result.calls() - result.ok(), result.calls_per_second(), Millis(h.min()),
      h.mean() / 1e6);
  for (const Percentile& p : kPercentiles) {
    absl::StrAppendFormat(&out, "  %s %.3f", p.name,
                          Millis(h.Percentile(p.value)));
  }
  absl::StrAppendFormat(&out, "  max %.3f\n", Millis(h.max()));
  if (config.rate > 0 && result.calls_per_second() < 0.95 * config.rate) {
    // The latencies then include the wait for a free slot or the CPU.
    absl::StrAppendFormat(&out,
                          "  warning     achieved %.0f%% of the target rate\n",
                          100 * result.calls_per_second() / config.rate);
  }
  const auto errors = Errors(result);
  if (!errors.empty()) {
    absl::StrAppend(&out, "  errors      ",
                    absl::StrJoin(errors, ", ", absl::PairFormatter(" ")),
                    "\n");
  }
  return out;
}

std::string FormatJson(const LoadConfig& config, const LoadResult& result) {
  const LatencyHistogram& h = result.latency;
  boost::json::object latency;
  latency["min"] = Millis(h.min());
  latency["mean"] = h.mean() / 1e6;
  for (const Percentile& p : kPercentiles) {
    latency[p.name] = Millis(h.Percentile(p.value));
  }
  latency["max"] = Millis(h.max());
  boost::json::object errors;
  for (const auto& [name, count] : Errors(result)) errors[name] = count;

  boost::json::object json;
  json["tool"] = "hashmesh-loadgen";
  json["target"] = config.target;
  json["method"] = config.method;
  json["mode"] = Mode(config);
  json["rate"] = config.rate;
  json["concurrency"] = config.concurrency;
  json["channels"] = config.channels;
  json["warmup_ms"] = absl::ToDoubleMilliseconds(config.warmup);
  json["elapsed_ms"] = absl::ToDoubleMilliseconds(result.elapsed);
  json["calls"] = result.calls();
  json["ok"] = result.ok();
  json["errors"] = std::move(errors);
  json["calls_per_s"] = result.calls_per_second();
  json["latency_ms"] = std::move(latency);
  return boost::json::serialize(json);
}

}  // namespace hashmesh::loadgen
