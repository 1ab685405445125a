// gRPC credentials from PEM files that are re-read when they change: TLS or
// mutual TLS for the services, and for the gateway's upstream channels.
#ifndef HASHMESH_SERVICES_COMMON_TLS_CREDENTIALS_H_
#define HASHMESH_SERVICES_COMMON_TLS_CREDENTIALS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hashmesh {

// The refresh interval's range: gRPC's file watcher counts whole seconds, and
// a rotated certificate must reach new connections within a day.
inline constexpr absl::Duration kMinTlsRefreshInterval = absl::Seconds(1);
inline constexpr absl::Duration kMaxTlsRefreshInterval = absl::Hours(24);

struct TlsFiles {
  std::string cert_file;  // PEM certificate chain: who this side is
  std::string key_file;   // its PEM private key
  // PEM bundle of the CAs whose certificates this side accepts from the peer.
  // A server with it requires a client certificate (mutual TLS); a channel
  // without it verifies the server against the system's roots.
  std::string ca_file;
  // Kubernetes updates a mounted Secret in place: the files are re-read this
  // often, and new connections use what they hold; open ones keep theirs.
  absl::Duration refresh_interval = absl::Seconds(60);

  bool empty() const {
    return cert_file.empty() && key_file.empty() && ca_file.empty();
  }
};

// "plaintext", "TLS" or "mutual TLS", for start-up logs.
const char* TlsMode(const TlsFiles& files);

// The options that set TlsFiles, for error messages.
struct TlsFlagNames {
  const char* cert_file;
  const char* key_file;
  const char* ca_file;
  const char* refresh_interval;
};
inline constexpr TlsFlagNames kServerTlsFlags{
    "--tls_cert_file", "--tls_key_file", "--tls_client_ca_file",
    "--tls_refresh_interval"};
inline constexpr TlsFlagNames kUpstreamTlsFlags{
    "--upstream_tls_cert_file", "--upstream_tls_key_file",
    "--upstream_tls_ca_file", "--upstream_tls_refresh_interval"};

// What a handshake would find wrong, checked at start-up so that a bad file
// is a clear error instead of every handshake failing: each file readable and
// holding PEM that parses, a certificate and a key that belong together and a
// certificate that has not expired, both or neither of them, and the refresh
// interval in range. Errors name the option (`names`) and the file.
absl::Status CheckTlsFiles(const TlsFiles& files, const TlsFlagNames& names);

// Plaintext (h2c) when `files` is empty; TLS 1.2+ with cert_file and key_file;
// mutual TLS when ca_file is set too: a client certificate chaining to it is
// required. A server needs a certificate whenever ca_file is set. Runs
// CheckTlsFiles first, also for plaintext (the refresh interval is checked).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsFlagNames& names = kServerTlsFlags);

// Plaintext when `files` is empty; otherwise TLS that verifies the server's
// certificate and host name against ca_file (the system's roots when empty),
// presenting cert_file and key_file when set (mutual TLS).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsFiles& files,
                       const TlsFlagNames& names = kUpstreamTlsFlags);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_TLS_CREDENTIALS_H_
