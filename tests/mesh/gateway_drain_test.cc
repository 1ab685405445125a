// The gateway's shutdown against the real binaries: payments stuck upstream
// past the drain timeout are cancelled and answered, the process exits
// cleanly (under ASan in CI: no completion touches freed memory), and
// /readyz says 503 while it drains.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

using ::testing::HasSubstr;

// Bounds that only end a broken run; the tests wait for events.
constexpr absl::Duration kPatience = absl::Seconds(20);

std::string PaymentRequest() {
  return absl::StrCat(
      "POST /v1/payments HTTP/1.1\r\nHost: t\r\n"
      "Content-Type: application/json\r\nContent-Length: ",
      sizeof(kExamplePayment) - 1, "\r\n\r\n", kExamplePayment);
}

// The gateway's hashmesh_upstream_calls_in_flight, or -1.
double CallsInFlight(int port) {
  auto client = HttpClient::Connect(port);
  if (!client.ok()) return -1;
  auto metrics = client->Send("GET", "/metrics", "", {});
  if (!metrics.ok()) return -1;
  const std::string name = "\nhashmesh_upstream_calls_in_flight ";
  const size_t at = metrics->body.find(name);
  if (at == std::string::npos) return -1;
  const size_t start = at + name.size();
  double value = -1;
  (void)absl::SimpleAtod(
      metrics->body.substr(start, metrics->body.find('\n', start) - start),
      &value);
  return value;
}

class GatewayDrainTest : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(UpstreamModes, GatewayDrainTest,
                         ::testing::Values("stream", "unary"),
                         [](const auto& info) { return info.param; });

// The drain timeout passes while every payment still waits for a lookup
// that takes a minute: the gateway cancels them, answers each 503, and
// exits 0 long before the upstream would have answered.
TEST_P(GatewayDrainTest, PaymentsStuckUpstreamAreCancelledAndAnswered) {
  auto pgstub = StartPgstub({"--latency=60s"});
  ASSERT_TRUE(pgstub.ok()) << pgstub.status();
  auto engine = StartEngine();
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto gateway =
      StartGateway(Local(pgstub->port), Local(engine->port),
                   {absl::StrCat("--upstream_mode=", GetParam()),
                    "--upstream_timeout=120s", "--drain_timeout=200ms"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  (void)WaitUntilReady(gateway->port);

  constexpr int kPayments = 6;
  std::vector<HttpClient> clients;
  for (int i = 0; i < kPayments; ++i) {
    auto client = HttpClient::Connect(gateway->port);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(client->WriteRaw(PaymentRequest()).ok());
    clients.push_back(*std::move(client));
  }
  // Every lookup has reached the upstream (the health probes of /readyz
  // count too, but they end within their own deadline).
  ASSERT_TRUE(Eventually(
      [&] { return CallsInFlight(gateway->port) == kPayments; }, kPatience));

  const absl::Time stop_at = absl::Now();
  gateway->process->Signal(SIGTERM);
  for (HttpClient& client : clients) {
    auto response = client.ReadResponse(kPatience);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 503);
    EXPECT_THAT(response->body, HasSubstr(R"("code":"upstream_unavailable")"));
    EXPECT_FALSE(response->keep_alive);
  }
  auto code = gateway->process->Wait(kPatience);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << gateway->process->output();
  EXPECT_LT(absl::Now() - stop_at, absl::Seconds(10));
  EXPECT_THAT(gateway->process->output(), HasSubstr("cancelling"));
}

// A request that arrives on an open connection while the gateway drains is
// still answered: /readyz says 503 so that the load balancer stops sending,
// and the connection closes after the reply.
TEST_P(GatewayDrainTest, ReadyzAnswers503WhileDraining) {
  auto pgstub = StartPgstub();
  ASSERT_TRUE(pgstub.ok()) << pgstub.status();
  auto engine = StartEngine();
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto gateway = StartGateway(
      Local(pgstub->port), Local(engine->port),
      {absl::StrCat("--upstream_mode=", GetParam()), "--drain_timeout=30s"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  ASSERT_TRUE(WaitUntilReady(gateway->port));

  // A request whose header has been read (the 100 Continue says so) keeps
  // its connection busy, so the drain waits for it instead of closing it.
  auto client = HttpClient::Connect(gateway->port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client
                  ->WriteRaw("GET /readyz HTTP/1.1\r\nHost: t\r\n"
                             "Expect: 100-continue\r\nContent-Length: 1\r\n"
                             "\r\n")
                  .ok());
  auto go_on = client->ReadResponse(kPatience);
  ASSERT_TRUE(go_on.ok()) << go_on.status();
  ASSERT_EQ(go_on->status, 100);

  gateway->process->Signal(SIGTERM);
  ASSERT_TRUE(gateway->process->WaitForLine("draining", kPatience).ok());
  ASSERT_TRUE(client->WriteRaw("x").ok());
  auto response = client->ReadResponse(kPatience);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);
  EXPECT_THAT(response->body, HasSubstr(R"("code":"service_unavailable")"));
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client->WaitForClose(kPatience));

  auto code = gateway->process->Wait(kPatience);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << gateway->process->output();
}

}  // namespace
}  // namespace hashmesh::testing
