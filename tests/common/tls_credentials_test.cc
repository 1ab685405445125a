// CheckTlsFiles and the credential factories: what is refused at start-up,
// and why, before any handshake could fail.
#include "services/common/tls_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/client_certificate_verifier.h"
#include "tests/support/test_certs.h"

namespace hashmesh {
namespace {

using ::hashmesh::testing::CertDir;
using ::hashmesh::testing::CertRequest;
using ::hashmesh::testing::TestCa;
using ::testing::HasSubstr;

class TlsFilesTest : public ::testing::Test {
 protected:
  TlsFilesTest() : ca_("test-ca") {
    auto server = ca_.IssueServer("engine");
    files_.cert_file = dir_.Write("tls.crt", server.cert_pem);
    files_.key_file = dir_.Write("tls.key", server.key_pem);
    files_.ca_file = dir_.Write("ca.crt", ca_.cert_pem());
  }

  absl::Status Check() { return CheckTlsFiles(files_, kServerTlsFlags); }

  CertDir dir_;
  TestCa ca_;
  TlsFiles files_;
};

TEST_F(TlsFilesTest, AcceptsAMatchingCertificateKeyAndCa) {
  EXPECT_TRUE(Check().ok()) << Check();
  EXPECT_STREQ(TlsMode(files_), "mutual TLS");
  EXPECT_TRUE(MakeServerCredentials(files_).ok());
  EXPECT_TRUE(MakeChannelCredentials(files_).ok());
}

TEST_F(TlsFilesTest, NoFilesIsPlaintext) {
  EXPECT_TRUE(CheckTlsFiles(TlsFiles{}, kServerTlsFlags).ok());
  EXPECT_STREQ(TlsMode(TlsFiles{}), "plaintext");
  EXPECT_TRUE(MakeServerCredentials(TlsFiles{}).ok());
}

TEST_F(TlsFilesTest, AMissingFileNamesTheFlagAndThePath) {
  files_.cert_file = dir_.path() + "/missing.crt";
  absl::Status s = Check();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--tls_cert_file"));
  EXPECT_THAT(s.message(), HasSubstr("missing.crt"));
}

TEST_F(TlsFilesTest, AFileWithoutPemIsRefused) {
  files_.ca_file = dir_.Write("junk.crt", "not a certificate\n");
  absl::Status s = Check();
  EXPECT_THAT(s.message(), HasSubstr("--tls_client_ca_file"));
  EXPECT_THAT(s.message(), HasSubstr("holds no PEM certificate"));
  files_.ca_file = dir_.path() + "/ca.crt";
  files_.key_file = dir_.Write("junk.key", "-----BEGIN PRIVATE KEY-----\n");
  EXPECT_THAT(Check().message(), HasSubstr("holds no unencrypted PEM"));
}

TEST_F(TlsFilesTest, AKeyOfAnotherCertificateIsRefused) {
  files_.key_file = dir_.Write("other.key", ca_.IssueServer("other").key_pem);
  absl::Status s = Check();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("is not the key of the certificate"));
}

TEST_F(TlsFilesTest, AnExpiredCertificateIsRefused) {
  CertRequest request;
  request.common_name = "engine";
  request.subject_alt_names = {"DNS:localhost"};
  request.valid_for = -absl::Minutes(1);
  auto expired = ca_.Issue(request);
  files_.cert_file = dir_.Write("expired.crt", expired.cert_pem);
  files_.key_file = dir_.Write("expired.key", expired.key_pem);
  EXPECT_THAT(Check().message(), HasSubstr("expired on"));
}

TEST_F(TlsFilesTest, CertificateAndKeyGoTogether) {
  files_.key_file.clear();
  EXPECT_THAT(Check().message(), HasSubstr("go together"));
}

TEST_F(TlsFilesTest, AServerWithAClientCaNeedsACertificate) {
  TlsFiles only_ca;
  only_ca.ca_file = files_.ca_file;
  auto credentials = MakeServerCredentials(only_ca);
  ASSERT_FALSE(credentials.ok());
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("needs a server certificate"));
  // A channel with only a CA is server-side TLS: fine.
  EXPECT_TRUE(MakeChannelCredentials(only_ca).ok());
  EXPECT_STREQ(TlsMode(only_ca), "TLS");
}

TEST_F(TlsFilesTest, TheRefreshIntervalIsInRange) {
  for (absl::Duration bad :
       {absl::ZeroDuration(), absl::Milliseconds(500), absl::Hours(25)}) {
    files_.refresh_interval = bad;
    EXPECT_THAT(Check().message(), HasSubstr("--tls_refresh_interval")) << bad;
  }
  files_.refresh_interval = absl::Seconds(1);
  EXPECT_TRUE(Check().ok());
}

TEST_F(TlsFilesTest, UpstreamErrorsNameTheGatewayFlags) {
  files_.cert_file = dir_.path() + "/missing.crt";
  auto credentials = MakeChannelCredentials(files_);
  ASSERT_FALSE(credentials.ok());
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("--upstream_tls_cert_file"));
}

class ClientCertificateVerifierTest : public ::testing::Test {
 protected:
  ClientCertificateVerifierTest()
      : ca_("mesh-ca"),
        ca_file_(dir_.Write("ca.crt", ca_.cert_pem())),
        // Zero: the CA file is read again for every check.
        verifier_(ca_file_, absl::ZeroDuration()) {}

  absl::Status Check(const std::string& cert_pem) {
    return verifier_.Check(cert_pem, cert_pem);
  }

  CertDir dir_;
  TestCa ca_;
  std::string ca_file_;
  ClientCertificateVerifier verifier_;
};

TEST_F(ClientCertificateVerifierTest, AcceptsAClientCertificateOfTheCa) {
  EXPECT_TRUE(Check(ca_.IssueClient("gateway").cert_pem).ok());
}

TEST_F(ClientCertificateVerifierTest, SaysWhyAndWhomItRefuses) {
  TestCa other("other-ca");
  absl::Status unknown = Check(other.IssueClient("intruder").cert_pem);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(unknown.message(),
              HasSubstr("unable to get local issuer certificate; client O = "
                        "hashmesh, CN = intruder, issuer O = hashmesh, CN = "
                        "other-ca"));

  CertRequest expired;
  expired.common_name = "gateway";
  expired.use = ::hashmesh::testing::CertUse::kClient;
  expired.valid_for = -absl::Minutes(1);
  EXPECT_THAT(Check(ca_.Issue(expired).cert_pem).message(),
              HasSubstr("certificate has expired (on "));

  // A server certificate is not a client's.
  EXPECT_THAT(Check(ca_.IssueServer("engine").cert_pem).message(),
              HasSubstr("unsuitable certificate purpose"));
  EXPECT_THAT(verifier_.Check("", "").message(), HasSubstr("no certificate"));
}

TEST_F(ClientCertificateVerifierTest, FollowsTheCaFileAndKeepsTheLastGoodOne) {
  TestCa next("mesh-ca-2");
  const std::string old_client = ca_.IssueClient("gateway").cert_pem;
  const std::string new_client = next.IssueClient("gateway").cert_pem;
  dir_.Write("ca.crt", next.cert_pem());
  EXPECT_TRUE(Check(new_client).ok());
  EXPECT_FALSE(Check(old_client).ok());
  // A file caught mid-write (or removed) leaves the CAs read before.
  dir_.Write("ca.crt", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_TRUE(Check(new_client).ok());
}

}  // namespace
}  // namespace hashmesh
