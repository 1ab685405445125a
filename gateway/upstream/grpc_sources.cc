#include "gateway/upstream/grpc_sources.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

// One in-flight call: everything gRPC needs to stay alive until it completes.
template <typename Request, typename Response, typename Callback>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  Callback done;
  absl::Time start = absl::Now();
};

// Runs the callback on the gRPC thread that completed the call (see
// sources.h); `convert` turns the response into the callback's value. The
// call counts as in flight until the callback has returned, so whatever it
// started or posted is accounted for before a drain can see zero.
template <typename CallT, typename Convert>
std::function<void(grpc::Status)> Completion(CallT* raw, Upstream upstream,
                                             Metrics* metrics,
                                             Convert convert) {
  return [raw, upstream, metrics, convert](const grpc::Status& status) {
    std::unique_ptr<CallT> call(raw);
    metrics->RecordUpstream(upstream, status.error_code(),
                            absl::Now() - call->start);
    if (status.ok()) {
      std::move(call->done)(convert(call->response));
    } else {
      std::move(call->done)(FromGrpcStatus(status));
    }
    metrics->UpstreamCallFinished();
  };
}

}  // namespace

pgstub::Account AccountFromProto(const pgstub::v1::Account& proto) {
  pgstub::Account account;
  account.account_id = proto.account_id();
  account.owner = proto.owner();
  account.currency = proto.currency();
  account.balance_cents = proto.balance_cents();
  account.frozen = proto.status() == pgstub::v1::ACCOUNT_STATUS_FROZEN;
  account.salt_hex = proto.salt_hex();
  return account;
}

GrpcAccountSource::GrpcAccountSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    absl::Duration timeout, Metrics* metrics)
    : stubs_(channels), timeout_(timeout), metrics_(metrics) {}

void GrpcAccountSource::Lookup(const std::string& account_id,
                               boost::asio::any_io_executor /*executor*/,
                               AccountCallback done) {
  using AccountCall =
      Call<pgstub::v1::GetAccountRequest, pgstub::v1::Account, AccountCallback>;
  auto* call = new AccountCall;
  call->request.set_account_id(account_id);
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(call->start + timeout_));
  metrics_->UpstreamCallStarted();
  stubs_.Next().async()->GetAccount(
      &call->context, &call->request, &call->response,
      Completion(call, Upstream::kStore, metrics_,
                 [](const pgstub::v1::Account& response)
                     -> absl::StatusOr<pgstub::Account> {
                   return AccountFromProto(response);
                 }));
}

GrpcDigestSource::GrpcDigestSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    absl::Duration timeout, Metrics* metrics)
    : stubs_(channels), timeout_(timeout), metrics_(metrics) {}

void GrpcDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                 boost::asio::any_io_executor /*executor*/,
                                 DigestCallback done) {
  using HashCall =
      Call<engine::v1::HashRequest, engine::v1::HashResponse, DigestCallback>;
  auto* call = new HashCall;
  call->request.set_algorithm(engine::v1::ALGORITHM_SHA256);
  call->request.set_rounds(rounds);
  call->request.set_data(std::move(data));
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(call->start + timeout_));
  metrics_->UpstreamCallStarted();
  stubs_.Next().async()->Hash(
      &call->context, &call->request, &call->response,
      Completion(call, Upstream::kEngine, metrics_,
                 [](const engine::v1::HashResponse& response)
                     -> absl::StatusOr<std::string> {
                   return absl::BytesToHexString(response.digest());
                 }));
}

}  // namespace hashmesh::gateway
