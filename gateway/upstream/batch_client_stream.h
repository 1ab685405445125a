// One stream of a BatchClient: the reactor that owns its call's state.
#ifndef HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_
#define HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_

#include <spdlog/spdlog.h>

#include "gateway/upstream/batch_client.h"

namespace hashmesh::gateway {

// At most one read and one write in flight, as gRPC requires. A hold keeps
// the call open between writes; it is released when the stream can take no
// more (the read side ended or the client cancels), after which OnDone hands
// the unanswered calls back to the client.
template <typename Traits>
class BatchClient<Traits>::Stream final
    : public grpc::ClientBidiReactor<Batch, ResultBatch> {
 public:
  Stream(BatchClient* client, size_t index) : client_(client), index_(index) {}

  // `self` keeps the reactor alive until OnDone.
  void Open(std::shared_ptr<Stream> self) {
    self_ = std::move(self);
    // A stream to a backend that is down fails at once and is reopened
    // with backoff, rather than waiting for it here.
    context_.set_wait_for_ready(false);
    Traits::Start(client_->stub_.get(), &context_, this);
    this->AddHold();
    this->StartRead(&in_);
    this->StartCall();
  }

  void Cancel() { context_.TryCancel(); }

  // Whether it still takes calls.
  bool open() {
    absl::MutexLock lock(&mu_);
    return !ended_;
  }

  // Takes `call` (and returns true) unless the stream has ended.
  bool Enqueue(uint64_t id, CallPtr& call) {
    absl::MutexLock lock(&mu_);
    if (ended_) return false;
    queue_.push_back(id);
    pending_.emplace(id, std::move(call));
    if (!writing_) WriteLocked();
    return true;
  }

  // Fails the calls whose deadline has passed; their results, if any come,
  // are dropped.
  void Expire(absl::Time now) {
    std::vector<CallPtr> late;
    {
      absl::MutexLock lock(&mu_);
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second->deadline <= now) {
          late.push_back(std::move(it->second));
          pending_.erase(it++);
        } else {
          ++it;
        }
      }
    }
    for (CallPtr& call : late) {
      client_->Complete(std::move(call),
                        absl::DeadlineExceededError(absl::StrCat(
                            UpstreamName(client_->upstream_),
                            " did not answer before the deadline")));
    }
  }

 private:
  void OnReadDone(bool ok) override {
    if (!ok) {  // the server ended the stream (or it broke)
      {
        absl::MutexLock lock(&mu_);
        ended_ = true;
      }
      this->RemoveHold();
      return;
    }
    std::vector<std::pair<CallPtr, absl::StatusOr<Response>>> answered;
    {
      absl::MutexLock lock(&mu_);
      for (auto& result : *in_.mutable_results()) {
        auto it = pending_.find(result.id());
        if (it == pending_.end()) continue;  // expired: dropped
        answered.emplace_back(std::move(it->second), Traits::Outcome(result));
        pending_.erase(it);
      }
      answered_any_ = answered_any_ || !answered.empty();
    }
    this->StartRead(&in_);
    for (auto& [call, outcome] : answered) {
      client_->Complete(std::move(call), std::move(outcome));
    }
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      ended_ = true;  // the read side sees the end too and releases the hold
      return;
    }
    if (!queue_.empty()) WriteLocked();
  }

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<Stream> keep = std::move(self_);
    std::vector<CallPtr> unanswered;
    bool answered_any;
    {
      absl::MutexLock lock(&mu_);
      ended_ = true;
      for (auto& [id, call] : pending_) unanswered.push_back(std::move(call));
      pending_.clear();
      answered_any = answered_any_;
    }
    spdlog::debug("{} stream {} ended ({}: {}); {} calls unanswered",
                  UpstreamName(client_->upstream_), index_,
                  static_cast<int>(status.error_code()), status.error_message(),
                  unanswered.size());
    client_->Ended(this, index_, answered_any, std::move(unanswered));
  }

  void WriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    out_.Clear();
    const size_t cap =
        static_cast<size_t>(client_->options_.max_items_per_message);
    size_t taken = 0;
    while (taken < queue_.size() && out_.items_size() < static_cast<int>(cap)) {
      const uint64_t id = queue_[taken++];
      auto it = pending_.find(id);
      if (it == pending_.end()) continue;  // expired before it was sent
      Traits::AddItem(&out_, id, it->second->request);
    }
    queue_.erase(queue_.begin(),
                 queue_.begin() + static_cast<ptrdiff_t>(taken));
    if (out_.items_size() == 0) return;
    client_->metrics_->MessageSent(client_->upstream_,
                                   static_cast<uint64_t>(out_.items_size()));
    writing_ = true;
    this->StartWrite(&out_);
  }

  BatchClient* const client_;
  const size_t index_;
  std::shared_ptr<Stream> self_;
  grpc::ClientContext context_;
  ResultBatch in_;  // only the read side touches it
  absl::Mutex mu_;
  Batch out_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> queue_ ABSL_GUARDED_BY(mu_);  // ids not yet written
  absl::flat_hash_map<uint64_t, CallPtr> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool answered_any_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_
