// hashmesh-grpc: a grpcurl-like CLI over server reflection (no .proto files).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_join.h"
#include "services/common/abseil_runtime.h"
#include "tools/reflection_client.h"

namespace {

constexpr char kUsage[] =
    "usage: hashmesh-grpc HOST:PORT list\n"
    "       hashmesh-grpc HOST:PORT describe SERVICE\n"
    "       hashmesh-grpc HOST:PORT call package.Service/Method [JSON]\n"
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
  if (argc < 3) {
    std::cerr << kUsage;
    return 2;
  }
  hashmesh::tools::ReflectionClient client(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
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
    auto response = client.CallUnary(argv[3], argc == 5 ? argv[4] : "{}");
    if (!response.ok()) return Report(response.status());
    std::cout << *response << "\n";
    return EXIT_SUCCESS;
  }
  std::cerr << kUsage;
  return 2;
}
