// hashmesh-grpc's connection options, spelt as grpcurl spells them:
// -cacert, -cert, -key, -servername, -plaintext.
#ifndef HASHMESH_TOOLS_CONNECTION_OPTIONS_H_
#define HASHMESH_TOOLS_CONNECTION_OPTIONS_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/tls_credentials.h"

namespace hashmesh::tools {

struct ConnectionOptions {
  TlsFiles tls;             // empty: plaintext, as before these options
  std::string server_name;  // -servername: the name the certificate must hold
  std::vector<std::string> rest;  // the arguments after the options
};

// Reads leading "-name value" or "-name=value" options (one dash or two);
// the first argument that is not one ends them. An unknown option, a missing
// value, or -plaintext with a TLS option is an InvalidArgument error.
absl::StatusOr<ConnectionOptions> ParseConnectionOptions(
    const std::vector<std::string>& args);

// A channel to `target` as `options` say: TLS (mutual with -cert/-key) when
// any TLS option is set, plaintext otherwise.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& target, const ConnectionOptions& options);

}  // namespace hashmesh::tools

#endif  // HASHMESH_TOOLS_CONNECTION_OPTIONS_H_
