#include "gateway/upstream/grpc_sources.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "gateway/upstream/unary_call.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

// One upstream failure logged per interval at most: a dead upstream fails every
// payment, and the log must stay readable.
constexpr absl::Duration kFailureLogInterval = absl::Seconds(5);

// A source call's completion: records the call, logs a failure (rate-
// limited) and answers with the gateway's own type. The call counts as in
// flight until the callback has returned.
template <typename Value, typename Response>
auto Completion(Upstream upstream, absl::StatusCode expected,
                UpstreamMetrics* metrics, LogRateLimiter* limiter,
                Value (*convert)(Response&),
                absl::AnyInvocable<void(absl::StatusOr<Value>) &&> done) {
  metrics->in_flight().Start();
  return [upstream, expected, metrics, limiter, convert, start = absl::Now(),
          done = std::move(done)](const grpc::Status& status,
                                  Response& response) mutable {
    metrics->Record(upstream, status.error_code(), absl::Now() - start);
    if (status.ok()) {
      std::move(done)(convert(response));
    } else {
      const absl::Status failed = FromGrpcStatus(status);
      std::move(done)(failed);  // the reply first: a log sink may be slow
      LogUpstreamFailure(upstream, failed, expected, limiter);
    }
    metrics->in_flight().Finish();
  };
}

Account ConvertAccount(pgstub::v1::Account& response) {
  return AccountFromProto(response);
}

std::string ConvertDigest(engine::v1::HashResponse& response) {
  return absl::BytesToHexString(response.digest());
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
    ClientCalls* calls, UpstreamMetrics* metrics)
    : stubs_(channels),
      calls_(calls),
      metrics_(metrics),
      failure_log_(kFailureLogInterval) {}

void GrpcAccountSource::Lookup(const std::string& account_id,
                               absl::Time deadline, AccountCallback done) {
  pgstub::v1::GetAccountRequest request;
  request.set_account_id(account_id);
  auto* stub = stubs_.Next().async();
  UnaryCall<pgstub::v1::GetAccountRequest, pgstub::v1::Account>::Start(
      calls_, std::move(request), deadline,
      [stub](auto* context, auto* request, auto* response, auto* reactor) {
        stub->GetAccount(context, request, response, reactor);
      },
      Completion(Upstream::kStore, absl::StatusCode::kNotFound, metrics_,
                 &failure_log_, ConvertAccount, std::move(done)));
}

GrpcDigestSource::GrpcDigestSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    ClientCalls* calls, UpstreamMetrics* metrics)
    : stubs_(channels),
      calls_(calls),
      metrics_(metrics),
      failure_log_(kFailureLogInterval) {}

void GrpcDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                 absl::Time deadline, DigestCallback done) {
  engine::v1::HashRequest request;
  request.set_algorithm(engine::v1::ALGORITHM_SHA256);
  request.set_rounds(rounds);
  request.set_data(std::move(data));
  auto* stub = stubs_.Next().async();
  UnaryCall<engine::v1::HashRequest, engine::v1::HashResponse>::Start(
      calls_, std::move(request), deadline,
      [stub](auto* context, auto* request, auto* response, auto* reactor) {
        stub->Hash(context, request, response, reactor);
      },
      Completion(Upstream::kEngine, absl::StatusCode::kOk, metrics_,
                 &failure_log_, ConvertDigest, std::move(done)));
}

}  // namespace hashmesh::gateway
