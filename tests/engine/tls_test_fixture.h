// A HashEngine served over mutual TLS in-process, with a CA, certificate
// files published as the kubelet does, and clients to call it with.
#ifndef HASHMESH_TESTS_ENGINE_TLS_TEST_FIXTURE_H_
#define HASHMESH_TESTS_ENGINE_TLS_TEST_FIXTURE_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "services/common/grpc_server.h"
#include "services/common/tls_credentials.h"
#include "services/engine/hash_service.h"
#include "tests/support/test_certs.h"

namespace hashmesh::engine {

// A fresh connection per channel: rotation tests must see new handshakes.
inline grpc::ChannelArguments FreshConnection(
    const std::string& server_name = "") {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
  return args;
}

// Credentials built from PEM in memory, bypassing CheckTlsFiles: a client
// that offers what the server must refuse (an expired certificate).
inline std::shared_ptr<grpc::ChannelCredentials> RawCredentials(
    const std::string& root_pem,
    const ::hashmesh::testing::KeyAndCert& identity) {
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          root_pem, std::vector<grpc::experimental::IdentityKeyCertPair>{
                        {identity.key_pem, identity.cert_pem}});
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

class HashServiceTlsTest : public ::testing::Test {
 protected:
  HashServiceTlsTest() : ca_("mesh-ca"), other_ca_("other-ca") {}

  void SetUp() override {
    auto hasher = Hasher::Create();
    ASSERT_TRUE(hasher.ok());
    hasher_ = *std::move(hasher);
    pool_ = std::make_unique<WorkerPool>(2, 100);
    service_ = std::make_unique<HashService>(hasher_.get(), pool_.get(),
                                             HashServiceOptions{});
    const ::hashmesh::testing::KeyAndCert server = ca_.IssueServer("engine");
    auto paths = server_dir_.Publish({{"tls.crt", server.cert_pem},
                                      {"tls.key", server.key_pem},
                                      {"ca.crt", ca_.cert_pem()}});
    server_serial_ = ::hashmesh::testing::SerialOf(server.cert_pem);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.health_listen_address = "127.0.0.1:0";
    config.tls = {.cert_file = paths[0],
                  .key_file = paths[1],
                  .ca_file = paths[2],
                  .refresh_interval = absl::Seconds(1)};
    auto started = GrpcServer::Start(
        config, {{service_.get(), v1::HashEngine::service_full_name()}});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);

    const ::hashmesh::testing::KeyAndCert client = ca_.IssueClient("gateway");
    auto client_paths = client_dir_.Publish({{"tls.crt", client.cert_pem},
                                             {"tls.key", client.key_pem},
                                             {"ca.crt", ca_.cert_pem()}});
    client_tls_ = {.cert_file = client_paths[0],
                   .key_file = client_paths[1],
                   .ca_file = client_paths[2],
                   .refresh_interval = absl::Seconds(1)};
  }

  void TearDown() override {
    if (server_) server_->Drain();
    if (pool_) pool_->Shutdown();
  }

  std::shared_ptr<grpc::Channel> Channel(
      std::shared_ptr<grpc::ChannelCredentials> credentials,
      const std::string& server_name = "") {
    return grpc::CreateCustomChannel(server_->address(), credentials,
                                     FreshConnection(server_name));
  }

  std::shared_ptr<grpc::Channel> MutualTlsChannel() {
    auto credentials = MakeChannelCredentials(client_tls_);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return Channel(*credentials);
  }

  // One Hash call; `served_by` gets the serial of the server's certificate.
  static grpc::Status Hash(const std::shared_ptr<grpc::Channel>& channel,
                           std::string* served_by = nullptr) {
    v1::HashRequest request;
    request.set_algorithm(v1::ALGORITHM_SHA256);
    request.set_rounds(1);
    request.set_data("abc");
    v1::HashResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    grpc::Status status =
        v1::HashEngine::NewStub(channel)->Hash(&context, request, &response);
    if (served_by != nullptr && status.ok()) {
      auto pem = context.auth_context()->FindPropertyValues("x509_pem_cert");
      *served_by = pem.empty() ? ""
                               : ::hashmesh::testing::SerialOf(std::string(
                                     pem.front().data(), pem.front().size()));
    }
    return status;
  }

  std::unique_ptr<Hasher> hasher_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<HashService> service_;
  std::unique_ptr<GrpcServer> server_;
  ::hashmesh::testing::TestCa ca_;
  ::hashmesh::testing::TestCa other_ca_;
  ::hashmesh::testing::CertDir server_dir_;
  ::hashmesh::testing::CertDir client_dir_;
  std::string server_serial_;
  TlsFiles client_tls_;
};

}  // namespace hashmesh::engine

#endif  // HASHMESH_TESTS_ENGINE_TLS_TEST_FIXTURE_H_
