// The gateway's Prometheus metrics: lock-free counters and fixed-bucket
// histograms.
#ifndef HASHMESH_GATEWAY_METRICS_METRICS_H_
#define HASHMESH_GATEWAY_METRICS_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace hashmesh::gateway {

enum class Route { kPayments, kHealthz, kReadyz, kMetrics, kOther };
inline constexpr int kRouteCount = 5;
enum class Upstream { kStore, kEngine };
inline constexpr int kUpstreamCount = 2;

// A cumulative histogram over fixed latency buckets (seconds).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01,
      0.025,  0.05,  0.1,   0.25,  0.5,   1.0,    2.5};

  void Record(absl::Duration latency);
  // Appends the _bucket/_sum/_count lines of `name` with `labels` ("a=\"b\"").
  void Render(const std::string& name, const std::string& labels,
              std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Thread-safe; the hot path is a few relaxed atomic increments.
class Metrics {
 public:
  void RecordRequest(Route route, int http_status, absl::Duration latency);
  // `grpc_code` is the call's final status code (0 = OK).
  void RecordUpstream(Upstream upstream, int grpc_code, absl::Duration latency);
  // Every gRPC call the gateway starts (payments and readiness probes) is
  // counted until its completion has been handed to an executor, so that a
  // drain knows when no callback can arrive any more.
  void UpstreamCallStarted() { upstream_in_flight_.fetch_add(1); }
  void UpstreamCallFinished() { upstream_in_flight_.fetch_sub(1); }
  int64_t upstream_in_flight() const { return upstream_in_flight_.load(); }

  void ConnectionOpened() { connections_open_.fetch_add(1); }
  void ConnectionClosed() { connections_open_.fetch_sub(1); }
  void ConnectionRejected() { connections_rejected_.fetch_add(1); }

  int64_t connections_open() const { return connections_open_.load(); }
  uint64_t requests(Route route, int http_status) const;
  uint64_t upstream_calls(Upstream upstream, int grpc_code) const;

  // The Prometheus text exposition format, version 0.0.4.
  std::string RenderPrometheus() const;

 private:
  static constexpr int kStatusMin = 100;
  static constexpr int kStatusCount = 500;  // 100..599
  static constexpr int kGrpcCodes = 17;

  std::array<std::array<std::atomic<uint64_t>, kStatusCount>, kRouteCount>
      requests_{};
  std::array<LatencyHistogram, kRouteCount> request_latency_;
  std::array<std::array<std::atomic<uint64_t>, kGrpcCodes>, kUpstreamCount>
      upstream_calls_{};
  std::array<LatencyHistogram, kUpstreamCount> upstream_latency_;
  std::atomic<int64_t> upstream_in_flight_{0};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_rejected_{0};
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_METRICS_METRICS_H_
