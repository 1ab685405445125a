// Every client call in flight to the upstreams, so that a drain can cancel
// them all and wait until each one is gone.
#ifndef HASHMESH_GATEWAY_UPSTREAM_CLIENT_CALLS_H_
#define HASHMESH_GATEWAY_UPSTREAM_CLIENT_CALLS_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hashmesh::gateway {

// A completion that reaches the gateway after its io_contexts, processors
// or metrics are destroyed runs into freed memory; so the gateway cancels
// what is in flight and waits for the last call object to be destroyed
// before it destroys anything a completion could touch. Thread-safe.
class ClientCalls {
 public:
  // The base of a call's reactor. It leaves the registry in its destructor,
  // which runs after the derived reactor's members (its ClientContext and
  // callback among them) are destroyed: an empty registry means that no
  // call object is left anywhere, not merely that every OnDone has begun.
  class Call {
   public:
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    // Asks gRPC to end the call (ClientContext::TryCancel). Its OnDone may
    // run on this thread before Cancel returns, so no lock the reactor
    // takes may be held here.
    virtual void Cancel() = 0;

   protected:
    Call() = default;
    virtual ~Call();

   private:
    friend class ClientCalls;
    ClientCalls* registry_ = nullptr;
  };

  ClientCalls() = default;
  ClientCalls(const ClientCalls&) = delete;
  ClientCalls& operator=(const ClientCalls&) = delete;
  // Every call must have been destroyed (WaitUntilNone returned true).
  ~ClientCalls();

  // Tracks `call` until it is destroyed. False once CancelAll has run: the
  // caller must then fail the call instead of starting it.
  [[nodiscard]] bool Add(const std::shared_ptr<Call>& call);

  // Cancels every call tracked and refuses new ones from now on.
  void CancelAll();

  // True once no call is left; false if `deadline` passed first.
  bool WaitUntilNone(absl::Time deadline);

  int size() const;

 private:
  void Remove(const Call* call);

  mutable absl::Mutex mu_;
  // Weak: a call is owned by its reactor's own reference (or its stream's
  // client), and a registry that owned it would keep it alive.
  absl::flat_hash_map<const Call*, std::weak_ptr<Call>> calls_
      ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_CLIENT_CALLS_H_
