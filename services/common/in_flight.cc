#include "services/common/in_flight.h"

namespace hashmesh {

void InFlight::Finish() {
  if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    // Under the mutex, so that a waiter between its check and its wait
    // cannot miss the signal.
    absl::MutexLock lock(&mu_);
    zero_.SignalAll();
  }
}

bool InFlight::WaitForZero(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (count_.load(std::memory_order_acquire) != 0) {
    if (zero_.WaitWithDeadline(&mu_, deadline)) {
      return count_.load(std::memory_order_acquire) == 0;
    }
  }
  return true;
}

}  // namespace hashmesh
