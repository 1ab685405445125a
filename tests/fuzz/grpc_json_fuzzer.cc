// Fuzzes hashmesh-grpc's input: JSON text split into values (`call ... @`
// reads standard input so) and each value converted by MessageFromJson into
// a request message built, as the CLI builds it, from descriptors alone (a
// DescriptorPool of the services' files and dynamic messages).
//
// Properties: a converted request is wire-compatible with the generated
// message of the same name, and printing it as JSON and reading that back
// gives the same message.
//
// Input: the first byte picks the method's request type; the rest is the
// JSON text.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "hashmesh/engine/v1/engine.pb.h"
#include "hashmesh/pgstub/v1/pgstub.pb.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/json_input.h"

namespace hashmesh::tools {
namespace {

namespace pb = google::protobuf;

// The request types of the services' methods, reflected: their files copied
// into a pool of their own (imports first), as the reflection client does
// with what a server sends.
class Requests {
 public:
  Requests() {
    for (const pb::Descriptor* generated : Generated()) {
      Add(generated->file());
      const pb::Descriptor* reflected =
          pool_.FindMessageTypeByName(generated->full_name());
      FUZZ_CHECK(reflected != nullptr);
      prototypes_.push_back(factory_.GetPrototype(reflected));
    }
  }

  static std::vector<const pb::Descriptor*> Generated() {
    return {engine::v1::HashRequest::descriptor(),
            engine::v1::HashBatch::descriptor(),
            pgstub::v1::GetAccountRequest::descriptor(),
            pgstub::v1::GetAccountBatch::descriptor()};
  }
  const pb::Message& prototype(size_t i) const { return *prototypes_[i]; }
  size_t size() const { return prototypes_.size(); }

 private:
  void Add(const pb::FileDescriptor* file) {
    if (pool_.FindFileByName(file->name()) != nullptr) return;
    for (int i = 0; i < file->dependency_count(); ++i) Add(file->dependency(i));
    pb::FileDescriptorProto proto;
    file->CopyTo(&proto);
    FUZZ_CHECK(pool_.BuildFile(proto) != nullptr);
  }

  pb::DescriptorPool pool_;
  pb::DynamicMessageFactory factory_{&pool_};
  std::vector<const pb::Message*> prototypes_;
};

void CheckConverted(const pb::Message& request, size_t type) {
  // The bytes the CLI would send parse as the server's generated message.
  const std::string wire = request.SerializeAsString();
  std::unique_ptr<pb::Message> generated(
      pb::MessageFactory::generated_factory()
          ->GetPrototype(Requests::Generated()[type])
          ->New());
  FUZZ_CHECK(generated->ParseFromString(wire));

  // JSON out and in again: the same message.
  std::string json;
  FUZZ_CHECK(pb::util::MessageToJsonString(request, &json).ok());
  absl::StatusOr<std::unique_ptr<pb::Message>> again =
      MessageFromJson(request, json);
  FUZZ_CHECK(again.ok());
  if (!pb::util::MessageDifferencer::Equals(request, **again)) {
    std::fprintf(stderr, "converted:\n%s\nas JSON: %s\nread back:\n%s\n",
                 request.DebugString().c_str(), json.c_str(),
                 (*again)->DebugString().c_str());
    std::abort();
  }
}

void FuzzOne(const Requests& requests, size_t type, absl::string_view text) {
  const pb::Message& prototype = requests.prototype(type);
  // The unary path: the argument is one message.
  if (absl::StatusOr<std::unique_ptr<pb::Message>> request =
          MessageFromJson(prototype, text);
      request.ok()) {
    CheckConverted(**request, type);
  } else {
    FUZZ_CHECK(request.status().code() == absl::StatusCode::kInvalidArgument);
  }
  // The stream path: standard input holds one value after another.
  absl::StatusOr<std::vector<std::string>> values = JsonValues(text);
  if (!values.ok()) {
    FUZZ_CHECK(values.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  for (const std::string& value : *values) {
    if (absl::StatusOr<std::unique_ptr<pb::Message>> request =
            MessageFromJson(prototype, value);
        request.ok()) {
      CheckConverted(**request, type);
    }
  }
}

}  // namespace
}  // namespace hashmesh::tools

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // protobuf logs every rejected input (invalid UTF-8, ...): noise at
  // thousands of inputs a second.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* requests = new hashmesh::tools::Requests;
  if (size == 0) return 0;
  hashmesh::tools::FuzzOne(
      *requests, data[0] % requests->size(),
      absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
