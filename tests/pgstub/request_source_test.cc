// Unit tests of the load tool's request generators and method names.
#include "bench/loadgen/request_source.h"

#include <gmock/gmock.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "hashmesh/engine/v1/engine.pb.h"
#include "hashmesh/pgstub/v1/pgstub.pb.h"

namespace hashmesh::loadgen {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

template <typename Message>
Message Parse(grpc::ByteBuffer buffer) {
  Message message;
  grpc::ProtoBufferReader reader(&buffer);
  EXPECT_TRUE(message.ParseFromZeroCopyStream(&reader));
  return message;
}

TEST(CanonicalMethodTest, AcceptsKnownMethodsWithOrWithoutSlash) {
  EXPECT_EQ(*CanonicalMethod("hashmesh.pgstub.v1.AccountStore/GetAccount"),
            "/hashmesh.pgstub.v1.AccountStore/GetAccount");
  EXPECT_EQ(*CanonicalMethod("/hashmesh.engine.v1.HashEngine/Hash"),
            "/hashmesh.engine.v1.HashEngine/Hash");
  absl::StatusOr<std::string> unknown = CanonicalMethod("foo.Bar/Baz");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("GetAccount"));
}

TEST(RequestSourceTest, GetAccountIdsAreWellFormedInRangeAndSpread) {
  auto source = MakeRequestSource("/hashmesh.pgstub.v1.AccountStore/GetAccount",
                                  {.accounts = 1000});
  ASSERT_TRUE(source.ok()) << source.status();
  std::set<std::string> seen;
  for (uint64_t call = 0; call < 2000; ++call) {
    const auto request =
        Parse<pgstub::v1::GetAccountRequest>((*source)->Request(call));
    ASSERT_THAT(request.account_id(), MatchesRegex("acc-000[0-9]{3}"));
    seen.insert(request.account_id());
  }
  EXPECT_EQ(seen.size(), 1000u);  // every id of the table is reached
}

TEST(RequestSourceTest, RejectsAnAccountRangeOutsideTheTable) {
  EXPECT_FALSE(MakeRequestSource("/hashmesh.pgstub.v1.AccountStore/GetAccount",
                                 {.accounts = 0})
                   .ok());
}

TEST(RequestSourceTest, HashRequestCarriesThePayloadOptions) {
  auto source = MakeRequestSource(
      "/hashmesh.engine.v1.HashEngine/Hash",
      {.algorithm = "sha3-256", .rounds = 7, .data_bytes = 100});
  ASSERT_TRUE(source.ok()) << source.status();
  const auto request = Parse<engine::v1::HashRequest>((*source)->Request(5));
  EXPECT_EQ(request.algorithm(), engine::v1::ALGORITHM_SHA3_256);
  EXPECT_EQ(request.rounds(), 7u);
  EXPECT_EQ(request.data().size(), 100u);
}

TEST(RequestSourceTest, RejectsAnUnknownAlgorithm) {
  for (const char* bad : {"md5", "unspecified", ""}) {
    auto source = MakeRequestSource("/hashmesh.engine.v1.HashEngine/Hash",
                                    {.algorithm = bad});
    EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace hashmesh::loadgen
