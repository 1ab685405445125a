// CheckTlsFiles and the credential factories: what is refused at start-up,
// and why, before any handshake could fail.
#include "services/common/tls_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hashmesh
