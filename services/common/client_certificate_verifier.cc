#include "services/common/client_certificate_verifier.h"

#include <grpc/support/string_util.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/files.h"
#include "services/common/pem.h"

namespace hashmesh {
namespace {

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  // The stack borrows its certificates: only the stack is freed.
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};

}  // namespace

ClientCertificateVerifier::ClientCertificateVerifier(
    std::string ca_file, absl::Duration refresh_interval)
    : ca_file_(std::move(ca_file)), refresh_interval_(refresh_interval) {}

ClientCertificateVerifier::~ClientCertificateVerifier() {
  X509_STORE_free(store_);
}

X509_STORE* ClientCertificateVerifier::Store() {
  const absl::Time now = absl::Now();
  if (store_ != nullptr && now - loaded_at_ < refresh_interval_) return store_;
  loaded_at_ = now;
  absl::StatusOr<std::string> pem = ReadFileToString(ca_file_);
  std::vector<X509Ptr> cas;
  if (pem.ok()) cas = ParseCertificates(*pem);
  if (cas.empty()) {
    spdlog::warn(
        "client CA file {}: {}; keeping the CAs read before", ca_file_,
        pem.ok() ? "no PEM certificate in it" : pem.status().message());
    return store_;
  }
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (const X509Ptr& ca : cas) X509_STORE_add_cert(store.get(), ca.get());
  X509_STORE_free(store_);
  store_ = store.release();
  return store_;
}

absl::Status ClientCertificateVerifier::Check(const std::string& leaf_pem,
                                              const std::string& chain_pem) {
  std::vector<X509Ptr> leaf = ParseCertificates(leaf_pem);
  if (leaf.empty()) {
    return absl::UnauthenticatedError("the client sent no certificate");
  }
  // The intermediates the client sent, without its own certificate.
  std::vector<X509Ptr> chain = ParseCertificates(chain_pem);
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (const X509Ptr& cert : chain) {
    if (X509_cmp(cert.get(), leaf.front().get()) != 0) {
      sk_X509_push(untrusted.get(), cert.get());
    }
  }
  std::unique_ptr<X509_STORE, StoreFree> store;
  {
    absl::MutexLock lock(&mu_);
    X509_STORE* current = Store();
    // A reference of our own: a rotation may replace store_ meanwhile.
    if (current != nullptr && X509_STORE_up_ref(current) == 1) {
      store.reset(current);
    }
  }
  if (store == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("no client CA could be read from ", ca_file_));
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  X509* client = leaf.front().get();
  if (X509_STORE_CTX_init(ctx.get(), store.get(), client, untrusted.get()) !=
          1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    return absl::InternalError("cannot set up the certificate check");
  }
  if (X509_verify_cert(ctx.get()) == 1) return absl::OkStatus();
  const int error = X509_STORE_CTX_get_error(ctx.get());
  std::string reason = X509_verify_cert_error_string(error);
  if (error == X509_V_ERR_CERT_HAS_EXPIRED) {
    absl::StrAppend(&reason, " (on ", NotAfterOf(client), ")");
  }
  return absl::UnauthenticatedError(absl::StrCat(
      reason, "; client ", SubjectOf(client), ", issuer ", IssuerOf(client)));
}

std::shared_ptr<grpc::experimental::CertificateVerifier>
ClientCertificateVerifier::Make(std::string ca_file,
                                absl::Duration refresh_interval) {
  auto* verifier =
      new ClientCertificateVerifier(std::move(ca_file), refresh_interval);
  verifier->c_verifier_ = {
      .user_data = verifier,
      .verify = &VerifyHandshake,
      .cancel = [](void*, grpc_tls_custom_verification_check_request*) {},
      .destruct =
          [](void* self) {
            delete static_cast<ClientCertificateVerifier*>(self);
          },
  };
  return std::make_shared<grpc::experimental::CertificateVerifier>(
      grpc_tls_certificate_verifier_external_create(&verifier->c_verifier_));
}

int ClientCertificateVerifier::VerifyHandshake(
    void* self, grpc_tls_custom_verification_check_request* c_request,
    grpc_tls_on_custom_verification_check_done_cb /*callback*/,
    void* /*callback_arg*/, grpc_status_code* sync_status,
    char** sync_error_details) {
  auto* verifier = static_cast<ClientCertificateVerifier*>(self);
  grpc::experimental::TlsCustomVerificationCheckRequest request(c_request);
  const absl::Status status = verifier->Check(
      std::string(request.peer_cert().data(), request.peer_cert().size()),
      std::string(request.peer_cert_full_chain().data(),
                  request.peer_cert_full_chain().size()));
  if (status.ok()) {
    *sync_status = GRPC_STATUS_OK;
    return 1;
  }
  // A client can fail handshakes as fast as it connects: one line per
  // interval, with the count of those left out.
  uint64_t suppressed = 0;
  if (verifier->refusal_log_.Allow(&suppressed)) {
    spdlog::warn(
        "refused a client certificate: {} ({} more refusals not logged since "
        "the last such line; at most one line per 10 s)",
        status.message(), suppressed);
  }
  *sync_status = GRPC_STATUS_UNAUTHENTICATED;
  const std::string details(status.message());
  *sync_error_details = gpr_strdup(details.c_str());
  return 1;  // answered synchronously: it is a local check
}

}  // namespace hashmesh
