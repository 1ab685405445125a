// Strict reading of a payment body (SPEC.md "JSON details") into the raw
// top-level members the gateway knows, before any field rule is applied.
#ifndef HASHMESH_GATEWAY_PAYMENT_PAYMENT_JSON_H_
#define HASHMESH_GATEWAY_PAYMENT_PAYMENT_JSON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/payment_fields.h"

namespace hashmesh::gateway {

// Checks that `body` is one JSON object under every rule of "JSON details"
// (one value and only whitespace around it, no BOM, valid UTF-8, no lone
// surrogate, every number finite as a double, no duplicate top-level key after
// unescaping, depth <= 32) and fills `*fields` (freshly constructed) with the
// members it knows; unknown members are checked as JSON and otherwise
// ignored. Any violation is invalid_json (see api_error.h). Boost.JSON's
// basic_parser drives a PaymentFieldsCollector: no DOM is built and nothing
// is allocated for the usual small payment.
absl::Status ReadPaymentFields(absl::string_view body, PaymentFields* fields);

// The invalid_json error, its message naming `reason`.
absl::Status InvalidJsonError(absl::string_view reason);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_PAYMENT_JSON_H_
