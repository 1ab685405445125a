// AccountStore/GetAccountStream in-process: mixed batches answered per item
// after the latency, shedding at max_pending, the message limit,
// cancellation that frees pending lookups, and drain.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/grpc_server.h"
#include "services/pgstub/account_store_service.h"
#include "tests/support/eventually.h"

namespace hashmesh::pgstub {
namespace {

using ::hashmesh::testing::Eventually;
using ::testing::HasSubstr;
using Stream =
    grpc::ClientReaderWriter<v1::GetAccountBatch, v1::AccountResultBatch>;

v1::GetAccountItem Item(uint64_t id, std::string account_id) {
  v1::GetAccountItem item;
  item.set_id(id);
  item.mutable_request()->set_account_id(std::move(account_id));
  return item;
}

class AccountStreamTest : public ::testing::Test {
 protected:
  void Start(absl::Duration latency, int64_t max_pending = 10000,
             int max_batch_items = kDefaultMaxBatchItems) {
    latency_.emplace(*LatencyModel::Create({.base = latency}));
    service_ = std::make_unique<AccountStoreService>(
        &table_, &*latency_, &timers_, max_pending, max_batch_items);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(30);
    auto server = GrpcServer::Start(
        config, {{service_.get(), v1::AccountStore::service_full_name(),
                  service_->streams()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::AccountStore::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Drain();
  }

  static std::map<uint64_t, v1::AccountResult> ReadResults(Stream& stream,
                                                           size_t count) {
    std::map<uint64_t, v1::AccountResult> results;
    v1::AccountResultBatch batch;
    while (results.size() < count && stream.Read(&batch)) {
      for (const v1::AccountResult& r : batch.results()) {
        EXPECT_TRUE(results.emplace(r.id(), r).second) << "id " << r.id();
      }
    }
    return results;
  }

  bool NothingPending() {
    return Eventually(
        [this] { return service_->pending() == 0 && timers_.size() == 0; });
  }

  // Declared in construction order; the server goes first on destruction.
  AccountsTable table_{1000};
  std::optional<LatencyModel> latency_;
  TimerQueue timers_{1};
  std::unique_ptr<AccountStoreService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::AccountStore::Stub> stub_;
};

TEST_F(AccountStreamTest, MixedBatchIsAnsweredItemByItemAfterTheLatency) {
  Start(absl::Milliseconds(20));
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->GetAccountStream(&context);
  v1::GetAccountBatch batch;
  *batch.add_items() = Item(1, "acc-000042");
  *batch.add_items() = Item(2, "acc-42");      // malformed
  *batch.add_items() = Item(3, "acc-999999");  // beyond the 1000 accounts
  *batch.add_items() = Item(4, "acc-000013");  // frozen
  const absl::Time sent = absl::Now();
  ASSERT_TRUE(stream->Write(batch));
  ASSERT_TRUE(stream->WritesDone());
  std::map<uint64_t, v1::AccountResult> results = ReadResults(*stream, 4);
  v1::AccountResultBatch extra;
  EXPECT_FALSE(stream->Read(&extra)) << "an item answered twice";
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_GE(absl::Now() - sent, absl::Milliseconds(20));

  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[1].account().account_id(), "acc-000042");
  EXPECT_EQ(results[1].account().currency(), "GBP");
  EXPECT_EQ(results[1].account().balance_cents(), 432598);
  EXPECT_EQ(results[1].account().salt_hex(),
            "bace429177cc7520dcfe34753b49bb97");
  EXPECT_EQ(results[2].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(results[2].error().message(), HasSubstr("6 digits"));
  EXPECT_EQ(results[3].error().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(results[4].account().status(), v1::ACCOUNT_STATUS_FROZEN);
  EXPECT_TRUE(NothingPending());
}

TEST_F(AccountStreamTest, ItemsBeyondMaxPendingAreShedOneByOne) {
  Start(absl::Seconds(30), /*max_pending=*/2);
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->GetAccountStream(&context);
  v1::GetAccountBatch batch;
  for (uint64_t id = 0; id < 5; ++id) *batch.add_items() = Item(id, "acc-1");
  for (uint64_t id = 5; id < 10; ++id) {
    *batch.add_items() = Item(id, absl::StrCat("acc-00000", id));
  }
  ASSERT_TRUE(stream->Write(batch));
  // 5 malformed ids take no slot; of the 5 lookups 2 wait, 3 are shed.
  std::map<uint64_t, v1::AccountResult> now = ReadResults(*stream, 8);
  ASSERT_EQ(now.size(), 8u);
  int shed = 0;
  for (const auto& [id, result] : now) {
    if (id < 5) {
      EXPECT_EQ(result.error().code(), grpc::StatusCode::INVALID_ARGUMENT);
    } else {
      EXPECT_EQ(result.error().code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      EXPECT_THAT(result.error().message(), HasSubstr("pgstub overloaded"));
      ++shed;
    }
  }
  EXPECT_EQ(shed, 3);
  EXPECT_EQ(service_->pending(), 2);
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(NothingPending()) << "a cancelled stream frees its lookups";
}

TEST_F(AccountStreamTest, AMessageOverTheLimitEndsTheStream) {
  Start(absl::Milliseconds(1), 10000, /*max_batch_items=*/2);
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->GetAccountStream(&context);
  v1::GetAccountBatch batch;
  for (uint64_t id = 0; id < 3; ++id) *batch.add_items() = Item(id, "x");
  stream->Write(batch);
  v1::AccountResultBatch results;
  EXPECT_FALSE(stream->Read(&results));
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("over the limit of 2"));
}

TEST_F(AccountStreamTest, DrainAnswersWhatItHoldsThenEndsWithUnavailable) {
  Start(absl::Milliseconds(200));
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->GetAccountStream(&context);
  v1::GetAccountBatch batch;
  for (uint64_t id = 0; id < 3; ++id) {
    *batch.add_items() = Item(id, absl::StrCat("acc-00000", id));
  }
  ASSERT_TRUE(stream->Write(batch));
  ASSERT_TRUE(Eventually([&] { return service_->pending() == 3; }));
  std::thread drain([this] { server_->Drain(); });
  std::map<uint64_t, v1::AccountResult> results = ReadResults(*stream, 3);
  EXPECT_EQ(results.size(), 3u);
  for (const auto& [id, result] : results) EXPECT_TRUE(result.has_account());
  const grpc::Status status = stream->Finish();
  drain.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(NothingPending());
}

}  // namespace
}  // namespace hashmesh::pgstub
