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

std::string Batching(const LoadConfig& config) {
  if (config.streams == 0) return "unary";
  return config.items_per_message > 0 ? "fixed" : "natural";
}

// What the run carried, in the text summary's second line.
std::string Carrier(const LoadConfig& config) {
  if (config.streams == 0) {
    return absl::StrFormat("%d calls in flight at most, %d channels",
                           config.concurrency, config.channels);
  }
  const std::string batching =
      config.items_per_message > 0
          ? absl::StrFormat("fixed batches of %d items",
                            config.items_per_message)
          : absl::StrFormat("natural batching (at most %d items a message)",
                            config.max_items_per_message);
  return absl::StrFormat(
      "%d items in flight on %d streams over %d channels, %s",
      config.concurrency, config.streams, config.channels, batching);
}

}  // namespace

std::string FormatText(const LoadConfig& config, const LoadResult& result) {
  const LatencyHistogram& h = result.latency;
  const char* unit = config.streams == 0 ? "calls" : "items";
  std::string out = absl::StrFormat(
      "%s on %s\n"
      "  %s loop%s, %s, warmup %s\n"
      "  %-11s %d in %.3f s (ok %d, errors %d)\n"
      "  throughput  %.1f %s/s\n",
      config.method, config.target, Mode(config),
      config.rate > 0 ? absl::StrFormat(" at %.1f calls/s", config.rate) : "",
      Carrier(config), absl::FormatDuration(config.warmup), unit,
      result.calls(), absl::ToDoubleSeconds(result.elapsed), result.ok(),
      result.calls() - result.ok(), result.calls_per_second(), unit);
  if (config.streams > 0) {
    absl::StrAppendFormat(
        &out,
        "  messages    %d sent, %.2f items each; %d received, %.2f "
        "results each\n",
        result.messages_sent, result.items_per_message(),
        result.messages_received, result.results_per_message());
  }
  absl::StrAppendFormat(&out, "  latency ms  min %.3f  mean %.3f",
                        Millis(h.min()), h.mean() / 1e6);
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
  // Batch streams: calls above are items; unary calls carry one a message.
  const bool stream = config.streams > 0;
  json["batching"] = Batching(config);
  json["streams"] = config.streams;
  json["items_per_message_flag"] = config.items_per_message;
  json["max_items_per_message"] = stream ? config.max_items_per_message : 1;
  json["messages_sent"] = stream ? result.messages_sent : result.calls();
  json["messages_received"] =
      stream ? result.messages_received : result.calls();
  json["items_per_message"] = stream ? result.items_per_message() : 1.0;
  json["results_per_message"] = stream ? result.results_per_message() : 1.0;
  return boost::json::serialize(json);
}

}  // namespace hashmesh::loadgen
