// The mesh over mutual TLS, end to end with the real binaries: payments in
// both upstream modes, a gateway the services refuse, the plaintext health
// port, hashmesh-grpc with client certificates, and the handshake log limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_certs.h"

namespace hashmesh::testing {
namespace {

using ::testing::HasSubstr;

// How often `needle` occurs in `text`.
int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class MeshMtlsTest : public ::testing::Test {
 protected:
  MeshMtlsTest() : ca_("mesh-ca"), other_ca_("other-ca") {}

  void SetUp() override {
    ca_file_ = dir_.Write("ca.crt", ca_.cert_pem());
    for (const char* name : {"engine", "pgstub"}) {
      auto pair = ca_.IssueServer(name);
      dir_.Write(absl::StrCat(name, ".crt"), pair.cert_pem);
      dir_.Write(absl::StrCat(name, ".key"), pair.key_pem);
    }
    auto engine = StartEngine(0, ServerFlags("engine"));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto pgstub = StartPgstub(ServerFlags("pgstub"));
    ASSERT_TRUE(pgstub.ok()) << pgstub.status();
    pgstub_ = *std::move(pgstub);
  }

  void TearDown() override {
    for (Service* s : {&gateway_, &engine_, &pgstub_}) {
      if (s->process) {
        EXPECT_EQ(Stop(*s).value_or(-1), 0);
      }
    }
  }

  std::vector<std::string> ServerFlags(const std::string& name) {
    return {absl::StrCat("--tls_cert_file=", dir_.path(), "/", name, ".crt"),
            absl::StrCat("--tls_key_file=", dir_.path(), "/", name, ".key"),
            absl::StrCat("--tls_client_ca_file=", ca_file_),
            "--health_listen=127.0.0.1:0"};
  }

  // A gateway presenting a client certificate from `ca`.
  void StartMtlsGateway(TestCa& ca, std::vector<std::string> flags = {}) {
    auto client = ca.IssueClient("gateway");
    flags.push_back(absl::StrCat("--upstream_tls_ca_file=", ca_file_));
    flags.push_back(absl::StrCat("--upstream_tls_cert_file=",
                                 dir_.Write("gateway.crt", client.cert_pem)));
    flags.push_back(absl::StrCat("--upstream_tls_key_file=",
                                 dir_.Write("gateway.key", client.key_pem)));
    auto gateway = StartGateway(Local(pgstub_.port), Local(engine_.port),
                                std::move(flags));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
  }

  // The health port, from the line logged before "serving on" (which
  // StartService waited for).
  static absl::StatusOr<int> HealthPort(const Service& service) {
    static const std::regex kLine(R"(health checks at \S*:(\d+))");
    const std::string output = service.process->output();
    std::smatch match;
    int port = 0;
    if (!std::regex_search(output, match, kLine) ||
        !absl::SimpleAtoi(match[1].str(), &port)) {
      return absl::NotFoundError(absl::StrCat("no health port in:\n", output));
    }
    return port;
  }

  // Runs hashmesh-grpc with `args`; its exit code, and its output in `out`.
  static int Tool(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), HASHMESH_GRPC_BIN);
    auto tool = ChildProcess::Start(args);
    if (!tool.ok()) return -1;
    auto code = tool->Wait(absl::Seconds(60));
    *out = tool->output();
    return code.value_or(-1);
  }

  CertDir dir_;
  TestCa ca_;
  TestCa other_ca_;
  std::string ca_file_;
  Service engine_;
  Service pgstub_;
  Service gateway_;
};

TEST_F(MeshMtlsTest, PaymentsSucceedOverMutualTlsInBothUpstreamModes) {
  for (const char* mode : {"stream", "unary"}) {
    SCOPED_TRACE(mode);
    StartMtlsGateway(ca_, {absl::StrCat("--upstream_mode=", mode)});
    EXPECT_THAT(gateway_.process->output(), HasSubstr("over mutual TLS"));
    EXPECT_TRUE(WaitUntilReady(gateway_.port));
    for (int i = 0; i < 20; ++i) {
      auto response = PostPayment(gateway_.port, kExamplePayment);
      ASSERT_TRUE(response.ok()) << response.status();
      EXPECT_EQ(response->status, 201) << response->body;
    }
    EXPECT_EQ(Stop(gateway_).value_or(-1), 0);
    gateway_ = Service{};
  }
}

