// /readyz's question: are both upstreams reachable and SERVING per
// grpc.health.v1? Answered from a recent probe, so that a flood of /readyz
// does not become a flood of health calls upstream.
#ifndef HASHMESH_GATEWAY_UPSTREAM_READINESS_H_
#define HASHMESH_GATEWAY_UPSTREAM_READINESS_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/upstream/client_calls.h"
#include "gateway/upstream/upstream_metrics.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace hashmesh::gateway {

struct HealthProbeOptions {
  absl::Duration timeout = absl::Milliseconds(500);  // per health call
  // A result this old or younger answers without a new call.
  absl::Duration max_age = absl::Seconds(1);
};

// Asks one upstream's health service about one service name. Thread-safe.
class HealthProbe {
 public:
  using Callback = absl::AnyInvocable<void(absl::Status) &&>;

  // `calls` and `metrics` must outlive the probe.
  HealthProbe(std::shared_ptr<grpc::Channel> channel, std::string service,
              HealthProbeOptions options, ClientCalls* calls,
              UpstreamMetrics* metrics);

  // OK when SERVING; UNAVAILABLE naming the status or the call's error
  // otherwise. From the last result while it is at most max_age old;
  // otherwise from a new health call, one at a time: checks that arrive
  // while it is in flight wait for its result. `done` runs once, on any
  // thread (inline when the result is fresh).
  void Check(Callback done);

 private:
  void Finished(const absl::Status& status);

  const std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  const std::string service_;
  const HealthProbeOptions options_;
  ClientCalls* const calls_;
  UpstreamMetrics* const metrics_;
  absl::Mutex mu_;
  absl::Status last_ ABSL_GUARDED_BY(mu_);
  absl::Time last_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool probing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Callback> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_READINESS_H_
