// A gRPC server-reflection client: what grpcurl does, for tests and the CLI.
#ifndef HASHMESH_TOOLS_REFLECTION_CLIENT_H_
#define HASHMESH_TOOLS_REFLECTION_CLIENT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpc/reflection/v1/reflection.pb.h"

namespace hashmesh::tools {

// Learns a server's services and messages through reflection only (no .proto
// files, no generated code for them), then calls unary methods with JSON,
// exactly as grpcurl does. Not thread-safe; one per thread.
class ReflectionClient {
 public:
  explicit ReflectionClient(std::shared_ptr<grpc::Channel> channel,
                            absl::Duration timeout = absl::Seconds(5));

  // The services the server lists, e.g. "grpc.health.v1.Health".
  absl::StatusOr<std::vector<std::string>> ListServices();

  // Fetches the file defining `symbol` (and its imports) into the local pool.
  absl::StatusOr<const google::protobuf::ServiceDescriptor*> DescribeService(
      absl::string_view service);

  // "package.Service/Method" (or "package.Service.Method"), described.
  absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
      absl::string_view method);

  // Calls "package.Service/Method" (or "package.Service.Method") with a
  // request written in protobuf JSON; returns the response as JSON. A gRPC
  // error from the server comes back as the status it sent.
  absl::StatusOr<std::string> CallUnary(absl::string_view method,
                                        absl::string_view request_json);

  // Calls a streaming method: sends each request (protobuf JSON) in order,
  // half-closes, and returns every response as JSON, in order. A non-OK
  // status of the stream comes back as the error, with the responses read
  // before it lost.
  absl::StatusOr<std::vector<std::string>> CallStream(
      absl::string_view method, const std::vector<std::string>& request_jsons);

 private:
  absl::StatusOr<grpc::reflection::v1::ServerReflectionResponse> Exchange(
      const grpc::reflection::v1::ServerReflectionRequest& request);
  absl::Status AddFiles(
      const grpc::reflection::v1::FileDescriptorResponse& files);
  absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
};

}  // namespace hashmesh::tools

#endif  // HASHMESH_TOOLS_REFLECTION_CLIENT_H_
