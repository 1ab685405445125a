// The gateway's metrics of its upstream calls: counts by final gRPC code,
// latency, and the calls in flight that a drain waits for.
#ifndef HASHMESH_GATEWAY_UPSTREAM_UPSTREAM_METRICS_H_
#define HASHMESH_GATEWAY_UPSTREAM_UPSTREAM_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/metrics/prometheus.h"
#include "services/common/in_flight.h"
#include "services/common/log.h"

namespace hashmesh::gateway {

enum class Upstream { kStore, kEngine };
inline constexpr int kUpstreamCount = 2;

// "store" or "engine": the metrics label and the name in log lines.
absl::string_view UpstreamName(Upstream upstream);

// Logs a failed upstream call with its cause, at most once per `limiter`'s
// interval: clients see only "engine is unavailable" (api_error.h).
// `answer_code` is a code that is an answer, not a failure (the store's
// NOT_FOUND).
void LogUpstreamFailure(Upstream upstream, const absl::Status& status,
                        absl::StatusCode answer_code, LogRateLimiter* limiter);

// Thread-safe; recording is a few relaxed atomic increments.
class UpstreamMetrics {
 public:
  // `grpc_code` is the call's (or stream item's) final status code (0 =
  // OK).
  void Record(Upstream upstream, int grpc_code, absl::Duration latency);

  // Batch streams: each stream opened (first time or again), each item sent
  // again after its stream ended, and how many items each message carried.
  void StreamOpened(Upstream upstream) {
    stream_opens_[static_cast<int>(upstream)].fetch_add(1, kRelaxed);
  }
  void ItemResent(Upstream upstream) {
    items_resent_[static_cast<int>(upstream)].fetch_add(1, kRelaxed);
  }
  void MessageSent(Upstream upstream, uint64_t items) {
    items_per_message_[static_cast<int>(upstream)].Record(items);
  }

  // Every gRPC call the gateway starts (payments and readiness probes) is
  // counted here until its completion has run, so that a drain knows when
  // no callback can arrive any more.
  InFlight& in_flight() { return in_flight_; }

  // hashmesh_upstream_calls_total, _call_duration_seconds, _calls_in_flight,
  // _stream_opens_total, _items_resent_total, _items_per_message.
  void AppendPrometheus(std::string* out) const;

 private:
  static constexpr int kGrpcCodes = 17;
  static constexpr auto kRelaxed = std::memory_order_relaxed;

  std::array<std::array<std::atomic<uint64_t>, kGrpcCodes>, kUpstreamCount>
      calls_{};
  std::array<LatencyHistogram, kUpstreamCount> latency_;
  std::array<std::atomic<uint64_t>, kUpstreamCount> stream_opens_{};
  std::array<std::atomic<uint64_t>, kUpstreamCount> items_resent_{};
  std::array<CountHistogram, kUpstreamCount> items_per_message_;
  InFlight in_flight_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_UPSTREAM_METRICS_H_
