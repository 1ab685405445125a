#include "gateway/upstream/client_calls.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace hashmesh::gateway {

ClientCalls::Call::~Call() {
  if (registry_ != nullptr) registry_->Remove(this);
}

ClientCalls::~ClientCalls() {
  absl::MutexLock lock(&mu_);
  // A call destroyed later would write into freed memory: stop here, with
  // the cause, rather than corrupt the heap.
  if (!calls_.empty()) {
    std::fprintf(stderr, "%zu upstream calls outlive their registry\n",
                 calls_.size());
    std::abort();
  }
}

bool ClientCalls::Add(const std::shared_ptr<Call>& call) {
  absl::MutexLock lock(&mu_);
  if (cancelled_) return false;
  call->registry_ = this;
  calls_.emplace(call.get(), call);
  return true;
}

void ClientCalls::CancelAll() {
  std::vector<std::shared_ptr<Call>> live;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    live.reserve(calls_.size());
    for (const auto& [ptr, weak] : calls_) {
      // Null for a call being destroyed right now: it is ending anyway.
      if (std::shared_ptr<Call> call = weak.lock()) {
        live.push_back(std::move(call));
      }
    }
  }
  // Unlocked: a call's OnDone may run inside Cancel, and its destruction
  // (possibly here, when `live` goes) takes mu_.
  for (const std::shared_ptr<Call>& call : live) call->Cancel();
}

bool ClientCalls::WaitUntilNone(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto none = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&none), deadline);
}

int ClientCalls::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(calls_.size());
}

void ClientCalls::Remove(const Call* call) {
  absl::MutexLock lock(&mu_);
  calls_.erase(call);
}

}  // namespace hashmesh::gateway
