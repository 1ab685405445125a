#include "gateway/payment/payment_request.h"

#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "services/common/account_id.h"

namespace hashmesh::gateway {
namespace {

using Kind = JsonField::Kind;

absl::string_view TrimSpacesAndTabs(absl::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == absl::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

absl::Status Required(absl::string_view field) {
  return InvalidFieldError(field, absl::StrCat(field, " is required"));
}

absl::Status NotAString(absl::string_view field) {
  return InvalidFieldError(field, absl::StrCat(field, " must be a string"));
}

bool IsCurrencyCode(absl::string_view text) {
  if (text.size() != 3) return false;
  for (char c : text) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// Each Take* checks one field and, when it passes, moves it into `*out`.
absl::Status TakeAccountId(JsonField& field, std::string* out) {
  if (field.kind == Kind::kMissing) return Required("account_id");
  if (field.kind != Kind::kString) return NotAString("account_id");
  if (!ParseAccountId(field.string).ok()) {
    return InvalidFieldError(
        "account_id", "account_id must be \"acc-\" followed by 6 digits");
  }
  *out = std::move(field.string);
  return absl::OkStatus();
}

absl::Status TakeAmountCents(const JsonField& field, int64_t* out) {
  switch (field.kind) {
    case Kind::kMissing:
      return Required("amount_cents");
    case Kind::kInteger:
      if (field.integer >= kMinAmountCents &&
          field.integer <= kMaxAmountCents) {
        *out = field.integer;
        return absl::OkStatus();
      }
      [[fallthrough]];
    case Kind::kIntegerOutOfRange:
      return InvalidFieldError(
          "amount_cents",
          absl::StrCat("amount_cents must be between ", kMinAmountCents,
                       " and ", kMaxAmountCents));
    default:
      return InvalidFieldError("amount_cents",
                               "amount_cents must be an integer");
  }
}

absl::Status TakeCurrency(JsonField& field, std::string* out) {
  if (field.kind == Kind::kMissing) return Required("currency");
  if (field.kind != Kind::kString) return NotAString("currency");
  if (!IsCurrencyCode(field.string)) {
    return InvalidFieldError("currency",
                             "currency must be 3 uppercase letters A-Z");
  }
  *out = std::move(field.string);
  return absl::OkStatus();
}

// merchant and memo share every rule but presence and emptiness.
absl::Status CheckText(absl::string_view name, absl::string_view text,
                       size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidFieldError(name, absl::StrCat(name, " must be at most ",
                                                max_bytes, " bytes of UTF-8"));
  }
  if (HasForbiddenCharacter(text)) {
    return InvalidFieldError(
        name,
        absl::StrCat(name, " must not contain '|' or control characters"));
  }
  return absl::OkStatus();
}

absl::Status TakeMerchant(JsonField& field, std::string* out) {
  if (field.kind == Kind::kMissing) return Required("merchant");
  if (field.kind != Kind::kString) return NotAString("merchant");
  if (field.string.empty()) {
    return InvalidFieldError("merchant", "merchant must not be empty");
  }
  if (absl::Status status =
          CheckText("merchant", field.string, kMaxMerchantBytes);
      !status.ok()) {
    return status;
  }
  *out = std::move(field.string);
  return absl::OkStatus();
}

absl::Status TakeMemo(JsonField& field, std::string* out) {
  if (field.kind == Kind::kMissing) return absl::OkStatus();  // default ""
  if (field.kind != Kind::kString) return NotAString("memo");
  if (absl::Status status = CheckText("memo", field.string, kMaxMemoBytes);
      !status.ok()) {
    return status;
  }
  *out = std::move(field.string);
  return absl::OkStatus();
}

}  // namespace

bool HasForbiddenCharacter(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F || byte == '|') return true;
    // In valid UTF-8, C2 80..C2 9F are exactly U+0080..U+009F.
    if (byte == 0xC2 && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

absl::Status PayloadTooLargeError(size_t limit) {
  return ApiError(
      ErrorCode::kPayloadTooLarge,
      absl::StrCat("request body must be at most ", limit, " bytes"));
}

absl::Status CheckMediaType(std::optional<absl::string_view> content_type) {
  if (content_type.has_value()) {
    absl::string_view media_type =
        content_type->substr(0, content_type->find(';'));
    if (absl::EqualsIgnoreCase(TrimSpacesAndTabs(media_type),
                               "application/json")) {
      return absl::OkStatus();
    }
  }
  return ApiError(ErrorCode::kUnsupportedMediaType,
                  "Content-Type must be application/json");
}

absl::StatusOr<PaymentRequest> ParsePaymentRequest(absl::string_view body) {
  PaymentFields fields;
  if (absl::Status status = ReadPaymentFields(body, &fields); !status.ok()) {
    return status;
  }
  return ValidatePaymentFields(std::move(fields));
}

absl::StatusOr<PaymentRequest> ValidatePaymentFields(PaymentFields fields) {
  PaymentRequest request;
  absl::Status status = TakeAccountId(fields.account_id, &request.account_id);
  if (status.ok()) {
    status = TakeAmountCents(fields.amount_cents, &request.amount_cents);
  }
  if (status.ok()) status = TakeCurrency(fields.currency, &request.currency);
  if (status.ok()) status = TakeMerchant(fields.merchant, &request.merchant);
  if (status.ok()) status = TakeMemo(fields.memo, &request.memo);
  if (!status.ok()) return status;
  return request;
}

}  // namespace hashmesh::gateway
