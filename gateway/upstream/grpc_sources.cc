#include "gateway/upstream/grpc_sources.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "services/common/grpc_status.h"

namespace hashmesh::gateway {
namespace {

// One upstream failure logged per interval at most: a dead upstream fails every
// payment, and the log must stay readable.
constexpr absl::Duration kFailureLogInterval = absl::Seconds(5);

// One unary call: the reactor owns the context, request and response until
// gRPC is done with them, then runs the callback on the gRPC thread that
// completed the call (see payment/sources.h) and deletes itself. The call
// counts as in flight until the callback has returned, so whatever it
// started is accounted for before a drain can see zero.
template <typename Request, typename Response, typename Value>
class UnaryCall final : public grpc::ClientUnaryReactor {
 public:
  using Convert = Value (*)(Response&);
  using Callback = absl::AnyInvocable<void(absl::StatusOr<Value>) &&>;

  UnaryCall(Upstream upstream, absl::StatusCode expected, absl::Time deadline,
            UpstreamMetrics* metrics, LogRateLimiter* limiter, Convert convert,
            Callback done)
      : upstream_(upstream),
        expected_(expected),
        metrics_(metrics),
        limiter_(limiter),
        convert_(convert),
        done_(std::move(done)) {
    context_.set_deadline(absl::ToChronoTime(deadline));
    metrics_->in_flight().Start();
  }

  grpc::ClientContext* context() { return &context_; }
  Request* request() { return &request_; }
  Response* response() { return &response_; }

  void OnDone(const grpc::Status& status) override {
    metrics_->Record(upstream_, status.error_code(), absl::Now() - start_);
    if (status.ok()) {
      std::move(done_)(convert_(response_));
    } else {
      const absl::Status failed = FromGrpcStatus(status);
      LogUpstreamFailure(upstream_, failed, expected_, limiter_);
      std::move(done_)(failed);
    }
    UpstreamMetrics* metrics = metrics_;
    delete this;
    metrics->in_flight().Finish();
  }

 private:
  const Upstream upstream_;
  const absl::StatusCode expected_;
  UpstreamMetrics* const metrics_;
  LogRateLimiter* const limiter_;
  const Convert convert_;
  Callback done_;
  const absl::Time start_ = absl::Now();
  grpc::ClientContext context_;
  Request request_;
  Response response_;
};

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
    UpstreamMetrics* metrics)
    : stubs_(channels), metrics_(metrics), failure_log_(kFailureLogInterval) {}

void GrpcAccountSource::Lookup(const std::string& account_id,
                               absl::Time deadline, AccountCallback done) {
  auto* call = new UnaryCall<pgstub::v1::GetAccountRequest, pgstub::v1::Account,
                             Account>(
      Upstream::kStore, absl::StatusCode::kNotFound, deadline, metrics_,
      &failure_log_, ConvertAccount, std::move(done));
  call->request()->set_account_id(account_id);
  stubs_.Next().async()->GetAccount(call->context(), call->request(),
                                    call->response(), call);
  call->StartCall();
}

GrpcDigestSource::GrpcDigestSource(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    UpstreamMetrics* metrics)
    : stubs_(channels), metrics_(metrics), failure_log_(kFailureLogInterval) {}

void GrpcDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                 absl::Time deadline, DigestCallback done) {
  auto* call = new UnaryCall<engine::v1::HashRequest, engine::v1::HashResponse,
                             std::string>(
      Upstream::kEngine, absl::StatusCode::kOk, deadline, metrics_,
      &failure_log_, ConvertDigest, std::move(done));
  call->request()->set_algorithm(engine::v1::ALGORITHM_SHA256);
  call->request()->set_rounds(rounds);
  call->request()->set_data(std::move(data));
  stubs_.Next().async()->Hash(call->context(), call->request(),
                              call->response(), call);
  call->StartCall();
}

}  // namespace hashmesh::gateway
