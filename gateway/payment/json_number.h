// Decisions about JSON numbers that SPEC.md makes from their source text:
// what counts as an integer, and what is too large for a double.
#ifndef HASHMESH_GATEWAY_PAYMENT_JSON_NUMBER_H_
#define HASHMESH_GATEWAY_PAYMENT_JSON_NUMBER_H_

#include "absl/strings/string_view.h"

namespace hashmesh::gateway {

// True for a number's source text without fraction or exponent ("-0", "12");
// what SPEC.md calls an integer.
bool IsIntegerText(absl::string_view number_text);

// Whether a number's source text (JSON syntax) is too large in magnitude for
// a double, decided by correctly rounded conversion (absl::from_chars):
// "1.7976931348623158e308" rounds to DBL_MAX and fits, "1e400" does not.
// Underflow ("1e-400", "1e-99999999999") fits: it is 0 or a subnormal, as
// RFC 8259 permits, and so is zero with any exponent ("0e99999999999").
bool OverflowsDouble(absl::string_view number_text);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_JSON_NUMBER_H_
