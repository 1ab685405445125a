#include "gateway/routes/route_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hashmesh::gateway {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

int RouteMetrics::StatusIndex(int http_status) {
  return std::clamp(http_status - kStatusMin, 0, kStatusCount - 1);
}

void RouteMetrics::Record(Route route, int http_status,
                          absl::Duration latency) {
  const int r = static_cast<int>(route);
  requests_[r][StatusIndex(http_status)].fetch_add(1, kRelaxed);
  latency_[r].Record(latency);
}

uint64_t RouteMetrics::requests(Route route, int http_status) const {
  return requests_[static_cast<int>(route)][StatusIndex(http_status)].load(
      kRelaxed);
}

void RouteMetrics::AppendPrometheus(std::string* out) const {
  AppendMetricHeader("hashmesh_http_requests_total", "counter",
                     "HTTP requests answered, by route and status code.", out);
  for (int r = 0; r < kRouteCount; ++r) {
    const absl::string_view name = RouteName(static_cast<Route>(r));
    for (int s = 0; s < kStatusCount; ++s) {
      if (const uint64_t n = requests_[r][s].load(kRelaxed); n > 0) {
        absl::StrAppend(out, "hashmesh_http_requests_total{route=\"", name,
                        "\",code=\"", s + kStatusMin, "\"} ", n, "\n");
      }
    }
  }
  AppendMetricHeader(
      "hashmesh_http_request_duration_seconds", "histogram",
      "Time from a complete request to its response being queued.", out);
  for (int r = 0; r < kRouteCount; ++r) {
    latency_[r].Render(
        "hashmesh_http_request_duration_seconds",
        absl::StrCat("route=\"", RouteName(static_cast<Route>(r)), "\""), out);
  }
}

}  // namespace hashmesh::gateway
