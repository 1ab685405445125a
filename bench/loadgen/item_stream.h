// One long-lived batch stream of the load tool: it writes items, matches
// their results by id, and measures each item.
#ifndef HASHMESH_BENCH_LOADGEN_ITEM_STREAM_H_
#define HASHMESH_BENCH_LOADGEN_ITEM_STREAM_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "bench/loadgen/batch_codec.h"
#include "bench/loadgen/load_config.h"
#include "bench/loadgen/request_source.h"
#include "services/common/natural_batcher.h"

namespace hashmesh::loadgen {

// What the streams of one run share; outlives them.
struct StreamRunShared {
  const LoadConfig* config;
  const RequestSource* requests;
  RunPhases* phases;
  // Item ids, which are also the request source's call numbers.
  std::atomic<uint64_t>* next_item;
};

// A grpc::ClientBidiReactor that owns its state, with at most one read and
// one write in flight, as gRPC requires; every reaction returns without
// blocking (a short lock of this stream's own mutex at most).
//
// Closed loop over `slots` items (each an item in flight):
// - natural batching (config.items_per_message == 0): each result starts the
//   next item at once; items that become ready while a write is in flight go
//   out together in the next message, at most config.max_items_per_message;
// - fixed batches (> 0): a message of `slots` items is written, and the next
//   once all of their results are back.
// An item's latency runs from the moment it is handed to the stream (so a
// wait for the write in flight counts) to its result. A result later than
// config.deadline counts as DEADLINE_EXCEEDED; items still unanswered when
// the stream ends (the call's own deadline bounds the run) count under the
// stream's status. Once the run stops admitting items the stream
// half-closes, and it ends when the server has answered the rest.
class ItemStream final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_done` runs last in OnDone; `this` may be destroyed once it has run.
  ItemStream(const StreamRunShared& shared, int slots,
             absl::AnyInvocable<void()> on_done);

  // Starts the call with its first items; once.
  void Start(grpc::GenericStub* stub,
             std::chrono::system_clock::time_point deadline);

  // Once on_done has run: adds this stream's figures to `total`, moves
  // `last_measured_end` up to its own, and returns how the stream ended.
  grpc::Status Collect(LoadResult* total, Clock::time_point* last_measured_end);

 private:
  struct Pending {
    Clock::time_point start;
    bool measured;
  };

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

  // Admits `n` new items (fewer once the run stops admitting).
  void AddItemsLocked(int n, Clock::time_point now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes what is ready, or half-closes once nothing more will come.
  void FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordLocked(const Pending& item, int code, Clock::time_point end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StreamRunShared shared_;
  const int slots_;
  const bool fixed_;
  absl::AnyInvocable<void()> on_done_;
  grpc::ClientContext context_;
  // The read side's own: the message being read and its results.
  grpc::ByteBuffer in_;
  std::vector<ItemResult> results_;

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  NaturalBatcher<uint64_t> ready_ ABSL_GUARDED_BY(mu_);  // ids not written
  grpc::ByteBuffer out_ ABSL_GUARDED_BY(mu_);            // the write in flight
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // no more items admitted
  bool writes_done_ ABSL_GUARDED_BY(mu_) = false;
  bool malformed_ ABSL_GUARDED_BY(mu_) = false;
  LoadResult result_ ABSL_GUARDED_BY(mu_);
  Clock::time_point last_measured_end_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_ITEM_STREAM_H_
