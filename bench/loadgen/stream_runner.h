// Drives one batch-stream method (SPEC.md "Batch streams") with many items
// in flight over a few long-lived streams, and measures each item.
#ifndef HASHMESH_BENCH_LOADGEN_STREAM_RUNNER_H_
#define HASHMESH_BENCH_LOADGEN_STREAM_RUNNER_H_

#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bench/loadgen/item_stream.h"
#include "bench/loadgen/load_config.h"
#include "bench/loadgen/request_source.h"

namespace hashmesh::loadgen {

// config.streams streams, stream i on channel i % channels, closed loop:
// natural batching spreads config.concurrency items in flight over the
// streams; fixed batches give each stream config.items_per_message (see
// ItemStream). Items count as calls in the LoadResult.
class StreamRunner {
 public:
  // Opens the channels and waits until each is connected; UNAVAILABLE when
  // the target does not answer within connect_timeout.
  static absl::StatusOr<std::unique_ptr<StreamRunner>> Connect(
      LoadConfig config, std::unique_ptr<RequestSource> requests);

  // Warms up, measures, and returns once every stream has ended. Once.
  // `failures` (optional) gets the statuses of streams that ended non-OK.
  LoadResult Run(std::vector<grpc::Status>* failures = nullptr);

 private:
  StreamRunner(LoadConfig config, std::unique_ptr<RequestSource> requests,
               std::vector<std::unique_ptr<grpc::GenericStub>> stubs);

  // The streams' deadline: the run's length (count mode: every measured
  // item taking its whole deadline, one after another) plus one deadline
  // for the last items, at most a day.
  std::chrono::system_clock::time_point StreamDeadline() const;
  bool AllEnded() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return open_ == 0;
  }

  const LoadConfig config_;
  const std::unique_ptr<RequestSource> requests_;
  const std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::optional<RunPhases> phases_;  // set by Run
  std::atomic<uint64_t> next_item_{0};
  std::vector<std::unique_ptr<ItemStream>> streams_;

  absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_STREAM_RUNNER_H_
