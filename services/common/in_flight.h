// Counts work in flight and lets a drain wait until none is left.
#ifndef HASHMESH_SERVICES_COMMON_IN_FLIGHT_H_
#define HASHMESH_SERVICES_COMMON_IN_FLIGHT_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hashmesh {

// Start and Finish are a relaxed atomic add each, except that the Finish
// that brings the count to zero wakes the waiters; a drain waits on that
// event instead of polling. Thread-safe.
class InFlight {
 public:
  void Start() { count_.fetch_add(1, std::memory_order_relaxed); }
  void Finish();
  int64_t count() const { return count_.load(std::memory_order_relaxed); }

  // True once the count is zero; false if `deadline` passed first.
  bool WaitForZero(absl::Time deadline);

 private:
  std::atomic<int64_t> count_{0};
  absl::Mutex mu_;
  absl::CondVar zero_;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_IN_FLIGHT_H_
