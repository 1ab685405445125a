#include "gateway/payment/payment_processor.h"

#include <memory>
#include <utility>

#include "absl/time/clock.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/payment.h"
#include "gateway/payment/payment_request.h"

namespace hashmesh::gateway {
namespace {

// A payment between its asynchronous steps.
struct Flow {
  PaymentRequest request;
  Account account;
  absl::Time deadline;
  PaymentCallback done;
};

}  // namespace

PaymentProcessor::PaymentProcessor(AccountSource* accounts,
                                   DigestSource* digests, uint32_t rounds,
                                   absl::Duration timeout)
    : accounts_(accounts),
      digests_(digests),
      rounds_(rounds),
      timeout_(timeout) {}

void PaymentProcessor::Process(absl::string_view body, PaymentCallback done) {
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(body);
  if (!request.ok()) {
    std::move(done)(request.status());
    return;
  }
  auto flow = std::make_unique<Flow>();
  flow->request = *std::move(request);
  flow->deadline = absl::Now() + timeout_;
  flow->done = std::move(done);
  // A copy: a source may call back before Lookup returns, ending the flow.
  const std::string account_id = flow->request.account_id;
  const absl::Time deadline = flow->deadline;
  accounts_->Lookup(
      account_id, deadline,
      [this, flow = std::move(flow)](absl::StatusOr<Account> account) mutable {
        if (!account.ok()) {
          std::move(flow->done)(
              account.status().code() == absl::StatusCode::kNotFound
                  ? AccountNotFoundError(flow->request.account_id)
                  : UpstreamError(account.status(), "store"));
          return;
        }
        if (absl::Status s = CheckAccount(flow->request, *account); !s.ok()) {
          std::move(flow->done)(s);
          return;
        }
        flow->account = *std::move(account);
        std::string data = HashInput(flow->request, flow->account.salt_hex);
        const absl::Time deadline = flow->deadline;
        digests_->Sha256Hex(
            std::move(data), rounds_, deadline,
            [this, flow = std::move(flow)](
                absl::StatusOr<std::string> digest) mutable {
              if (!digest.ok()) {
                std::move(flow->done)(UpstreamError(digest.status(), "engine"));
                return;
              }
              std::move(flow->done)(PaymentResponseBody(
                  flow->request, flow->account, rounds_, *digest));
            });
      });
}

}  // namespace hashmesh::gateway
