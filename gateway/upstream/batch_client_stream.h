// One stream of a BatchClient: the reactor that owns its call's state.
#ifndef HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_
#define HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_

#include <spdlog/spdlog.h>

#include "gateway/upstream/batch_client.h"
#include "gateway/upstream/stream_calls.h"

namespace hashmesh::gateway {

// At most one read and one write in flight, as gRPC requires. A hold keeps
// the call open between writes; it is released when the stream can take no
// more (the read side ended or the client cancels), after which OnDone hands
// the unanswered calls back to the client.
template <typename Traits>
class BatchClient<Traits>::Stream final
    : public ClientCalls::Call,
      public grpc::ClientBidiReactor<Batch, ResultBatch> {
 public:
  Stream(BatchClient* client, size_t index)
      : alive_(&client->streams_alive_),
        client_(client),
        index_(index),
        calls_(static_cast<size_t>(client->options_.max_items_per_message)) {}

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

  void Cancel() override { context_.TryCancel(); }

  // Whether it still takes calls.
  bool open() {
    absl::MutexLock lock(&mu_);
    return !calls_.closed();
  }

  // The server's address ("ipv4:127.0.0.1:50051") once its initial metadata
  // has arrived (servers send it when the stream begins); empty before.
  std::string peer() {
    absl::MutexLock lock(&mu_);
    return peer_;
  }

  // Takes `call` (and returns true) unless the stream has ended.
  bool Enqueue(uint64_t id, CallPtr& call) {
    absl::MutexLock lock(&mu_);
    if (!calls_.Add(id, call)) return false;
    if (calls_.ReadyToWrite()) WriteLocked();
    return true;
  }

  // Fails the calls whose deadline has passed; their results, if any come,
  // are dropped.
  void Expire(absl::Time now) {
    std::vector<CallPtr> late;
    {
      absl::MutexLock lock(&mu_);
      late = calls_.TakeExpired(now);
    }
    for (CallPtr& call : late) {
      client_->Complete(std::move(call),
                        absl::DeadlineExceededError(absl::StrCat(
                            UpstreamName(client_->upstream_),
                            " did not answer before the deadline")));
    }
  }

 private:
  void OnReadInitialMetadataDone(bool ok) override {
    if (!ok) return;
    std::string peer = context_.peer();
    absl::MutexLock lock(&mu_);
    peer_ = std::move(peer);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the server ended the stream (or it broke)
      {
        absl::MutexLock lock(&mu_);
        calls_.Close();
      }
      this->RemoveHold();
      return;
    }
    std::vector<std::pair<CallPtr, absl::StatusOr<Response>>> answered;
    {
      absl::MutexLock lock(&mu_);
      for (auto& result : *in_.mutable_results()) {
        if (CallPtr call = calls_.Answer(result.id())) {
          answered.emplace_back(std::move(call), Traits::Outcome(result));
        }
      }
    }
    this->StartRead(&in_);
    for (auto& [call, outcome] : answered) {
      client_->Complete(std::move(call), std::move(outcome));
    }
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    calls_.WriteDone();
    if (!ok) {
      calls_.Close();  // the read side sees the end too and releases the hold
      return;
    }
    if (calls_.ReadyToWrite()) WriteLocked();
  }

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<Stream> keep = std::move(self_);
    std::vector<CallPtr> unanswered;
    bool answered_any;
    std::string peer;
    {
      absl::MutexLock lock(&mu_);
      unanswered = calls_.TakeAll();
      answered_any = calls_.answered_any();
      peer = peer_;
    }
    spdlog::debug("{} stream {} to {} ended ({}: {}); {} calls unanswered",
                  UpstreamName(client_->upstream_), index_,
                  peer.empty() ? "an unknown peer" : peer,
                  static_cast<int>(status.error_code()), status.error_message(),
                  unanswered.size());
    client_->Ended(this, index_, answered_any, peer, std::move(unanswered));
  }

  void WriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    out_.Clear();
    Batch* out = &out_;
    const size_t items =
        calls_.TakeMessage([out](uint64_t id, const PendingCall& call) {
          Traits::AddItem(out, id, call.request);
        });
    if (items == 0) return;
    client_->metrics_->MessageSent(client_->upstream_, items);
    this->StartWrite(&out_);
  }

  // Counts the stream as alive until its last member is gone: declared
  // first, it is destroyed last.
  class Alive {
   public:
    explicit Alive(InFlight* count) : count_(count) { count_->Start(); }
    ~Alive() { count_->Finish(); }
    Alive(const Alive&) = delete;
    Alive& operator=(const Alive&) = delete;

   private:
    InFlight* const count_;
  };

  Alive alive_;
  BatchClient* const client_;
  const size_t index_;
  std::shared_ptr<Stream> self_;
  grpc::ClientContext context_;
  ResultBatch in_;  // only the read side touches it
  absl::Mutex mu_;
  Batch out_ ABSL_GUARDED_BY(mu_);  // the write in flight
  StreamCalls<PendingCall> calls_ ABSL_GUARDED_BY(mu_);
  std::string peer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_STREAM_H_
