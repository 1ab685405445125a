// Every rule of SPEC.md's "JSON details", checked against the behaviour of the
// JSON library underneath (Boost.JSON 1.81) rather than assumed.
#include "gateway/payment/payment_json.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/payment/payment_request.h"
#include "gtest/gtest.h"
#include "tests/gateway/payment_test_util.h"

namespace hashmesh::gateway {
namespace {

using testing::Body;
using testing::IsInvalidArgument;
using testing::IsInvalidJson;
using testing::kExampleBody;

struct JsonCase {
  std::string name;
  std::string body;
  // "" when the body is valid; "invalid_json"; else the invalid_argument field.
  std::string expect;
};

// Names the case in gtest's output instead of dumping its bytes.
void PrintTo(const JsonCase& test_case, std::ostream* os) {
  *os << test_case.name;
}

std::string Nested(int levels, const std::string& open,
                   const std::string& close, const std::string& inner = "1") {
  std::string out;
  for (int i = 0; i < levels; ++i) out += open;
  out += inner;
  for (int i = 0; i < levels; ++i) out += close;
  return out;
}

// The example with one more member "x" holding `raw`.
std::string WithExtra(absl::string_view raw) {
  return Body().AddRaw(absl::StrCat("\"x\":", raw)).Json();
}

std::vector<JsonCase> Cases() {
  const std::string example(kExampleBody);
  const std::string ok = "", bad = "invalid_json";
  return {
      // One value, optionally surrounded by whitespace; nothing else.
      {"SurroundingWhitespace", " \t\r\n" + example + " \t\r\n", ok},
      {"TrailingGarbage", example + "x", bad},
      {"SecondObject", example + example, bad},
      {"SecondObjectAfterSpace", example + " {}", bad},
      {"TrailingComma", example + ",", bad},
      {"TrailingNul", example + std::string(1, '\0'), bad},
      {"TrailingComment", example + "/*c*/", bad},
      {"Bom", "\xEF\xBB\xBF" + example, bad},
      {"BomAfterSpace", " \xEF\xBB\xBF" + example, bad},
      // Not an object at the top level.
      {"EmptyBody", "", bad},
      {"WhitespaceOnly", " \r\n\t", bad},
      {"Array", "[" + example + "]", bad},
      {"EmptyArray", "[]", bad},
      {"String", R"("acc-000042")", bad},
      {"Number", "1299", bad},
      {"True", "true", bad},
      {"False", "false", bad},
      {"Null", "null", bad},
      // Not JSON at all.
      {"SingleQuotes", "{'account_id':'acc-000042'}", bad},
      {"UnquotedKey", "{account_id:\"acc-000042\"}", bad},
      {"TrailingCommaInObject", WithExtra("1,"), bad},
      {"TrailingCommaInArray", WithExtra("[1,]"), bad},
      {"CommentInside", WithExtra("/*c*/1"), bad},
      {"NaN", WithExtra("NaN"), bad},
      {"Infinity", WithExtra("-Infinity"), bad},
      {"LeadingZero", WithExtra("01"), bad},
      {"LeadingPlus", WithExtra("+1"), bad},
      {"Hex", WithExtra("0x10"), bad},
      {"BadEscape", WithExtra(R"("\x41")"), bad},
      {"Unterminated", example.substr(0, example.size() - 1), bad},
      // Raw control characters must be escaped in JSON strings: they are
      // invalid JSON before any field rule runs.
      {"RawBellInMerchant", Body().Set("merchant", "\"a\x07z\"").Json(), bad},
      {"RawTabInMemo", Body().Set("memo", "\"a\tz\"").Json(), bad},
      {"RawNewlineInKey", Body().AddRaw("\"a\nb\":1").Json(), bad},
      {"RawDelInMerchant", Body().Set("merchant", "\"a\x7Fz\"").Json(),
       "merchant"},  // JSON allows it raw; the field rule does not
      // Invalid UTF-8, in values and keys, top level and nested.
      {"Utf8BadByteInValue", Body().Set("merchant", "\"caf\xFF\"").Json(), bad},
      {"Utf8LoneContinuation", Body().Set("memo", "\"\x80\"").Json(), bad},
      {"Utf8Truncated", Body().Set("memo", "\"caf\xC3\"").Json(), bad},
      {"Utf8Overlong", Body().Set("memo", "\"\xC0\xAF\"").Json(), bad},
      {"Utf8Overlong3", Body().Set("memo", "\"\xE0\x80\xAF\"").Json(), bad},
      {"Utf8EncodedSurrogate", Body().Set("memo", "\"\xED\xA0\x80\"").Json(),
       bad},
      {"Utf8AboveMax", Body().Set("memo", "\"\xF4\x90\x80\x80\"").Json(), bad},
      {"Utf8InTopLevelKey", Body().AddRaw("\"k\xC3\x28\":1").Json(), bad},
      {"Utf8InNestedKey", WithExtra("{\"k\xFE\":1}"), bad},
      {"Utf8InNestedValue", WithExtra("[\"\xE2\x82\"]"), bad},
      // Escaped lone surrogates; a valid pair is fine.
      {"LoneHighSurrogate", Body().Set("memo", R"("\ud800")").Json(), bad},
      {"LoneLowSurrogate", Body().Set("memo", R"("\udc00")").Json(), bad},
      {"HighThenNonLowEscape", Body().Set("memo", R"("\ud800\u0041")").Json(),
       bad},
      {"HighThenText", Body().Set("memo", R"("\ud800x")").Json(), bad},
      {"HighThenHigh", Body().Set("memo", R"("\ud800\ud800")").Json(), bad},
      {"LowThenHigh", Body().Set("memo", R"("\udc00\ud800")").Json(), bad},
      {"LoneSurrogateInKey", Body().AddRaw(R"("\udbff":1)").Json(), bad},
      {"LoneSurrogateNested", WithExtra(R"(["\udfff"])"), bad},
      {"SurrogatePair", Body().Set("memo", R"("\ud83d\ude00")").Json(), ok},
      {"SurrogatePairMaxPlane", Body().Set("memo", R"("\udbff\udfff")").Json(),
       ok},
      // Numbers too large for a double, anywhere; underflow is accepted.
      {"HugeExponent", WithExtra("1e400"), bad},
      {"HugeNegative", WithExtra("-1e400"), bad},
      {"HugeNested", WithExtra("[{\"y\":[1e400]}]"), bad},
      {"HugeAmount", Body().Set("amount_cents", "1e400").Json(), bad},
      {"HugeIntegerDigits", WithExtra(std::string(400, '9')), bad},
      {"HugeIntegerAmount",
       Body().Set("amount_cents", "1" + std::string(309, '0')).Json(), bad},
      {"JustAboveDoubleMax", WithExtra("1.7976931348623159e308"), bad},
      {"RoundsToDoubleMax", WithExtra("1.7976931348623158e308"), ok},
      {"DoubleMax", WithExtra("-1.7976931348623157e308"), ok},
      {"Underflow", WithExtra("1e-400"), ok},
      {"NegativeUnderflow", WithExtra("-1e-400"), ok},
      {"ZeroHugeExponent", WithExtra("0e999999"), ok},
      {"UnderflowAmount", Body().Set("amount_cents", "1e-400").Json(),
       "amount_cents"},
      // Exponents beyond INT_MAX (where Boost.JSON 1.81 gives up with
      // exponent_overflow): the value decides, as for any other number.
      {"ZeroExponentBeyondInt", WithExtra("0e99999999999"), ok},
      {"NegativeZeroExponentBeyondInt", WithExtra("-0e99999999999"), ok},
      {"ZeroFractionExponentBeyondInt", WithExtra("0.000e99999999999"), ok},
      {"ZeroNegativeExponentBeyondInt", WithExtra("0.0e-99999999999"), ok},
      {"UnderflowExponentBeyondInt", WithExtra("1e-99999999999"), ok},
      {"UnderflowExponentJustBeyondInt", WithExtra("1e-2147483649"), ok},
      {"UnderflowManyDigitsExponentBeyondInt",
       WithExtra("123456789012345678901234567890.5E-99999999999"), ok},
      {"UnderflowFractionNearIntMin", WithExtra("0.01e-2147483647"), ok},
      {"OverflowExponentBeyondInt", WithExtra("1e99999999999"), bad},
      {"OverflowExponentJustBeyondInt", WithExtra("1e2147483648"), bad},
      {"OverflowExponentIntMax", WithExtra("1e2147483647"), bad},
      {"OverflowExponentBeyondIntPlus", WithExtra("-0.5E+99999999999"), bad},
      {"ExponentLeadingZeros", WithExtra("1e0000000000000000002"), ok},
      {"ExponentLeadingZerosOverflow", WithExtra("1e0000000000000000400"), bad},
      {"ExponentLeadingZerosUnderflow", WithExtra("1e-0000000000000000400"),
       ok},
      {"ExponentBeyondIntNested",
       WithExtra(R"([0e99999999999,{"y":[-1e-99999999999,1]},"0e9"])"), ok},
      {"OverflowBeyondIntNested",
       WithExtra(R"([0e99999999999,{"y":[1,1e99999999999]}])"), bad},
      {"ExponentBeyondIntBeforeGarbage", WithExtra("0e99999999999x"), bad},
      {"ExponentBeyondIntThenComma", WithExtra("[0e99999999999,]"), bad},
      {"ExponentBeyondIntAmount",
       Body().Set("amount_cents", "0e99999999999").Json(), "amount_cents"},
      {"UnderflowBeyondIntAmount",
       Body().Set("amount_cents", "1e-99999999999").Json(), "amount_cents"},
      {"OverflowBeyondIntAmount",
       Body().Set("amount_cents", "1e99999999999").Json(), bad},
      {"ExponentLeadingZerosAmount",
       Body().Set("amount_cents", "1e0000000000000000002").Json(),
       "amount_cents"},
      {"ExponentBeyondIntMemo", Body().Set("memo", "0e99999999999").Json(),
       "memo"},
      {"ExponentBeyondIntUnterminated",
       R"({"account_id":"acc-000042","x":0e99999999999)", bad},
      {"ExponentBeyondIntTopLevel", "0e99999999999", bad},
      // Long runs of digits in strings and keys come through intact.
      {"DuplicateDigitKeys",
       Body()
           .AddRaw(R"("12345678901234567890":1)")
           .AddRaw(R"("1234567890123456789\u0030":2)")
           .Json(),
       bad},
      {"DistinctDigitKeys",
       Body()
           .AddRaw(R"("12345678901234567890":1)")
           .AddRaw(R"("12345678901234567891":2)")
           .Json(),
       ok},
      // Duplicate top-level keys, compared after unescaping.
      {"DuplicateAccountId",
       Body().AddRaw(R"("account_id":"acc-000042")").Json(), bad},
      {"DuplicateMemo", Body().AddRaw(R"("memo":"latte")").Json(), bad},
      {"DuplicateEscaped", Body().AddRaw(R"("amount_\u0063ents":1299)").Json(),
       bad},
      {"DuplicateAllEscaped",
       Body()
           .AddRaw(
               R"("\u0063\u0075\u0072\u0072\u0065\u006e\u0063\u0079":"GBP")")
           .Json(),
       bad},
      {"DuplicateUnknown", Body().AddRaw(R"("x":1,"y":2,"x":1)").Json(), bad},
      {"DuplicateUnknownEscaped", Body().AddRaw(R"("a":1,"\u0061":2)").Json(),
       bad},
      {"DistinctCase", Body().AddRaw(R"("Memo":1,"MEMO":2)").Json(), ok},
      {"NestedRepeatsKeys", WithExtra(R"({"a":1,"a":2})"), ok},
      {"NestedRepeatsTopKeys",
       WithExtra(R"({"account_id":"x","account_id":[{"memo":1,"memo":2}]})"),
       ok},
      {"ArrayOfObjectsRepeat", WithExtra(R"([{"a":1},{"a":1,"a":2}])"), ok},
      // Depth: the top-level object is level 1; only objects and arrays count.
      {"Depth32Arrays", WithExtra(Nested(31, "[", "]")), ok},
      {"Depth33Arrays", WithExtra(Nested(32, "[", "]")), bad},
      {"Depth32Objects", WithExtra(Nested(30, "{\"a\":", "}", "{}")), ok},
      {"Depth33Objects", WithExtra(Nested(31, "{\"a\":", "}", "{}")), bad},
      {"Depth32Mixed", WithExtra(Nested(15, "[{\"a\":", "}]", "[]")), ok},
      {"Depth33Mixed", WithExtra(Nested(15, "[{\"a\":", "}]", "[[]]")), bad},
      {"Depth32StringsDoNotCount", WithExtra(Nested(31, "[", "]", "\"[[[\"")),
       ok},
      {"Depth1000", WithExtra(Nested(1000, "[", "]")), bad},
      {"DeepButUnterminated", WithExtra(Nested(40, "[", "")), bad},
  };
}

class JsonRuleTest : public ::testing::TestWithParam<JsonCase> {};

TEST_P(JsonRuleTest, ParsesAsTheSpecSays) {
  const JsonCase& test_case = GetParam();
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(test_case.body);
  if (test_case.expect.empty()) {
    EXPECT_TRUE(request.ok()) << request.status();
  } else if (test_case.expect == "invalid_json") {
    EXPECT_TRUE(IsInvalidJson(request));
  } else {
    EXPECT_TRUE(IsInvalidArgument(request, test_case.expect));
  }
}

INSTANTIATE_TEST_SUITE_P(JsonDetails, JsonRuleTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<JsonCase>& info) {
                           return info.param.name;
                         });

// What ReadPaymentFields reports for each kind of value.
JsonField ReadAmount(absl::string_view raw) {
  PaymentFields fields;
  const std::string body = Body().Set("amount_cents", testing::Str(raw)).Json();
  EXPECT_TRUE(ReadPaymentFields(body, &fields).ok()) << body;
  return fields.amount_cents;
}

TEST(ReadPaymentFieldsTest, ClassifiesNumbersByTheirText) {
  using Kind = JsonField::Kind;
  EXPECT_EQ(ReadAmount("1299").kind, Kind::kInteger);
  EXPECT_EQ(ReadAmount("1299").integer, 1299);
  EXPECT_EQ(ReadAmount("-1").integer, -1);
  EXPECT_EQ(ReadAmount("-0").kind, Kind::kInteger);  // written without fraction
  EXPECT_EQ(ReadAmount("-0").integer, 0);
  EXPECT_EQ(ReadAmount("9223372036854775807").kind, Kind::kInteger);
  EXPECT_EQ(ReadAmount("-9223372036854775808").integer, INT64_MIN);
  EXPECT_EQ(ReadAmount("9223372036854775808").kind, Kind::kIntegerOutOfRange);
  EXPECT_EQ(ReadAmount("-9223372036854775809").kind, Kind::kIntegerOutOfRange);
  EXPECT_EQ(ReadAmount("99999999999999999999").kind, Kind::kIntegerOutOfRange);
  EXPECT_EQ(ReadAmount("1299.0").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1.299e3").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1e3").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1E3").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("-0.0").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1e-400").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("0e99999999999").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("-1e-99999999999").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1e0000000000000000002").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("1.7976931348623158e308").kind, Kind::kNonInteger);
  EXPECT_EQ(ReadAmount("123456789012345").integer, 123456789012345);
  EXPECT_EQ(ReadAmount("-1234567890123456789").integer, -1234567890123456789);
  EXPECT_EQ(ReadAmount("\"1299\"").kind, Kind::kString);
  EXPECT_EQ(ReadAmount("null").kind, Kind::kOther);
  EXPECT_EQ(ReadAmount("true").kind, Kind::kOther);
  EXPECT_EQ(ReadAmount("[1299]").kind, Kind::kOther);
  EXPECT_EQ(ReadAmount("{\"amount_cents\":1299}").kind, Kind::kOther);
}

