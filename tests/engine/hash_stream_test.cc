// HashEngine/HashStream in-process: mixed batches answered per item,
// back-pressure and shedding, the message limit, cancellation and drain.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "services/common/grpc_server.h"
#include "services/engine/hash_service.h"
#include "tests/support/eventually.h"

namespace hashmesh::engine {
namespace {

using ::hashmesh::testing::Eventually;
using ::testing::HasSubstr;
using Stream = grpc::ClientReaderWriter<v1::HashBatch, v1::HashResultBatch>;

v1::HashItem Item(uint64_t id, v1::Algorithm algorithm, uint32_t rounds,
                  std::string data) {
  v1::HashItem item;
  item.set_id(id);
  item.mutable_request()->set_algorithm(algorithm);
  item.mutable_request()->set_rounds(rounds);
  item.mutable_request()->set_data(std::move(data));
  return item;
}

// Items 0..n-1, all the same SHA-256 request.
v1::HashBatch Batch(uint64_t n, uint32_t rounds) {
  v1::HashBatch batch;
  for (uint64_t id = 0; id < n; ++id) {
    *batch.add_items() = Item(id, v1::ALGORITHM_SHA256, rounds, "x");
  }
  return batch;
}

class HashStreamTest : public ::testing::Test {
 protected:
  // One worker and a queue of 4, so that a held worker makes the queue's
  // limit reachable; `inline_max_bytes` 0 sends every item to the pool.
  void Start(HashServiceOptions options) {
    auto hasher = Hasher::Create();
    ASSERT_TRUE(hasher.ok());
    hasher_ = *std::move(hasher);
    pool_ = std::make_unique<WorkerPool>(1, 4);
    service_ =
        std::make_unique<HashService>(hasher_.get(), pool_.get(), options);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(30);
    auto server = GrpcServer::Start(
        config, {{service_.get(), v1::HashEngine::service_full_name(),
                  service_->streams()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::HashEngine::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (!release_.HasBeenNotified()) release_.Notify();
    if (server_) server_->Drain();
    if (pool_) pool_->Shutdown();
  }

  // Occupies the only worker until release_; returns once it runs.
  void HoldTheWorker() {
    absl::Notification holding;
    ASSERT_TRUE(pool_->TrySubmit([&holding, this] {
      holding.Notify();
      release_.WaitForNotification();
    }));
    holding.WaitForNotification();
  }

  // Reads until `count` results have come, keyed by id (each id once).
  static std::map<uint64_t, v1::HashResult> ReadResults(Stream& stream,
                                                        size_t count) {
    std::map<uint64_t, v1::HashResult> results;
    v1::HashResultBatch batch;
    while (results.size() < count && stream.Read(&batch)) {
      for (const v1::HashResult& r : batch.results()) {
        EXPECT_TRUE(results.emplace(r.id(), r).second) << "id " << r.id();
      }
    }
    return results;
  }

  std::string Digest(HashAlgorithm algorithm, uint32_t rounds,
                     const std::string& data) {
    return *hasher_->Digest(algorithm, rounds, data);
  }

  std::unique_ptr<Hasher> hasher_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<HashService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::HashEngine::Stub> stub_;
  absl::Notification release_;
};

TEST_F(HashStreamTest, MixedBatchIsAnsweredItemByItemUnderItsIds) {
  Start({});
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->HashStream(&context);
  v1::HashBatch batch;
  *batch.add_items() = Item(10, v1::ALGORITHM_SHA256, 100, "payment");
  *batch.add_items() = Item(11, v1::ALGORITHM_UNSPECIFIED, 1, "x");
  *batch.add_items() = Item(12, v1::ALGORITHM_SHA256, 0, "x");
  *batch.add_items() = Item(13, v1::ALGORITHM_SHA512, 2, "");
  // Over inline_max_bytes (64 KiB of work): the pool path.
  *batch.add_items() = Item(14, v1::ALGORITHM_SHA256, 5000, "big");
  ASSERT_TRUE(stream->Write(batch));
  // One item's error does not end the stream: a second batch is answered.
  v1::HashBatch second;
  *second.add_items() = Item(20, v1::ALGORITHM_BLAKE2B512, 1, "again");
  ASSERT_TRUE(stream->Write(second));
  ASSERT_TRUE(stream->WritesDone());
  std::map<uint64_t, v1::HashResult> results = ReadResults(*stream, 6);
  v1::HashResultBatch extra;
  EXPECT_FALSE(stream->Read(&extra)) << "an item answered twice";
  EXPECT_TRUE(stream->Finish().ok());

  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[10].response().digest(),
            Digest(HashAlgorithm::kSha256, 100, "payment"));
  EXPECT_EQ(results[10].response().rounds(), 100u);
  EXPECT_EQ(results[10].response().algorithm(), v1::ALGORITHM_SHA256);
  EXPECT_EQ(results[11].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(results[11].error().message(), HasSubstr("algorithm"));
  EXPECT_EQ(results[12].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(results[12].error().message(), HasSubstr("rounds"));
  EXPECT_EQ(results[13].response().digest(),
            Digest(HashAlgorithm::kSha512, 2, ""));
  EXPECT_EQ(results[14].response().digest(),
            Digest(HashAlgorithm::kSha256, 5000, "big"));
  EXPECT_EQ(results[20].response().digest(),
            Digest(HashAlgorithm::kBlake2b512, 1, "again"));
}

TEST_F(HashStreamTest, ItemsBeyondTheQueueAreShedOneByOne) {
  Start({.inline_max_bytes = 0});
  HoldTheWorker();
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->HashStream(&context);
  const v1::HashBatch batch = Batch(6, 1);
  ASSERT_TRUE(stream->Write(batch));
  // The queue holds 4: the other 2 are shed at once, before any hash.
  std::map<uint64_t, v1::HashResult> shed = ReadResults(*stream, 2);
  ASSERT_EQ(shed.size(), 2u);
  for (const auto& [id, result] : shed) {
    EXPECT_EQ(result.error().code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(result.error().message(), HasSubstr("engine overloaded"));
  }
  release_.Notify();
  std::map<uint64_t, v1::HashResult> done = ReadResults(*stream, 4);
  ASSERT_EQ(done.size(), 4u);
  for (const auto& [id, result] : done) {
    EXPECT_FALSE(shed.contains(id));
    EXPECT_EQ(result.response().digest(),
              Digest(HashAlgorithm::kSha256, 1, "x"));
  }
  ASSERT_TRUE(stream->WritesDone());
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(HashStreamTest, AMessageOverTheLimitEndsTheStream) {
  Start({.max_batch_items = 3});
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->HashStream(&context);
  const v1::HashBatch batch = Batch(4, 1);
  stream->Write(batch);
  v1::HashResultBatch results;
  EXPECT_FALSE(stream->Read(&results));
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("a batch of 4 items is over the limit of 3"));
}

TEST_F(HashStreamTest, CancellationFreesTheQueuedItems) {
  Start({.inline_max_bytes = 0});
  HoldTheWorker();
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->HashStream(&context);
  const v1::HashBatch batch = Batch(3, 1000000);
  ASSERT_TRUE(stream->Write(batch));
  ASSERT_TRUE(Eventually([&] { return pool_->queued() == 3; }));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // Cancelled items are not hashed (a million rounds each would show).
  release_.Notify();
  EXPECT_TRUE(Eventually([&] { return pool_->queued() == 0; }));
}

TEST_F(HashStreamTest, DrainAnswersWhatItHoldsThenEndsWithUnavailable) {
  Start({.inline_max_bytes = 0});
  HoldTheWorker();
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->HashStream(&context);
  const v1::HashBatch batch = Batch(3, 1);
  ASSERT_TRUE(stream->Write(batch));
  ASSERT_TRUE(Eventually([&] { return pool_->queued() == 3; }));
  std::thread drain([this] { server_->Drain(); });
  release_.Notify();
  std::map<uint64_t, v1::HashResult> results = ReadResults(*stream, 3);
  EXPECT_EQ(results.size(), 3u);
  const grpc::Status status = stream->Finish();
  drain.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("draining"));
}

}  // namespace
}  // namespace hashmesh::engine
