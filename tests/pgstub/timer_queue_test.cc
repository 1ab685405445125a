// Unit tests of TimerQueue: never early, ordered, cancellable exactly once.
#include "services/pgstub/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "tests/support/eventually.h"

namespace hashmesh::pgstub {
namespace {

// Bounds for waiting on events that happen within milliseconds on an idle
// machine; generous for a loaded CI runner and sanitizers.
constexpr absl::Duration kPatience = absl::Seconds(30);

TEST(TimerQueueTest, FiresNoEarlierThanTheDelay) {
  TimerQueue timers(2);
  for (absl::Duration delay : {absl::Milliseconds(1), absl::Milliseconds(20)}) {
    absl::Notification fired;
    bool expired = false;
    const auto start = TimerQueue::Clock::now();
    TimerQueue::Clock::time_point at;
    timers.Schedule(delay, [&](bool e) {
      at = TimerQueue::Clock::now();
      expired = e;
      fired.Notify();
    });
    ASSERT_TRUE(fired.WaitForNotificationWithTimeout(kPatience));
    EXPECT_TRUE(expired);
    EXPECT_GE(absl::FromChrono(at - start), delay);
  }
}

TEST(TimerQueueTest, FiresInDeadlineOrderNotScheduleOrder) {
  TimerQueue timers(1);
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification last;
  for (int ms : {30, 10, 20}) {
    timers.Schedule(absl::Milliseconds(ms), [&, ms](bool) {
      absl::MutexLock lock(&mu);
      order.push_back(ms);
      if (order.size() == 3) last.Notify();
    });
  }
  ASSERT_TRUE(last.WaitForNotificationWithTimeout(kPatience));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST(TimerQueueTest, NonPositiveDelayFiresPromptly) {
  TimerQueue timers(1);
  absl::Notification a, b;
  timers.Schedule(absl::ZeroDuration(), [&](bool) { a.Notify(); });
  timers.Schedule(absl::Milliseconds(-5), [&](bool) { b.Notify(); });
  EXPECT_TRUE(a.WaitForNotificationWithTimeout(kPatience));
  EXPECT_TRUE(b.WaitForNotificationWithTimeout(kPatience));
}

TEST(TimerQueueTest, CancelBeforeFiringWinsAndTheCallbackNeverRuns) {
  TimerQueue timers(1);  // one shard: the later timer fires after the first
  std::atomic<bool> cancelled_ran{false};
  const TimerQueue::Handle handle = timers.Schedule(
      absl::Milliseconds(10), [&](bool) { cancelled_ran = true; });
  EXPECT_EQ(timers.size(), 1u);
  EXPECT_TRUE(timers.Cancel(handle));
  EXPECT_FALSE(timers.Cancel(handle));  // only once
  EXPECT_EQ(timers.size(), 0u);
  absl::Notification later;
  timers.Schedule(absl::Milliseconds(30), [&](bool) { later.Notify(); });
  ASSERT_TRUE(later.WaitForNotificationWithTimeout(kPatience));
  EXPECT_FALSE(cancelled_ran);
}

TEST(TimerQueueTest, CancelAfterFiringLoses) {
  TimerQueue timers(1);
  absl::Notification fired;
  const TimerQueue::Handle handle =
      timers.Schedule(absl::Milliseconds(1), [&](bool) { fired.Notify(); });
  ASSERT_TRUE(fired.WaitForNotificationWithTimeout(kPatience));
  EXPECT_FALSE(timers.Cancel(handle));
}

TEST(TimerQueueTest, DestructionRunsWhatIsLeftAsNotExpired) {
  int expired_count = 0;
  int shutdown_count = 0;
  {
    TimerQueue timers(2);
    for (int i = 0; i < 10; ++i) {
      timers.Schedule(absl::Hours(1), [&](bool expired) {
        ++(expired ? expired_count : shutdown_count);
      });
    }
    EXPECT_EQ(timers.size(), 10u);
  }
  EXPECT_EQ(expired_count, 0);
  EXPECT_EQ(shutdown_count, 10);
}

// Many threads schedule and cancel at once: every timer either is cancelled
// or fires, never both, never twice (run under TSan and ASan in CI).
TEST(TimerQueueTest, ConcurrentScheduleAndCancelAccountForEveryTimer) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::atomic<int> fired{0};
  std::atomic<int> cancelled{0};
  {
    TimerQueue timers(2);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const TimerQueue::Handle handle = timers.Schedule(
              absl::Microseconds(i % 50), [&](bool) { ++fired; });
          if ((i + t) % 3 == 0 && timers.Cancel(handle)) ++cancelled;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_TRUE(::hashmesh::testing::Eventually(
        [&] { return timers.size() == 0; }, kPatience))
        << timers.size() << " timers still queued";
  }
  EXPECT_GT(cancelled.load(), 0);
  EXPECT_EQ(fired.load() + cancelled.load(), kThreads * kPerThread);
}

}  // namespace
}  // namespace hashmesh::pgstub
