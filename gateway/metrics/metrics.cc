#include "gateway/metrics/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hashmesh::gateway {
namespace {

constexpr std::array<const char*, kRouteCount> kRouteNames = {
    "/v1/payments", "/healthz", "/readyz", "/metrics", "other"};
constexpr std::array<const char*, kUpstreamCount> kUpstreamNames = {"store",
                                                                    "engine"};
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

constexpr auto kRelaxed = std::memory_order_relaxed;

void Header(const char* name, const char* type, const char* help,
            std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

}  // namespace

void LatencyHistogram::Record(absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t bucket =
      std::lower_bound(kBounds.begin(), kBounds.end(), seconds) -
      kBounds.begin();
  buckets_[bucket].fetch_add(1, kRelaxed);
  count_.fetch_add(1, kRelaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(
                            0, absl::ToInt64Microseconds(latency))),
                        kRelaxed);
}

void LatencyHistogram::Render(const std::string& name,
                              const std::string& labels,
                              std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(kRelaxed);
    const std::string le =
        i < kBounds.size() ? absl::StrFormat("%g", kBounds[i]) : "+Inf";
    absl::StrAppend(out, name, "_bucket{", labels, ",le=\"", le, "\"} ",
                    cumulative, "\n");
  }
  absl::StrAppend(
      out, name, "_sum{", labels, "} ",
      absl::StrFormat("%.6f",
                      static_cast<double>(sum_micros_.load(kRelaxed)) / 1e6),
      "\n", name, "_count{", labels, "} ", count_.load(kRelaxed), "\n");
}

void Metrics::RecordRequest(Route route, int http_status,
                            absl::Duration latency) {
  const int r = static_cast<int>(route);
  const int s = std::clamp(http_status - kStatusMin, 0, kStatusCount - 1);
  requests_[r][s].fetch_add(1, kRelaxed);
  request_latency_[r].Record(latency);
}

void Metrics::RecordUpstream(Upstream upstream, int grpc_code,
                             absl::Duration latency) {
  const int u = static_cast<int>(upstream);
  upstream_calls_[u][std::clamp(grpc_code, 0, kGrpcCodes - 1)].fetch_add(
      1, kRelaxed);
  upstream_latency_[u].Record(latency);
}

uint64_t Metrics::requests(Route route, int http_status) const {
  return requests_[static_cast<int>(route)]
                  [std::clamp(http_status - kStatusMin, 0, kStatusCount - 1)]
                      .load(kRelaxed);
}

uint64_t Metrics::upstream_calls(Upstream upstream, int grpc_code) const {
  return upstream_calls_[static_cast<int>(upstream)]
                        [std::clamp(grpc_code, 0, kGrpcCodes - 1)]
                            .load(kRelaxed);
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  out.reserve(8192);
  Header("hashmesh_http_requests_total", "counter",
         "HTTP requests answered, by route and status code.", &out);
  for (int r = 0; r < kRouteCount; ++r) {
    for (int s = 0; s < kStatusCount; ++s) {
      if (const uint64_t n = requests_[r][s].load(kRelaxed); n > 0) {
        absl::StrAppend(&out, "hashmesh_http_requests_total{route=\"",
                        kRouteNames[r], "\",code=\"", s + kStatusMin, "\"} ", n,
                        "\n");
      }
    }
  }
  Header("hashmesh_http_request_duration_seconds", "histogram",
         "Time from a complete request to its response being queued.", &out);
  for (int r = 0; r < kRouteCount; ++r) {
    request_latency_[r].Render("hashmesh_http_request_duration_seconds",
                               absl::StrCat("route=\"", kRouteNames[r], "\""),
                               &out);
  }
  Header("hashmesh_upstream_calls_total", "counter",
         "gRPC calls to the upstreams, by service and final gRPC code.", &out);
  for (int u = 0; u < kUpstreamCount; ++u) {
    for (int c = 0; c < kGrpcCodes; ++c) {
      if (const uint64_t n = upstream_calls_[u][c].load(kRelaxed); n > 0) {
        absl::StrAppend(&out, "hashmesh_upstream_calls_total{upstream=\"",
                        kUpstreamNames[u], "\",code=\"", kGrpcCodeNames[c],
                        "\"} ", n, "\n");
      }
    }
  }
  Header("hashmesh_upstream_call_duration_seconds", "histogram",
         "gRPC call latency to the upstreams, retries included.", &out);
  for (int u = 0; u < kUpstreamCount; ++u) {
    upstream_latency_[u].Render(
        "hashmesh_upstream_call_duration_seconds",
        absl::StrCat("upstream=\"", kUpstreamNames[u], "\""), &out);
  }
  Header("hashmesh_upstream_calls_in_flight", "gauge",
         "gRPC calls to the upstreams not yet completed.", &out);
  absl::StrAppend(&out, "hashmesh_upstream_calls_in_flight ",
                  upstream_in_flight_.load(kRelaxed), "\n");
  Header("hashmesh_http_connections_open", "gauge",
         "HTTP connections currently open.", &out);
  absl::StrAppend(&out, "hashmesh_http_connections_open ",
                  connections_open_.load(kRelaxed), "\n");
  Header("hashmesh_http_connections_rejected_total", "counter",
         "Connections refused because --max_connections were open.", &out);
  absl::StrAppend(&out, "hashmesh_http_connections_rejected_total ",
                  connections_rejected_.load(kRelaxed), "\n");
  return out;
}

}  // namespace hashmesh::gateway
