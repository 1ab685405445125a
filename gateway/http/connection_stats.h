// The HTTP layer's own figures: connections open and refused.
#ifndef HASHMESH_GATEWAY_HTTP_CONNECTION_STATS_H_
#define HASHMESH_GATEWAY_HTTP_CONNECTION_STATS_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "services/common/in_flight.h"

namespace hashmesh::gateway {

// Thread-safe.
class ConnectionStats {
 public:
  void Opened() { open_.Start(); }
  void Closed() { open_.Finish(); }
  void Rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }

  int64_t open() const { return open_.count(); }
  // True once every connection has closed; false if `deadline` came first.
  bool WaitUntilAllClosed(absl::Time deadline) {
    return open_.WaitForZero(deadline);
  }

  // hashmesh_http_connections_open and _rejected_total.
  void AppendPrometheus(std::string* out) const;

 private:
  InFlight open_;
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_CONNECTION_STATS_H_
