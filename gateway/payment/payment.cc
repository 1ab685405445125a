#include "gateway/payment/payment.h"

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "services/common/json_escape.h"

namespace hashmesh::gateway {
namespace {

constexpr size_t kPaymentIdHexChars = 16;

// Room for every constant part, numbers and hex digests. Of a validated
// request only merchant can grow by escaping ('"' and '\' double), so one
// allocation suffices.
constexpr size_t kBodyReserve = 320;

}  // namespace

absl::Status AccountNotFoundError(absl::string_view account_id) {
  return ApiError(ErrorCode::kAccountNotFound,
                  absl::StrCat("account ", account_id, " does not exist"));
}

absl::Status CheckAccount(const PaymentRequest& request,
                          const Account& account) {
  if (account.frozen) {
    return ApiError(ErrorCode::kAccountFrozen,
                    absl::StrCat("account ", request.account_id, " is frozen"));
  }
  if (request.currency != account.currency) {
    return ApiError(ErrorCode::kCurrencyMismatch,
                    absl::StrCat("currency must be the account's currency, ",
                                 account.currency));
  }
  if (request.amount_cents > account.balance_cents) {
    return ApiError(ErrorCode::kInsufficientFunds,
                    "amount_cents exceeds the account's balance");
  }
  return absl::OkStatus();
}

std::string HashInput(const PaymentRequest& request,
                      absl::string_view salt_hex) {
  return absl::StrCat(request.account_id, "|", request.amount_cents, "|",
                      request.currency, "|", request.merchant, "|",
                      request.memo, "|", salt_hex);
}

std::string PaymentResponseBody(const PaymentRequest& request,
                                const Account& account, uint32_t rounds,
                                absl::string_view digest_hex) {
  std::string body;
  body.reserve(kBodyReserve + 2 * request.merchant.size() +
               request.account_id.size() + request.currency.size() +
               digest_hex.size());
  absl::StrAppend(&body, R"({"payment_id":"pay-)",
                  digest_hex.substr(0, kPaymentIdHexChars),
                  R"(","account_id":)");
  AppendJsonString(request.account_id, &body);
  absl::StrAppend(&body, R"(,"amount_cents":)", request.amount_cents,
                  R"(,"currency":)");
  AppendJsonString(request.currency, &body);
  body.append(R"(,"merchant":)");
  AppendJsonString(request.merchant, &body);
  absl::StrAppend(&body, R"(,"status":"authorized","balance_after_cents":)",
                  account.balance_cents - request.amount_cents,
                  R"(,"algorithm":)");
  AppendJsonString(kPaymentAlgorithmName, &body);
  absl::StrAppend(&body, R"(,"rounds":)", rounds, R"(,"digest":)");
  AppendJsonString(digest_hex, &body);
  body.push_back('}');
  return body;
}

}  // namespace hashmesh::gateway
