// The whole mesh end to end: real pgstub, engine and gateway processes, real
// HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kExampleResponse[] =
    R"({"payment_id":"pay-c823733de082fd1d","account_id":"acc-000042",)"
    R"("amount_cents":1299,"currency":"GBP","merchant":"corner-cafe",)"
    R"("status":"authorized","balance_after_cents":431299,"algorithm":"sha256",)"
    R"("rounds":100,"digest":)"
    R"("c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522"})";

// The value of one series (name and labels, as the gateway writes them) in a
// /metrics body; a series not written yet is 0, as for any Prometheus counter.
double MetricValue(absl::string_view body, absl::string_view series) {
  const std::string prefix = absl::StrCat("\n", series, " ");
  const std::string text = absl::StrCat("\n", body);
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return 0;
  const size_t start = at + prefix.size();
  double value = -1;
  if (!absl::SimpleAtod(text.substr(start, text.find('\n', start) - start),
                        &value)) {
    ADD_FAILURE() << "not a number after " << series;
  }
  return value;
}

// The SPEC's contract in both upstream modes: one pgstub and one engine, and
// a gateway per mode in front of them; each test runs against each.
class MeshTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    auto pgstub = StartPgstub();
    ASSERT_TRUE(pgstub.ok()) << pgstub.status();
    pgstub_ = new Service(*std::move(pgstub));
    auto engine = StartEngine();
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = new Service(*std::move(engine));
    for (const char* mode : {"stream", "unary"}) {
      auto gateway = StartGateway(Local(pgstub_->port), Local(engine_->port),
                                  {absl::StrCat("--upstream_mode=", mode)});
      ASSERT_TRUE(gateway.ok()) << gateway.status();
      gateways_[mode] = new Service(*std::move(gateway));
      (void)WaitUntilReady(gateways_[mode]->port);
    }
  }

  static void TearDownTestSuite() {
    std::vector<Service*> services;
    services.reserve(gateways_.size() + 2);
    for (auto& [mode, gateway] : gateways_) services.push_back(gateway);
    gateways_.clear();
    services.push_back(engine_);
    services.push_back(pgstub_);
    for (Service* s : services) {
      if (s != nullptr) {
        EXPECT_EQ(*Stop(*s), 0) << s->process->output();
      }
      delete s;
    }
  }

  void SetUp() override {
    ASSERT_TRUE(gateways_.contains(GetParam())) << "the mesh did not start";
  }

  int port() const { return gateways_.at(GetParam())->port; }

  static Service* pgstub_;
  static Service* engine_;
  static std::map<std::string, Service*> gateways_;
};

Service* MeshTest::pgstub_ = nullptr;
Service* MeshTest::engine_ = nullptr;
std::map<std::string, Service*> MeshTest::gateways_;

INSTANTIATE_TEST_SUITE_P(UpstreamModes, MeshTest,
                         ::testing::Values("stream", "unary"),
                         [](const auto& info) { return info.param; });

TEST_P(MeshTest, ExamplePaymentIsByteExact) {
  auto response = PostPayment(port(), kExamplePayment);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, kExampleResponse);
  EXPECT_EQ(response->header("content-type"), "application/json");
}

