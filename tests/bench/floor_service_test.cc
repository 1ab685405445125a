// In-process gRPC tests of the gRPC floor (bench/grpcfloor) on port 0.
#include "bench/grpcfloor/floor_service.h"

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/grpc_server.h"

namespace hashmesh::grpcfloor {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(30);

pgstub::v1::Account Row() {
  pgstub::v1::Account row;
  row.set_account_id("acc-000042");
  row.set_owner("owner-000042");
  row.set_currency("GBP");
  row.set_balance_cents(432598);
  row.set_status(pgstub::v1::ACCOUNT_STATUS_ACTIVE);
  row.set_salt_hex("bace429177cc7520dcfe34753b49bb97");
  return row;
}

class FloorServiceTest : public ::testing::Test {
 protected:
  void StartFloor(int threads) {
    floor_ = std::make_unique<FloorService>(Row(), threads);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(5);
    auto server = GrpcServer::Start(
        config,
        {{floor_->service(), pgstub::v1::AccountStore::service_full_name()}},
        [this](grpc::ServerBuilder& builder) { floor_->AddTo(builder); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    floor_->Start();
    stub_ = pgstub::v1::AccountStore::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Drain();
    if (floor_ != nullptr) floor_->Stop();
  }

  grpc::Status Get(const std::string& id, pgstub::v1::Account* reply) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
    pgstub::v1::GetAccountRequest request;
    request.set_account_id(id);
    return stub_->GetAccount(&context, request, reply);
  }

  std::unique_ptr<FloorService> floor_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<pgstub::v1::AccountStore::Stub> stub_;
};

TEST_F(FloorServiceTest, AnswersEveryCallWithTheSameRow) {
  ASSERT_NO_FATAL_FAILURE(StartFloor(2));
  for (const std::string id : {"acc-000042", "acc-000001", "not an id"}) {
    pgstub::v1::Account reply;
    const grpc::Status status = Get(id, &reply);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(reply, Row()))
        << reply.DebugString();
  }
  EXPECT_EQ(floor_->answered(), 3u);
}

TEST_F(FloorServiceTest, ManyCallsInFlightOnOneThreadAllComplete) {
  ASSERT_NO_FATAL_FAILURE(StartFloor(1));
  constexpr int kCalls = 500;  // more than the requests kept ahead
  struct Pending {
    grpc::ClientContext context;
    pgstub::v1::GetAccountRequest request;
    pgstub::v1::Account reply;
    grpc::Status status;
    absl::Notification done;
  };
  std::vector<std::unique_ptr<Pending>> calls;
  for (int i = 0; i < kCalls; ++i) {
    auto& call = calls.emplace_back(std::make_unique<Pending>());
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
    call->request.set_account_id("acc-000042");
    Pending* raw = call.get();
    stub_->async()->GetAccount(&raw->context, &raw->request, &raw->reply,
                               [raw](grpc::Status s) {
                                 raw->status = std::move(s);
                                 raw->done.Notify();
                               });
  }
  // Every callback has run before anything is asserted: a failure must not
  // leave callbacks pointing into `calls` (their deadlines bound the wait).
  for (auto& call : calls) call->done.WaitForNotification();
  for (auto& call : calls) {
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
    EXPECT_EQ(call->reply.salt_hex(), Row().salt_hex());
  }
  EXPECT_EQ(floor_->answered(), static_cast<uint64_t>(kCalls));
}

// Every item of a message is answered with the row under its id, in one
// message per message read; the stream ends OK once the client half-closes.
TEST_F(FloorServiceTest, StreamAnswersEachMessageInOneMessage) {
  ASSERT_NO_FATAL_FAILURE(StartFloor(1));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  auto stream = stub_->GetAccountStream(&context);
  for (const std::vector<uint64_t>& ids :
       {std::vector<uint64_t>{7, 3, 1000000007}, std::vector<uint64_t>{},
        std::vector<uint64_t>{42}}) {
    pgstub::v1::GetAccountBatch batch;
    for (uint64_t id : ids) {
      auto* item = batch.add_items();
      item->set_id(id);
      item->mutable_request()->set_account_id("not even an id");
    }
    ASSERT_TRUE(stream->Write(batch));
    pgstub::v1::AccountResultBatch results;
    ASSERT_TRUE(stream->Read(&results));
    ASSERT_EQ(results.results_size(), static_cast<int>(ids.size()));
    for (int i = 0; i < results.results_size(); ++i) {
      const pgstub::v1::AccountResult& result = results.results(i);
      EXPECT_EQ(result.id(), ids[static_cast<size_t>(i)]);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
          result.account(), Row()))
          << result.DebugString();
    }
  }
  ASSERT_TRUE(stream->WritesDone());
  const grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(floor_->items_answered(), 4u);
  EXPECT_EQ(floor_->answered(), 0u);  // unary calls are counted apart
}

uint64_t Id(int stream, int message) {
  return static_cast<uint64_t>(stream) * 100 + static_cast<uint64_t>(message);
}

// More streams at once than are requested ahead, on one thread, each with
// messages in flight back to back: all answered, none mixed up.
TEST_F(FloorServiceTest, ManyStreamsOnOneThreadAllComplete) {
  ASSERT_NO_FATAL_FAILURE(StartFloor(1));
  constexpr int kStreams = 20;
  constexpr int kMessages = 5;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<
      pgstub::v1::GetAccountBatch, pgstub::v1::AccountResultBatch>>>
      streams;
  for (int s = 0; s < kStreams; ++s) {
    auto& context =
        contexts.emplace_back(std::make_unique<grpc::ClientContext>());
    context->set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
    streams.push_back(stub_->GetAccountStream(context.get()));
    for (int m = 0; m < kMessages; ++m) {
      pgstub::v1::GetAccountBatch batch;
      batch.add_items()->set_id(Id(s, m));
      ASSERT_TRUE(streams.back()->Write(batch));
    }
  }
  for (int s = 0; s < kStreams; ++s) {
    for (int m = 0; m < kMessages; ++m) {
      pgstub::v1::AccountResultBatch results;
      ASSERT_TRUE(streams[s]->Read(&results));
      ASSERT_EQ(results.results_size(), 1);
      EXPECT_EQ(results.results(0).id(), Id(s, m));
    }
    ASSERT_TRUE(streams[s]->WritesDone());
    EXPECT_TRUE(streams[s]->Finish().ok());
  }
  EXPECT_EQ(floor_->items_answered(),
            static_cast<uint64_t>(kStreams * kMessages));
}

TEST_F(FloorServiceTest, StopsCleanlyAfterTheServerDrains) {
  ASSERT_NO_FATAL_FAILURE(StartFloor(2));
  pgstub::v1::Account reply;
  ASSERT_TRUE(Get("acc-000042", &reply).ok());
  server_->Drain();
  floor_->Stop();  // joins the pollers; LeakSanitizer checks the calls
  floor_->Stop();  // idempotent
  EXPECT_EQ(floor_->answered(), 1u);
}

}  // namespace
}  // namespace hashmesh::grpcfloor
