// /readyz: the gateway is ready while it is not draining and both upstreams
// answer SERVING.
#ifndef HASHMESH_GATEWAY_ROUTES_READY_CHECK_H_
#define HASHMESH_GATEWAY_ROUTES_READY_CHECK_H_

#include <atomic>

#include "gateway/http/handler.h"
#include "gateway/upstream/readiness.h"

namespace hashmesh::gateway {

// Thread-safe; one for all I/O threads.
class ReadyCheck {
 public:
  // The probes must outlive the check; a null probe (an upstream in-process)
  // is always ready.
  ReadyCheck(HealthProbe* store, HealthProbe* engine)
      : store_(store), engine_(engine) {}

  // From now on /readyz answers 503, so load balancers stop sending.
  void StartDraining() { draining_.store(true, std::memory_order_relaxed); }

  // 200 {"status":"ready",...}, or 503 not_ready naming the first upstream
  // that is not serving, or 503 service_unavailable while draining.
  void Check(ReplyCallback done);

 private:
  HealthProbe* store_;
  HealthProbe* engine_;
  std::atomic<bool> draining_{false};
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_ROUTES_READY_CHECK_H_
