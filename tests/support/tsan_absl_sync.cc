// TSan builds only: makes Debian's uninstrumented absl locks visible to TSan.
//
// Debian's libabsl is not compiled with -fsanitize=thread, so TSan never
// learns the happens-before order its locks create and reports every access
// they guard as a race (a two-thread counter under absl::MutexLock is
// enough). gRPC's own locks are absl::Mutex as well. This file defines the
// public lock functions in the binary it is linked into; the dynamic linker
// then binds every caller (our code, libgrpc, libabsl itself) to these,
// which forward to libabsl's (dlsym RTLD_NEXT) and tell TSan what happened.
// gRPC's lock-free paths stay invisible; so do Notification::HasBeenNotified
// and other inline fast paths. gRPC itself is not instrumented either, so the
// accesses it makes through libc (memcpy and the like) are ignored too (see
// __tsan_default_suppressions below): TSan cannot order them.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

// libabsl's own definition of `symbol`; aborts loudly if it is missing.
template <typename Fn>
Fn Next(const char* symbol) {
  void* fn = dlsym(RTLD_NEXT, symbol);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in libabsl\n", symbol);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

void Acquire(const void* addr) { __tsan_acquire(const_cast<void*>(addr)); }
void Release(const void* addr) { __tsan_release(const_cast<void*>(addr)); }

// Mangled names in Debian's inline namespace "debian3"; const member
// functions mangle with _ZNK.
#define ABSL_SYM(name) "_ZN4absl7debian3" name
#define ABSL_CONST_SYM(name) "_ZNK4absl7debian3" name

using MutexFn = void (*)(absl::Mutex*);
using MutexTryFn = bool (*)(absl::Mutex*);
using MutexCondFn = void (*)(absl::Mutex*, const absl::Condition&);
using MutexCondDurationFn = bool (*)(absl::Mutex*, const absl::Condition&,
                                     absl::Duration);
using MutexCondTimeFn = bool (*)(absl::Mutex*, const absl::Condition&,
                                 absl::Time);

// absl's lock-order graph (deadlock detection, on in Debian's build) is
// guarded by an internal spinlock this shim cannot reach: turn it off before
// main. TSan checks lock order itself (its deadlock detector), so nothing is
// lost that this build is for.
const bool kDeadlockGraphOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

}  // namespace

// Built-in suppressions, so the binaries the e2e tests start need no
// TSAN_OPTIONS: accesses made through libc interceptors (memcpy and the like)
// by the uninstrumented gRPC and abseil libraries, whose ordering TSan
// cannot see (one pattern per library: TSan insists on one match each).
// Accesses in hashmesh's own code are still all checked.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the sanitizer hook.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libgrpc.so\n"
         "called_from_lib:libgrpc++.so\n"
         "called_from_lib:libgpr.so\n"
         "called_from_lib:libabsl_status.so\n"
         "called_from_lib:libabsl_statusor.so\n"
         "called_from_lib:libabsl_cord.so\n"
         "called_from_lib:libabsl_cord_internal.so\n"
         "called_from_lib:libabsl_strings.so\n"
         "called_from_lib:libabsl_str_format_internal.so\n"
         "called_from_lib:libabsl_time_zone.so\n"
         // absl::Mutex's spin back-off seeds from Abseil's random pool, whose
         // uninstrumented per-thread state TSan sees written from new threads.
         "called_from_lib:libabsl_random_internal_pool_urbg.so\n"
         // gRPC's header-only internals, compiled into our binaries, order
         // their accesses through the uninstrumented library: a race whose
         // access is inside grpc:: code, or inside a reaction gRPC's
         // callback machinery runs (and orders), is gRPC's to judge.
         "race_top:grpc::\n"
         "race:grpc::internal::\n"
         // gRPC's own threads (callback-CQ pollers, executor) are released
         // asynchronously after the last channel goes; a short-lived client
         // such as hashmesh-loadgen can exit first. A thread leak is only
         // suppressed when gRPC created the thread; ours are still checked.
         "thread:grpc_core::Thread::Thread\n";
}

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static const auto real = Next<MutexFn>(ABSL_SYM("5Mutex4LockEv"));
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  static const auto real = Next<MutexFn>(ABSL_SYM("5Mutex10ReaderLockEv"));
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  static const auto real = Next<MutexTryFn>(ABSL_SYM("5Mutex7TryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static const auto real =
      Next<MutexTryFn>(ABSL_SYM("5Mutex13ReaderTryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static const auto real = Next<MutexFn>(ABSL_SYM("5Mutex6UnlockEv"));
  Release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static const auto real = Next<MutexFn>(ABSL_SYM("5Mutex12ReaderUnlockEv"));
  Release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real =
      Next<MutexCondFn>(ABSL_SYM("5Mutex8LockWhenERKNS0_9ConditionE"));
  real(this, cond);
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration d) {
  static const auto real = Next<MutexCondDurationFn>(
      ABSL_SYM("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  const bool met = real(this, cond, d);
  Acquire(this);  // held either way
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time t) {
  static const auto real = Next<MutexCondTimeFn>(
      ABSL_SYM("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  const bool met = real(this, cond, t);
  Acquire(this);
  return met;
}

void Mutex::Await(const Condition& cond) {
  static const auto real =
      Next<MutexCondFn>(ABSL_SYM("5Mutex5AwaitERKNS0_9ConditionE"));
  Release(this);
  real(this, cond);
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration d) {
  static const auto real = Next<MutexCondDurationFn>(
      ABSL_SYM("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  Release(this);
  const bool met = real(this, cond, d);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time t) {
  static const auto real = Next<MutexCondTimeFn>(
      ABSL_SYM("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  Release(this);
  const bool met = real(this, cond, t);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static const auto real =
      Next<void (*)(CondVar*, Mutex*)>(ABSL_SYM("7CondVar4WaitEPNS0_5MutexE"));
  Release(mu);
  real(this, mu);
  Acquire(mu);
  Acquire(this);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration d) {
  static const auto real = Next<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      ABSL_SYM("7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE"));
  Release(mu);
  const bool timed_out = real(this, mu, d);
  Acquire(mu);
  Acquire(this);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time t) {
  static const auto real = Next<bool (*)(CondVar*, Mutex*, absl::Time)>(
      ABSL_SYM("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE"));
  Release(mu);
  const bool timed_out = real(this, mu, t);
  Acquire(mu);
  Acquire(this);
  return timed_out;
}

void CondVar::Signal() {
  static const auto real =
      Next<void (*)(CondVar*)>(ABSL_SYM("7CondVar6SignalEv"));
  Release(this);
  real(this);
}

void CondVar::SignalAll() {
  static const auto real =
      Next<void (*)(CondVar*)>(ABSL_SYM("7CondVar9SignalAllEv"));
  Release(this);
  real(this);
}

void Notification::Notify() {
  static const auto real =
      Next<void (*)(Notification*)>(ABSL_SYM("12Notification6NotifyEv"));
  Release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static const auto real = Next<void (*)(const Notification*)>(
      ABSL_CONST_SYM("12Notification19WaitForNotificationEv"));
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration d) const {
  static const auto real =
      Next<bool (*)(const Notification*, absl::Duration)>(ABSL_CONST_SYM(
          "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE"));
  const bool notified = real(this, d);
  if (notified) Acquire(this);
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time t) const {
  static const auto real =
      Next<bool (*)(const Notification*, absl::Time)>(ABSL_CONST_SYM(
          "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE"));
  const bool notified = real(this, t);
  if (notified) Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
