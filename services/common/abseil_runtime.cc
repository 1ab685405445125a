#include "services/common/abseil_runtime.h"

#include "absl/synchronization/mutex.h"

namespace hashmesh {

bool DeadlockDetectionOffInThisBuild() {
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

void ConfigureAbseilRuntime() {
  if (DeadlockDetectionOffInThisBuild()) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
}

}  // namespace hashmesh
