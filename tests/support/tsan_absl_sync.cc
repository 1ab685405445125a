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

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/common/happens_before.h"

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

// A lock's acquire and release, as TSan's happens-before edges.
void Acquire(const void* addr) { hashmesh::HappensAfter(addr); }
void Release(const void* addr) { hashmesh::HappensBefore(addr); }

// absl evaluates a waiter's Condition inside its own lock functions, on
// whichever thread holds the mutex at that moment, before the Acquire that
// follows the real call: the evaluation reads the guarded state, so it must
// come after an acquire of the mutex too. A Condition that wraps the
// caller's does that, and releases the mutex again after it: the evaluating
// thread holds the mutex, but absl may drop it afterwards without a call the
// shim sees (Await's first check). The waiter's own writes (the wrapper, the
// caller's Condition and what it points to) reach the evaluating thread
// through absl's waiter queue, which TSan cannot see either: the wrapper
// publishes them, and takes back what the evaluation did once the wait is
// over.
class GuardedCondition {
 public:
  GuardedCondition(const absl::Mutex* mu, const absl::Condition* cond)
      : mu_(mu), cond_(cond) {
    Release(this);
  }
  ~GuardedCondition() { Acquire(this); }
  GuardedCondition(const GuardedCondition&) = delete;
  GuardedCondition& operator=(const GuardedCondition&) = delete;

  absl::Condition condition() { return absl::Condition(&Eval, this); }

 private:
  static bool Eval(void* arg) {
    Acquire(arg);
    const auto* self = static_cast<const GuardedCondition*>(arg);
    Acquire(self->mu_);
    const bool holds = self->cond_->Eval();
    Release(self->mu_);
    Release(arg);
    return holds;
  }

  const absl::Mutex* const mu_;
  const absl::Condition* const cond_;
};

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
         // OpenSSL frees a shared object (a cached method, a key) and its
         // lock on whichever thread drops the last reference, counted with
         // its own uninstrumented atomics: TSan sees a lock destroyed on a
         // gRPC handshake thread that another thread locked before. Only
         // calls made from inside libcrypto and libssl are left out.
         "called_from_lib:libcrypto.so\n"
         "called_from_lib:libssl.so\n"
         // gRPC's header-only internals, compiled into our binaries, order
         // their accesses through the uninstrumented library: a race whose
         // innermost frame is gRPC's own code is gRPC's to judge. Only the
         // innermost frame: hashmesh's reactions run with gRPC frames below
         // them, and races in them are reported
         // (tests/sanitizers/race_in_callback.cc).
         "race_top:grpc::\n"
         // The same, where gRPC's header code works on a std::function of
         // its own: a callback tag's function (std::function<void(bool)>)
         // checked and called by Run on one thread while the tag is set
         // again, cleared or freed with its call on another after a hand-off
         // inside libgrpc, and the send hook an interceptor batch copies.
         // Our callbacks run beneath Run, so Run itself is not named: only
         // the std::function frames inlined into it (innermost), and gRPC
         // functions that never call out.
         "race_top:std::_Function_base::_M_empty\n"
         "race_top:std::function<void (bool)>::operator()\n"
         "race:grpc::internal::CallbackWithSuccessTag::Clear\n"
         "race:grpc::internal::CallbackWithSuccessTag::Set\n"
         "race:grpc::internal::InterceptorBatchMethodsImpl::SetSendMessage\n"
         // A server call's reference count, set up on the handler's thread
         // and dropped (inlined std::atomic frames innermost) on the thread
         // that completes Finish; Unref never calls out.
         "race:grpc::internal::ServerCallbackCall::Unref\n"
         // After OnDone, a server call's handler frees gRPC's request object
         // (it holds the ServerContext that the handler's setup read on
         // another thread) through call_requester, a std::function<void()>.
         // hashmesh calls no std::function<void()> itself (absl::AnyInvocable
         // instead; drains reach the streams by pointer), so the pattern only
         // names gRPC's.
         "race:std::function<void ()>::operator()\n"
         // A message that a reactor handed to gRPC (StartRead, StartWrite)
         // is parsed or serialized on whichever thread gRPC completes the
         // operation on, ordered with the reactor's previous and next use
         // inside libgrpc. Not reported either, so a reactor touching its
         // message while a read or write is in flight would go unseen too:
         // BatchStream and BatchClient keep one of each in flight and touch
         // the message only in the reaction that completes it.
         "race:grpc::internal::CallOpRecvMessage\n"
         "race:grpc::internal::CallOpSendMessage\n"
         "race:grpc::SerializationTraits\n"
         // spdlog's registry, built inside the uninstrumented libspdlog: the
         // function-local static's guard is checked inline there, so TSan
         // never sees the first use on another thread acquire it.
         "race:spdlog::details::registry::registry\n"
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
  GuardedCondition guarded{this, &cond};
  real(this, guarded.condition());
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration d) {
  static const auto real = Next<MutexCondDurationFn>(
      ABSL_SYM("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  GuardedCondition guarded{this, &cond};
  const bool met = real(this, guarded.condition(), d);
  Acquire(this);  // held either way
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time t) {
  static const auto real = Next<MutexCondTimeFn>(
      ABSL_SYM("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  GuardedCondition guarded{this, &cond};
  const bool met = real(this, guarded.condition(), t);
  Acquire(this);
  return met;
}

void Mutex::Await(const Condition& cond) {
  static const auto real =
      Next<MutexCondFn>(ABSL_SYM("5Mutex5AwaitERKNS0_9ConditionE"));
  Release(this);
  GuardedCondition guarded{this, &cond};
  real(this, guarded.condition());
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration d) {
  static const auto real = Next<MutexCondDurationFn>(
      ABSL_SYM("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  Release(this);
  GuardedCondition guarded{this, &cond};
  const bool met = real(this, guarded.condition(), d);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time t) {
  static const auto real = Next<MutexCondTimeFn>(
      ABSL_SYM("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  Release(this);
  GuardedCondition guarded{this, &cond};
  const bool met = real(this, guarded.condition(), t);
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
