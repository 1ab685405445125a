#include "gateway/payment/payment_json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/json_number.h"
#include "services/common/boost_string_view.h"

namespace hashmesh::gateway {
namespace {

namespace json = boost::json;

// basic_parser's handler: forwards events to a PaymentFieldsCollector.
// Boost.JSON itself rejects BOMs, invalid UTF-8, lone surrogates, raw control
// characters in strings, nesting beyond max_depth and anything not JSON.
// Keys and numbers spanning Boost's internal buffer (long ones with escapes)
// or a piece of the body (see kMaxDigitRun) arrive in parts, which are joined
// here.
class BoostJsonHandler {
 public:
  // No limits of its own: the body is at most 64 KiB.
  static constexpr std::size_t max_object_size = SIZE_MAX;
  static constexpr std::size_t max_array_size = SIZE_MAX;
  static constexpr std::size_t max_key_size = SIZE_MAX;
  static constexpr std::size_t max_string_size = SIZE_MAX;

  explicit BoostJsonHandler(PaymentFields* fields) : collector_(fields) {}

  const PaymentFieldsCollector& collector() const { return collector_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code& ec) {
    return Check(collector_.BeginContainer(/*is_object=*/true), ec);
  }
  bool on_array_begin(json::error_code& ec) {
    return Check(collector_.BeginContainer(/*is_object=*/false), ec);
  }
  bool on_object_end(std::size_t, json::error_code&) { return End(); }
  bool on_array_end(std::size_t, json::error_code&) { return End(); }

  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code& ec) {
    if (key_.empty()) return Check(collector_.Key(ToAbsl(last)), ec);
    key_.append(last.data(), last.size());
    const bool ok = collector_.Key(key_);
    key_.clear();
    return Check(ok, ec);
  }

  bool on_string_part(json::string_view part, std::size_t,
                      json::error_code& ec) {
    return Check(collector_.StringPart(ToAbsl(part)), ec);
  }
  bool on_string(json::string_view last, std::size_t, json::error_code& ec) {
    return Check(collector_.String(ToAbsl(last)), ec);
  }

  bool on_number_part(json::string_view part, json::error_code&) {
    number_.append(part.data(), part.size());
    return true;
  }
  // Whether the parser stopped inside a number's exponent. Only the number's
  // own text is looked at: Boost has already told its parts apart.
  bool InExponent() const {
    return number_.find_first_of("eE") != std::string::npos;
  }
  // Digits of the current number's exponent that the parser is not given.
  void AppendExponentDigits(absl::string_view digits) {
    number_.append(digits.data(), digits.size());
  }
  bool on_int64(int64_t value, json::string_view, json::error_code& ec) {
    number_.clear();
    return Check(collector_.Integer(value), ec);
  }
  bool on_uint64(uint64_t, json::string_view, json::error_code& ec) {
    number_.clear();  // only integers above INT64_MAX come here
    return Check(collector_.NumberBeyondInt64(/*integer=*/true), ec);
  }
  // Boost's value is not used: 1.81 rounds near DBL_MAX imprecisely
  // (1.7976931348623158e308 becomes inf), and it has not seen the exponent
  // digits ReadPaymentFields kept from it. The text decides.
  bool on_double(double, json::string_view last, json::error_code& ec) {
    absl::string_view text = ToAbsl(last);
    if (!number_.empty()) text = number_.append(last.data(), last.size());
    const bool ok = OverflowsDouble(text)
                        ? collector_.Fail("a number is too large for a double")
                        : collector_.NumberBeyondInt64(IsIntegerText(text));
    number_.clear();
    return Check(ok, ec);
  }

  bool on_bool(bool, json::error_code& ec) {
    return Check(collector_.Literal(), ec);
  }
  bool on_null(json::error_code& ec) { return Check(collector_.Literal(), ec); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // The parser stops only when the handler sets an error; which one does not
  // matter, the collector's failure() says why.
  static bool Check(bool ok, json::error_code& ec) {
    if (!ok) ec = json::error::syntax;
    return ok;
  }
  bool End() {
    collector_.EndContainer();
    return true;
  }

  PaymentFieldsCollector collector_;
  std::string key_;     // parts of the current key
  std::string number_;  // parts of the current number
};

// Boost.JSON 1.81 fails a number whose exponent is beyond INT_MAX with
// exponent_overflow before the handler sees it, though such a number may be
// 0 ("0e99999999999") or underflow to it ("1e-99999999999"), which SPEC.md
// accepts. So the body is written to the parser in pieces that end after
// kMaxDigitRun consecutive digits. When a piece ends inside an exponent (the
// parser has passed the number's text so far to the handler), the exponent's
// remaining digits go to the handler only, which decides the number from its
// whole text. The parser's exponent so keeps at most kMaxDigitRun digits, far
// below INT_MAX; its other limit, INT_MAX less the number's digit count,
// would take a number a billion digits long.
constexpr std::size_t kMaxDigitRun = 9;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Where the piece of `body` that starts at `begin` ends: after its first run of
// kMaxDigitRun digits, or at the end of the body.
std::size_t PieceEnd(absl::string_view body, std::size_t begin) {
  std::size_t run = 0;
  for (std::size_t i = begin; i < body.size(); ++i) {
    run = IsDigit(body[i]) ? run + 1 : 0;
    if (run == kMaxDigitRun) return i + 1;
  }
  return body.size();
}

}  // namespace

absl::Status InvalidJsonError(absl::string_view reason) {
  return ApiError(ErrorCode::kInvalidJson,
                  absl::StrCat("request body is not valid JSON: ", reason));
}

absl::Status ReadPaymentFields(absl::string_view body, PaymentFields* fields) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::basic_parser<BoostJsonHandler> parser(options, fields);
  json::error_code ec;
  std::size_t consumed = 0;  // bytes of `body` parsed or given to the handler
  for (;;) {
    const std::size_t end = PieceEnd(body, consumed);
    const bool more = end < body.size();
    const std::size_t written =
        parser.write_some(more, body.data() + consumed, end - consumed, ec);
    consumed += written;
    // The parser takes all of a piece unless it fails or the value has ended
    // before the piece does.
    if (ec || !more || consumed < end) break;
    if (parser.handler().InExponent()) {
      const std::size_t digits_end =
          std::min(body.find_first_not_of("0123456789", consumed), body.size());
      parser.handler().AppendExponentDigits(
          body.substr(consumed, digits_end - consumed));
      consumed = digits_end;
    }
  }
  if (absl::string_view failure = parser.handler().collector().failure();
      !failure.empty()) {
    return InvalidJsonError(failure);
  }
  if (ec == json::error::too_deep) {
    return InvalidJsonError(
        absl::StrCat("nesting deeper than ", kMaxJsonDepth, " levels"));
  }
  if (ec) {
    return InvalidJsonError(absl::StrCat(ec.message(), " at byte ", consumed));
  }
  // basic_parser stops after the value (and trailing whitespace) without
  // complaining about what follows.
  if (consumed != body.size()) {
    return InvalidJsonError(absl::StrCat(
        "unexpected data after the JSON value at byte ", consumed));
  }
  return absl::OkStatus();
}

}  // namespace hashmesh::gateway
