#include "gateway/payment_handler.h"

#include <memory>
#include <utility>

#include "gateway/payment/api_error.h"
#include "gateway/payment/payment.h"
#include "gateway/payment/payment_request.h"

namespace hashmesh::gateway {
namespace {

// A payment in flight between its asynchronous steps.
struct Flow {
  PaymentRequest request;
  pgstub::Account account;
  boost::asio::any_io_executor executor;
  ReplyCallback done;
};

void Fail(std::unique_ptr<Flow> flow, const absl::Status& status) {
  std::move(flow->done)(ErrorReply(status));
}

}  // namespace

PaymentHandler::PaymentHandler(AccountSource* accounts, DigestSource* digests,
                               uint32_t rounds)
    : accounts_(accounts), digests_(digests), rounds_(rounds) {}

void PaymentHandler::Handle(std::optional<absl::string_view> content_type,
                            absl::string_view body,
                            const boost::asio::any_io_executor& executor,
                            ReplyCallback done) {
  if (absl::Status s = CheckMediaType(content_type); !s.ok()) {
    std::move(done)(ErrorReply(s));
    return;
  }
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(body);
  if (!request.ok()) {
    std::move(done)(ErrorReply(request.status()));
    return;
  }
  auto flow = std::make_unique<Flow>();
  flow->request = *std::move(request);
  flow->executor = executor;
  flow->done = std::move(done);
  const std::string account_id = flow->request.account_id;
  accounts_->Lookup(
      account_id, executor,
      [this, flow = std::move(flow)](
          absl::StatusOr<pgstub::Account> account) mutable {
        if (!account.ok()) {
          const absl::Status error =
              account.status().code() == absl::StatusCode::kNotFound
                  ? AccountNotFoundError(flow->request.account_id)
                  : UpstreamError(account.status(), "store");
          Fail(std::move(flow), error);
          return;
        }
        if (absl::Status s = CheckAccount(flow->request, *account); !s.ok()) {
          Fail(std::move(flow), s);
          return;
        }
        flow->account = *std::move(account);
        std::string data = HashInput(flow->request, flow->account.salt_hex);
        boost::asio::any_io_executor executor = flow->executor;
        digests_->Sha256Hex(
            std::move(data), rounds_, executor,
            [this, flow = std::move(flow)](
                absl::StatusOr<std::string> digest) mutable {
              if (!digest.ok()) {
                Fail(std::move(flow), UpstreamError(digest.status(), "engine"));
                return;
              }
              Reply reply;
              reply.status = 201;
              reply.body = PaymentResponseBody(flow->request, flow->account,
                                               rounds_, *digest);
              std::move(flow->done)(std::move(reply));
            });
      });
}

}  // namespace hashmesh::gateway
