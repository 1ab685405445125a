// hashmesh-grpc's input: JSON text split into values, and protobuf JSON into
// request messages of any (reflected) type; no gRPC, so a fuzzer can drive it.
#ifndef HASHMESH_TOOLS_JSON_INPUT_H_
#define HASHMESH_TOOLS_JSON_INPUT_H_

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hashmesh::tools {

// The JSON values of `text`, one after another (whitespace between them
// optional), each as its own compact string: what `call ... @` reads from
// standard input. INVALID_ARGUMENT when any of it is not JSON.
absl::StatusOr<std::vector<std::string>> JsonValues(absl::string_view text);

// A new message of `prototype`'s type (generated or dynamic) filled from
// protobuf JSON, as grpcurl reads a request. INVALID_ARGUMENT naming the
// fault when `json` is not such a message, including a member the parser let
// through without a field to put it in (see json_input.cc).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> MessageFromJson(
    const google::protobuf::Message& prototype, absl::string_view json);

}  // namespace hashmesh::tools

#endif  // HASHMESH_TOOLS_JSON_INPUT_H_
