// Fuzzes POST /v1/payments' business logic: media type and body through
// CheckMediaType, ParsePaymentRequest, CheckAccount and the 201 body, with
// SPEC.md's rules as properties.
//
// Input: the Content-Type value, '\n', then the body; without a '\n' the
// whole input is the body and the Content-Type is missing.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/payment.h"
#include "gateway/payment/payment_request.h"
#include "services/common/account_id.h"
#include "tests/fuzz/fuzz_check.h"

namespace hashmesh::gateway {
namespace {

namespace json = boost::json;

bool IsUpperAlpha3(absl::string_view text) {
  if (text.size() != 3) return false;
  for (char c : text) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// Every error a client sees is one of the SPEC's codes with its status, and
// its body is valid JSON carrying that code.
void CheckError(const absl::Status& status) {
  const std::optional<ErrorCode> code = ErrorCodeOf(status);
  FUZZ_CHECK(code.has_value());
  const HttpError error = ToHttpError(status);
  FUZZ_CHECK(error.code == *code);
  FUZZ_CHECK(error.status == HttpStatusOf(*code));
  json::error_code ec;
  const json::value body = json::parse(ErrorBody(error), ec);
  FUZZ_CHECK(!ec && body.is_object());
  const json::value* inner = body.as_object().if_contains("error");
  FUZZ_CHECK(inner != nullptr && inner->is_object());
  const json::value* wire_code = inner->as_object().if_contains("code");
  FUZZ_CHECK(wire_code != nullptr && wire_code->is_string());
  FUZZ_CHECK(wire_code->as_string() == ErrorCodeName(*code).data());
}

// A request that passed rows 1-4 holds only values within the SPEC's ranges.
void CheckRequestInRange(const PaymentRequest& request) {
  FUZZ_CHECK(ParseAccountId(request.account_id).ok());
  FUZZ_CHECK(request.amount_cents >= kMinAmountCents &&
             request.amount_cents <= kMaxAmountCents);
  FUZZ_CHECK(IsUpperAlpha3(request.currency));
  FUZZ_CHECK(!request.merchant.empty() &&
             request.merchant.size() <= kMaxMerchantBytes);
  FUZZ_CHECK(request.memo.size() <= kMaxMemoBytes);
  FUZZ_CHECK(!HasForbiddenCharacter(request.merchant));
  FUZZ_CHECK(!HasForbiddenCharacter(request.memo));
}

// The request written back as JSON parses to the same request: nothing was
// lost or altered in unescaping.
void CheckRoundTrip(const PaymentRequest& request) {
  const json::object object = {{"account_id", request.account_id},
                               {"amount_cents", request.amount_cents},
                               {"currency", request.currency},
                               {"merchant", request.merchant},
                               {"memo", request.memo}};
  absl::StatusOr<PaymentRequest> again =
      ParsePaymentRequest(json::serialize(object));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->account_id == request.account_id);
  FUZZ_CHECK(again->amount_cents == request.amount_cents);
  FUZZ_CHECK(again->currency == request.currency);
  FUZZ_CHECK(again->merchant == request.merchant);
  FUZZ_CHECK(again->memo == request.memo);
}

// Rows 6-8 against an account chosen from the request itself, so that every
// outcome is reachable; then the 201 body is valid JSON with the same fields.
void CheckAgainstAccount(const PaymentRequest& request) {
  const Account account = {
      .currency = request.amount_cents % 3 == 0 ? "JPY" : request.currency,
      .balance_cents = request.amount_cents % 5 == 0 ? request.amount_cents - 1
                                                     : int64_t{100000000},
      .frozen = request.amount_cents % 7 == 0,
      .salt_hex = "bace429177cc7520dcfe34753b49bb97"};
  const absl::Status checked = CheckAccount(request, account);
  if (!checked.ok()) {
    CheckError(checked);
    const ErrorCode code = *ErrorCodeOf(checked);
    FUZZ_CHECK(code == ErrorCode::kAccountFrozen ||
               code == ErrorCode::kCurrencyMismatch ||
               code == ErrorCode::kInsufficientFunds);
    return;
  }
  FUZZ_CHECK(HashInput(request, account.salt_hex) ==
             request.account_id + "|" + std::to_string(request.amount_cents) +
                 "|" + request.currency + "|" + request.merchant + "|" +
                 request.memo + "|" + account.salt_hex);
  const std::string digest(64, 'c');
  json::error_code ec;
  const json::value body =
      json::parse(PaymentResponseBody(request, account, 100, digest), ec);
  FUZZ_CHECK(!ec && body.is_object());
  const json::object& o = body.as_object();
  FUZZ_CHECK(o.at("payment_id").as_string() == "pay-cccccccccccccccc");
  FUZZ_CHECK(o.at("account_id").as_string() == request.account_id.c_str());
  FUZZ_CHECK(o.at("amount_cents").as_int64() == request.amount_cents);
  FUZZ_CHECK(o.at("currency").as_string() == request.currency.c_str());
  FUZZ_CHECK(json::string_view(o.at("merchant").as_string()) ==
             json::string_view(request.merchant));
  FUZZ_CHECK(o.at("balance_after_cents").as_int64() ==
             account.balance_cents - request.amount_cents);
  FUZZ_CHECK(o.at("digest").as_string() == digest.c_str());
}

void FuzzOne(absl::string_view input) {
  std::optional<absl::string_view> content_type;
  absl::string_view body = input;
  if (const size_t newline = input.find('\n');
      newline != absl::string_view::npos) {
    content_type = input.substr(0, newline);
    body = input.substr(newline + 1);
  }
  // Row 1 is the HTTP layer's; its error must be one of ours all the same.
  if (body.size() > kMaxBodyBytes) {
    CheckError(PayloadTooLargeError(kMaxBodyBytes));
    return;
  }
  if (absl::Status media = CheckMediaType(content_type); !media.ok()) {
    CheckError(media);
    FUZZ_CHECK(*ErrorCodeOf(media) == ErrorCode::kUnsupportedMediaType);
    return;
  }
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(body);
  if (!request.ok()) {
    CheckError(request.status());
    const ErrorCode code = *ErrorCodeOf(request.status());
    FUZZ_CHECK(code == ErrorCode::kInvalidJson ||
               code == ErrorCode::kInvalidArgument);
    const std::string field = ToHttpError(request.status()).field;
    FUZZ_CHECK(code == ErrorCode::kInvalidJson
                   ? field.empty()
                   : (field == "account_id" || field == "amount_cents" ||
                      field == "currency" || field == "merchant" ||
                      field == "memo"));
    return;
  }
  // What passed must be JSON to Boost.JSON's own DOM parser too, but for a
  // number whose exponent is beyond INT_MAX ("0e99999999999"), which Boost
  // 1.81 refuses (exponent_overflow) and SPEC.md accepts.
  json::error_code ec;
  const json::value dom =
      json::parse(json::string_view(body.data(), body.size()), ec);
  FUZZ_CHECK(ec ? ec == json::error::exponent_overflow : dom.is_object());
  CheckRequestInRange(*request);
  CheckRoundTrip(*request);
  CheckAgainstAccount(*request);
}

}  // namespace
}  // namespace hashmesh::gateway

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hashmesh::gateway::FuzzOne(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
