// PaymentHandler and routing with fake upstreams: every upstream outcome's
// reply.
#include "gateway/payment_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "gateway/app.h"
#include "gateway/metrics/metrics.h"

namespace hashmesh::gateway {
namespace {

using ::testing::HasSubstr;
namespace asio = boost::asio;

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

pgstub::Account Account42() {
  return {"acc-000042", "owner-000042", "GBP",
          432598,       false,          "bace429177cc7520dcfe34753b49bb97"};
}

// Answers every lookup with `result`, asynchronously on the given executor.
class FakeAccounts final : public AccountSource {
 public:
  absl::StatusOr<pgstub::Account> result = Account42();
  int calls = 0;

  void Lookup(const std::string&, asio::any_io_executor executor,
              AccountCallback done) override {
    ++calls;
    asio::post(executor, [r = result, done = std::move(done)]() mutable {
      std::move(done)(std::move(r));
    });
  }
};

class FakeDigests final : public DigestSource {
 public:
  absl::StatusOr<std::string> result = std::string(64, 'a');
  std::string last_data;
  uint32_t last_rounds = 0;

  void Sha256Hex(std::string data, uint32_t rounds,
                 asio::any_io_executor executor, DigestCallback done) override {
    last_data = std::move(data);
    last_rounds = rounds;
    // The analyzer cannot see through any_io_executor's type erasure and
    // supposes an empty one; the handler always passes io_'s executor.
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    asio::post(executor, [r = result, done = std::move(done)]() mutable {
      std::move(done)(std::move(r));
    });
  }
};

class PaymentHandlerTest : public ::testing::Test {
 protected:
  Reply Run(absl::string_view body,
            std::optional<absl::string_view> type = "application/json") {
    Reply reply;
    bool answered = false;
    handler_.Handle(type, body, io_.get_executor(), [&](Reply r) {
      reply = std::move(r);
      answered = true;
    });
    io_.restart();
    io_.run();
    EXPECT_TRUE(answered);
    return reply;
  }

  asio::io_context io_;
  FakeAccounts accounts_;
  FakeDigests digests_;
  PaymentHandler handler_{&accounts_, &digests_, 100};
};

TEST_F(PaymentHandlerTest, SuccessHashesTheSpecDataWithConfiguredRounds) {
  Reply reply = Run(kPayment);
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(digests_.last_data,
            "acc-000042|1299|GBP|corner-cafe|latte|"
            "bace429177cc7520dcfe34753b49bb97");
  EXPECT_EQ(digests_.last_rounds, 100u);
  EXPECT_THAT(reply.body, HasSubstr(R"("payment_id":"pay-aaaaaaaaaaaaaaaa")"));
}

TEST_F(PaymentHandlerTest, ValidationFailsBeforeAnyUpstreamCall) {
  EXPECT_EQ(Run(kPayment, std::nullopt).status, 415);
  EXPECT_EQ(Run("{").status, 400);
  EXPECT_EQ(accounts_.calls, 0);
}

TEST_F(PaymentHandlerTest, StoreOutcomes) {
  struct Case {
    absl::Status status;
    int http;
    const char* code;
  };
  for (const Case& c : {
           Case{absl::NotFoundError("no such account"), 404,
                "account_not_found"},
           Case{absl::UnavailableError("connect failed"), 503,
                "upstream_unavailable"},
           Case{absl::DeadlineExceededError("late"), 504, "upstream_timeout"},
           Case{absl::InternalError("boom"), 502, "upstream_error"},
           Case{absl::InvalidArgumentError("odd"), 502, "upstream_error"},
       }) {
    accounts_.result = c.status;
    Reply reply = Run(kPayment);
    EXPECT_EQ(reply.status, c.http) << c.status;
    EXPECT_THAT(reply.body, HasSubstr(c.code));
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("boom")))
        << "upstream internals must not reach clients";
  }
}

TEST_F(PaymentHandlerTest, AccountRulesComeAfterTheLookup) {
  pgstub::Account frozen = Account42();
  frozen.frozen = true;
  accounts_.result = frozen;
  EXPECT_EQ(Run(kPayment).status, 403);
  pgstub::Account poor = Account42();
  poor.balance_cents = 1298;
  accounts_.result = poor;
  EXPECT_EQ(Run(kPayment).status, 422);
}

TEST_F(PaymentHandlerTest, EngineOutcomes) {
  digests_.result = absl::UnavailableError("engine down");
  EXPECT_EQ(Run(kPayment).status, 503);
  digests_.result = absl::DeadlineExceededError("slow");
  EXPECT_EQ(Run(kPayment).status, 504);
  digests_.result = absl::ResourceExhaustedError("overloaded");
  EXPECT_EQ(Run(kPayment).status, 502);
}

TEST(RoutingTest, ExactPathsMethodsAndQueries) {
  namespace http = boost::beast::http;
  EXPECT_EQ(MatchRoute(http::verb::post, "/v1/payments").route,
            Route::kPayments);
  EXPECT_TRUE(MatchRoute(http::verb::post, "/v1/payments?a=b").method_allowed);
  EXPECT_EQ(MatchRoute(http::verb::post, "/v1/payments/").route, Route::kOther);
  EXPECT_EQ(MatchRoute(http::verb::post, "/v1//payments").route, Route::kOther);
  EXPECT_EQ(MatchRoute(http::verb::post, "/V1/payments").route, Route::kOther);
  EXPECT_EQ(MatchRoute(http::verb::post, "/v1/./payments").route,
            Route::kOther);
  RouteMatch get = MatchRoute(http::verb::get, "/v1/payments");
  EXPECT_FALSE(get.method_allowed);
  EXPECT_STREQ(get.allow, "POST");
  EXPECT_FALSE(MatchRoute(http::verb::post, "/healthz").method_allowed);
  EXPECT_TRUE(MatchRoute(http::verb::get, "/metrics").method_allowed);
}

TEST(MetricsTest, RendersCountersAndCumulativeHistograms) {
  Metrics metrics;
  metrics.RecordRequest(Route::kPayments, 201, absl::Microseconds(2500));
  metrics.RecordRequest(Route::kPayments, 201, absl::Milliseconds(40));
  metrics.RecordRequest(Route::kOther, 404, absl::Microseconds(10));
  metrics.RecordUpstream(Upstream::kEngine, 14, absl::Milliseconds(1));
  metrics.ConnectionOpened();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("hashmesh_http_requests_total{route=\"/v1/"
                              "payments\",code=\"201\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "hashmesh_http_requests_total{route=\"other\",code=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_bucket{"
                              "route=\"/v1/payments\",le=\"0.002\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_bucket{"
                              "route=\"/v1/payments\",le=\"0.003\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_bucket{"
                              "route=\"/v1/payments\",le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_count{"
                              "route=\"/v1/payments\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_upstream_calls_total{upstream="
                              "\"engine\",code=\"UNAVAILABLE\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_connections_open 1\n"));
  EXPECT_EQ(metrics.requests(Route::kPayments, 201), 2u);
}

}  // namespace
}  // namespace hashmesh::gateway
