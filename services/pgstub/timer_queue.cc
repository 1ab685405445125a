#include "services/pgstub/timer_queue.h"

#include <pthread.h>
#include <sys/prctl.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/synchronization/mutex.h"

namespace hashmesh::pgstub {
namespace {

// Callbacks taken per wake-up at most, so that Schedule and Cancel on this
// shard are not held off for long by a burst of due timers.
constexpr size_t kMaxBatch = 256;

struct Key {
  TimerQueue::Clock::time_point deadline;
  uint64_t seq;  // keeps keys unique and equal deadlines in FIFO order

  friend bool operator<(const Key& a, const Key& b) {
    return std::tie(a.deadline, a.seq) < std::tie(b.deadline, b.seq);
  }
};

// The kernel may defer a timed wake-up by the thread's timer slack (50 us by
// default) to batch it with others; a 2 ms simulated query cannot afford that.
void ConfigureTimerThread() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  pthread_setname_np(pthread_self(), "pgstub-timer");
}

}  // namespace

class TimerQueue::Shard {
 public:
  Shard() : thread_([this] { Run(); }) {}

  ~Shard() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      cv_.Signal();
    }
    thread_.join();
    // No other thread touches timers_ any more; nothing to lock against, but
    // the lock keeps the annotations honest and costs nothing here.
    std::vector<Callback> remaining;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [key, callback] : timers_) {
        remaining.push_back(std::move(callback));
      }
      timers_.clear();
    }
    for (Callback& callback : remaining) std::move(callback)(false);
  }

  void Add(const Key& key, Callback callback) {
    absl::MutexLock lock(&mu_);
    const auto it = timers_.emplace(key, std::move(callback)).first;
    // With a constant latency every new timer goes last and the thread need
    // not wake; only a new earliest deadline shortens its sleep.
    if (it == timers_.begin() && key.deadline < sleeping_until_) cv_.Signal();
  }

  bool Remove(const Key& key) {
    absl::MutexLock lock(&mu_);
    return timers_.erase(key) > 0;
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return timers_.size();
  }

 private:
  void Run() {
    ConfigureTimerThread();
    std::vector<Callback> due;
    due.reserve(kMaxBatch);
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (!WaitForDue(&due)) return;
      }
      for (Callback& callback : due) std::move(callback)(true);
      due.clear();
    }
  }

  // Sleeps until a timer is due, moves up to kMaxBatch due callbacks into
  // `due` and returns true; false when stopping.
  bool WaitForDue(std::vector<Callback>* due)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!stopping_) {
      if (timers_.empty()) {
        cv_.Wait(&mu_);
        continue;
      }
      const Clock::time_point now = Clock::now();
      const Clock::time_point first = timers_.begin()->first.deadline;
      if (first > now) {
        sleeping_until_ = first;
        cv_.WaitWithTimeout(&mu_, absl::FromChrono(first - now));
        sleeping_until_ = Clock::time_point::max();
        continue;
      }
      auto it = timers_.begin();
      while (it != timers_.end() && it->first.deadline <= now &&
             due->size() < kMaxBatch) {
        due->push_back(std::move(it->second));
        it = timers_.erase(it);
      }
      return true;
    }
    return false;
  }

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  absl::btree_map<Key, Callback> timers_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // When the thread's current sleep ends; max() while it is not sleeping
  // on a deadline.
  Clock::time_point sleeping_until_ ABSL_GUARDED_BY(mu_) =
      Clock::time_point::max();
  std::thread thread_;  // last: starts once the members above exist
};

TimerQueue::TimerQueue(int threads) {
  const int count = std::max(threads, 1);
  shards_.reserve(count);
  for (int i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

TimerQueue::~TimerQueue() = default;

TimerQueue::Handle TimerQueue::Schedule(absl::Duration delay,
                                        Callback callback) {
  const uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  const Clock::time_point deadline =
      Clock::now() +
      absl::ToChronoNanoseconds(std::max(delay, absl::ZeroDuration()));
  ShardFor(seq).Add(Key{deadline, seq}, std::move(callback));
  return Handle{deadline, seq};
}

bool TimerQueue::Cancel(const Handle& handle) {
  return ShardFor(handle.seq).Remove(Key{handle.deadline, handle.seq});
}

size_t TimerQueue::size() const {
  size_t total = 0;
  for (const auto& shard : shards_) total += shard->size();
  return total;
}

}  // namespace hashmesh::pgstub
