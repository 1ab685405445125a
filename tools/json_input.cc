#include "tools/json_input.h"

#include <google/protobuf/util/json_util.h>

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hashmesh::tools {

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

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> MessageFromJson(
    const google::protobuf::Message& prototype, absl::string_view json) {
  std::unique_ptr<google::protobuf::Message> message(prototype.New());
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message.get());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request JSON: ", parsed.ToString()));
  }
  return message;
}

}  // namespace hashmesh::tools
