// The client side of SPEC.md's batch streams: calls to one upstream carried
// as items on a few long-lived bidirectional streams.
#ifndef HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_H_
#define HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/upstream/client_calls.h"
#include "gateway/upstream/upstream_metrics.h"
#include "services/common/in_flight.h"

namespace hashmesh::gateway {

struct BatchClientOptions {
  // Streams kept open; over a round_robin channel each new stream goes to
  // the next backend, so several backends share them.
  int streams = 2;
  // Items one message may carry (the servers' --max_batch_items).
  int max_items_per_message = 1024;
  // A stream that ended is opened again after this, doubling per failure
  // in a row up to the maximum.
  absl::Duration reopen_initial_backoff = absl::Milliseconds(100);
  absl::Duration reopen_max_backoff = absl::Seconds(5);
  // How often calls past their deadline are failed; a 504 is up to this
  // late.
  absl::Duration deadline_tick = absl::Milliseconds(10);
  // Sends per call, the first included (the gateway's
  // --upstream_max_attempts, as for unary calls): a call whose stream ends
  // unanswered is sent again on another stream while attempts remain.
  int max_attempts = 3;
};

// Traits name a stream method's types and how to start it, e.g.:
//   using Stub, Batch, ResultBatch, Request, Response;
//   static void Start(Stub*, grpc::ClientContext*,
//                     grpc::ClientBidiReactor<Batch, ResultBatch>*);
//   static void AddItem(Batch*, uint64_t id, const Request&);
//   static absl::StatusOr<Response> Outcome(Result&);  // moves out
//   static constexpr absl::StatusCode kAnswerCode;  // an answer, not a fault
//
// A call is an item with a fresh id on the next open stream; items written
// while a write is in flight go out together in the next message. A result
// runs the call's callback on the gRPC thread that read it. At its deadline
// a call fails with DEADLINE_EXCEEDED and a late result is dropped. When a
// stream ends, its unanswered calls are sent again on another stream (both
// methods are idempotent) while they have attempts left (max_attempts) and
// their deadline has not passed, and fail with UNAVAILABLE when none is
// open; the stream is opened again with backoff. A resend avoids streams to
// the same server (peer address) as the stream that ended: a server that
// drains, dies or cuts an aged connection ends those too, and a call resent
// onto one of them would spend an attempt although another server is up.
// More than one resend matters when servers cut aged connections: two
// replicas' connections can end within milliseconds of each other.
// Thread-safe.
template <typename Traits>
class BatchClient {
 public:
  using Request = typename Traits::Request;
  using Response = typename Traits::Response;
  using Callback = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;

  // `calls` and `metrics` must outlive the client. Each stream is a call in
  // `calls`: cancelling them all ends every stream, fails the calls on them
  // with UNAVAILABLE, and stops the client for good.
  BatchClient(std::shared_ptr<grpc::Channel> channel, Upstream upstream,
              BatchClientOptions options, ClientCalls* calls,
              UpstreamMetrics* metrics)
      : channel_(channel),
        stub_(Traits::NewStub(std::move(channel))),
        upstream_(upstream),
        options_(options),
        calls_(calls),
        metrics_(metrics),
        slots_(static_cast<size_t>(std::max(1, options.streams))) {
    // The ticker opens the streams once the channel is connected: opened
    // before, they would all go to the first backend that answered.
    ticker_ = std::thread([this] { Tick(); });
  }

  // Cancels every stream and waits until each is destroyed; calls still in
  // flight fail with UNAVAILABLE.
  ~BatchClient() {
    std::vector<std::shared_ptr<Stream>> open;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      for (Slot& slot : slots_) {
        if (slot.stream != nullptr) open.push_back(slot.stream);
      }
    }
    // Unlocked: a cancelled stream's OnDone takes mu_.
    for (auto& stream : open) stream->Cancel();
    open.clear();
    ticker_.join();
    // Not only until each OnDone has run: a stream's last reference may be
    // dropped on another thread after it, and its destruction still uses
    // the channel and this client's counter.
    streams_alive_.WaitForZero(absl::InfiniteFuture());
  }