TEST_P(MeshTest, EveryErrorRow) {
  struct Case {
    std::string content_type;
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"text/plain", kExamplePayment, 415, "unsupported_media_type", ""},
      {"application/json", "{", 400, "invalid_json", ""},
      {"application/json", "[]", 400, "invalid_json", ""},
      {"application/json", R"({"account_id":"acc-42"})", 400,
       "invalid_argument", "account_id"},
      {"application/json",
       R"({"account_id":"acc-000042","amount_cents":0,"currency":"GBP","merchant":"m"})",
       400, "invalid_argument", "amount_cents"},
      {"application/json",
       R"({"account_id":"acc-999999","amount_cents":1,"currency":"GBP","merchant":"m"})",
       404, "account_not_found", "account_id"},
      {"application/json",
       R"({"account_id":"acc-000013","amount_cents":1,"currency":"EUR","merchant":"m"})",
       403, "account_frozen", "account_id"},
      {"application/json",
       R"({"account_id":"acc-000042","amount_cents":1,"currency":"USD","merchant":"m"})",
       422, "currency_mismatch", "currency"},
      {"application/json",
       R"({"account_id":"acc-000042","amount_cents":432599,"currency":"GBP","merchant":"m"})",
       422, "insufficient_funds", "amount_cents"},
  };
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  for (const Case& c : cases) {
    auto response = client->Send("POST", "/v1/payments", c.body,
                                 {{"Content-Type", c.content_type}});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, c.status) << c.body << " " << response->body;
    EXPECT_THAT(response->body,
                HasSubstr(absl::StrCat(R"({"error":{"code":")", c.code, "\"")))
        << c.body;
    if (!c.field.empty()) {
      EXPECT_THAT(response->body,
                  HasSubstr(absl::StrCat(R"("field":")", c.field, "\"}}")));
    } else {
      EXPECT_THAT(response->body, ::testing::Not(HasSubstr("\"field\"")));
    }
  }
}

TEST_P(MeshTest, RoutingComesFirst) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  auto not_found = client->Send("POST", "/v1/payments/", kExamplePayment);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_THAT(not_found->body, HasSubstr(R"("code":"not_found")"));
  auto wrong_method = client->Send("GET", "/v1/payments", "");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->header("allow"), "POST");
  EXPECT_THAT(wrong_method->body, HasSubstr(R"("code":"method_not_allowed")"));
  auto with_query = client->Send("POST", "/v1/payments?x=1", kExamplePayment);
  EXPECT_EQ(with_query->status, 201);
  auto encoded = client->Send("POST", "/v1/%70ayments", kExamplePayment);
  EXPECT_EQ(encoded->status, 404);
}

TEST_P(MeshTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 50; ++i) {
    auto response = client->Send("POST", "/v1/payments", kExamplePayment);
    ASSERT_TRUE(response.ok()) << "request " << i << ": " << response.status();
    EXPECT_EQ(response->status, 201);
    EXPECT_TRUE(response->keep_alive);
  }
}

TEST_P(MeshTest, PipelinedRequestsAreAnsweredInOrder) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  const std::string payment = absl::StrCat(
      "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: ",
      strlen(kExamplePayment), "\r\n\r\n", kExamplePayment);
  ASSERT_TRUE(client
                  ->WriteRaw(absl::StrCat(
                      payment, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", payment))
                  .ok());
  EXPECT_EQ(client->ReadResponse()->status, 201);
  EXPECT_EQ(client->ReadResponse()->status, 200);
  EXPECT_EQ(client->ReadResponse()->status, 404);
  auto last = client->ReadResponse();
  EXPECT_EQ(last->status, 201);
  EXPECT_EQ(last->body, kExampleResponse);
}

// curl sends a body of over 1 KiB only after "100 Continue".
TEST_P(MeshTest, ExpectContinueGets100ThenTheAnswer) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(
      client
          ->WriteRaw(absl::StrCat("POST /v1/payments HTTP/1.1\r\nHost: t\r\n"
                                  "Content-Type: application/json\r\n"
                                  "Expect: 100-continue\r\nContent-Length: ",
                                  sizeof(kExamplePayment) - 1, "\r\n\r\n"))
          .ok());
  auto go_on = client->ReadResponse();
  ASSERT_TRUE(go_on.ok()) << go_on.status();
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(client->WriteRaw(kExamplePayment).ok());
  auto response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, kExampleResponse);
  EXPECT_TRUE(response->keep_alive);
}

TEST_P(MeshTest, ConnectionCloseAndHttp10AreHonoured) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  auto closing = client->Send("GET", "/healthz", "", {{"Connection", "close"}});
  EXPECT_EQ(closing->status, 200);
  EXPECT_FALSE(closing->keep_alive);
  EXPECT_TRUE(client->WaitForClose(absl::Seconds(10)));

  auto old = HttpClient::Connect(port());
  ASSERT_TRUE(old->WriteRaw("GET /healthz HTTP/1.0\r\n\r\n").ok());
  auto response = old->ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(old->WaitForClose(absl::Seconds(10)));
}

