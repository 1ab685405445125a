#include "gateway/payment/json_number.h"

#include <system_error>

#include "absl/strings/charconv.h"

namespace hashmesh::gateway {

bool IsIntegerText(absl::string_view number_text) {
  return number_text.find_first_of(".eE") == absl::string_view::npos;
}

bool OverflowsDouble(absl::string_view number_text) {
  double value = 0;
  const absl::from_chars_result result = absl::from_chars(
      number_text.data(), number_text.data() + number_text.size(), value);
  // Out of range is either side of the range. std::from_chars leaves `value`
  // alone then, but absl::from_chars stores the nearest double (LWG 3081):
  // +-DBL_MAX for overflow, +-0 for underflow, so a nonzero value is
  // overflow. The unit tests pin this behaviour of the library.
  return result.ec == std::errc::result_out_of_range && value != 0;
}

}  // namespace hashmesh::gateway