  BatchClient(const BatchClient&) = delete;
  BatchClient& operator=(const BatchClient&) = delete;

  void Call(Request request, absl::Time deadline, Callback done) {
    metrics_->in_flight().Start();
    Dispatch(std::make_unique<PendingCall>(
        PendingCall{std::move(request), std::move(done), deadline, absl::Now(),
                    /*sends=*/1}));
  }

  // Streams open now.
  int open_streams() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(
        std::count_if(slots_.begin(), slots_.end(),
                      [](const Slot& s) { return s.stream != nullptr; }));
  }

 private:
  using Batch = typename Traits::Batch;
  using ResultBatch = typename Traits::ResultBatch;

  struct PendingCall {
    Request request;
    Callback done;
    absl::Time deadline;
    absl::Time start;
    int sends;  // attempts so far, this one included
  };
  using CallPtr = std::unique_ptr<PendingCall>;

  class Stream;

  struct Slot {
    std::shared_ptr<Stream> stream;  // null while waiting to reopen
    absl::Time reopen_at = absl::InfinitePast();
    absl::Duration backoff;
  };

  // Runs the callback once and ends the call's accounting. A failure is
  // logged with its cause (rate-limited) after the callback, so that a slow
  // log sink never delays the reply; the client sees only the code.
  void Complete(CallPtr call, absl::StatusOr<Response> outcome) {
    const absl::Status status = outcome.status();
    metrics_->Record(upstream_, static_cast<int>(status.code()),
                     absl::Now() - call->start);
    std::move(call->done)(std::move(outcome));
    LogUpstreamFailure(upstream_, status, Traits::kAnswerCode, &failure_log_);
    metrics_->in_flight().Finish();
  }

  // `avoid_peer` (a resend): the server whose stream ended; streams to it
  // are used only when no other stream is open or can be opened.
  void Dispatch(CallPtr call, const std::string& avoid_peer = "") {
    if (absl::Now() >= call->deadline) {
      Complete(std::move(call),
               absl::DeadlineExceededError("deadline passed before sending"));
      return;
    }
    const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    for (size_t attempt = 0; attempt < slots_.size(); ++attempt) {
      std::shared_ptr<Stream> stream = Pick(avoid_peer);
      if (stream == nullptr) break;
      if (stream->Enqueue(id, call)) return;  // it took the call
    }
    // Every stream has ended (an upstream going away ends them all at once)
    // or none is open yet, or (a resend) every open one goes to the server
    // whose stream ended: open one now, unless the upstream is known down.
    if (std::shared_ptr<Stream> stream = OpenIfChannelReady(avoid_peer);
        stream != nullptr && stream->Enqueue(id, call)) {
      return;
    }
    // No other server: a stream to the same one may still take it.
    if (!avoid_peer.empty()) {
      for (size_t attempt = 0; attempt < slots_.size(); ++attempt) {
        std::shared_ptr<Stream> stream = Pick("");
        if (stream == nullptr) break;
        if (stream->Enqueue(id, call)) return;
      }
    }
    Complete(std::move(call),
             absl::UnavailableError(
                 absl::StrCat("no open stream to ", UpstreamName(upstream_))));
  }

  // The next open stream, skipping those to `avoid_peer` (when not empty).
  std::shared_ptr<Stream> Pick(const std::string& avoid_peer) {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[next_slot_++ % slots_.size()];
      if (slot.stream != nullptr && slot.stream->open() &&
          (avoid_peer.empty() || slot.stream->peer() != avoid_peer)) {
        return slot.stream;
      }
    }
    return nullptr;
  }

  // With no stream open (to a server other than `avoid_peer`), a call opens
  // one at once unless the channel knows the upstream is down: at start-up
  // (the channel still connecting), right after the upstream came back
  // (before the backoff has passed), and for a resend whose server ended its
  // stream (round_robin no longer picks a server that sent GOAWAY or whose
  // connection broke).
  std::shared_ptr<Stream> OpenIfChannelReady(const std::string& avoid_peer) {
    const grpc_connectivity_state state =
        channel_->GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE ||
        state == GRPC_CHANNEL_SHUTDOWN) {
      return nullptr;
    }
    absl::MutexLock lock(&mu_);
    if (stopping_ || slots_.empty()) return nullptr;
    // Another call may have opened one meanwhile; otherwise a slot without
    // an open stream gets a new one (an ended one still there is replaced,
    // and its OnDone then leaves the new one alone).
    size_t free = slots_.size();
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& slot = slots_[i];
      if (slot.stream == nullptr || !slot.stream->open()) {
        if (free == slots_.size()) free = i;
      } else if (avoid_peer.empty() || slot.stream->peer() != avoid_peer) {
        return slot.stream;
      }
    }
    if (free == slots_.size() || !OpenLocked(free)) return nullptr;
    return slots_[free].stream;
  }

  // False once `calls_` refuses new calls (the gateway drains): the client
  // then stops for good.
  bool OpenLocked(size_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto stream = std::make_shared<Stream>(this, index);
    if (!calls_->Add(stream)) {
      stopping_ = true;
      return false;
    }
    slots_[index].stream = stream;
    metrics_->StreamOpened(upstream_);
    stream->Open(stream);
    return true;
  }

  // From the stream's OnDone: free the slot, schedule the reopen, and send
  // the unanswered calls that have attempts left again, on streams to
  // another server than `peer`, the ended stream's (empty: not known).
  void Ended(const Stream* stream, size_t index, bool answered_any,
             const std::string& peer, std::vector<CallPtr> calls) {
    {
      absl::MutexLock lock(&mu_);
      Slot& slot = slots_[index];
      if (slot.stream.get() == stream) {
        slot.stream = nullptr;
        slot.backoff = answered_any
                           ? options_.reopen_initial_backoff
                           : std::min(options_.reopen_max_backoff,
                                      std::max(options_.reopen_initial_backoff,
                                               slot.backoff * 2));
        slot.reopen_at = absl::Now() + slot.backoff;
      }
    }
    for (CallPtr& call : calls) {
      if (call->sends >= options_.max_attempts || stopping()) {
        Complete(std::move(call),
                 absl::UnavailableError(
                     absl::StrCat(UpstreamName(upstream_), " stream ended")));
        continue;
      }
      ++call->sends;
      metrics_->ItemResent(upstream_);
      Dispatch(std::move(call), peer);
    }
  }

  bool stopping() const {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }

  // Fails calls past their deadline and reopens ended streams when due.
  void Tick() {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      mu_.AwaitWithTimeout(absl::Condition{&stopping_}, options_.deadline_tick);
      if (stopping_) break;
      const absl::Time now = absl::Now();
      // Streams open only on a connected channel (round_robin then spreads
      // them over the backends that are up), and its connecting again ends
      // every backoff: the upstream is back. Asking also makes an idle
      // channel connect.
      const bool ready =
          channel_->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_READY;
      const bool reconnected = ready && !was_ready_;
      was_ready_ = ready;
      // One stream opens per tick: round_robin gives each the next backend
      // that is connected, and a tick gives the others time to connect.
      std::vector<std::shared_ptr<Stream>> open;
      bool opened = false;
      for (size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].stream != nullptr) {
          open.push_back(slots_[i].stream);
        } else if (!opened && ready &&
                   (reconnected || now >= slots_[i].reopen_at)) {
          if (!OpenLocked(i)) break;
          opened = true;
        }
      }
      mu_.Unlock();
      for (auto& stream : open) stream->Expire(now);
      mu_.Lock();
    }
  }

  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<typename Traits::Stub> stub_;
  const Upstream upstream_;
  const BatchClientOptions options_;
  ClientCalls* const calls_;
  UpstreamMetrics* const metrics_;
  std::atomic<uint64_t> next_id_{1};
  InFlight streams_alive_;  // from construction to destruction
  LogRateLimiter failure_log_{absl::Seconds(5)};
  mutable absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  size_t next_slot_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool was_ready_ ABSL_GUARDED_BY(mu_) = false;
  std::thread ticker_;
};

}  // namespace hashmesh::gateway

#include "gateway/upstream/batch_client_stream.h"  // IWYU pragma: export

#endif  // HASHMESH_GATEWAY_UPSTREAM_BATCH_CLIENT_H_
