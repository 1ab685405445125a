// Unit tests of the load tool's batch-stream parts: the batch codec against
// the real protos, and the stream flags' checks.
#include <gmock/gmock.h>
#include <grpcpp/support/byte_buffer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/loadgen/batch_codec.h"
#include "bench/loadgen/load_config.h"
#include "bench/loadgen/request_source.h"
#include "hashmesh/engine/v1/engine.pb.h"
#include "hashmesh/pgstub/v1/pgstub.pb.h"

namespace hashmesh::loadgen {
namespace {

using ::testing::HasSubstr;

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST(BatchCodecTest, ItemsParseAsBothBatchMessages) {
  pgstub::v1::GetAccountRequest request;
  request.set_account_id("acc-000042");
  std::string batch;
  AppendItem(7, request.SerializeAsString(), &batch);
  AppendItem(uint64_t{1} << 40, request.SerializeAsString(), &batch);

  pgstub::v1::GetAccountBatch parsed;
  ASSERT_TRUE(parsed.ParseFromString(batch));
  ASSERT_EQ(parsed.items_size(), 2);
  EXPECT_EQ(parsed.items(0).id(), 7u);
  EXPECT_EQ(parsed.items(0).request().account_id(), "acc-000042");
  EXPECT_EQ(parsed.items(1).id(), uint64_t{1} << 40);
  EXPECT_TRUE(parsed.items(1).traceparent().empty());

  engine::v1::HashRequest hash;
  hash.set_rounds(100);
  hash.set_data(std::string(300, 'x'));  // a two-byte length
  std::string hash_batch;
  AppendItem(3, hash.SerializeAsString(), &hash_batch);
  engine::v1::HashBatch parsed_hash;
  ASSERT_TRUE(parsed_hash.ParseFromString(hash_batch));
  EXPECT_EQ(parsed_hash.items(0).id(), 3u);
  EXPECT_EQ(parsed_hash.items(0).request().data().size(), 300u);
}

TEST(BatchCodecTest, ResultsGiveEachIdItsCode) {
  pgstub::v1::AccountResultBatch batch;
  auto* ok = batch.add_results();
  ok->set_id(1);
  ok->mutable_account()->set_account_id("acc-000001");
  auto* not_found = batch.add_results();
  not_found->set_id(2);
  not_found->mutable_error()->set_code(5);
  not_found->mutable_error()->set_message("no such account");
  auto* no_code = batch.add_results();  // an error without a code
  no_code->set_id(3);
  no_code->mutable_error()->set_message("?");

  grpc::ByteBuffer buffer = ToBuffer(batch.SerializeAsString());
  std::vector<ItemResult> results;
  ASSERT_TRUE(ReadResults(&buffer, &results).ok());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].id, 1u);
  EXPECT_EQ(results[0].code, 0);
  EXPECT_EQ(results[1].id, 2u);
  EXPECT_EQ(results[1].code, 5);
  EXPECT_EQ(results[2].code, 2);  // UNKNOWN, never a success

  engine::v1::HashResultBatch hashes;
  hashes.add_results()->set_id(9);
  hashes.mutable_results(0)->mutable_response()->set_digest("ab");
  buffer = ToBuffer(hashes.SerializeAsString());
  ASSERT_TRUE(ReadResults(&buffer, &results).ok());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, 9u);
  EXPECT_EQ(results[0].code, 0);
}

TEST(BatchCodecTest, RejectsATruncatedMessage) {
  pgstub::v1::AccountResultBatch batch;
  batch.add_results()->set_id(1);
  batch.mutable_results(0)->mutable_account()->set_owner("owner");
  std::string bytes = batch.SerializeAsString();
  bytes.pop_back();
  grpc::ByteBuffer buffer = ToBuffer(bytes);
  std::vector<ItemResult> results;
  EXPECT_FALSE(ReadResults(&buffer, &results).ok());
}

TEST(StreamMethodTest, StreamsAreKnownAndTakeTheUnaryRequests) {
  auto method = CanonicalMethod("hashmesh.engine.v1.HashEngine/HashStream");
  ASSERT_TRUE(method.ok()) << method.status();
  EXPECT_TRUE(IsStreamMethod(*method));
  EXPECT_FALSE(IsStreamMethod("/hashmesh.engine.v1.HashEngine/Hash"));
  auto source = MakeRequestSource(
      "/hashmesh.pgstub.v1.AccountStore/GetAccountStream", {.accounts = 10});
  ASSERT_TRUE(source.ok()) << source.status();
  pgstub::v1::GetAccountRequest request;
  ASSERT_TRUE(request.ParseFromString((*source)->RequestBytes(3)));
  EXPECT_THAT(request.account_id(), HasSubstr("acc-00000"));
}

LoadConfig Streams(int concurrency, int streams, int items_per_message) {
  LoadConfig config;
  config.concurrency = concurrency;
  config.streams = streams;
  config.items_per_message = items_per_message;
  return config;
}

TEST(ValidateConfigTest, ResolvesTheStreams) {
  LoadConfig natural = Streams(256, 0, 0);
  ASSERT_TRUE(ValidateConfig(true, &natural).ok());
  EXPECT_EQ(natural.streams, natural.channels);  // one per channel
  LoadConfig fixed = Streams(256, 0, 16);
  ASSERT_TRUE(ValidateConfig(true, &fixed).ok());
  EXPECT_EQ(fixed.streams, 16);
  LoadConfig explicit_streams = Streams(256, 16, 16);
  EXPECT_TRUE(ValidateConfig(true, &explicit_streams).ok());
}

TEST(ValidateConfigTest, RejectsWhatDoesNotCombine) {
  struct Case {
    LoadConfig config;
    bool stream;
    const char* message;
  };
  LoadConfig rate = Streams(256, 0, 0);
  rate.rate = 1000;
  LoadConfig cap = Streams(256, 0, 0);
  cap.max_items_per_message = 0;
  for (Case c : std::vector<Case>{
           {Streams(250, 0, 16), true, "must be a multiple of it"},
           {Streams(256, 8, 16), true, "needs --streams=16 (or 0)"},
           {Streams(1, 2, 0), true, "must be at least --streams (2)"},
           {Streams(256, -1, 0), true, "--streams must be 0 to 1024"},
           {Streams(256, 0, 70000), true, "--items_per_message must be 0"},
           {cap, true, "--max_items_per_message must be 1 to 65536"},
           {rate, true, "--rate (open loop) is for unary methods only"},
           {Streams(256, 2, 0), false, "for the stream methods"},
           {Streams(256, 0, 4), false, "for the stream methods"}}) {
    const absl::Status status = ValidateConfig(c.stream, &c.config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(status.message(), HasSubstr(c.message));
  }
  LoadConfig unary;
  EXPECT_TRUE(ValidateConfig(false, &unary).ok());
  EXPECT_EQ(unary.streams, 0);
}

}  // namespace
}  // namespace hashmesh::loadgen
