// The server side of SPEC.md's batch streams: a bidirectional-stream reactor
// that starts every item of each batch it reads and writes results back as
// they finish, several to a message, with back-pressure and drain.
#ifndef HASHMESH_SERVICES_COMMON_BATCH_STREAM_H_
#define HASHMESH_SERVICES_COMMON_BATCH_STREAM_H_

#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/natural_batcher.h"

namespace hashmesh {

// Items accepted in one incoming message, and results sent in one outgoing
// message; a flag of each service (--max_batch_items).
inline constexpr int kDefaultMaxBatchItems = 1024;
inline constexpr int kMaxBatchItemsLimit = 65536;

class BatchStreamBase;

// The open streams of a service, so that a drain reaches each one.
class BatchStreamRegistry {
 public:
  BatchStreamRegistry() = default;
  // After the server: by then every stream has removed itself.
  ~BatchStreamRegistry();
  BatchStreamRegistry(const BatchStreamRegistry&) = delete;
  BatchStreamRegistry& operator=(const BatchStreamRegistry&) = delete;

  // False once Drain has run: the stream must end at once.
  bool Add(BatchStreamBase* stream);
  void Remove(BatchStreamBase* stream);
  // Every open stream stops reading, answers the items it has, then ends
  // with UNAVAILABLE so that its client moves to another replica.
  void Drain();
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<BatchStreamBase*> streams_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

class BatchStreamBase {
 public:
  virtual ~BatchStreamBase() = default;
  virtual void Drain() = 0;
};

// One stream. A subclass starts items (StartItem) and hands their results to
// Deliver from any thread, exactly once per item; this class does the rest,
// under gRPC's rules (one read and one write in flight at most):
// - a result that finishes while a write is in flight waits for the next
//   message, with the others that finished meanwhile (no timer, no wait);
// - the next batch is read only while HasRoom() (the service's queue), or
//   when this stream has nothing in flight (its items are then shed one by
//   one by the service, never held);
// - a message of more than `max_items` items ends the stream with
//   INVALID_ARGUMENT naming the limit;
// - cancellation asks the subclass to cancel its items (CancelItems), whose
//   results still come back through Deliver and are dropped;
// - the reactor deletes itself once gRPC is done with it and every item has
//   been delivered, so a late result never touches freed memory.
template <typename InBatch, typename OutBatch>
class BatchStream : public grpc::ServerBidiReactor<InBatch, OutBatch>,
                    public BatchStreamBase {
 public:
  using Item = std::remove_cvref_t<decltype(std::declval<InBatch>().items(0))>;
  using Result =
      std::remove_cvref_t<decltype(std::declval<OutBatch>().results(0))>;

  BatchStream(BatchStreamRegistry* registry, int max_items)
      : registry_(registry),
        max_items_(max_items),
        results_(static_cast<size_t>(max_items)) {}

  // Call once, from the method handler, after construction.
  void Begin() {
    if (!registry_->Add(this)) {
      registered_ = false;
      this->Finish(DrainStatus());
      return;
    }
    // Initial metadata now rather than with the first result: it tells the
    // client which server the stream reached (its peer address), which a
    // client resending a stream's items elsewhere needs to know.
    this->StartSendInitialMetadata();
    absl::MutexLock lock(&mu_);
    ReadLocked();
  }

  void Drain() override {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    MaybeFinishLocked();
  }

 protected:
  // Starts one item (its id is the caller's business). Returns its result
  // when it is ready at once (a rejected item, a small hash): those of a
  // batch go out together. Otherwise returns nullopt and Delivers the result
  // later, exactly once. `item` lives only until StartItem returns: move out
  // what the work keeps.
  virtual std::optional<Result> StartItem(Item& item) = 0;
  // Whether the service has room for another batch now.
  virtual bool HasRoom() const = 0;
  // Cancels items in flight; their results still reach Deliver.
  virtual void CancelItems() {}

  void Deliver(Result result) {
    std::vector<Result> one;
    one.push_back(std::move(result));
    DeliverAll(std::move(one));
  }

  void DeliverAll(std::vector<Result> results) {
    bool delete_now = false;
    {
      absl::MutexLock lock(&mu_);
      outstanding_ -= static_cast<int64_t>(results.size());
      if (!finished_) {
        for (Result& r : results) results_.Push(std::move(r));
        if (results_.ReadyToWrite()) WriteLocked();
        if (waiting_for_room_ && (HasRoom() || outstanding_ == 0)) {
          waiting_for_room_ = false;
          ReadLocked();
        }
        MaybeFinishLocked();
      }
      delete_now = done_ && outstanding_ == 0;
    }
    if (delete_now) delete this;
  }

 private:
  void OnReadDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (!ok || finished_) {
        reads_done_ = true;
        MaybeFinishLocked();
        return;
      }
      if (in_.items_size() > max_items_) {
        FinishLocked(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("a batch of ", in_.items_size(),
                         " items is over the limit of ", max_items_,
                         " items per message (--max_batch_items)")));
        return;
      }
      outstanding_ += in_.items_size();
      batch_ = std::move(in_);
      in_.Clear();
    }
    // Unlocked: an item may be delivered before StartItem returns.
    std::vector<Result> ready;
    for (Item& item : *batch_.mutable_items()) {
      if (std::optional<Result> result = StartItem(item)) {
        ready.push_back(*std::move(result));
      }
    }
    if (!ready.empty()) DeliverAll(std::move(ready));
    absl::MutexLock lock(&mu_);
    if (finished_ || reads_done_ || draining_) return;
    if (HasRoom() || outstanding_ == 0) {
      ReadLocked();
    } else {
      waiting_for_room_ = true;
    }
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    results_.WriteDone();
    if (!ok) {  // the stream broke: nothing more can be sent
      if (!finished_) {
        FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED,
                                  "stream broken while writing"));
      }
      return;
    }
    if (results_.ReadyToWrite() && !finished_) WriteLocked();
    MaybeFinishLocked();
  }

  void OnCancel() override {
    CancelItems();
    absl::MutexLock lock(&mu_);
    if (!finished_) {
      FinishLocked(
          grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled"));
    }
  }

  void OnDone() override {
    if (registered_) registry_->Remove(this);
    bool delete_now;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      delete_now = outstanding_ == 0;
    }
    if (delete_now) delete this;
  }

  static grpc::Status DrainStatus() {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the server is draining; retry on another replica");
  }

  void ReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reading_ = true;
    this->StartRead(&in_);
  }

  void WriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    out_.Clear();
    OutBatch* out = &out_;
    results_.TakeMessage([out](Result& result) {
      *out->add_results() = std::move(result);
      return true;
    });
    this->StartWrite(&out_);
  }

  // The stream ends once nothing more can come: the client half-closed (or
  // the server drains) and every item has been answered and written.
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !(reads_done_ || draining_) || outstanding_ > 0 ||
        results_.writing() || !results_.empty()) {
      return;
    }
    FinishLocked(draining_ ? DrainStatus() : grpc::Status::OK);
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    finished_ = true;
    results_.Clear();
    this->Finish(status);
  }

  BatchStreamRegistry* const registry_;
  const int max_items_;
  bool registered_ = true;
  absl::Mutex mu_;
  InBatch in_;     // the read in flight fills it
  InBatch batch_;  // the batch whose items are being started
  OutBatch out_ ABSL_GUARDED_BY(mu_);                    // the write in flight
  NaturalBatcher<Result> results_ ABSL_GUARDED_BY(mu_);  // not yet written
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool waiting_for_room_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_BATCH_STREAM_H_
