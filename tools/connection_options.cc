#include "tools/connection_options.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hashmesh::tools {
namespace {

constexpr TlsFlagNames kToolFlags{"-cert", "-key", "-cacert",
                                  "(refresh interval)"};

}  // namespace

absl::StatusOr<ConnectionOptions> ParseConnectionOptions(
    const std::vector<std::string>& args) {
  ConnectionOptions options;
  bool plaintext = false;
  size_t i = 0;
  for (; i < args.size() && absl::StartsWith(args[i], "-"); ++i) {
    std::string name = args[i].substr(absl::StartsWith(args[i], "--") ? 2 : 1);
    if (name == "plaintext") {
      plaintext = true;
      continue;
    }
    std::string value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("option -", name, " needs a value"));
    }
    if (name == "cacert") {
      options.tls.ca_file = value;
    } else if (name == "cert") {
      options.tls.cert_file = value;
    } else if (name == "key") {
      options.tls.key_file = value;
    } else if (name == "servername") {
      options.server_name = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option -", name,
          " (known: -cacert, -cert, -key, -servername, -plaintext)"));
    }
  }
  if (plaintext && (!options.tls.empty() || !options.server_name.empty())) {
    return absl::InvalidArgumentError(
        "-plaintext cannot go with -cacert, -cert, -key or -servername");
  }
  options.rest.assign(args.begin() + static_cast<ptrdiff_t>(i), args.end());
  return options;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& target, const ConnectionOptions& options) {
  auto credentials = MakeChannelCredentials(options.tls, kToolFlags);
  if (!credentials.ok()) return credentials.status();
  if (options.tls.empty() && !options.server_name.empty()) {
    // -servername alone: TLS against the system's roots, as in grpcurl.
    *credentials = grpc::SslCredentials({});
  }
  grpc::ChannelArguments args;
  if (!options.server_name.empty()) {
    args.SetSslTargetNameOverride(options.server_name);
  }
  return grpc::CreateCustomChannel(target, *credentials, args);
}

}  // namespace hashmesh::tools
