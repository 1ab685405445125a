// The router with fake upstreams: routing, each route's policy (413, 415,
// 405's Allow), the HTTP layer's refusals, readiness, and how every reply is
// counted.
#include "gateway/routes/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "tests/gateway/fake_sources.h"

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

HttpRequest Request(http::verb method, absl::string_view target,
                    std::optional<absl::string_view> type = std::nullopt,
                    absl::string_view body = "") {
  return {.method = method,
          .target = target,
          .content_type = type,
          .body = body,
          .received = absl::Now()};
}

class RouterTest : public ::testing::Test {
 protected:
  Reply Handle(const HttpRequest& request) {
    std::optional<Reply> reply;
    router_.Handle(request, [&](Reply r) { reply = std::move(r); });
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(Reply{});
  }

  Reply Refuse(HttpFailure failure, const HttpRequest* request,
               absl::string_view detail = "") {
    std::optional<Reply> reply;
    router_.Refuse(failure, request, detail,
                   [&](Reply r) { reply = std::move(r); });
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(Reply{});
  }

  Reply Pay(std::optional<absl::string_view> type, absl::string_view body) {
    return Handle(Request(http::verb::post, "/v1/payments", type, body));
  }

  testing::FakeAccounts accounts_;
  testing::FakeDigests digests_;
  PaymentProcessor payments_{&accounts_, &digests_, 100, absl::Seconds(1)};
  ReadyCheck ready_{nullptr, nullptr};  // in-process upstreams: always ready
  RouteMetrics route_metrics_;
  UpstreamMetrics upstream_metrics_;
  ConnectionStats connection_stats_;
  Router router_{RouterDeps{.payments = &payments_,
                            .ready = &ready_,
                            .route_metrics = &route_metrics_,
                            .upstream_metrics = &upstream_metrics_,
                            .connection_stats = &connection_stats_,
                            .max_body_bytes = 65536}};
};

TEST(MatchRouteTest, ExactPathsMethodsAndQueries) {
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
  EXPECT_TRUE(MatchRoute(http::verb::post, "/v1/payments").json_body);
  EXPECT_FALSE(MatchRoute(http::verb::get, "/healthz").json_body);
}

TEST_F(RouterTest, PaymentIsCreated) {
  const Reply reply = Pay("application/json; charset=utf-8", kPayment);
  EXPECT_EQ(reply.status, 201);
  EXPECT_STREQ(reply.content_type, "application/json");
  EXPECT_THAT(reply.body, HasSubstr(R"("status":"authorized")"));
  EXPECT_EQ(route_metrics_.requests(Route::kPayments, 201), 1u);
}

TEST_F(RouterTest, MediaTypeBeforeJson) {
  EXPECT_EQ(Pay(std::nullopt, "{").status, 415);
  EXPECT_EQ(Pay("text/plain", kPayment).status, 415);
  EXPECT_EQ(Pay("application/json", "nope").status, 400);
  EXPECT_EQ(accounts_.calls, 0);
}

// With --admin_listen, the public port's router leaves /metrics out and the
// admin port's serves only it, /healthz and /readyz; the rest is 404 there,
// counted as an unknown path.
TEST_F(RouterTest, ARouteNotServedIsAnUnknownPath) {
  RouterDeps public_deps{.payments = &payments_,
                         .ready = &ready_,
                         .route_metrics = &route_metrics_,
                         .upstream_metrics = &upstream_metrics_,
                         .connection_stats = &connection_stats_,
                         .max_body_bytes = 65536};
  RouterDeps admin_deps = public_deps;
  admin_deps.payments = nullptr;
  public_deps.served.reset(static_cast<size_t>(Route::kMetrics));
  admin_deps.served.reset(static_cast<size_t>(Route::kPayments));
  Router public_router(public_deps);
  Router admin_router(admin_deps);
  auto handle = [](Router& router, const HttpRequest& request) {
    std::optional<Reply> reply;
    router.Handle(request, [&](Reply r) { reply = std::move(r); });
    return reply.value_or(Reply{});
  };
  const Reply metrics =
      handle(public_router, Request(http::verb::get, "/metrics"));
  EXPECT_EQ(metrics.status, 404);
  EXPECT_THAT(metrics.body, HasSubstr("no route for /metrics"));
  EXPECT_EQ(route_metrics_.requests(Route::kOther, 404), 1u);
  EXPECT_EQ(handle(admin_router, Request(http::verb::get, "/metrics")).status,
            200);
  EXPECT_EQ(handle(admin_router, Request(http::verb::post, "/v1/payments",
                                         "application/json", kPayment))
                .status,
            404);
  EXPECT_EQ(accounts_.calls, 0);
  EXPECT_EQ(handle(public_router, Request(http::verb::post, "/v1/payments",
                                          "application/json", kPayment))
                .status,
            201);
  EXPECT_EQ(handle(admin_router, Request(http::verb::get, "/readyz")).status,
            200);
}