TEST(ReadPaymentFieldsTest, UnescapesStrings) {
  PaymentFields fields;
  const std::string body =
      Body().Set("merchant", R"("\u0041\n\"\\\/\u00e9\ud83d\ude00")").Json();
  ASSERT_TRUE(ReadPaymentFields(body, &fields).ok());
  EXPECT_EQ(fields.merchant.kind, JsonField::Kind::kString);
  EXPECT_EQ(fields.merchant.string, "A\n\"\\/\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(fields.memo.string, "latte");
  EXPECT_EQ(fields.account_id.string, "acc-000042");
}

TEST(ReadPaymentFieldsTest, NestedKnownKeysAreNotTheFields) {
  PaymentFields fields;
  const std::string body =
      absl::StrCat(R"({"x":{"account_id":"acc-000001","memo":"a"}})");
  ASSERT_TRUE(ReadPaymentFields(body, &fields).ok());
  EXPECT_EQ(fields.account_id.kind, JsonField::Kind::kMissing);
  EXPECT_EQ(fields.memo.kind, JsonField::Kind::kMissing);
}

// Strings and keys longer than Boost's internal buffer arrive in parts when
// they contain escapes; the parts must add up.
TEST(ReadPaymentFieldsTest, LongEscapedStringsArriveWhole) {
  std::string raw, expected;
  for (int i = 0; i < 3000; ++i) {
    raw += "ab\\n\\u00e9";
    expected += "ab\n\xC3\xA9";
  }
  PaymentFields fields;
  ASSERT_TRUE(
      ReadPaymentFields(Body().Set("memo", "\"" + raw + "\"").Json(), &fields)
          .ok());
  EXPECT_EQ(fields.memo.string, expected);
}

// Digits in strings are not numbers: long runs of them arrive whole.
TEST(ReadPaymentFieldsTest, LongDigitRunsInStringsArriveWhole) {
  const std::string digits =
      "1234567890123456789012345678901234567890\\u00301234567890";
  PaymentFields fields;
  ASSERT_TRUE(ReadPaymentFields(Body().Set("memo", "\"" + digits + "\"").Json(),
                                &fields)
                  .ok());
  EXPECT_EQ(fields.memo.string,
            "12345678901234567890123456789012345678900"
            "1234567890");
}

// A body of nearly 64 KiB that is mostly numbers with exponents beyond
// INT_MAX: each is decided on its own, wherever it is.
TEST(ReadPaymentFieldsTest, ManyExponentsBeyondInt) {
  std::string array = "[";
  for (int i = 0; i < 2000; ++i) array += "0e99999999999,1e-99999999999,";
  array += "0]";
  EXPECT_TRUE(ParsePaymentRequest(WithExtra(array)).ok());
  EXPECT_TRUE(
      IsInvalidJson(ParsePaymentRequest(WithExtra(array + ",1e99999999999"))));
}

TEST(ReadPaymentFieldsTest, LongEscapedDuplicateKeysCollide) {
  const std::string key(5000, 'k');
  const std::string body = Body()
                               .AddRaw("\"" + key + "\\n" + key + "\":1")
                               .AddRaw("\"" + key + "\\u000a" + key + "\":2")
                               .Json();
  EXPECT_TRUE(IsInvalidJson(ParsePaymentRequest(body)));
  const std::string distinct = Body()
                                   .AddRaw("\"" + key + "\\n" + key + "\":1")
                                   .AddRaw("\"" + key + "\\t" + key + "\":2")
                                   .Json();
  EXPECT_TRUE(ParsePaymentRequest(distinct).ok());
}

TEST(ReadPaymentFieldsTest, ManyUnknownKeysAreCheckedForDuplicates) {
  Body body;
  for (int i = 0; i < 5000; ++i) body.AddRaw(absl::StrCat("\"k", i, "\":0"));
  EXPECT_TRUE(ParsePaymentRequest(body.Json()).ok());
  body.AddRaw("\"k4321\":0");
  EXPECT_TRUE(IsInvalidJson(ParsePaymentRequest(body.Json())));
}

TEST(ReadPaymentFieldsTest, MessagesSayWhatIsWrong) {
  auto message = [](absl::string_view body) {
    return testing::Str(ParsePaymentRequest(body).status().message());
  };
  EXPECT_EQ(message("[]"),
            "request body is not valid JSON: the top-level value is not an "
            "object");
  EXPECT_EQ(message(R"({"a":1,"a":2})"),
            "request body is not valid JSON: duplicate key in the top-level "
            "object");
  EXPECT_EQ(message(R"({"a":1e400})"),
            "request body is not valid JSON: a number is too large for a "
            "double");
  EXPECT_EQ(message(WithExtra(Nested(32, "[", "]"))),
            "request body is not valid JSON: nesting deeper than 32 levels");
  EXPECT_EQ(message(R"({"a":1} x)"),
            "request body is not valid JSON: unexpected data after the JSON "
            "value at byte 8");
  EXPECT_EQ(message(R"({"a":tru})"),
            "request body is not valid JSON: syntax error at byte 5");
  EXPECT_EQ(message(R"({"a":1e99999999999})"),
            "request body is not valid JSON: a number is too large for a "
            "double");
  EXPECT_EQ(message(R"({"a":0e99999999999} x)"),
            "request body is not valid JSON: unexpected data after the JSON "
            "value at byte 20");
  EXPECT_EQ(message(R"({"a":0e99999999999,tru})"),
            "request body is not valid JSON: syntax error at byte 19");
  EXPECT_EQ(message(""),
            "request body is not valid JSON: incomplete JSON at "
            "byte 0");
}

}  // namespace
}  // namespace hashmesh::gateway
