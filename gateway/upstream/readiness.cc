#include "gateway/upstream/readiness.h"

#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

struct ProbeCall {
  grpc::ClientContext context;
  HealthCheckRequest request;
  HealthCheckResponse response;
  absl::AnyInvocable<void(absl::Status) &&> done;
};

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
                         std::string service, absl::Duration timeout,
                         UpstreamMetrics* metrics)
    : stub_(grpc::health::v1::Health::NewStub(std::move(channel))),
      service_(std::move(service)),
      timeout_(timeout),
      metrics_(metrics) {}

void HealthProbe::Check(absl::AnyInvocable<void(absl::Status) &&> done) {
  if (stub_ == nullptr) {
    std::move(done)(absl::OkStatus());
    return;
  }
  auto* call = new ProbeCall;
  call->request.set_service(service_);
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  // Readiness must notice a dead upstream at once, not wait for it.
  call->context.set_wait_for_ready(false);
  metrics_->in_flight().Start();
  stub_->async()->Check(
      &call->context, &call->request, &call->response,
      [call, metrics = metrics_](const grpc::Status& status) {
        std::unique_ptr<ProbeCall> owned(call);
        std::move(owned->done)(Verdict(status, owned->response));
        metrics->in_flight().Finish();
      });
}

}  // namespace hashmesh::gateway