TEST_P(MeshTest, LargeBodiesGet413EvenChunked) {
  auto client = HttpClient::Connect(port());
  ASSERT_TRUE(client.ok());
  const std::string big((64 << 10) + 1, ' ');
  auto sized = client->Send("POST", "/v1/payments", big);
  EXPECT_EQ(sized->status, 413);
  EXPECT_THAT(sized->body, HasSubstr(R"("code":"payload_too_large")"));

  // A chunked body that never ends: answered once past the limit, unread.
  auto chunked = HttpClient::Connect(port());
  std::string request =
      "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 80; ++i) {
    absl::StrAppend(&request, "400\r\n", std::string(1024, ' '), "\r\n");
  }
  ASSERT_TRUE(chunked->WriteRaw(request).ok());
  auto response = chunked->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  EXPECT_FALSE(response->keep_alive);

  // Exactly the limit is not too large (it is whitespace, so invalid JSON).
  auto exact = HttpClient::Connect(port());
  auto at_limit =
      exact->Send("POST", "/v1/payments", std::string(64 << 10, ' '));
  EXPECT_EQ(at_limit->status, 400);

  // The 413s are timed from their own header, not from the Unix epoch.
  auto metrics = HttpClient::Connect(port())->Send("GET", "/metrics", "");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const double seconds = MetricValue(
      metrics->body,
      "hashmesh_http_request_duration_seconds_sum{route=\"/v1/payments\"}");
  EXPECT_GT(seconds, 0.0) << metrics->body;
  EXPECT_LT(seconds, 60.0) << "a request timed from a stale start";
}

TEST_P(MeshTest, OversizedHeadersGet431AndGarbageGets400) {
  auto client = HttpClient::Connect(port());
  auto response =
      client->Send("GET", "/healthz", "", {{"X-Big", std::string(9000, 'a')}});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 431);
  auto garbage = HttpClient::Connect(port());
  ASSERT_TRUE(garbage->WriteRaw("NOT HTTP AT ALL\r\n\r\n").ok());
  auto bad = garbage->ReadResponse();
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr(R"("code":"bad_request")"));
}

// The limit is the header's size (request line through the blank line),
// however the bytes arrive: one byte over is 431 also when one write holds
// the whole header, which Beast alone let through.
TEST_P(MeshTest, HeaderLimitIsExact) {
  constexpr size_t kLimit = 8192;  // --max_header_bytes's default
  for (const size_t size : {kLimit, kLimit + 1, kLimit + 64}) {
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: ";
    const std::string header =
        head + std::string(size - head.size() - 4, 'a') + "\r\n\r\n";
    ASSERT_EQ(header.size(), size);
    auto client = HttpClient::Connect(port());
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(client->WriteRaw(header).ok());
    auto response = client->ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, size > kLimit ? 431 : 200)
        << "header of " << size << " bytes";
  }
}

// Counts are compared before and after, so the test holds whatever other
// tests sent to the suite's shared mesh first.
TEST_P(MeshTest, MetricsCountWhatWasSent) {
  const std::string kNotFound =
      "hashmesh_http_requests_total{route=\"other\",code=\"404\"}";
  const std::string kCreated =
      "hashmesh_http_requests_total{route=\"/v1/payments\",code=\"201\"}";
  const std::string kStoreOk =
      "hashmesh_upstream_calls_total{upstream=\"store\",code=\"OK\"}";
  const std::string kEngineOk =
      "hashmesh_upstream_calls_total{upstream=\"engine\",code=\"OK\"}";
  auto client = HttpClient::Connect(port());
  auto before = client->Send("GET", "/metrics", "");
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->status, 200);
  EXPECT_THAT(before->header("content-type"), HasSubstr("text/plain"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client->Send("GET", "/nowhere", "").ok());
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client->Send("POST", "/v1/payments", kExamplePayment).ok());
  }
  auto after = client->Send("GET", "/metrics", "");
  ASSERT_TRUE(after.ok()) << after.status();
  for (const auto& [series, sent] :
       {std::pair{kNotFound, 3.0}, std::pair{kCreated, 2.0},
        std::pair{kStoreOk, 2.0}, std::pair{kEngineOk, 2.0}}) {
    EXPECT_EQ(
        MetricValue(after->body, series) - MetricValue(before->body, series),
        sent)
        << series << " in\n"
        << after->body;
  }
  EXPECT_THAT(after->body, HasSubstr("hashmesh_http_connections_open "));
  EXPECT_THAT(after->body,
              HasSubstr("hashmesh_http_request_duration_seconds_bucket{route="
                        "\"/v1/payments\",le=\"+Inf\"}"));
}

