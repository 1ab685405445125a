#include "services/common/tls_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/client_certificate_verifier.h"
#include "services/common/files.h"
#include "services/common/pem.h"

namespace hashmesh {
namespace {

// The option and the path, for every error about one file.
std::string Where(const char* flag, const std::string& path) {
  return absl::StrCat(flag, " '", path, "'");
}

// The certificates in a PEM file, in order; an error when there is none.
absl::StatusOr<std::vector<X509Ptr>> ReadCertificates(const char* flag,
                                                      const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFileToString(path);
  if (!pem.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", pem.status().message()));
  }
  std::vector<X509Ptr> certs = ParseCertificates(*pem);
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(flag, path), " holds no PEM certificate"));
  }
  return certs;
}

absl::StatusOr<KeyPtr> ReadKey(const char* flag, const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFileToString(path);
  if (!pem.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", pem.status().message()));
  }
  KeyPtr key = ParsePrivateKey(*pem);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        Where(flag, path), " holds no unencrypted PEM private key"));
  }
  return key;
}

absl::Status CheckIdentity(const TlsFiles& files, const TlsFlagNames& names) {
  absl::StatusOr<std::vector<X509Ptr>> chain =
      ReadCertificates(names.cert_file, files.cert_file);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<KeyPtr> key = ReadKey(names.key_file, files.key_file);
  if (!key.ok()) return key.status();
  X509* leaf = chain->front().get();
  if (X509_check_private_key(leaf, key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        Where(names.key_file, files.key_file),
        " is not the key of the certificate in '", files.cert_file, "'"));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(names.cert_file, files.cert_file),
                     ": the certificate expired on ", NotAfterOf(leaf)));
  }
  return absl::OkStatus();
}

unsigned RefreshSeconds(const TlsFiles& files) {
  return static_cast<unsigned>(absl::ToInt64Seconds(files.refresh_interval));
}

}  // namespace

const char* TlsMode(const TlsFiles& files) {
  if (files.cert_file.empty()) {
    return files.ca_file.empty() ? "plaintext" : "TLS";
  }
  return files.ca_file.empty() ? "TLS" : "mutual TLS";
}

absl::Status CheckTlsFiles(const TlsFiles& files, const TlsFlagNames& names) {
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        names.cert_file, " and ", names.key_file, " go together: set both"));
  }
  if (files.refresh_interval < kMinTlsRefreshInterval ||
      files.refresh_interval > kMaxTlsRefreshInterval) {
    return absl::InvalidArgumentError(
        absl::StrCat(names.refresh_interval, " must be between ",
                     absl::FormatDuration(kMinTlsRefreshInterval), " and ",
                     absl::FormatDuration(kMaxTlsRefreshInterval), ", got ",
                     absl::FormatDuration(files.refresh_interval)));
  }
  if (!files.cert_file.empty()) {
    if (absl::Status s = CheckIdentity(files, names); !s.ok()) return s;
  }
  if (!files.ca_file.empty()) {
    absl::StatusOr<std::vector<X509Ptr>> roots =
        ReadCertificates(names.ca_file, files.ca_file);
    if (!roots.ok()) return roots.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsFlagNames& names) {
  if (!files.ca_file.empty() && files.cert_file.empty() &&
      files.key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(names.ca_file, " needs a server certificate: set ",
                     names.cert_file, " and ", names.key_file, " too"));
  }
  // Also without TLS, so that the refresh interval's range is always checked.
  if (absl::Status s = CheckTlsFiles(files, names); !s.ok()) return s;
  if (files.empty()) return grpc::InsecureServerCredentials();
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          files.key_file, files.cert_file, files.ca_file,
          RefreshSeconds(files));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!files.ca_file.empty()) {
    // The TLS layer demands a certificate; ClientCertificateVerifier checks
    // its chain (OpenSSL's X509_verify_cert, as the TLS layer would) and,
    // unlike gRPC 1.51, says which client was refused and why.
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
    options.set_certificate_verifier(
        ClientCertificateVerifier::Make(files.ca_file, files.refresh_interval));
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsFiles& files, const TlsFlagNames& names) {
  if (files.empty()) return grpc::InsecureChannelCredentials();
  if (absl::Status s = CheckTlsFiles(files, names); !s.ok()) return s;
  grpc::experimental::TlsChannelCredentialsOptions options;
  if (!files.ca_file.empty() || !files.cert_file.empty()) {
    options.set_certificate_provider(
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            files.key_file, files.cert_file, files.ca_file,
            RefreshSeconds(files)));
  }
  if (!files.ca_file.empty()) options.watch_root_certs();
  if (!files.cert_file.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  // Explicit, so that a later default cannot drop the host name check: the
  // CA alone says only that some service of the mesh answered.
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace hashmesh
