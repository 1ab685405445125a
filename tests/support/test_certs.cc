#include "tests/support/test_certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hashmesh::testing {
namespace {

// Test set-up: a failure here is a broken test environment, not a result.
void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(absl::StrCat("test_certs: ", what));
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr,
                                 nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const auto size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_X509(bio, cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  const auto size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, valid from an hour ago for
// `valid_for`, not yet signed.
X509* NewCert(EVP_PKEY* key, const std::string& cn, absl::Duration valid_for) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(
      X509_getm_notAfter(cert),
      static_cast<long>(absl::ToInt64Seconds(valid_for)));  // NOLINT
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("hashmesh"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  return cert;
}

}  // namespace

struct TestCa::Impl {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~Impl() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

TestCa::TestCa(const std::string& name) : impl_(std::make_unique<Impl>()) {
  impl_->key = NewKey();
  impl_->cert = NewCert(impl_->key, name, absl::Hours(24 * 30));
  X509_set_issuer_name(impl_->cert, X509_get_subject_name(impl_->cert));
  AddExtension(impl_->cert, impl_->cert, NID_basic_constraints,
               "critical,CA:TRUE");
  AddExtension(impl_->cert, impl_->cert, NID_key_usage,
               "critical,keyCertSign,cRLSign");
  AddExtension(impl_->cert, impl_->cert, NID_subject_key_identifier, "hash");
  Check(X509_sign(impl_->cert, impl_->key, EVP_sha256()) > 0, "X509_sign CA");
  cert_pem_ = CertPem(impl_->cert);
}

TestCa::~TestCa() = default;

KeyAndCert TestCa::Issue(const CertRequest& request) {
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, request.common_name, request.valid_for);
  X509_set_issuer_name(cert, X509_get_subject_name(impl_->cert));
  AddExtension(cert, impl_->cert, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, impl_->cert, NID_key_usage,
               "critical,digitalSignature,keyEncipherment");
  AddExtension(cert, impl_->cert, NID_ext_key_usage,
               request.use == CertUse::kServer ? "serverAuth" : "clientAuth");
  AddExtension(cert, impl_->cert, NID_authority_key_identifier, "keyid:always");
  if (!request.subject_alt_names.empty()) {
    AddExtension(cert, impl_->cert, NID_subject_alt_name,
                 absl::StrJoin(request.subject_alt_names, ","));
  }
  Check(X509_sign(cert, impl_->key, EVP_sha256()) > 0, "X509_sign leaf");
  KeyAndCert out{KeyPem(key), CertPem(cert)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

KeyAndCert TestCa::IssueServer(const std::string& common_name) {
  CertRequest request;
  request.common_name = common_name;
  request.subject_alt_names = {"DNS:localhost", "IP:127.0.0.1", "IP:::1",
                               "DNS:" + common_name};
  return Issue(request);
}

KeyAndCert TestCa::IssueClient(const std::string& common_name) {
  CertRequest request;
  request.common_name = common_name;
  request.use = CertUse::kClient;
  return Issue(request);
}

CertDir::CertDir() {
  std::string templ =
      (std::filesystem::temp_directory_path() / "hashmesh_certs_XXXXXX")
          .string();
  Check(mkdtemp(templ.data()) != nullptr, "mkdtemp");
  path_ = templ;
}

CertDir::~CertDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string CertDir::Write(const std::string& name,
                           const std::string& contents) {
  std::string path = path_ + "/" + name;
  ReplaceFile(path, contents);
  return path;
}

std::vector<std::string> CertDir::Publish(
    const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  const std::string generation = absl::StrCat("..gen", ++generation_);
  fs::create_directory(fs::path(path_) / generation);
  std::vector<std::string> paths;
  for (const auto& [name, contents] : files) {
    ReplaceFile(absl::StrCat(path_, "/", generation, "/", name), contents);
    const fs::path link = fs::path(path_) / name;
    if (!fs::is_symlink(link)) {
      fs::create_symlink(fs::path("..data") / name, link);
    }
    paths.push_back(link.string());
  }
  const fs::path next = fs::path(path_) / "..data_tmp";
  fs::remove(next);
  fs::create_directory_symlink(generation, next);
  fs::rename(next, fs::path(path_) / "..data");
  return paths;
}

void ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string temp = path + ".new";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << contents;
    Check(out.good(), "writing a certificate file");
  }
  Check(std::rename(temp.c_str(), path.c_str()) == 0, "rename");
}

std::string SerialOf(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return "";
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string serial(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  X509_free(cert);
  return serial;
}

}  // namespace hashmesh::testing
