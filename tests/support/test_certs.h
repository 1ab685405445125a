// Certificates for TLS tests, made in memory with OpenSSL: a CA per test and
// the server, client and expired certificates it signs (no files in git).
#ifndef HASHMESH_TESTS_SUPPORT_TEST_CERTS_H_
#define HASHMESH_TESTS_SUPPORT_TEST_CERTS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hashmesh::testing {

struct KeyAndCert {
  std::string key_pem;
  std::string cert_pem;
};

enum class CertUse { kServer, kClient };

struct CertRequest {
  std::string common_name;
  // "DNS:localhost", "IP:127.0.0.1", ...
  std::vector<std::string> subject_alt_names;
  CertUse use = CertUse::kServer;
  // Valid from an hour ago until this long from now; negative: expired.
  absl::Duration valid_for = absl::Hours(24);
};

// A self-signed EC P-256 certificate authority.
class TestCa {
 public:
  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_pem() const { return cert_pem_; }

  // A leaf certificate this CA signs, with a fresh key.
  KeyAndCert Issue(const CertRequest& request);

  // A server certificate for localhost (DNS:localhost, IP:127.0.0.1, ::1)
  // and for the name `common_name`.
  KeyAndCert IssueServer(const std::string& common_name);
  KeyAndCert IssueClient(const std::string& common_name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string cert_pem_;
};

// A temporary directory for one test's PEM files, removed with it.
class CertDir {
 public:
  CertDir();
  ~CertDir();
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes (or replaces, see ReplaceFile) `name` in the directory; its path.
  std::string Write(const std::string& name, const std::string& contents);

  // Publishes files the way the kubelet updates a mounted Secret: a new
  // directory of them, a "..data" symlink to it swapped in with one rename,
  // and `name` -> "..data/name" links. Readers see all old or all new files.
  // Returns the paths of `name`s, in order.
  std::vector<std::string> Publish(
      const std::vector<std::pair<std::string, std::string>>& files);

 private:
  int generation_ = 0;
  std::string path_;
};

// Writes `contents` to `path` the way Kubernetes updates a Secret: a new
// file renamed over the old one, so that a reader sees one or the other.
void ReplaceFile(const std::string& path, const std::string& contents);

// The serial number of the first certificate in `pem` ("" when none), for
// telling which certificate a peer presented.
std::string SerialOf(const std::string& pem);

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_SUPPORT_TEST_CERTS_H_
