// Requests answered, by route and HTTP status, with their latency.
#ifndef HASHMESH_GATEWAY_ROUTES_ROUTE_METRICS_H_
#define HASHMESH_GATEWAY_ROUTES_ROUTE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "gateway/metrics/prometheus.h"
#include "gateway/routes/routes.h"

namespace hashmesh::gateway {

// Thread-safe; recording is a few relaxed atomic increments.
class RouteMetrics {
 public:
  // `latency`: from the request's header to its reply being handed over.
  void Record(Route route, int http_status, absl::Duration latency);
  uint64_t requests(Route route, int http_status) const;

  // hashmesh_http_requests_total and _request_duration_seconds.
  void AppendPrometheus(std::string* out) const;

 private:
  static constexpr int kStatusMin = 100;
  static constexpr int kStatusCount = 500;  // 100..599

  static int StatusIndex(int http_status);

  std::array<std::array<std::atomic<uint64_t>, kStatusCount>, kRouteCount>
      requests_{};
  std::array<LatencyHistogram, kRouteCount> latency_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_ROUTES_ROUTE_METRICS_H_