TEST_P(MeshTest, HealthzAndReadyz) {
  auto client = HttpClient::Connect(port());
  EXPECT_EQ(client->Send("GET", "/healthz", "")->status, 200);
  auto ready = client->Send("GET", "/readyz", "");
  EXPECT_EQ(ready->status, 200) << ready->body;
}

// --admin_listen moves /metrics off the public port; the admin port serves
// it with the probes, and nothing else.
TEST(MeshAdminTest, MetricsOnlyOnTheAdminPort) {
  auto pgstub = StartPgstub();
  ASSERT_TRUE(pgstub.ok());
  auto engine = StartEngine();
  ASSERT_TRUE(engine.ok());
  auto gateway = StartGateway(Local(pgstub->port), Local(engine->port),
                              {"--admin_listen=127.0.0.1:0"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  auto line = gateway->process->WaitForLine("admin: ", absl::Seconds(20));
  ASSERT_TRUE(line.ok()) << line.status();
  int admin_port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line->substr(line->rfind(':') + 1), &admin_port))
      << *line;
  (void)WaitUntilReady(gateway->port);

  auto public_client = HttpClient::Connect(gateway->port);
  ASSERT_TRUE(public_client.ok());
  auto hidden = public_client->Send("GET", "/metrics", "");
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(
      public_client->Send("POST", "/v1/payments", kExamplePayment)->status,
      201);

  auto admin = HttpClient::Connect(admin_port);
  ASSERT_TRUE(admin.ok());
  auto metrics = admin->Send("GET", "/metrics", "");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(MetricValue(metrics->body,
                        "hashmesh_http_requests_total{route=\"/v1/payments\","
                        "code=\"201\"}"),
            1);
  EXPECT_EQ(admin->Send("GET", "/healthz", "")->status, 200);
  EXPECT_EQ(admin->Send("GET", "/readyz", "")->status, 200);
  EXPECT_EQ(admin->Send("POST", "/v1/payments", kExamplePayment)->status, 404);
  EXPECT_EQ(*Stop(*gateway), 0) << gateway->process->output();
}

// Stopping the engine: 503 and /readyz 503; restarting it: back to 201.
TEST(MeshFailureTest, EngineDownThenBack) {
  auto pgstub = StartPgstub();
  ASSERT_TRUE(pgstub.ok());
  auto engine = StartEngine();
  ASSERT_TRUE(engine.ok());
  const int engine_port = engine->port;
  auto gateway = StartGateway(Local(pgstub->port), Local(engine_port),
                              {"--upstream_timeout=2s"});
  ASSERT_TRUE(gateway.ok());
  const int port = gateway->port;
  (void)WaitUntilReady(port);
  EXPECT_EQ(PostPayment(port, kExamplePayment)->status, 201);

  ASSERT_EQ(*Stop(*engine), 0);
  auto down = PostPayment(port, kExamplePayment);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->status, 503) << down->body;
  EXPECT_THAT(down->body, HasSubstr(R"("code":"upstream_unavailable")"));
  // The client sees no upstream detail; the gateway's log has the cause.
  auto logged = gateway->process->WaitForLine("engine call failed: UNAVAILABLE",
                                              absl::Seconds(10));
  EXPECT_TRUE(logged.ok()) << gateway->process->output();
  // /readyz answers from a probe at most --readiness_max_age (1 s) old.
  std::string not_ready;
  EXPECT_TRUE(Eventually([&] {
    auto r = HttpClient::Connect(port)->Send("GET", "/readyz", "");
    if (!r.ok() || r->status != 503) return false;
    not_ready = r->body;
    return true;
  }));
  EXPECT_THAT(not_ready, HasSubstr(R"("engine":"UNAVAILABLE")"));
  EXPECT_THAT(not_ready, HasSubstr(R"("store":"SERVING")"));

  auto back = StartEngine(engine_port);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(Eventually([&] {
    auto r = HttpClient::Connect(port)->Send("GET", "/readyz", "");
    return r.ok() && r->status == 200;
  }));
  EXPECT_EQ(PostPayment(port, kExamplePayment)->status, 201);
  EXPECT_EQ(*Stop(*gateway), 0);
}

