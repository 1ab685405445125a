#include "services/common/batch_stream.h"

#include <vector>

namespace hashmesh {

BatchStreamRegistry::~BatchStreamRegistry() {
  // The last removals ran in OnDone on gRPC's threads, ordered before this
  // only by the server's shutdown wait inside libgrpc++, which TSan cannot
  // see; taking the lock orders them before the set's end in its eyes too.
  absl::MutexLock lock(&mu_);
}

bool BatchStreamRegistry::Add(BatchStreamBase* stream) {
  absl::MutexLock lock(&mu_);
  if (draining_) return false;
  streams_.insert(stream);
  return true;
}

void BatchStreamRegistry::Remove(BatchStreamBase* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

void BatchStreamRegistry::Drain() {
  // Under the lock: a stream removes itself in OnDone, before it can be
  // deleted, so every stream reached here is alive.
  absl::MutexLock lock(&mu_);
  draining_ = true;
  for (BatchStreamBase* stream : streams_) stream->Drain();
}

size_t BatchStreamRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

}  // namespace hashmesh
