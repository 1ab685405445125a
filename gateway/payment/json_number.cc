#include "gateway/payment/json_number.h"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <system_error>

namespace hashmesh::gateway {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal exponent of the first significant digit of a JSON number: 2 for
// "123", -3 for "0.00123", 402 for "12e401"; INT64_MIN for zero. Saturates
// far beyond any double's range.
int64_t LeadingDigitExponent(absl::string_view text) {
  constexpr int64_t kSaturation = int64_t{1} << 40;
  size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
  const size_t int_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const size_t int_end = i;
  size_t frac_begin = i;
  if (i < text.size() && text[i] == '.') {
    frac_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  const size_t frac_end = i;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      if (exponent < kSaturation) exponent = exponent * 10 + (text[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  const size_t first_int = text.find_first_not_of('0', int_begin);
  if (first_int < int_end) {
    return static_cast<int64_t>(int_end - first_int) - 1 + exponent;
  }
  const size_t first_frac = text.find_first_not_of('0', frac_begin);
  if (first_frac < frac_end) {
    return -static_cast<int64_t>(first_frac - frac_begin) - 1 + exponent;
  }
  return std::numeric_limits<int64_t>::min();
}

}  // namespace

bool IsIntegerText(absl::string_view number_text) {
  return number_text.find_first_of(".eE") == absl::string_view::npos;
}

bool OverflowsDouble(absl::string_view number_text) {
  double value = 0;
  const char* end = number_text.data() + number_text.size();
  const std::from_chars_result result =
      std::from_chars(number_text.data(), end, value);
  if (result.ec != std::errc::result_out_of_range) return false;
  // from_chars reports underflow the same way; only the magnitude tells.
  return LeadingDigitExponent(number_text) > 0;
}

}  // namespace hashmesh::gateway
