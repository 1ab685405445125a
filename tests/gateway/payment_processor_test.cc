// PaymentProcessor with fake upstreams: the order of the steps and every
// upstream outcome's error.
#include "gateway/payment/payment_processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "gateway/payment/api_error.h"
#include "tests/gateway/fake_sources.h"

namespace hashmesh::gateway {
namespace {

using testing::Account42;
using ::testing::HasSubstr;

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

class PaymentProcessorTest : public ::testing::Test {
 protected:
  // The answer, or nullopt while the flow waits on a source.
  std::optional<absl::StatusOr<std::string>> Process(absl::string_view body) {
    std::optional<absl::StatusOr<std::string>> answer;
    processor_.Process(body, [&](absl::StatusOr<std::string> r) {
      EXPECT_FALSE(answer.has_value()) << "answered twice";
      answer = std::move(r);
    });
    return answer;
  }

  // The HTTP status and code an error answer maps to.
  static HttpError Error(
      const std::optional<absl::StatusOr<std::string>>& answer) {
    EXPECT_TRUE(answer.has_value());
    EXPECT_FALSE(answer->ok());
    return ToHttpError(answer->status());
  }

  testing::FakeAccounts accounts_;
  testing::FakeDigests digests_;
  PaymentProcessor processor_{&accounts_, &digests_, 100, absl::Seconds(1)};
};

TEST_F(PaymentProcessorTest, SuccessHashesTheSpecDataWithConfiguredRounds) {
  auto answer = Process(kPayment);
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(answer->ok()) << answer->status();
  EXPECT_EQ(accounts_.last_id, "acc-000042");
  EXPECT_EQ(digests_.last_data,
            "acc-000042|1299|GBP|corner-cafe|latte|"
            "bace429177cc7520dcfe34753b49bb97");
  EXPECT_EQ(digests_.last_rounds, 100u);
  // One deadline for the whole payment, not a fresh one per hop.
  EXPECT_EQ(accounts_.last_deadline, digests_.last_deadline);
  EXPECT_GT(accounts_.last_deadline, absl::Now());
  EXPECT_LE(accounts_.last_deadline, absl::Now() + absl::Seconds(1));
  EXPECT_THAT(**answer, HasSubstr(R"("payment_id":"pay-aaaaaaaaaaaaaaaa")"));
  EXPECT_THAT(**answer, HasSubstr(R"("balance_after_cents":431299)"));
}

TEST_F(PaymentProcessorTest, ValidationFailsBeforeAnyUpstreamCall) {
  EXPECT_EQ(Error(Process("{")).code, ErrorCode::kInvalidJson);
  EXPECT_EQ(Error(Process("{}")).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_.calls, 0);
  EXPECT_EQ(digests_.calls, 0);
}

TEST_F(PaymentProcessorTest, WaitsForTheLookupThenAnswersOnce) {
  accounts_.hold = true;
  std::optional<absl::StatusOr<std::string>> answer;
  {
    // The flow outlives Process and the body: it was read before.
    std::string body = kPayment;
    processor_.Process(
        body, [&](absl::StatusOr<std::string> r) { answer = std::move(r); });
  }
  EXPECT_FALSE(answer.has_value());
  ASSERT_TRUE(accounts_.held);
  EXPECT_EQ(digests_.calls, 0);
  std::move(accounts_.held)(Account42());
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok());
  EXPECT_EQ(digests_.calls, 1);
}

TEST_F(PaymentProcessorTest, StoreOutcomes) {
  struct Case {
    absl::Status status;
    int http;
    ErrorCode code;
  };
  for (const Case& c : {
           Case{absl::NotFoundError("no such account"), 404,
                ErrorCode::kAccountNotFound},
           Case{absl::UnavailableError("connect failed"), 503,
                ErrorCode::kUpstreamUnavailable},
           Case{absl::DeadlineExceededError("late"), 504,
                ErrorCode::kUpstreamTimeout},
           Case{absl::InternalError("boom"), 502, ErrorCode::kUpstreamError},
           Case{absl::InvalidArgumentError("odd"), 502,
                ErrorCode::kUpstreamError},
       }) {
    accounts_.result = c.status;
    const HttpError error = Error(Process(kPayment));
    EXPECT_EQ(error.status, c.http) << c.status;
    EXPECT_EQ(error.code, c.code) << c.status;
    EXPECT_THAT(error.message, ::testing::Not(HasSubstr("boom")))
        << "upstream internals must not reach clients";
  }
  EXPECT_EQ(digests_.calls, 0);
}

TEST_F(PaymentProcessorTest, AccountRulesComeAfterTheLookup) {
  Account frozen = Account42();
  frozen.frozen = true;
  accounts_.result = frozen;
  EXPECT_EQ(Error(Process(kPayment)).status, 403);
  Account poor = Account42();
  poor.balance_cents = 1298;
  accounts_.result = poor;
  EXPECT_EQ(Error(Process(kPayment)).code, ErrorCode::kInsufficientFunds);
  EXPECT_EQ(digests_.calls, 0);
}

TEST_F(PaymentProcessorTest, EngineOutcomes) {
  digests_.result = absl::UnavailableError("engine down");
  EXPECT_EQ(Error(Process(kPayment)).status, 503);
  digests_.result = absl::DeadlineExceededError("slow");
  EXPECT_EQ(Error(Process(kPayment)).status, 504);
  digests_.result = absl::ResourceExhaustedError("overloaded");
  EXPECT_EQ(Error(Process(kPayment)).status, 502);
}

}  // namespace
}  // namespace hashmesh::gateway
