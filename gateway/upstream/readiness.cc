#include "gateway/upstream/readiness.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "gateway/upstream/unary_call.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

absl::Status Verdict(const grpc::Status& status,
                     const HealthCheckResponse& response) {
  if (!status.ok()) return FromGrpcStatus(status);
  if (response.status() != HealthCheckResponse::SERVING) {
    return absl::UnavailableError(
        HealthCheckResponse::ServingStatus_Name(response.status()));
  }
  return absl::OkStatus();
}

}  // namespace

HealthProbe::HealthProbe(std::shared_ptr<grpc::Channel> channel,
                         std::string service, HealthProbeOptions options,
                         ClientCalls* calls, UpstreamMetrics* metrics)
    : stub_(grpc::health::v1::Health::NewStub(std::move(channel))),
      service_(std::move(service)),
      options_(options),
      calls_(calls),
      metrics_(metrics) {}

void HealthProbe::Check(Callback done) {
  std::optional<absl::Status> fresh;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Now() - last_at_ <= options_.max_age) fresh = last_;
  }
  if (fresh.has_value()) {  // unlocked: the callback may check again
    std::move(done)(*std::move(fresh));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    waiting_.push_back(std::move(done));
    if (probing_) return;
    probing_ = true;
  }
  HealthCheckRequest request;
  request.set_service(service_);
  metrics_->in_flight().Start();
  auto* stub = stub_->async();
  UnaryCall<HealthCheckRequest, HealthCheckResponse>::Start(
      calls_, std::move(request), absl::Now() + options_.timeout,
      [stub](auto* context, auto* request, auto* response, auto* reactor) {
        stub->Check(context, request, response, reactor);
      },
      [this](const grpc::Status& status, HealthCheckResponse& response) {
        Finished(Verdict(status, response));
        metrics_->in_flight().Finish();
      });
}

void HealthProbe::Finished(const absl::Status& status) {
  std::vector<Callback> waiting;
  bool changed;
  {
    absl::MutexLock lock(&mu_);
    changed = last_.ok() != status.ok();
    last_ = status;
    last_at_ = absl::Now();
    probing_ = false;
    waiting.swap(waiting_);
  }
  for (Callback& done : waiting) std::move(done)(status);
  // Only changes are logged: at most one line per probe (max_age), however
  // often /readyz is asked. The status carries gRPC's reason (no route, a
  // refused TLS handshake, NOT_SERVING during a drain).
  if (changed && !status.ok()) {
    spdlog::warn("{} is not ready: {}", service_, status.message());
  } else if (changed) {
    spdlog::info("{} is ready again", service_);
  }
}

}  // namespace hashmesh::gateway
