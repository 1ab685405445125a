// An in-process GatewayServer: what idle keep-alive connections hold after
// large requests (the heap, measured, not the code read).
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/gateway_server.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizers' allocators replace malloc and keep their own count (GCC
// ships no header for it: clang's sanitizer/allocator_interface.h has it).
extern "C" size_t __sanitizer_get_current_allocated_bytes();  // NOLINT
#endif

namespace hashmesh::gateway {
namespace {

using ::hashmesh::testing::Eventually;
using ::hashmesh::testing::HttpClient;

// Bytes the process has allocated and not freed.
size_t HeapInUse() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // large blocks are mmapped apart
#endif
}

GatewayConfig InprocConfig() {
  GatewayConfig config;
  config.listen_address = "127.0.0.1:0";
  config.store = UpstreamMode::kInproc;
  config.engine = UpstreamMode::kInproc;
  config.inproc_accounts = 1000;
  config.hash_rounds = 1;
  config.http.max_body_bytes = 1 << 20;
  return config;
}

// A payment as large as the body limit allows: JSON permits whitespace
// after the value.
std::string LargePayment(size_t size) {
  std::string body =
      R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
      R"("merchant":"corner-cafe","memo":"latte"})";
  body.resize(size, ' ');
  return body;
}

// Keep-alive connections that each sent a body near the limit and are now
// idle hold neither the body nor a read buffer grown for it: a thousand idle
// clients must not pin a thousand bodies until their next request.
TEST(GatewayMemoryTest, IdleConnectionsReleaseTheirLastBody) {
  constexpr int kConnections = 12;
  constexpr size_t kBodyBytes = 768 << 10;
  auto server = GatewayServer::Start(InprocConfig());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string body = LargePayment(kBodyBytes);
  {  // Whatever the first request sets up for good is in the baseline.
    auto warm = HttpClient::Connect((*server)->port());
    ASSERT_TRUE(warm.ok());
    auto response = warm->Send("POST", "/v1/payments", body);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 201) << response->body;
  }
  const size_t baseline = HeapInUse();

  std::vector<HttpClient> idle;
  for (int i = 0; i < kConnections; ++i) {
    auto client = HttpClient::Connect((*server)->port());
    ASSERT_TRUE(client.ok()) << client.status();
    auto response = client->Send("POST", "/v1/payments", body);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 201) << response->body;
    ASSERT_TRUE(response->keep_alive);
    idle.push_back(*std::move(client));
  }
  // The reply reaches the client a moment before the server's write
  // completes and the connection turns idle: wait for that, not a time.
  // Holding the bodies would be kConnections * kBodyBytes (9 MiB); a
  // quarter of that is room for the connections' own small state.
  const size_t bound = kConnections * kBodyBytes / 4;
  size_t held = 0;
  EXPECT_TRUE(Eventually([&] {
    const size_t now = HeapInUse();
    held = now > baseline ? now - baseline : 0;
    return held < bound;
  })) << held
      << " bytes still held by " << kConnections << " idle connections (bound "
      << bound << ")";
  (*server)->Drain();
}

}  // namespace
}  // namespace hashmesh::gateway
