#include "gateway/upstream/upstream_metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hashmesh::gateway {
namespace {

constexpr std::array<absl::string_view, kUpstreamCount> kUpstreamNames = {
    "store", "engine"};
constexpr std::array<const char*, 17> kGrpcCodeNames = {"OK",
                                                        "CANCELLED",
                                                        "UNKNOWN",
                                                        "INVALID_ARGUMENT",
                                                        "DEADLINE_EXCEEDED",
                                                        "NOT_FOUND",
                                                        "ALREADY_EXISTS",
                                                        "PERMISSION_DENIED",
                                                        "RESOURCE_EXHAUSTED",
                                                        "FAILED_PRECONDITION",
                                                        "ABORTED",
                                                        "OUT_OF_RANGE",
                                                        "UNIMPLEMENTED",
                                                        "INTERNAL",
                                                        "UNAVAILABLE",
                                                        "DATA_LOSS",
                                                        "UNAUTHENTICATED"};

}  // namespace

void LogUpstreamFailure(Upstream upstream, const absl::Status& status,
                        absl::StatusCode answer_code, LogRateLimiter* limiter) {
  uint64_t suppressed = 0;
  if (status.ok() || status.code() == answer_code ||
      !limiter->Allow(&suppressed)) {
    return;
  }
  spdlog::warn("{} call failed: {} ({} more failures not logged)",
               UpstreamName(upstream), status.ToString(), suppressed);
}

absl::string_view UpstreamName(Upstream upstream) {
  return kUpstreamNames[static_cast<int>(upstream)];
}

void UpstreamMetrics::Record(Upstream upstream, int grpc_code,
                             absl::Duration latency) {
  const int u = static_cast<int>(upstream);
  calls_[u][std::clamp(grpc_code, 0, kGrpcCodes - 1)].fetch_add(1, kRelaxed);
  latency_[u].Record(latency);
}

void UpstreamMetrics::AppendPrometheus(std::string* out) const {
  AppendMetricHeader(
      "hashmesh_upstream_calls_total", "counter",
      "gRPC calls to the upstreams, by service and final gRPC code.", out);
  for (int u = 0; u < kUpstreamCount; ++u) {
    for (int c = 0; c < kGrpcCodes; ++c) {
      if (const uint64_t n = calls_[u][c].load(kRelaxed); n > 0) {
        absl::StrAppend(out, "hashmesh_upstream_calls_total{upstream=\"",
                        kUpstreamNames[u], "\",code=\"", kGrpcCodeNames[c],
                        "\"} ", n, "\n");
      }
    }
  }
  AppendMetricHeader("hashmesh_upstream_call_duration_seconds", "histogram",
                     "gRPC call latency to the upstreams, retries included.",
                     out);
  for (int u = 0; u < kUpstreamCount; ++u) {
    latency_[u].Render("hashmesh_upstream_call_duration_seconds",
                       absl::StrCat("upstream=\"", kUpstreamNames[u], "\""),
                       out);
  }
  AppendMetricHeader("hashmesh_upstream_calls_in_flight", "gauge",
                     "gRPC calls to the upstreams not yet completed.", out);
  absl::StrAppend(out, "hashmesh_upstream_calls_in_flight ", in_flight_.count(),
                  "\n");
  auto per_upstream = [out](absl::string_view name, absl::string_view help,
                            const auto& counters) {
    AppendMetricHeader(name, "counter", help, out);
    for (int u = 0; u < kUpstreamCount; ++u) {
      absl::StrAppend(out, name, "{upstream=\"", kUpstreamNames[u], "\"} ",
                      counters[u].load(kRelaxed), "\n");
    }
  };
  per_upstream("hashmesh_upstream_stream_opens_total",
               "Batch streams opened to the upstreams, reopens included.",
               stream_opens_);
  per_upstream("hashmesh_upstream_items_resent_total",
               "Stream items sent again after their stream ended unanswered.",
               items_resent_);
  AppendMetricHeader("hashmesh_upstream_items_per_message", "histogram",
                     "Items per batch-stream message sent to the upstreams.",
                     out);
  for (int u = 0; u < kUpstreamCount; ++u) {
    items_per_message_[u].Render(
        "hashmesh_upstream_items_per_message",
        absl::StrCat("upstream=\"", kUpstreamNames[u], "\""), out);
  }
}

}  // namespace hashmesh::gateway
