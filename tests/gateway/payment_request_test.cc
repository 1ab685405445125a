// Rows 1-4 of SPEC.md's validation table: body size, media type, and every
// field's rule and boundaries, in the order the spec checks them.
#include "gateway/payment/payment_request.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "tests/gateway/payment_test_util.h"

namespace hashmesh::gateway {
namespace {

using testing::Body;
using testing::IsApiError;
using testing::IsInvalidArgument;
using testing::IsInvalidJson;
using testing::kExampleBody;
using testing::Quoted;

absl::StatusOr<PaymentRequest> With(absl::string_view key,
                                    std::optional<std::string> raw) {
  return ParsePaymentRequest(Body().Set(key, std::move(raw)).Json());
}

TEST(PayloadTooLargeErrorTest, NamesTheLimit) {
  const absl::Status status = PayloadTooLargeError(65536);
  EXPECT_TRUE(IsApiError(status, 413, "payload_too_large"));
  EXPECT_EQ(status.message(), "request body must be at most 65536 bytes");
}

TEST(CheckMediaTypeTest, AcceptsApplicationJsonWithParameters) {
  for (absl::string_view type :
       {"application/json", "APPLICATION/JSON", "Application/Json",
        " application/json ; charset=utf-8", "\tapplication/json\t",
        "application/json;charset=utf-8", "application/json; charset=latin1",
        "application/json;", "application/json ;"}) {
    EXPECT_TRUE(CheckMediaType(type).ok()) << "'" << type << "'";
  }
}

TEST(CheckMediaTypeTest, RejectsEverythingElse) {
  for (absl::string_view type :
       {"", " ", ";charset=utf-8", "application/json-patch", "text/json",
        "application/jsonx", "application /json", "application/ json",
        "application/*", "*/*", "application/x-www-form-urlencoded",
        "text/plain", "application/json\r", "\vapplication/json",
        "application/json,text/plain", "json"}) {
    EXPECT_TRUE(IsApiError(CheckMediaType(type), 415, "unsupported_media_type"))
        << "'" << type << "'";
  }
  EXPECT_TRUE(
      IsApiError(CheckMediaType(std::nullopt), 415, "unsupported_media_type"));
}

TEST(ParsePaymentRequestTest, ParsesTheSpecExample) {
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(kExampleBody);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->account_id, "acc-000042");
  EXPECT_EQ(request->amount_cents, 1299);
  EXPECT_EQ(request->currency, "GBP");
  EXPECT_EQ(request->merchant, "corner-cafe");
  EXPECT_EQ(request->memo, "latte");
}

TEST(ParsePaymentRequestTest, MemberOrderAndUnknownMembersDoNotMatter) {
  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(
      R"({"memo":"latte","extra":{"a":[1,2,null]},"merchant":"corner-cafe",)"
      R"("currency":"GBP","amount_cents":1299,"account_id":"acc-000042",)"
      R"("z":1e-400})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->account_id, "acc-000042");
  EXPECT_EQ(request->memo, "latte");
}

TEST(AccountIdTest, Boundaries) {
  EXPECT_TRUE(With("account_id", Quoted("acc-000000")).ok());
  EXPECT_TRUE(With("account_id", Quoted("acc-999999")).ok());
  EXPECT_TRUE(With("account_id", R"("acc-\u0030\u00300042")").ok());
  for (const char* raw :
       {R"("acc-00004")", R"("acc-0000420")", R"("ACC-000042")",
        R"("acc_000042")", R"("acc-00004a")", R"(" acc-000042")",
        R"("acc-000042 ")", R"("acc-000042\n")", R"("acc--00042")",
        R"("acc-+00042")", R"("")", "\"acc-00004\xD9\xA2\"", R"("acc-\u0000")",
        "42", "null", "true", "[\"acc-000042\"]", "{}"}) {
    EXPECT_TRUE(IsInvalidArgument(With("account_id", raw), "account_id"))
        << raw;
  }
  EXPECT_TRUE(
      IsInvalidArgument(With("account_id", std::nullopt), "account_id"));
}

TEST(AmountCentsTest, Boundaries) {
  EXPECT_EQ(With("amount_cents", "1")->amount_cents, 1);
  EXPECT_EQ(With("amount_cents", "100000000")->amount_cents, 100000000);
  for (const char* raw : {"0",
                          "-0",
                          "-1",
                          "100000001",
                          "1.5",
                          "\"12\"",
                          "1e3",
                          "1E3",
                          "1299.0",
                          "1.299e3",
                          "1e-400",
                          "-1e-400",
                          "0e99999999999",
                          "1e-99999999999",
                          "1e0000000000000000002",
                          "100.0",
                          "1e2",
                          "9223372036854775807",
                          "9223372036854775808",
                          "-9223372036854775809",
                          "99999999999999999999",
                          "null",
                          "true",
                          "false",
                          "[]",
                          "{}",
                          "[1299]"}) {
    EXPECT_TRUE(IsInvalidArgument(With("amount_cents", raw), "amount_cents"))
        << raw;
  }
  EXPECT_TRUE(
      IsInvalidArgument(With("amount_cents", std::nullopt), "amount_cents"));
}

TEST(AmountCentsTest, Messages) {
  EXPECT_EQ(With("amount_cents", "0").status().message(),
            "amount_cents must be between 1 and 100000000");
  EXPECT_EQ(With("amount_cents", "99999999999999999999").status().message(),
            "amount_cents must be between 1 and 100000000");
  EXPECT_EQ(With("amount_cents", "1e3").status().message(),
            "amount_cents must be an integer");
  EXPECT_EQ(With("amount_cents", "\"12\"").status().message(),
            "amount_cents must be an integer");
  EXPECT_EQ(With("amount_cents", std::nullopt).status().message(),
            "amount_cents is required");
}

TEST(CurrencyTest, Boundaries) {
  EXPECT_TRUE(With("currency", R"("\u0047BP")").ok());
  // Any three letters match the pattern; the account decides (row 7).
  EXPECT_EQ(With("currency", R"("XYZ")")->currency, "XYZ");
  for (const char* raw :
       {R"("gbp")", R"("GB")", R"("GBPX")", R"("G1P")", R"("GB ")", R"("")",
        "\"G\xC3\x89P\"", "1", "null", "[\"GBP\"]"}) {
    EXPECT_TRUE(IsInvalidArgument(With("currency", raw), "currency")) << raw;
  }
  EXPECT_TRUE(IsInvalidArgument(With("currency", std::nullopt), "currency"));
}

// merchant and memo: byte lengths after unescaping, '|' and control
// characters raw (where JSON allows them raw) and escaped.
TEST(MerchantTest, LengthInUtf8Bytes) {
  const std::string e_acute = "\xC3\xA9", euro = "\xE2\x82\xAC",
                    emoji = "\xF0\x9F\x98\x80";
  for (const std::string& ok :
       {std::string("a"), std::string(64, 'm'), std::string(62, 'm') + e_acute,
        std::string(61, 'm') + euro, std::string(60, 'm') + emoji}) {
    EXPECT_TRUE(With("merchant", Quoted(ok)).ok()) << ok;
  }
  EXPECT_TRUE(With("merchant", Quoted(std::string(62, 'm') + "\\u00e9")).ok());
  EXPECT_TRUE(With("merchant", Quoted(std::string(62, 'm') + "\\\\\\\\")).ok());
  EXPECT_TRUE(
      With("merchant", Quoted(std::string(60, 'm') + "\\ud83d\\ude00")).ok());
  for (const std::string& bad :
       {std::string(65, 'm'), std::string(63, 'm') + e_acute,
        std::string(62, 'm') + euro, std::string(61, 'm') + emoji,
        std::string(63, 'm') + "\\u00e9", std::string(63, 'm') + "\\\\\\\\",
        std::string(61, 'm') + "\\ud83d\\ude00"}) {
    EXPECT_TRUE(IsInvalidArgument(With("merchant", Quoted(bad)), "merchant"))
        << bad;
  }
  EXPECT_EQ(With("merchant", Quoted(std::string(65, 'm'))).status().message(),
            "merchant must be at most 64 bytes of UTF-8");
}

TEST(MerchantTest, PresenceTypeAndEmptiness) {
  EXPECT_TRUE(IsInvalidArgument(With("merchant", std::nullopt), "merchant"));
  EXPECT_EQ(With("merchant", std::nullopt).status().message(),
            "merchant is required");
  for (const char* raw : {R"("")", "null", "7", "true", "[]", "{}"}) {
    EXPECT_TRUE(IsInvalidArgument(With("merchant", raw), "merchant")) << raw;
  }
  EXPECT_EQ(With("merchant", R"("")").status().message(),
            "merchant must not be empty");
  // Spaces only are not empty.
  EXPECT_TRUE(With("merchant", R"(" ")").ok());
}

// Characters merchant and memo both refuse, as JSON string contents.
const char* const kForbidden[] = {
    "|",       "\\u007c",  "\\u007C", "a|b",      "\\u0000",
    "\\u0007", "\\u001f",  "\\n",     "\\t",      "\\r",
    "\\b",     "\\f",      "\\u007f", "\x7F",     "\\u0080",
    "\\u0085", "\xC2\x85", "\\u009f", "\xC2\x9F", "\xC2\x80"};
// Characters right next to the forbidden ranges, and other oddities, allowed.
const char* const kAllowed[] = {
    " ",       "~",
    "\\u00a0", "\xC2\xA0",
    "\\u00a1", "\\u2028",
    "\\u2029", "\xEF\xBB\xBF",
    "\\ufeff", "\\ud83d\\ude00",
    "\\/",     "\\\\",
    "\\\"",    "Zo\xC3\xAB's \\\"caf\xC3\xA9\\\"\\\\",
    "{}[]:,"};

TEST(MerchantTest, ForbiddenCharacters) {
  for (const char* raw : kForbidden) {
    EXPECT_TRUE(IsInvalidArgument(With("merchant", Quoted(raw)), "merchant"))
        << raw;
  }
  EXPECT_EQ(With("merchant", Quoted("a|b")).status().message(),
            "merchant must not contain '|' or control characters");
  for (const char* raw : kAllowed) {
    EXPECT_TRUE(With("merchant", Quoted(raw)).ok()) << raw;
  }
}

TEST(MemoTest, OptionalWithDefault) {
  absl::StatusOr<PaymentRequest> request = With("memo", std::nullopt);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->memo, "");
  EXPECT_EQ(With("memo", R"("")")->memo, "");
}

TEST(MemoTest, TypeLengthAndCharacters) {
  for (const char* raw : {"null", "0", "false", "[]", "{}", "[\"latte\"]"}) {
    EXPECT_TRUE(IsInvalidArgument(With("memo", raw), "memo")) << raw;
  }
  EXPECT_EQ(With("memo", "null").status().message(), "memo must be a string");
  EXPECT_TRUE(With("memo", Quoted(std::string(256, 'x'))).ok());
  EXPECT_TRUE(With("memo", Quoted(std::string(254, 'x') + "\xC3\xA9")).ok());
  EXPECT_TRUE(
      IsInvalidArgument(With("memo", Quoted(std::string(257, 'x'))), "memo"));
  EXPECT_TRUE(IsInvalidArgument(
      With("memo", Quoted(std::string(255, 'x') + "\xC3\xA9")), "memo"));
  for (const char* raw : kForbidden) {
    EXPECT_TRUE(IsInvalidArgument(With("memo", Quoted(raw)), "memo")) << raw;
  }
  for (const char* raw : kAllowed) {
    EXPECT_TRUE(With("memo", Quoted(raw)).ok()) << raw;
  }
}

TEST(HasForbiddenCharacterTest, Ranges) {
  for (int c = 0; c < 0x20; ++c) {
    EXPECT_TRUE(HasForbiddenCharacter(std::string(1, static_cast<char>(c))));
  }
  for (int c = 0x20; c < 0x7F; ++c) {
    EXPECT_EQ(HasForbiddenCharacter(std::string(1, static_cast<char>(c))),
              c == '|');
  }
  EXPECT_TRUE(HasForbiddenCharacter("\x7F"));
  for (int second = 0x80; second <= 0xBF; ++second) {
    const std::string character = {'\xC2', static_cast<char>(second)};
    EXPECT_EQ(HasForbiddenCharacter(character), second <= 0x9F) << second;
  }
  EXPECT_FALSE(HasForbiddenCharacter(""));
  EXPECT_FALSE(HasForbiddenCharacter("\xC3\x85"));  // U+00C5, not U+0085
}

// The first failure answers: fields in the spec's order whatever their order
// in the body; JSON before fields; size before media type before JSON.
TEST(OrderTest, FieldsInSpecOrder) {
  const std::string all_bad =
      R"({"memo":null,"merchant":"","currency":"gbp","amount_cents":0,)"
      R"("account_id":"acc-1"})";
  EXPECT_TRUE(IsInvalidArgument(ParsePaymentRequest(all_bad), "account_id"));
  EXPECT_TRUE(
      IsInvalidArgument(ParsePaymentRequest(Body()
                                                .Set("amount_cents", "1.5")
                                                .Set("currency", "1")
                                                .Set("merchant", "null")
                                                .Set("memo", "1")
                                                .Json()),
                        "amount_cents"));
  EXPECT_TRUE(IsInvalidArgument(
      ParsePaymentRequest(
          Body().Set("currency", "1").Set("merchant", "null").Json()),
      "currency"));
  EXPECT_TRUE(IsInvalidArgument(
      ParsePaymentRequest(
          Body().Set("merchant", "null").Set("memo", "1").Json()),
      "merchant"));
  EXPECT_TRUE(IsInvalidArgument(ParsePaymentRequest("{}"), "account_id"));
}

TEST(OrderTest, JsonBeforeFields) {
  EXPECT_TRUE(IsInvalidJson(ParsePaymentRequest(
      Body().Set("account_id", "1").AddRaw(R"("x":1e400)").Json())));
  EXPECT_TRUE(
      IsInvalidJson(ParsePaymentRequest(R"({"account_id":1,"account_id":2})")));
}

}  // namespace
}  // namespace hashmesh::gateway
