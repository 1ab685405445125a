#include "tools/json_input.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/json_util.h>

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <string_view>
#include <vector>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hashmesh::tools {
namespace {

namespace pb = google::protobuf;

// Whether `message` or any message inside it holds fields its type does not
// declare. Protobuf JSON has no way to write those, yet protobuf 3.21's
// parser makes one up from an empty key in a nested object
// (`{"items":[{"id":2,"":{}}]}` gives the item an unknown field 1, wire type
// 2, where HashItem's field 1 is a varint): protocolbuffers/protobuf#10013.
bool HasUnknownFields(const pb::Message& message) {
  const pb::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!field->is_repeated()) {
      if (HasUnknownFields(reflection->GetMessage(message, field))) return true;
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      if (HasUnknownFields(reflection->GetRepeatedMessage(message, field, i))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> JsonValues(absl::string_view input) {
  std::string_view text(input.data(), input.size());
  std::vector<std::string> values;
  boost::json::stream_parser parser;
  while (!text.empty()) {
    const size_t space = text.find_first_not_of(" \t\r\n");
    if (space == std::string_view::npos) break;
    text.remove_prefix(space);
    boost::json::error_code ec;
    const size_t used = parser.write_some(text.data(), text.size(), ec);
    if (!ec && !parser.done()) parser.finish(ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("standard input is not JSON: ", ec.message()));
    }
    values.push_back(boost::json::serialize(parser.release()));
    parser.reset();
    text.remove_prefix(used);
  }
  return values;
}

absl::StatusOr<std::unique_ptr<pb::Message>> MessageFromJson(
    const pb::Message& prototype, absl::string_view json) {
  std::unique_ptr<pb::Message> message(prototype.New());
  auto parsed = pb::util::JsonStringToMessage(
      pb::StringPiece(json.data(), json.size()), message.get());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request JSON: ", parsed.ToString()));
  }
  if (HasUnknownFields(*message)) {
    return absl::InvalidArgumentError(
        "request JSON: a member that names no field (an empty key?)");
  }
  return message;
}

}  // namespace hashmesh::tools
