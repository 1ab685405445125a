#include "gateway/upstream/grpc_sources.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

// One upstream failure logged per interval at most: a dead upstream fails every
// payment, and the log must stay readable.
constexpr absl::Duration kFailureLogInterval = absl::Seconds(5);

// One in-flight call: everything gRPC needs to stay alive until it completes.
template <typename Request, typename Response, typename Callback>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  Callback done;
  absl::Time start = absl::Now();
};

// The client sees only "engine is unavailable" (api_error.h); the cause goes
// to the log. `expected` is a code that is an answer, not a failure.
void LogFailure(Upstream upstream, const grpc::Status& status,
                grpc::StatusCode expected, LogRateLimiter* limiter) {
  uint64_t suppressed = 0;
  if (status.ok() || status.error_code() == expected ||
      !limiter->Allow(&suppressed)) {
    return;
  }
  spdlog::warn("{} call failed: {}: {} ({} more failures not logged)",
               UpstreamName(upstream),
               absl::StatusCodeToString(
                   static_cast<absl::StatusCode>(status.error_code())),
               status.error_message(), suppressed);
}

// Runs the callback on the gRPC thread that completed the call (see
// payment/sources.h); `convert` turns the response into the callback's
// value. The call counts as in flight until the callback has returned, so
// whatever it started is accounted for before a drain can see zero.
template <typename CallT, typename Convert>
std::function<void(grpc::Status)> Completion(CallT* raw, Upstream upstream,
                                             grpc::StatusCode expected,
                                             UpstreamMetrics* metrics,
                                             LogRateLimiter* limiter,
                                             Convert convert) {
  return [=](const grpc::Status& status) {
    std::unique_ptr<CallT> call(raw);
    metrics->Record(upstream, status.error_code(), absl::Now() - call->start);
    LogFailure(upstream, status, expected, limiter);
    if (status.ok()) {
      std::move(call->done)(convert(call->response));
    } else {
      std::move(call->done)(FromGrpcStatus(status));
    }
    metrics->in_flight().Finish();
  };
}

}  // namespace

Account AccountFromProto(pgstub::v1::Account& proto) {
  return Account{
      .currency = std::move(*proto.mutable_currency()),
      .balance_cents = proto.balance_cents(),
      .frozen = proto.status() == pgstub::v1::ACCOUNT_STATUS_FROZEN,
      .salt_hex = std::move(*proto.mutable_salt_hex()),
  };
}

GrpcAccountSource::GrpcAccountSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    UpstreamMetrics* metrics)
    : stubs_(channels), metrics_(metrics), failure_log_(kFailureLogInterval) {}

void GrpcAccountSource::Lookup(const std::string& account_id,
                               absl::Time deadline, AccountCallback done) {
  using AccountCall =
      Call<pgstub::v1::GetAccountRequest, pgstub::v1::Account, AccountCallback>;
  auto* call = new AccountCall;
  call->request.set_account_id(account_id);
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(deadline));
  metrics_->in_flight().Start();
  stubs_.Next().async()->GetAccount(
      &call->context, &call->request, &call->response,
      Completion(call, Upstream::kStore, grpc::StatusCode::NOT_FOUND, metrics_,
                 &failure_log_,
                 [](pgstub::v1::Account& response) -> absl::StatusOr<Account> {
                   return AccountFromProto(response);
                 }));
}

GrpcDigestSource::GrpcDigestSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    UpstreamMetrics* metrics)
    : stubs_(channels), metrics_(metrics), failure_log_(kFailureLogInterval) {}

void GrpcDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                 absl::Time deadline, DigestCallback done) {
  using HashCall =
      Call<engine::v1::HashRequest, engine::v1::HashResponse, DigestCallback>;
  auto* call = new HashCall;
  call->request.set_algorithm(engine::v1::ALGORITHM_SHA256);
  call->request.set_rounds(rounds);
  call->request.set_data(std::move(data));
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(deadline));
  metrics_->in_flight().Start();
  stubs_.Next().async()->Hash(
      &call->context, &call->request, &call->response,
      Completion(call, Upstream::kEngine, grpc::StatusCode::OK, metrics_,
                 &failure_log_,
                 [](const engine::v1::HashResponse& response)
                     -> absl::StatusOr<std::string> {
                   return absl::BytesToHexString(response.digest());
                 }));
}

}  // namespace hashmesh::gateway
