// The gateway's client timeouts against the real binary: slow or idle peers
// are disconnected, a slow upstream is not.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/mesh/mesh_fixture.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

// The server closes within its timeout plus a watchdog tick; the bound only
// ends a broken run.
constexpr absl::Duration kPatience = absl::Seconds(20);

// An in-process gateway: these tests are about its HTTP side alone.
absl::StatusOr<Service> StartInprocGateway(std::vector<std::string> flags) {
  flags.push_back("--store=inproc");
  flags.push_back("--engine=inproc");
  return StartGateway("unused:1", "unused:1", std::move(flags));
}

TEST(GatewayTimeoutsTest, SlowAndIdleClientsAreDisconnected) {
  auto gateway =
      StartInprocGateway({"--header_timeout=300ms", "--body_timeout=300ms",
                          "--idle_timeout=300ms"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  const int port = gateway->port;

  auto idle = HttpClient::Connect(port);
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->WaitForClose(kPatience)) << "idle connection kept open";

  auto slow_header = HttpClient::Connect(port);
  ASSERT_TRUE(slow_header.ok());
  ASSERT_TRUE(
      slow_header->WriteRaw("POST /v1/payments HTTP/1.1\r\nHost: t\r\n").ok());
  EXPECT_TRUE(slow_header->WaitForClose(kPatience))
      << "half a header kept open";

  auto slow_body = HttpClient::Connect(port);
  ASSERT_TRUE(slow_body.ok());
  ASSERT_TRUE(slow_body
                  ->WriteRaw("POST /v1/payments HTTP/1.1\r\nHost: t\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: 100\r\n\r\n{\"account_id\"")
                  .ok());
  EXPECT_TRUE(slow_body->WaitForClose(kPatience)) << "half a body kept open";

  // Keep-alive: served, then closed once idle for the idle timeout.
  auto kept = HttpClient::Connect(port);
  ASSERT_TRUE(kept.ok());
  auto response = kept->Send("POST", "/v1/payments", kPayment);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_TRUE(response->keep_alive);
  EXPECT_TRUE(kept->WaitForClose(kPatience)) << "idle keep-alive kept open";

  EXPECT_EQ(*Stop(*gateway), 0) << gateway->process->output();
}

// While a payment waits on its upstream the client has nothing to send:
// no client timeout may cut it, only the upstream deadline.
TEST(GatewayTimeoutsTest, AnUpstreamSlowerThanTheClientTimeoutsStillAnswers) {
  auto gateway = StartInprocGateway(
      {"--latency=800ms", "--header_timeout=100ms", "--body_timeout=100ms",
       "--idle_timeout=100ms", "--upstream_timeout=5s"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  auto client = HttpClient::Connect(gateway->port);
  ASSERT_TRUE(client.ok());
  auto response = client->Send("POST", "/v1/payments", kPayment);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201) << response->body;
  EXPECT_EQ(*Stop(*gateway), 0) << gateway->process->output();
}

}  // namespace
}  // namespace hashmesh::testing
