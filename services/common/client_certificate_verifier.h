// Verifies client certificates against a CA file that is re-read when it
// changes, and says who was refused and why (expired, unknown CA, ...).
#ifndef HASHMESH_SERVICES_COMMON_CLIENT_CERTIFICATE_VERIFIER_H_
#define HASHMESH_SERVICES_COMMON_CLIENT_CERTIFICATE_VERIFIER_H_

#include <grpc/grpc_security.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/log.h"

namespace hashmesh {

// gRPC 1.51 reports every failed client verification as "certificate verify
// failed". This verifier does OpenSSL's own chain check (X509_verify_cert,
// purpose "TLS client") itself, so that the refusal names the client and
// OpenSSL's reason. The server's TLS layer requires a certificate but leaves
// its verification to this class.
class ClientCertificateVerifier final {
 public:
  // What TlsServerCredentialsOptions::set_certificate_verifier takes: gRPC
  // owns the new verifier and deletes it with the credentials. Made through
  // gRPC's C interface, which ExternalCertificateVerifier::Create wraps, so
  // that the hand-over of ownership is visible here (and to the analyzer).
  static std::shared_ptr<grpc::experimental::CertificateVerifier> Make(
      std::string ca_file, absl::Duration refresh_interval);

  ClientCertificateVerifier(std::string ca_file,
                            absl::Duration refresh_interval);
  ~ClientCertificateVerifier();
  ClientCertificateVerifier(const ClientCertificateVerifier&) = delete;
  ClientCertificateVerifier& operator=(const ClientCertificateVerifier&) =
      delete;

  // OK, or why `leaf_pem` (with intermediates `chain_pem`, may be empty)
  // does not chain to the CA file as a TLS client certificate.
  absl::Status Check(const std::string& leaf_pem, const std::string& chain_pem);

 private:
  static int VerifyHandshake(
      void* self, grpc_tls_custom_verification_check_request* request,
      grpc_tls_on_custom_verification_check_done_cb callback,
      void* callback_arg, grpc_status_code* sync_status,
      char** sync_error_details);

  // The CA store, re-read when refresh_interval_ has passed; a file that
  // cannot be read keeps the last good store.
  X509_STORE* Store() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string ca_file_;
  const absl::Duration refresh_interval_;
  absl::Mutex mu_;
  X509_STORE* store_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  LogRateLimiter refusal_log_{absl::Seconds(10)};
  grpc_tls_certificate_verifier_external c_verifier_{};
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_CLIENT_CERTIFICATE_VERIFIER_H_
