// Tells ThreadSanitizer about an ordering that synchronisation it cannot see
// guarantees (no-ops in every other build).
//
// Debian's libgrpc++ is not instrumented: when gRPC orders two reactions
// inside it (OnCancel returns before OnDone starts: the call's reference count
// is dropped in libgrpc++'s own closure), TSan sees the two on different
// threads with nothing between them and reports the reactor's deletion as a
// race. A reaction that runs from such uninstrumented code calls
// HappensBefore(this) last; OnDone calls HappensAfter(this) first.
#ifndef HASHMESH_SERVICES_COMMON_HAPPENS_BEFORE_H_
#define HASHMESH_SERVICES_COMMON_HAPPENS_BEFORE_H_

#include "absl/base/config.h"

#ifdef ABSL_HAVE_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#endif

namespace hashmesh {

// Everything this thread did so far happens before a later HappensAfter(addr).
inline void HappensBefore([[maybe_unused]] const void* addr) {
#ifdef ABSL_HAVE_THREAD_SANITIZER
  __tsan_release(const_cast<void*>(addr));
#endif
}

// What was done before every earlier HappensBefore(addr) is visible from here.
inline void HappensAfter([[maybe_unused]] const void* addr) {
#ifdef ABSL_HAVE_THREAD_SANITIZER
  __tsan_acquire(const_cast<void*>(addr));
#endif
}

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_HAPPENS_BEFORE_H_
