#include "gateway/http/session_registry.h"

#include <vector>

#include "gateway/http/session.h"

namespace hashmesh::gateway {

void SessionRegistry::Add(const std::shared_ptr<Session>& session) {
  absl::MutexLock lock(&mu_);
  sessions_.emplace(session.get(), session);
}

void SessionRegistry::Remove(Session* session) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(session);
}

void SessionRegistry::ShutdownAll() {
  std::vector<std::shared_ptr<Session>> open;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->Shutdown();
}

}  // namespace hashmesh::gateway
