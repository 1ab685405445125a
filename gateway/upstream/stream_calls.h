// The calls of one client batch stream: matching results to calls by id,
// deadlines, what waits to be written, and what is left when it ends.
#ifndef HASHMESH_GATEWAY_UPSTREAM_STREAM_CALLS_H_
#define HASHMESH_GATEWAY_UPSTREAM_STREAM_CALLS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "services/common/natural_batcher.h"

namespace hashmesh::gateway {

// Pure bookkeeping, no gRPC, so that it is tested against fakes; the stream
// reactor (batch_client_stream.h) guards it with its lock. `Call` has an
// `absl::Time deadline`. Every call taken in leaves exactly once: answered,
// expired, or handed back by TakeAll.
template <typename Call>
class StreamCalls {
 public:
  using CallPtr = std::unique_ptr<Call>;

  explicit StreamCalls(size_t max_items_per_message)
      : batcher_(max_items_per_message) {}

  // Takes `call` under `id` (moving it out) unless the stream is closed, in
  // which case `call` is left to the caller and false returned.
  bool Add(uint64_t id, CallPtr& call) {
    if (closed_) return false;
    batcher_.Push(id);
    pending_.emplace(id, std::move(call));
    return true;
  }

  bool ReadyToWrite() const { return batcher_.ReadyToWrite(); }

  // Hands the next message's calls to `add(uint64_t id, const Call&)`,
  // skipping those that expired before they were written. Returns how many.
  template <typename AddItem>
  size_t TakeMessage(AddItem&& add) {
    return batcher_.TakeMessage([&](uint64_t id) {
      auto it = pending_.find(id);
      if (it == pending_.end()) return false;
      add(id, *it->second);
      return true;
    });
  }

  void WriteDone() { batcher_.WriteDone(); }

  // The call a result with `id` answers, or null when there is none (it
  // expired, or was answered already): such a result is dropped.
  CallPtr Answer(uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return nullptr;
    CallPtr call = std::move(it->second);
    pending_.erase(it);
    answered_any_ = true;
    return call;
  }

  // Removes and returns the calls whose deadline is at or before `now`.
  std::vector<CallPtr> TakeExpired(absl::Time now) {
    std::vector<CallPtr> late;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second->deadline <= now) {
        late.push_back(std::move(it->second));
        pending_.erase(it++);
      } else {
        ++it;
      }
    }
    return late;
  }

  // No call is taken from now on; those in flight may still be answered.
  void Close() { closed_ = true; }

  // Closes and returns every unanswered call, for sending elsewhere.
  std::vector<CallPtr> TakeAll() {
    closed_ = true;
    std::vector<CallPtr> left;
    left.reserve(pending_.size());
    for (auto& [id, call] : pending_) left.push_back(std::move(call));
    pending_.clear();
    batcher_.Clear();
    return left;
  }

  bool closed() const { return closed_; }
  // Whether any result matched a call: the backend was serving.
  bool answered_any() const { return answered_any_; }
  size_t pending() const { return pending_.size(); }

 private:
  NaturalBatcher<uint64_t> batcher_;  // ids not yet written
  absl::flat_hash_map<uint64_t, CallPtr> pending_;
  bool closed_ = false;
  bool answered_any_ = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_STREAM_CALLS_H_
