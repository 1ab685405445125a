// Natural batching for one gRPC stream: what queued up while a write was in
// flight goes out together in the next message; nothing ever waits.
#ifndef HASHMESH_SERVICES_COMMON_NATURAL_BATCHER_H_
#define HASHMESH_SERVICES_COMMON_NATURAL_BATCHER_H_

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace hashmesh {

// gRPC allows one write in flight per stream. Items that arrive while it is
// in flight are queued, and the write's completion sends them all (up to
// `max_items` per message) at once: under load messages fill up by
// themselves, and when idle an item is written the moment it is pushed. No
// timer decides, so batching adds no latency.
//
// Not thread-safe: its owner (a stream reactor) guards it with the lock that
// guards its gRPC write. Typical use, under that lock:
//   batcher.Push(item);
//   if (batcher.ReadyToWrite()) Write();  // Write() calls TakeMessage
//   ...
//   OnWriteDone: batcher.WriteDone(); if (batcher.ReadyToWrite()) Write();
template <typename T>
class NaturalBatcher {
 public:
  explicit NaturalBatcher(size_t max_items)
      : max_items_(std::max<size_t>(1, max_items)) {}

  void Push(T item) { queue_.push_back(std::move(item)); }

  // Whether the owner should start a write now: items wait and none is in
  // flight.
  bool ReadyToWrite() const { return !writing_ && !queue_.empty(); }

  // Hands the queued items, oldest first, to `add(T&)` until it has taken
  // `max_items` of them; `add` returns false for an item it drops (one whose
  // call has expired), which does not count. Returns how many it took; if
  // any, a write is in flight from now until WriteDone.
  template <typename Add>
  size_t TakeMessage(Add&& add) {
    size_t consumed = 0;
    size_t taken = 0;
    while (consumed < queue_.size() && taken < max_items_) {
      if (add(queue_[consumed++])) ++taken;
    }
    queue_.erase(queue_.begin(),
                 queue_.begin() + static_cast<std::ptrdiff_t>(consumed));
    writing_ = taken > 0;
    return taken;
  }

  // The write in flight has completed (or failed).
  void WriteDone() { writing_ = false; }

  bool writing() const { return writing_; }
  // Nothing waits to be written (a write may still be in flight).
  bool empty() const { return queue_.empty(); }
  size_t queued() const { return queue_.size(); }
  // Drops what waits; a write in flight stays in flight.
  void Clear() { queue_.clear(); }

 private:
  const size_t max_items_;
  std::vector<T> queue_;
  bool writing_ = false;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_NATURAL_BATCHER_H_
