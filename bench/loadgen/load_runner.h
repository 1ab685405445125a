// Drives one gRPC method with many calls in flight, and measures them.
#ifndef HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_
#define HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_

#include <grpcpp/generic/generic_stub.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/loadgen/histogram.h"
#include "bench/loadgen/request_source.h"

namespace hashmesh::loadgen {

struct LoadConfig {
  std::string target = "127.0.0.1:50052";
  std::string method;  // "/package.Service/Method"
  // Closed loop: exactly this many calls in flight, each completion starting
  // the next. Open loop: at most this many (a call whose turn comes while
  // all are busy waits, and that wait counts in its latency).
  int concurrency = 256;
  // Each channel is its own TCP connection (HTTP/2 multiplexes the calls).
  int channels = 2;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);  // ignored when count > 0
  uint64_t count = 0;  // calls measured after the warmup; 0 = use duration
  // Open loop: calls started per second on a fixed schedule, latency counted
  // from each call's scheduled start (no coordinated omission); 0 = closed.
  double rate = 0;
  absl::Duration deadline = absl::Seconds(5);  // of every call
  absl::Duration connect_timeout = absl::Seconds(5);
};

inline constexpr int kStatusCodeCount = 17;  // grpc::StatusCode 0..16

struct LoadResult {
  // Every measured call, whatever its status: errors are part of the tail.
  LatencyHistogram latency;
  std::array<uint64_t, kStatusCodeCount> calls_by_code{};
  // From the end of the warmup to the last measured completion.
  absl::Duration elapsed;

  uint64_t calls() const;
  uint64_t ok() const { return calls_by_code[0]; }
  double calls_per_second() const;
};

class LoadRunner {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens the channels and waits until each is connected; UNAVAILABLE when
  // the target does not answer within connect_timeout.
  static absl::StatusOr<std::unique_ptr<LoadRunner>> Connect(
      LoadConfig config, std::unique_ptr<RequestSource> requests);

  // Warms up, measures, and returns once every call has completed. Once.
  LoadResult Run();

 private:
  enum class Phase { kWarmup, kMeasured, kStop };
  class Call;

  LoadRunner(LoadConfig config, std::unique_ptr<RequestSource> requests,
             std::vector<std::unique_ptr<grpc::GenericStub>> stubs);

  Phase Admit(Clock::time_point start);
  void Launch(Phase phase, Clock::time_point scheduled);
  void OnDone(Call* call, const grpc::Status& status);
  void RunClosedLoop();
  void RunOpenLoop();
  bool HasFreeSlot() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ < config_.concurrency;
  }
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ == 0;
  }

  const LoadConfig config_;
  const std::unique_ptr<RequestSource> requests_;
  const std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  Clock::time_point warmup_end_;
  Clock::time_point measure_end_;  // duration mode only
  std::atomic<uint64_t> next_call_{0};
  std::atomic<uint64_t> measured_admitted_{0};  // count mode only

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  LoadResult result_ ABSL_GUARDED_BY(mu_);
  Clock::time_point last_measured_end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_
