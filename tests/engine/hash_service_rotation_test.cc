// Certificate rotation without a restart: the server's files change (a new
// certificate from the same CA, then from a new CA the client also trusts by
// then); new connections see the new certificate, and no call fails.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/engine/tls_test_fixture.h"
#include "tests/support/eventually.h"

namespace hashmesh::engine {
namespace {

using ::hashmesh::testing::Eventually;
using ::hashmesh::testing::KeyAndCert;
using ::hashmesh::testing::SerialOf;
using ::hashmesh::testing::TestCa;

class RotationTest : public HashServiceTlsTest {
 protected:
  void SetUp() override {
    HashServiceTlsTest::SetUp();
    auto credentials = MakeChannelCredentials(client_tls_);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    credentials_ = *std::move(credentials);
  }

  // Calls on one long-lived connection and on a new connection each time,
  // until Stop(); every failure is counted.
  void StartLoad() {
    load_ = std::thread([this] {
      auto long_lived = Channel(credentials_);
      while (!stop_.load()) {
        for (const auto& channel : {long_lived, Channel(credentials_)}) {
          grpc::Status status = Hash(channel);
          calls_.fetch_add(1);
          if (!status.ok()) {
            failures_.fetch_add(1);
            ADD_FAILURE() << status.error_message();
          }
        }
      }
    });
  }

  void StopLoad() {
    stop_.store(true);
    load_.join();
  }

  // Publishes the server's next files, waits until a new connection is
  // served the new certificate and the load has run on past the switch,
  // and stops the load: not one call may have failed.
  void SwitchServerAndStopLoad(const KeyAndCert& next,
                               const std::string& client_cas) {
    server_dir_.Publish({{"tls.crt", next.cert_pem},
                         {"tls.key", next.key_pem},
                         {"ca.crt", client_cas}});
    const std::string serial = SerialOf(next.cert_pem);
    EXPECT_TRUE(Eventually([&] { return ServedToANewConnection() == serial; }));
    const int calls_at_switch = calls_.load();
    EXPECT_TRUE(
        Eventually([&] { return calls_.load() > calls_at_switch + 4; }));
    StopLoad();
    EXPECT_EQ(failures_.load(), 0) << "of " << calls_.load() << " calls";
  }

  // The serial of the certificate a new connection is served with.
  std::string ServedToANewConnection() {
    std::string served_by;
    grpc::Status status = Hash(Channel(credentials_), &served_by);
    return status.ok() ? served_by : status.error_message();
  }

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::thread load_;
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
};

TEST_F(RotationTest, ANewCertificateFromTheSameCaReachesNewConnections) {
  ASSERT_EQ(ServedToANewConnection(), server_serial_);
  StartLoad();
  SwitchServerAndStopLoad(ca_.IssueServer("engine"), ca_.cert_pem());
}

TEST_F(RotationTest, ANewCaReachesNewConnectionsOnceTheClientTrustsIt) {
  StartLoad();
  TestCa next_ca("mesh-ca-2");
  const std::string both_cas = ca_.cert_pem() + next_ca.cert_pem();
  // 1. The client trusts both CAs (its own certificate is unchanged).
  const KeyAndCert client = ca_.IssueClient("gateway");
  client_dir_.Publish({{"tls.crt", client.cert_pem},
                       {"tls.key", client.key_pem},
                       {"ca.crt", both_cas}});
  // Seen when a server of the new CA is trusted by the client's files.
  const KeyAndCert probe_cert = next_ca.IssueServer("probe");
  ::hashmesh::testing::CertDir probe_dir;
  auto probe_paths = probe_dir.Publish(
      {{"tls.crt", probe_cert.cert_pem}, {"tls.key", probe_cert.key_pem}});
  GrpcServerConfig probe_config;
  probe_config.listen_address = "127.0.0.1:0";
  probe_config.tls.cert_file = probe_paths[0];
  probe_config.tls.key_file = probe_paths[1];
  HashService probe_service(hasher_.get(), pool_.get(), HashServiceOptions{});
  auto probe = GrpcServer::Start(
      probe_config, {{&probe_service, v1::HashEngine::service_full_name()}});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_TRUE(Eventually([&] {
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return grpc::health::v1::Health::NewStub(
               grpc::CreateCustomChannel((*probe)->address(), credentials_,
                                         FreshConnection()))
        ->Check(&context, {}, &response)
        .ok();
  }));
  (*probe)->Drain();
  // 2. The server switches to the new CA, still accepting the old CA's
  // client certificates.
  SwitchServerAndStopLoad(next_ca.IssueServer("engine"), both_cas);
}

}  // namespace
}  // namespace hashmesh::engine
