// The open sessions of one io_context, so that a drain can reach every
// connection.
#ifndef HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_
#define HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_

#include <memory>

#include "absl/container/flat_hash_map.h"

namespace hashmesh::gateway {

class Session;

// Confined to its io_context's thread, as its sessions are: no lock. Each
// I/O thread has its own registry.
class SessionRegistry {
 public:
  // False once ShutdownAll has run: the session must close at once, or it
  // would idle through the drain unseen.
  bool Add(const std::shared_ptr<Session>& session);
  void Remove(Session* session);

  // Tells every open session to drain and refuses new ones.
  void ShutdownAll();

 private:
  absl::flat_hash_map<Session*, std::weak_ptr<Session>> sessions_;
  bool draining_ = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_