TEST(MeshFailureTest, SlowStoreGives504) {
  auto pgstub = StartPgstub({"--latency=3s"});
  ASSERT_TRUE(pgstub.ok());
  auto engine = StartEngine();
  ASSERT_TRUE(engine.ok());
  auto gateway = StartGateway(Local(pgstub->port), Local(engine->port),
                              {"--upstream_timeout=200ms"});
  ASSERT_TRUE(gateway.ok());
  (void)WaitUntilReady(gateway->port);
  auto response = PostPayment(gateway->port, kExamplePayment);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 504);
  EXPECT_THAT(response->body, HasSubstr(R"("code":"upstream_timeout")"));
}

// Both upstream modes spread payments over two engine replicas. Streams are
// long-lived, so in stream mode they reach the second replica as the servers'
// --max_connection_age moves them, as in a rolling update or a scale-up;
// a stream cut that way loses no payment (its items are sent again).
TEST(MeshFailureTest, TwoEnginesBehindOneIpv4TargetBothServe) {
  for (const std::string mode : {"unary", "stream"}) {
    SCOPED_TRACE(mode);
    auto pgstub = StartPgstub();
    ASSERT_TRUE(pgstub.ok());
    const std::vector<std::string> engine_flags = {
        "--log_level=debug", "--max_connection_age=1s",
        "--max_connection_age_grace=1s"};
    auto first = StartEngine(0, engine_flags);
    auto second = StartEngine(0, engine_flags);
    ASSERT_TRUE(first.ok() && second.ok());
    auto gateway = StartGateway(
        Local(pgstub->port),
        absl::StrCat("ipv4:", Local(first->port), ",", Local(second->port)),
        {"--upstream_channels=1", "--upstream_mode=" + mode});
    ASSERT_TRUE(gateway.ok());
    (void)WaitUntilReady(gateway->port);
    constexpr char kHashed[] = "hash sha256 rounds=100";
    int payments = 0;
    EXPECT_TRUE(Eventually([&] {
      ++payments;
      EXPECT_EQ(PostPayment(gateway->port, kExamplePayment)->status, 201);
      // Reads what each engine logged so far without waiting.
      (void)first->process->WaitForLine(kHashed, absl::Milliseconds(1));
      (void)second->process->WaitForLine(kHashed, absl::Milliseconds(1));
      return payments >= 20 &&
             absl::StrContains(first->process->output(), kHashed) &&
             absl::StrContains(second->process->output(), kHashed);
    })) << "an engine got no call";
    EXPECT_EQ(*Stop(*gateway), 0);
    ASSERT_EQ(*Stop(*first), 0);
    ASSERT_EQ(*Stop(*second), 0);
  }
}

TEST(MeshFailureTest, GatewayBadFlagsAndPortInUse) {
  auto gateway = StartGateway("localhost:1", "localhost:1");
  ASSERT_TRUE(gateway.ok());
  for (std::vector<std::string> flags :
       {std::vector<std::string>{"--store=postgres"},
        {"--hash_rounds=0"},
        {"--listen=nowhere"},
        {absl::StrCat("--listen=127.0.0.1:", gateway->port)}}) {
    flags.insert(flags.begin(), HASHMESH_GATEWAY_BIN);
    auto child = ChildProcess::Start(flags);
    ASSERT_TRUE(child.ok());
    auto code = child->Wait(absl::Seconds(30));
    EXPECT_EQ(*code, 1) << flags[1] << ": " << child->output();
    EXPECT_THAT(child->output(), HasSubstr("hashmesh-gateway: ")) << flags[1];
  }
}

}  // namespace
}  // namespace hashmesh::testing
