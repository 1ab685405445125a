// A load run's set-up and result, and what the unary and the stream runner
// share: the channels and the warm-up / measured / stop phases.
#ifndef HASHMESH_BENCH_LOADGEN_LOAD_CONFIG_H_
#define HASHMESH_BENCH_LOADGEN_LOAD_CONFIG_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/loadgen/histogram.h"

namespace hashmesh::loadgen {

struct LoadConfig {
  std::string target = "127.0.0.1:50052";
  std::string method;  // "/package.Service/Method"
  // Closed loop: exactly this many calls (stream methods: items) in flight,
  // each completion starting the next. Open loop: at most this many (a call
  // whose turn comes while all are busy waits, and that wait counts in its
  // latency).
  int concurrency = 256;
  // Each channel is its own TCP connection (HTTP/2 multiplexes the calls).
  int channels = 2;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);  // ignored when count > 0
  uint64_t count = 0;  // calls measured after the warmup; 0 = use duration
  // Open loop: calls started per second on a fixed schedule, latency counted
  // from each call's scheduled start (no coordinated omission); 0 = closed.
  // Unary methods only.
  double rate = 0;
  absl::Duration deadline = absl::Seconds(5);  // of every call (item)
  absl::Duration connect_timeout = absl::Seconds(5);

  // Stream methods only (SPEC.md "Batch streams"): long-lived streams,
  // stream i on channel i % channels; 0 for a unary method.
  int streams = 0;
  // > 0: fixed batches, each stream writes a message of this many items and
  // waits for all their results before the next (concurrency = streams x
  // items_per_message). 0: natural batching, `concurrency` items in flight
  // over the streams; items that become ready while a write is in flight go
  // out together in the next message, at most max_items_per_message.
  int items_per_message = 0;
  int max_items_per_message = 1024;

  bool stream() const { return streams > 0; }
};

inline constexpr int kStatusCodeCount = 17;  // grpc::StatusCode 0..16

struct LoadResult {
  // Every measured call (item), whatever its status: errors are part of the
  // tail.
  LatencyHistogram latency;
  std::array<uint64_t, kStatusCodeCount> calls_by_code{};
  // From the end of the warmup to the last measured completion.
  absl::Duration elapsed;
  // Stream methods: the messages that carried measured items each way, and
  // the items (results) they carried.
  uint64_t messages_sent = 0;
  uint64_t items_sent = 0;
  uint64_t messages_received = 0;
  uint64_t results_received = 0;

  uint64_t calls() const;
  uint64_t ok() const { return calls_by_code[0]; }
  double calls_per_second() const;
  // Means; 0 without a message.
  double items_per_message() const;
  double results_per_message() const;
  // Adds another part of the run's figures (a stream's), elapsed excepted.
  void Merge(const LoadResult& other);
};

// Whether a call (item) started at a given moment is warm-up, measured, or
// past the end of the run (duration or count). Thread-safe.
class RunPhases {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Phase { kWarmup, kMeasured, kStop };

  RunPhases(const LoadConfig& config, Clock::time_point start);

  Phase Admit(Clock::time_point start);
  Clock::time_point warmup_end() const { return warmup_end_; }

 private:
  const uint64_t count_;
  const Clock::time_point warmup_end_;
  const Clock::time_point measure_end_;         // duration mode only
  std::atomic<uint64_t> measured_admitted_{0};  // count mode only
};

// Limits of the stream flags; the servers accept 1024 items per message by
// default (--max_batch_items, at most 65536).
inline constexpr int kMaxStreams = 1024;
inline constexpr int kMaxItemsPerMessage = 65536;

// Checks every field's range and how they combine, and resolves
// streams = 0 for a stream method (natural batching: one stream per
// channel; fixed batches: concurrency / items_per_message). INVALID_ARGUMENT
// naming the flag otherwise. `stream_method`: whether config.method is a
// batch stream.
absl::Status ValidateConfig(bool stream_method, LoadConfig* config);

// Opens config.channels channels, each its own TCP connection, waits until
// each is connected, and returns a generic stub on each; UNAVAILABLE when
// the target does not answer within connect_timeout.
absl::StatusOr<std::vector<std::unique_ptr<grpc::GenericStub>>> ConnectStubs(
    const LoadConfig& config);

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_LOAD_CONFIG_H_
