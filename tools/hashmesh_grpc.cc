// hashmesh-grpc: a grpcurl-like CLI over server reflection (no .proto files).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/abseil_runtime.h"
#include "tools/connection_options.h"
#include "tools/json_input.h"
#include "tools/reflection_client.h"

namespace {

constexpr char kUsage[] =
    "usage: hashmesh-grpc [OPTIONS] HOST:PORT list\n"
    "       hashmesh-grpc [OPTIONS] HOST:PORT describe SERVICE\n"
    "       hashmesh-grpc [OPTIONS] HOST:PORT call package.Service/Method "
    "[JSON|@]\n"
    "  OPTIONS (as grpcurl's): -cacert FILE (TLS, verifying the server\n"
    "  against this CA), -cert FILE -key FILE (mutual TLS), -servername NAME\n"
    "  (the name the server's certificate must hold), -plaintext (the\n"
    "  default without TLS options).\n"
    "  A streaming method takes one JSON message, or with @ every JSON\n"
    "  message on standard input, one after another (as grpcurl -d @), and\n"
    "  prints each response on a line of its own.\n"
    "example: hashmesh-grpc localhost:50051 call "
    "hashmesh.engine.v1.HashEngine/Hash "
    "'{\"algorithm\":\"ALGORITHM_SHA256\",\"rounds\":100,\"data\":\"aGVsbG8=\"}"
    "'\n";

int Report(const absl::Status& status) {
  std::cerr << "hashmesh-grpc: " << absl::StatusCodeToString(status.code())
            << ": " << status.message() << "\n";
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::ConfigureAbseilRuntime();
  auto options = hashmesh::tools::ParseConnectionOptions(
      std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "hashmesh-grpc: " << options.status().message() << "\n"
              << kUsage;
    return 2;
  }
  // The positional arguments as if no option had been given.
  std::vector<char*> positional = {argv[0]};
  for (std::string& arg : options->rest) positional.push_back(arg.data());
  argc = static_cast<int>(positional.size());
  argv = positional.data();
  if (argc < 3) {
    std::cerr << kUsage;
    return 2;
  }
  auto channel = hashmesh::tools::Connect(argv[1], *options);
  if (!channel.ok()) return Report(channel.status());
  hashmesh::tools::ReflectionClient client(*channel);
  const std::string verb = argv[2];
  if (verb == "list" && argc == 3) {
    auto services = client.ListServices();
    if (!services.ok()) return Report(services.status());
    std::cout << absl::StrJoin(*services, "\n") << "\n";
    return EXIT_SUCCESS;
  }
  if (verb == "describe" && argc == 4) {
    auto service = client.DescribeService(argv[3]);
    if (!service.ok()) return Report(service.status());
    std::cout << (*service)->DebugString();
    return EXIT_SUCCESS;
  }
  if (verb == "call" && (argc == 4 || argc == 5)) {
    const std::string input = argc == 5 ? argv[4] : "{}";
    auto method = client.FindMethod(argv[3]);
    if (!method.ok()) return Report(method.status());
    if ((*method)->client_streaming() || (*method)->server_streaming()) {
      std::vector<std::string> requests = {input};
      if (input == "@") {
        std::ostringstream in;
        in << std::cin.rdbuf();
        auto values = hashmesh::tools::JsonValues(in.str());
        if (!values.ok()) return Report(values.status());
        requests = *std::move(values);
      }
      auto responses = client.CallStream(argv[3], requests);
      if (!responses.ok()) return Report(responses.status());
      for (const std::string& response : *responses) {
        std::cout << response << "\n";
      }
      return EXIT_SUCCESS;
    }
    auto response = client.CallUnary(argv[3], input);
    if (!response.ok()) return Report(response.status());
    std::cout << *response << "\n";
    return EXIT_SUCCESS;
  }
  std::cerr << kUsage;
  return 2;
}
