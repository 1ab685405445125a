// Process-wide Abseil settings every hashmesh binary applies at start-up.
#ifndef HASHMESH_SERVICES_COMMON_ABSEIL_RUNTIME_H_
#define HASHMESH_SERVICES_COMMON_ABSEIL_RUNTIME_H_

namespace hashmesh {

// In a release build (NDEBUG, no sanitizer), turns off Abseil's mutex
// deadlock detector. Debian 12 builds Abseil and gRPC without NDEBUG, so the
// detector runs inside every absl::Mutex operation of every gRPC call (about
// a tenth of a server's instructions per call, measured); debug and
// sanitizer builds keep it, since that is where lock-order bugs are looked
// for. Call first thing in main().
void ConfigureAbseilRuntime();

// Whether ConfigureAbseilRuntime turns the detector off in this build.
bool DeadlockDetectionOffInThisBuild();

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_ABSEIL_RUNTIME_H_
