// A payment request as POST /v1/payments receives it: rows 1-4 of SPEC.md's
// validation table, from raw body and Content-Type to a validated request.
#ifndef HASHMESH_GATEWAY_PAYMENT_PAYMENT_REQUEST_H_
#define HASHMESH_GATEWAY_PAYMENT_PAYMENT_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/payment_json.h"

namespace hashmesh::gateway {

inline constexpr size_t kMaxBodyBytes = size_t{64} * 1024;  // row 1's 64 KiB
inline constexpr int64_t kMinAmountCents = 1;
inline constexpr int64_t kMaxAmountCents = 100000000;
inline constexpr size_t kMaxMerchantBytes = 64;
inline constexpr size_t kMaxMemoBytes = 256;

struct PaymentRequest {
  std::string account_id;    // ^acc-[0-9]{6}$
  int64_t amount_cents = 0;  // 1..100000000
  std::string currency;      // ^[A-Z]{3}$
  std::string merchant;      // 1..64 bytes of UTF-8, no '|' nor control char
  std::string memo;          // 0..256 bytes, same characters as merchant
};

// Row 1: payload_too_large (413) for a body over `limit` bytes. The HTTP
// layer enforces the limit while reading; this is its error.
absl::Status PayloadTooLargeError(size_t limit);

// Row 2: unsupported_media_type (415) unless the media type is
// application/json, compared ASCII-case-insensitively after trimming spaces
// and tabs, parameters after ';' ignored. nullopt (no Content-Type) is 415.
absl::Status CheckMediaType(std::optional<absl::string_view> content_type);

// Rows 3 and 4: invalid_json (400) for any breach of "JSON details", then
// invalid_argument (400, field set) for the first field at fault, in the
// order account_id, amount_cents, currency, merchant, memo. Unknown members
// are ignored.
absl::StatusOr<PaymentRequest> ParsePaymentRequest(absl::string_view body);

// Row 4 alone, on what ReadPaymentFields extracted.
absl::StatusOr<PaymentRequest> ValidatePaymentFields(PaymentFields fields);

// True when `text` (valid UTF-8) contains '|' or a control character
// (U+0000-U+001F, U+007F-U+009F), which merchant and memo must not.
bool HasForbiddenCharacter(absl::string_view text);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_PAYMENT_REQUEST_H_
