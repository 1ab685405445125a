// The open sessions, so that a drain can reach every connection.
#ifndef HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_
#define HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace hashmesh::gateway {

class Session;

class SessionRegistry {
 public:
  void Add(const std::shared_ptr<Session>& session);
  void Remove(Session* session);

  // Asks every open session, on its own executor, to shut down.
  void ShutdownAll();

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<Session*, std::weak_ptr<Session>> sessions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_SESSION_REGISTRY_H_
