// hashmesh-grpc's JSON input: values split from standard input, and protobuf
// JSON to request messages, including what protobuf 3.21 lets through.
#include "tools/json_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hashmesh/engine/v1/engine.pb.h"

namespace hashmesh::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(JsonValuesTest, SplitsValuesWithOrWithoutWhitespace) {
  absl::StatusOr<std::vector<std::string>> values =
      JsonValues(" {\"items\": [ ]}\n{\"a\":1}[2] ");
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(R"({"items":[]})", R"({"a":1})", "[2]"));
}

TEST(JsonValuesTest, RejectsTextThatIsNotJson) {
  EXPECT_EQ(JsonValues("{\"a\":").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MessageFromJsonTest, ConvertsARequest) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(engine::v1::HashRequest::default_instance(),
                      R"({"algorithm":"ALGORITHM_SHA256","rounds":100,)"
                      R"("data":"aGVsbG8="})");
  ASSERT_TRUE(message.ok()) << message.status();
  const auto& request = static_cast<const engine::v1::HashRequest&>(**message);
  EXPECT_EQ(request.algorithm(), engine::v1::ALGORITHM_SHA256);
  EXPECT_EQ(request.rounds(), 100u);
  EXPECT_EQ(request.data(), "hello");
}

TEST(MessageFromJsonTest, RejectsAnUnknownMember) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(engine::v1::HashRequest::default_instance(),
                      R"({"algo":1})");
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument);
}

// Found by tests/fuzz (grpc_json): protobuf 3.21 turns an empty key in a
// nested object into an unknown field 1 instead of an error, and the CLI
// sent it. Corpus: tests/fuzz/corpus/grpc_json/regress_empty_key_in_item.
TEST(MessageFromJsonTest, RejectsAnEmptyKeyInANestedMessage) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(engine::v1::HashBatch::default_instance(),
                      R"({"items":[{"id":2,"":{}}]})");
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message.status().message(), HasSubstr("names no field"));
}

}  // namespace
}  // namespace hashmesh::tools
