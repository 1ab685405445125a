// One-shot timers for many short concurrent waits, run by a few threads.
#ifndef HASHMESH_SERVICES_PGSTUB_TIMER_QUEUE_H_
#define HASHMESH_SERVICES_PGSTUB_TIMER_QUEUE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace hashmesh::pgstub {

// Thousands of lookups wait at once, so none may hold a thread: each wait is
// an entry in a deadline-ordered map, and one thread per shard sleeps until
// the earliest deadline, then runs every callback that is due. Shards (one
// thread each) let the callbacks, which finish gRPC calls, use several cores.
// The threads sleep with a 1 ns timer slack, so a timer fires within tens of
// microseconds of its deadline on an idle machine, never before it.
class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on a timer thread, exactly once unless cancelled: `expired` is true
  // when the delay elapsed, false when the queue was destroyed first. It must
  // not block: every other timer of its shard waits for it.
  using Callback = absl::AnyInvocable<void(bool expired) &&>;

  // Identifies a scheduled timer for Cancel; cheap to copy.
  struct Handle {
    Clock::time_point deadline;
    uint64_t seq = 0;
  };

  // `threads` >= 1 shards, each with its own thread.
  explicit TimerQueue(int threads);
  // Stops the threads, then runs every callback still queued with
  // expired=false on the destroying thread.
  ~TimerQueue();

  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `callback` once `delay` has elapsed (a non-positive delay: as soon as
  // the shard's thread gets to it). Thread-safe.
  Handle Schedule(absl::Duration delay, Callback callback);

  // True when the timer was removed before its callback started, which then
  // never runs; false when the callback has run, is running or is about to.
  // Exactly one of "Cancel returned true" and "the callback ran" happens, so
  // callers can use it to decide who finishes a piece of work. Thread-safe.
  bool Cancel(const Handle& handle);

  // Timers scheduled and neither fired nor cancelled.
  size_t size() const;
  int threads() const { return static_cast<int>(shards_.size()); }

 private:
  class Shard;

  Shard& ShardFor(uint64_t seq) const { return *shards_[seq % shards_.size()]; }

  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_seq_{0};
};

}  // namespace hashmesh::pgstub

#endif  // HASHMESH_SERVICES_PGSTUB_TIMER_QUEUE_H_
