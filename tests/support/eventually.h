// Waiting in tests for a condition another thread or process brings about.
#ifndef HASHMESH_TESTS_SUPPORT_EVENTUALLY_H_
#define HASHMESH_TESTS_SUPPORT_EVENTUALLY_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hashmesh::testing {

// Polls `done` until it holds; false after `bound`. The bound only ends a
// broken run: tests never rely on how long something takes.
template <typename Predicate>
bool Eventually(Predicate done, absl::Duration bound = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + bound;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_SUPPORT_EVENTUALLY_H_
