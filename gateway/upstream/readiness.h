// /readyz's question: are both upstreams reachable and SERVING per
// grpc.health.v1?
#ifndef HASHMESH_GATEWAY_UPSTREAM_READINESS_H_
#define HASHMESH_GATEWAY_UPSTREAM_READINESS_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/upstream/upstream_metrics.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace hashmesh::gateway {

// Asks one upstream's health service about one service name.
class HealthProbe {
 public:
  // An empty probe (no channel) always answers OK: the in-process mode.
  HealthProbe() = default;
  // `metrics` (must outlive the probe) tracks the call in flight.
  HealthProbe(std::shared_ptr<grpc::Channel> channel, std::string service,
              absl::Duration timeout, UpstreamMetrics* metrics);

  // OK when SERVING; UNAVAILABLE naming the status or the call's error
  // otherwise. `done` runs once, on any thread (inline for an empty probe).
  void Check(absl::AnyInvocable<void(absl::Status) &&> done);

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::string service_;
  absl::Duration timeout_;
  UpstreamMetrics* metrics_ = nullptr;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_READINESS_H_