TEST_F(MeshMtlsTest, AGatewayWithACertificateOfAnotherCaIsRefused) {
  StartMtlsGateway(other_ca_);
  auto ready = HttpClient::Connect(gateway_.port)->Send("GET", "/readyz", "");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->status, 503) << ready->body;
  auto payment = PostPayment(gateway_.port, kExamplePayment);
  ASSERT_TRUE(payment.ok()) << payment.status();
  EXPECT_EQ(payment->status, 503) << payment->body;
  // The engine says whom it refused and why, once per interval however many
  // handshakes fail.
  auto line = engine_.process->WaitForLine("refused a client certificate",
                                           absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr("unable to get local issuer certificate; "
                               "client O = hashmesh, CN = gateway, issuer O = "
                               "hashmesh, CN = other-ca"));
  // And the gateway why it cannot reach its upstreams.
  auto refused =
      gateway_.process->WaitForLine("is not ready", absl::Seconds(30));
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_THAT(*refused, HasSubstr("UNAVAILABLE"));
}

TEST_F(MeshMtlsTest, AFloodOfFailedHandshakesIsLoggedOncePerInterval) {
  std::string out;
  const absl::Time start = absl::Now();
  // Server-side TLS only: no client certificate.
  for (int i = 0; i < 25; ++i) {
    Tool({"-cacert", ca_file_, Local(engine_.port), "list"}, &out);
  }
  auto line =
      engine_.process->WaitForLine("TLS handshake failed", absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr("peer did not return a certificate"));
  // 25 refusals (and the tool's own retries): a line per 10 s begun, not 25,
  // however slow the machine.
  const int intervals =
      static_cast<int>(absl::ToInt64Seconds(absl::Now() - start) / 10 + 1);
  EXPECT_LE(Count(engine_.process->output(), "TLS handshake failed"),
            intervals + 1)
      << engine_.process->output();
}

TEST_F(MeshMtlsTest, HashmeshGrpcCallsThroughReflectionWithClientCertificates) {
  auto client = ca_.IssueClient("operator");
  const std::string cert = dir_.Write("operator.crt", client.cert_pem);
  const std::string key = dir_.Write("operator.key", client.key_pem);
  std::string out;
  EXPECT_EQ(
      Tool({"-cacert", ca_file_, "-cert", cert, "-key", key,
            Local(engine_.port), "call", "hashmesh.engine.v1.HashEngine/Hash",
            R"({"algorithm":"ALGORITHM_SHA256","rounds":1,"data":"YWJj"})"},
           &out),
      0)
      << out;
  // SHA-256("abc"), base64.
  EXPECT_THAT(out, HasSubstr("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="));
  // By name: the certificate holds "pgstub", and localhost resolves here.
  EXPECT_EQ(Tool({"-cacert", ca_file_, "-cert", cert, "-key", key,
                  "-servername", "pgstub", Local(pgstub_.port), "list"},
                 &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("hashmesh.pgstub.v1.AccountStore"));
  // Without the client certificate: refused.
  EXPECT_NE(Tool({"-cacert", ca_file_, Local(engine_.port), "list"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("UNAVAILABLE"));
}

TEST_F(MeshMtlsTest, TheHealthPortAnswersPlaintextChecksOnly) {
  for (Service* service : {&engine_, &pgstub_}) {
    auto port = HealthPort(*service);
    ASSERT_TRUE(port.ok()) << port.status();
    std::string out;
    EXPECT_EQ(
        Tool({Local(*port), "call", "grpc.health.v1.Health/Check", "{}"}, &out),
        1)
        << "reflection must not be served there: " << out;
    EXPECT_THAT(out, HasSubstr("UNIMPLEMENTED"));
    // The TLS port refuses plaintext.
    EXPECT_NE(Tool({Local(service->port), "list"}, &out), 0);
  }
}

}  // namespace
}  // namespace hashmesh::testing
