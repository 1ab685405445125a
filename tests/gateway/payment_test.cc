// Rows 5-8 of SPEC.md's table, the engine's input, and the success body of
// the spec's example byte for byte, hashed by the real Hasher.
#include "gateway/payment/payment.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "services/engine/hasher.h"
#include "tests/gateway/payment_test_util.h"

namespace hashmesh::gateway {
namespace {

using testing::IsApiError;
using testing::kExampleBody;

constexpr absl::string_view kExampleSalt = "bace429177cc7520dcfe34753b49bb97";
constexpr absl::string_view kExampleDigest =
    "c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522";
constexpr absl::string_view kExampleResponse =
    R"({"payment_id":"pay-c823733de082fd1d","account_id":"acc-000042",)"
    R"("amount_cents":1299,"currency":"GBP","merchant":"corner-cafe",)"
    R"("status":"authorized","balance_after_cents":431299,)"
    R"("algorithm":"sha256","rounds":100,)"
    R"("digest":"c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522"})";

Account ExampleAccount() {
  return {.currency = "GBP",
          .balance_cents = 432598,
          .frozen = false,
          .salt_hex = testing::Str(kExampleSalt)};
}

PaymentRequest ExampleRequest() {
  return {"acc-000042", 1299, "GBP", "corner-cafe", "latte"};
}

std::string HexDigest(const engine::Hasher& hasher, uint32_t rounds,
                      absl::string_view data) {
  absl::StatusOr<std::string> digest =
      hasher.Digest(engine::HashAlgorithm::kSha256, rounds, data);
  EXPECT_TRUE(digest.ok()) << digest.status();
  return absl::BytesToHexString(digest.value_or(""));
}

TEST(SpecExampleTest, EndToEndByteForByte) {
  absl::StatusOr<std::unique_ptr<engine::Hasher>> hasher =
      engine::Hasher::Create();
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  // The account table's salt: first 16 bytes of SHA-256("salt:" + id).
  EXPECT_EQ(HexDigest(**hasher, 1, "salt:acc-000042").substr(0, 32),
            kExampleSalt);

  absl::StatusOr<PaymentRequest> request = ParsePaymentRequest(kExampleBody);
  ASSERT_TRUE(request.ok()) << request.status();
  const Account account = ExampleAccount();
  ASSERT_TRUE(CheckAccount(*request, account).ok());
  const std::string data = HashInput(*request, account.salt_hex);
  EXPECT_EQ(data,
            "acc-000042|1299|GBP|corner-cafe|latte|"
            "bace429177cc7520dcfe34753b49bb97");
  const std::string digest = HexDigest(**hasher, 100, data);
  EXPECT_EQ(digest, kExampleDigest);
  EXPECT_EQ(PaymentResponseBody(*request, account, 100, digest),
            kExampleResponse);
}

TEST(PaymentResponseBodyTest, ReportsTheEnginesAlgorithmName) {
  EXPECT_EQ(kPaymentAlgorithmName,
            engine::AlgorithmName(engine::HashAlgorithm::kSha256));
}

TEST(PaymentResponseBodyTest, NumbersFollowTheInputs) {
  PaymentRequest request = ExampleRequest();
  request.amount_cents = 432598;  // the whole balance
  const std::string body =
      PaymentResponseBody(request, ExampleAccount(), 1000000, kExampleDigest);
  EXPECT_NE(body.find(R"("amount_cents":432598,)"), std::string::npos);
  EXPECT_NE(body.find(R"("balance_after_cents":0,)"), std::string::npos);
  EXPECT_NE(body.find(R"("rounds":1000000,)"), std::string::npos);
}

// merchant may hold quotes, backslashes and any non-control UTF-8; the body
// escapes exactly what JSON requires and parses back to the same string.
TEST(PaymentResponseBodyTest, EscapesMerchant) {
  PaymentRequest request = ExampleRequest();
  request.merchant = "Zo\xC3\xAB's \"caf\xC3\xA9\"\\";
  const std::string body =
      PaymentResponseBody(request, ExampleAccount(), 100, kExampleDigest);
  EXPECT_NE(body.find(R"("merchant":"Zoë's \"café\"\\","status")"),
            std::string::npos)
      << body;
  for (const std::string& merchant :
       {std::string("Zo\xC3\xAB's \"caf\xC3\xA9\"\\"), std::string(64, '"'),
        std::string(64, '\\'), std::string("/\xE2\x80\xA8\xF0\x9F\x98\x80")}) {
    request.merchant = merchant;
    boost::json::error_code ec;
    boost::json::value parsed = boost::json::parse(
        PaymentResponseBody(request, ExampleAccount(), 100, kExampleDigest),
        ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(parsed.at("merchant").as_string(), merchant);
    EXPECT_EQ(parsed.as_object().size(), 10u);
  }
}

TEST(HashInputTest, JoinsWithBars) {
  PaymentRequest request = ExampleRequest();
  request.memo.clear();
  EXPECT_EQ(HashInput(request, "ab"), "acc-000042|1299|GBP|corner-cafe||ab");
  request.merchant = "Zo\xC3\xAB";
  request.amount_cents = 100000000;
  EXPECT_EQ(HashInput(request, ""), "acc-000042|100000000|GBP|Zo\xC3\xAB||");
}

TEST(CheckAccountTest, PassesAnActiveAccountWithFunds) {
  EXPECT_TRUE(CheckAccount(ExampleRequest(), ExampleAccount()).ok());
  PaymentRequest all = ExampleRequest();
  all.amount_cents = 432598;  // equal to the balance: allowed
  EXPECT_TRUE(CheckAccount(all, ExampleAccount()).ok());
}

TEST(CheckAccountTest, RowsSixToEightInOrder) {
  Account frozen = ExampleAccount();
  frozen.frozen = true;
  frozen.currency = "USD";
  PaymentRequest request = ExampleRequest();
  request.amount_cents = 100000000;
  // Frozen wins over a currency mismatch and insufficient funds.
  EXPECT_TRUE(IsApiError(CheckAccount(request, frozen), 403, "account_frozen",
                         "account_id"));
  // Currency mismatch wins over insufficient funds.
  frozen.frozen = false;
  EXPECT_TRUE(IsApiError(CheckAccount(request, frozen), 422,
                         "currency_mismatch", "currency"));
  request.amount_cents = 432599;  // one cent more than the balance
  EXPECT_TRUE(IsApiError(CheckAccount(request, ExampleAccount()), 422,
                         "insufficient_funds", "amount_cents"));
}

TEST(CheckAccountTest, Messages) {
  Account account = ExampleAccount();
  account.frozen = true;
  EXPECT_EQ(CheckAccount(ExampleRequest(), account).message(),
            "account acc-000042 is frozen");
  account.frozen = false;
  account.currency = "EUR";
  EXPECT_EQ(CheckAccount(ExampleRequest(), account).message(),
            "currency must be the account's currency, EUR");
}

TEST(AccountNotFoundErrorTest, Is404OnAccountId) {
  const absl::Status status = AccountNotFoundError("acc-999999");
  EXPECT_TRUE(IsApiError(status, 404, "account_not_found", "account_id"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "account acc-999999 does not exist");
}

}  // namespace
}  // namespace hashmesh::gateway
