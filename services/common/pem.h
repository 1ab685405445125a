// OpenSSL objects from PEM text, owned by unique_ptrs (the TLS checks and
// the client certificate verifier).
#ifndef HASHMESH_SERVICES_COMMON_PEM_H_
#define HASHMESH_SERVICES_COMMON_PEM_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hashmesh {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// Every certificate in `pem`, in order (none when it holds none).
std::vector<X509Ptr> ParseCertificates(absl::string_view pem);

// The first private key in `pem`; null when there is none (or it is
// encrypted).
KeyPtr ParsePrivateKey(absl::string_view pem);

// "CN=gateway, O=hashmesh": a certificate's subject or issuer, for logs.
std::string SubjectOf(const X509* cert);
std::string IssuerOf(const X509* cert);

// "Dec  8 00:00:00 2026 GMT".
std::string NotAfterOf(const X509* cert);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_PEM_H_
