#include "gateway/http/session_registry.h"

#include <vector>

#include "gateway/http/session.h"

namespace hashmesh::gateway {

bool SessionRegistry::Add(const std::shared_ptr<Session>& session) {
  if (draining_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void SessionRegistry::Remove(Session* session) { sessions_.erase(session); }

void SessionRegistry::ShutdownAll() {
  draining_ = true;
  // Shutdown may close a session, which removes it from the map.
  std::vector<std::shared_ptr<Session>> open;
  open.reserve(sessions_.size());
  for (auto& [raw, weak] : sessions_) {
    if (auto session = weak.lock()) open.push_back(std::move(session));
  }
  for (auto& session : open) session->Shutdown();
}

}  // namespace hashmesh::gateway
