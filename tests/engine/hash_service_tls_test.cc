// The HashEngine over mutual TLS in-process: who may call, who may not, and
// the plaintext health port that serves health checks alone.
#include <gtest/gtest.h>

#include <algorithm>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/engine/tls_test_fixture.h"
#include "tools/reflection_client.h"

namespace hashmesh::engine {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::hashmesh::tools::ReflectionClient;

TEST_F(HashServiceTlsTest, AClientWithACertificateFromTheCaMayCall) {
  auto channel = MutualTlsChannel();
  std::string served_by;
  grpc::Status status = Hash(channel, &served_by);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(served_by, server_serial_);
}

TEST_F(HashServiceTlsTest, AClientWithoutACertificateIsRefused) {
  TlsFiles no_identity;
  no_identity.ca_file = client_tls_.ca_file;
  auto credentials = MakeChannelCredentials(no_identity);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(Hash(Channel(*credentials)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HashServiceTlsTest, AClientWithACertificateFromAnotherCaIsRefused) {
  EXPECT_EQ(Hash(Channel(RawCredentials(ca_.cert_pem(),
                                        other_ca_.IssueClient("intruder"))))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HashServiceTlsTest, AClientWithAnExpiredCertificateIsRefused) {
  ::hashmesh::testing::CertRequest request;
  request.common_name = "gateway";
  request.use = ::hashmesh::testing::CertUse::kClient;
  request.valid_for = -absl::Minutes(5);
  EXPECT_EQ(Hash(Channel(RawCredentials(ca_.cert_pem(), ca_.Issue(request))))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HashServiceTlsTest, APlaintextClientIsRefused) {
  EXPECT_EQ(Hash(Channel(grpc::InsecureChannelCredentials())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HashServiceTlsTest, TheClientChecksTheServersCaAndName) {
  // A server the client's CA did not sign is refused by the client.
  EXPECT_EQ(Hash(Channel(RawCredentials(other_ca_.cert_pem(),
                                        ca_.IssueClient("gateway"))))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  auto credentials = MakeChannelCredentials(client_tls_);
  ASSERT_TRUE(credentials.ok());
  // The certificate names localhost, 127.0.0.1 and "engine", not "pgstub".
  EXPECT_EQ(Hash(Channel(*credentials, "pgstub")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::Status named = Hash(Channel(*credentials, "engine"));
  EXPECT_TRUE(named.ok()) << named.error_message();
}

TEST_F(HashServiceTlsTest, ReflectionWorksOverMutualTls) {
  ReflectionClient reflection(MutualTlsChannel());
  auto services = reflection.ListServices();
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(),
                      v1::HashEngine::service_full_name()),
            services->end());
}

TEST_F(HashServiceTlsTest, TheHealthPortAnswersPlaintextChecksAndNothingElse) {
  ASSERT_NE(server_->health_port(), 0);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->health_port()),
                          grpc::InsecureChannelCredentials());
  for (const std::string service : {"", "hashmesh.engine.v1.HashEngine"}) {
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    grpc::Status status =
        Health::NewStub(channel)->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << service;
  }
  EXPECT_EQ(Hash(channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  ReflectionClient reflection(channel);
  auto services = reflection.ListServices();
  ASSERT_FALSE(services.ok());
  EXPECT_EQ(services.status().code(), absl::StatusCode::kUnimplemented)
      << services.status();
}

}  // namespace
}  // namespace hashmesh::engine
