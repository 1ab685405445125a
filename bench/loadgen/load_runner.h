// Drives one unary gRPC method with many calls in flight, and measures them.
#ifndef HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_
#define HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_

#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bench/loadgen/load_config.h"
#include "bench/loadgen/request_source.h"

namespace hashmesh::loadgen {

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
  using Phase = RunPhases::Phase;
  class Call;

  LoadRunner(LoadConfig config, std::unique_ptr<RequestSource> requests,
             std::vector<std::unique_ptr<grpc::GenericStub>> stubs);

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
  std::optional<RunPhases> phases_;  // set by Run
  std::atomic<uint64_t> next_call_{0};

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  LoadResult result_ ABSL_GUARDED_BY(mu_);
  Clock::time_point last_measured_end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_LOAD_RUNNER_H_
