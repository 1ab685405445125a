// A fixed-size thread pool with a bounded queue, for CPU work kept off gRPC's
// threads.
#ifndef HASHMESH_SERVICES_COMMON_WORKER_POOL_H_
#define HASHMESH_SERVICES_COMMON_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace hashmesh {

class WorkerPool {
 public:
  // `max_queued` bounds the tasks waiting for a thread; beyond it TrySubmit
  // refuses, so overload turns into an error instead of unbounded memory.
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();  // runs what was queued, then joins

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is shutting down.
  bool TrySubmit(absl::AnyInvocable<void() &&> task);

  // Runs every task already queued, then stops the threads. Idempotent.
  void Shutdown();

  int threads() const { return static_cast<int>(threads_.size()); }
  size_t queued() const;
  // Whether TrySubmit would queue another task now.
  bool HasRoom() const { return queued() < max_queued_; }

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar work_or_stop_;
  std::vector<std::thread> threads_;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_WORKER_POOL_H_