TEST_F(RouterTest, UnknownPathAndWrongMethod) {
  const Reply missing = Handle(Request(http::verb::post, "/v2/pay?x=1"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(
      missing.body,
      R"({"error":{"code":"not_found","message":"no route for /v2/pay"}})");
  const Reply wrong = Handle(Request(http::verb::get, "/v1/payments"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_STREQ(wrong.allow, "POST");
  EXPECT_THAT(wrong.body, HasSubstr("method not allowed; use POST"));
  EXPECT_EQ(route_metrics_.requests(Route::kOther, 404), 1u);
  EXPECT_EQ(route_metrics_.requests(Route::kPayments, 405), 1u);
}

TEST_F(RouterTest, BodyTooLargeIs413OnlyWhereABodyIsTaken) {
  const HttpRequest payment = Request(http::verb::post, "/v1/payments");
  const Reply big = Refuse(HttpFailure::kBodyTooLarge, &payment);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body,
            R"({"error":{"code":"payload_too_large","message":"request body )"
            R"(must be at most 65536 bytes"}})");
  const HttpRequest health = Request(http::verb::get, "/healthz");
  EXPECT_EQ(Refuse(HttpFailure::kBodyTooLarge, &health).status, 200);
  const HttpRequest get_payments = Request(http::verb::get, "/v1/payments");
  EXPECT_EQ(Refuse(HttpFailure::kBodyTooLarge, &get_payments).status, 405);
  const HttpRequest other = Request(http::verb::post, "/nowhere");
  EXPECT_EQ(Refuse(HttpFailure::kBodyTooLarge, &other).status, 404);
  EXPECT_EQ(accounts_.calls, 0);
}

TEST_F(RouterTest, RefusalsOfTheHttpLayer) {
  const Reply malformed = Refuse(HttpFailure::kMalformed, nullptr, "bad chunk");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body,
            R"({"error":{"code":"bad_request","message":"malformed HTTP )"
            R"(request: bad chunk"}})");
  const Reply header = Refuse(HttpFailure::kHeaderTooLarge, nullptr,
                              "request header larger than 8192 bytes");
  EXPECT_EQ(header.status, 431);
  EXPECT_THAT(header.body, HasSubstr("request_header_fields_too_large"));
  const Reply full = Refuse(HttpFailure::kTooManyConnections, nullptr);
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(full.body,
            R"({"error":{"code":"service_unavailable","message":"too many )"
            R"(connections; retry later"}})");
  EXPECT_EQ(route_metrics_.requests(Route::kOther, 400), 1u);
  EXPECT_EQ(route_metrics_.requests(Route::kOther, 431), 1u);
  EXPECT_EQ(route_metrics_.requests(Route::kOther, 503), 1u);
  // With a parsed header, the refusal counts under the request's route.
  const HttpRequest payment = Request(http::verb::post, "/v1/payments");
  EXPECT_EQ(Refuse(HttpFailure::kMalformed, &payment, "x").status, 400);
  EXPECT_EQ(route_metrics_.requests(Route::kPayments, 400), 1u);
}

TEST_F(RouterTest, HealthAndReadiness) {
  EXPECT_EQ(Handle(Request(http::verb::get, "/healthz")).body,
            R"({"status":"ok"})");
  EXPECT_EQ(Handle(Request(http::verb::get, "/readyz")).body,
            R"({"status":"ready","store":"SERVING","engine":"SERVING"})");
  ready_.StartDraining();
  const Reply draining = Handle(Request(http::verb::get, "/readyz"));
  EXPECT_EQ(draining.status, 503);
  EXPECT_THAT(draining.body, HasSubstr("the gateway is shutting down"));
}

TEST_F(RouterTest, MetricsPageHasEveryLayersFigures) {
  Pay("application/json", kPayment);
  route_metrics_.Record(Route::kPayments, 201, absl::Milliseconds(40));
  upstream_metrics_.Record(Upstream::kEngine, 14, absl::Milliseconds(1));
  connection_stats_.Opened();
  const Reply reply = Handle(Request(http::verb::get, "/metrics"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_STREQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = reply.body;
  EXPECT_THAT(text, HasSubstr("hashmesh_http_requests_total{route=\"/v1/"
                              "payments\",code=\"201\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_bucket{"
                              "route=\"/v1/payments\",le=\"0.025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_bucket{"
                              "route=\"/v1/payments\",le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_request_duration_seconds_count{"
                              "route=\"/v1/payments\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_upstream_calls_total{upstream="
                              "\"engine\",code=\"UNAVAILABLE\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_upstream_calls_in_flight 0\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_connections_open 1\n"));
  EXPECT_THAT(text, HasSubstr("hashmesh_http_connections_rejected_total 0\n"));
  connection_stats_.Closed();
}

}  // namespace
}  // namespace hashmesh::gateway
