// The gateway's client timeouts against the real binary: slow or idle peers
// are disconnected, a slow upstream is not.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/mesh/mesh_fixture.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

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
  auto response = kept->Send("POST", "/v1/payments", kExamplePayment);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_TRUE(response->keep_alive);
  EXPECT_TRUE(kept->WaitForClose(kPatience)) << "idle keep-alive kept open";

  EXPECT_EQ(*Stop(*gateway), 0) << gateway->process->output();
}

// Sends a byte every 50 ms, as a peer that keeps a closing connection busy
// would, until the server closes it; false if it is still open after
// `limit`.
bool ClosedWhileDribbling(HttpClient& client, absl::Duration limit) {
  const absl::Time give_up = absl::Now() + limit;
  while (absl::Now() < give_up) {
    if (!client.WriteRaw("x").ok()) return true;  // reset: closed
    if (client.WaitForClose(absl::Milliseconds(50))) return true;
  }
  return false;
}

// A reply that closes the connection lingers --linger_timeout in all,
// however the peer keeps sending; also for connections refused at
// --max_connections, which must not pile up.
TEST(GatewayTimeoutsTest, LingerIsBoundedInTotal) {
  auto gateway = StartInprocGateway(
      {"--linger_timeout=300ms", "--max_connections=1", "--idle_timeout=60s"});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  const int port = gateway->port;
  // The bound only ends a broken run: far beyond the linger and the
  // watchdog's tick, far below forever.
  const absl::Duration limit = absl::Seconds(10);

  auto malformed = HttpClient::Connect(port);
  ASSERT_TRUE(malformed.ok());
  ASSERT_TRUE(malformed->WriteRaw("NOT HTTP AT ALL\r\n\r\n").ok());
  auto bad = malformed->ReadResponse(kPatience);
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->status, 400);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(ClosedWhileDribbling(*malformed, limit))
      << "a closing connection was kept open by a dribbling peer";
  EXPECT_LT(absl::Now() - start, limit);

  auto held = HttpClient::Connect(port);  // the one connection allowed
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(held->Send("GET", "/healthz").ok());
  for (int i = 0; i < 3; ++i) {
    auto refused = HttpClient::Connect(port);
    ASSERT_TRUE(refused.ok());
    auto busy = refused->ReadResponse(kPatience);
    ASSERT_TRUE(busy.ok()) << busy.status();
    EXPECT_EQ(busy->status, 503);
    EXPECT_TRUE(ClosedWhileDribbling(*refused, limit))
        << "refused connection " << i << " kept open";
  }
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
  auto response = client->Send("POST", "/v1/payments", kExamplePayment);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201) << response->body;
  EXPECT_EQ(*Stop(*gateway), 0) << gateway->process->output();
}

}  // namespace
}  // namespace hashmesh::testing
