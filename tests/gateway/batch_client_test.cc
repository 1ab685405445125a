// BatchClient against real in-process pgstub servers: id matching under
// concurrency, natural batching, deadlines, resending after a stream ends,
// and failing fast with no upstream.
#include "gateway/upstream/batch_client.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gateway/upstream/stream_sources.h"
#include "services/common/account_id.h"
#include "services/common/grpc_server.h"
#include "services/pgstub/account_store_service.h"
#include "tests/support/eventually.h"

namespace hashmesh::gateway {
namespace {

using ::hashmesh::testing::Eventually;
using Client = BatchClient<AccountStreamTraits>;

// A pgstub server in-process, with its own latency.
class Pgstub {
 public:
  Pgstub(const pgstub::AccountsTable* table, absl::Duration latency,
         absl::Duration drain_timeout = absl::Seconds(30))
      : latency_(*pgstub::LatencyModel::Create({.base = latency})),
        service_(table, &latency_, &timers_, 10000) {
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = drain_timeout;
    server_ = *GrpcServer::Start(
        config, {{&service_, pgstub::v1::AccountStore::service_full_name(),
                  service_.streams()}});
  }
  ~Pgstub() { server_->Drain(); }

  std::string address() const { return server_->address(); }
  int64_t pending() const { return service_.pending(); }
  GrpcServer& server() { return *server_; }

 private:
  pgstub::LatencyModel latency_;
  pgstub::TimerQueue timers_{1};
  pgstub::AccountStoreService service_;
  std::unique_ptr<GrpcServer> server_;
};

// Outcomes by call index, filled from gRPC threads.
struct Outcomes {
  absl::Mutex mu;
  std::vector<std::optional<absl::StatusOr<pgstub::v1::Account>>> results;
  std::atomic<int> done{0};
  std::atomic<int> twice{0};

  explicit Outcomes(size_t n) : results(n) {}
  Client::Callback For(size_t i) {
    return [this, i](absl::StatusOr<pgstub::v1::Account> r) {
      absl::MutexLock lock(&mu);
      if (results[i].has_value()) ++twice;
      results[i] = std::move(r);
      ++done;
    };
  }
};

pgstub::v1::GetAccountRequest Lookup(uint32_t index) {
  pgstub::v1::GetAccountRequest request;
  request.set_account_id(FormatAccountId(index));
  return request;
}

// A metric's value from the text exposition, e.g. items_per_message's _sum.
double Metric(const UpstreamMetrics& metrics, const std::string& series) {
  std::string text;
  metrics.AppendPrometheus(&text);
  const size_t at = text.find(series + " ");
  double value = -1;
  if (at != std::string::npos) {
    const size_t begin = at + series.size() + 1;
    (void)absl::SimpleAtod(text.substr(begin, text.find('\n', begin) - begin),
                           &value);
  }
  return value;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

class BatchClientTest : public ::testing::Test {
 protected:
  pgstub::AccountsTable table_{1000};
  ClientCalls calls_;
  UpstreamMetrics metrics_;
};

TEST_F(BatchClientTest, ManyConcurrentCallsAreMatchedToTheirOwnResults) {
  Pgstub store(&table_, absl::Milliseconds(20));
  constexpr size_t kCalls = 300;
  Outcomes outcomes(kCalls);
  {
    Client client(Channel(store.address()), Upstream::kStore, {}, &calls_,
                  &metrics_);
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    for (size_t i = 0; i < kCalls; ++i) {
      client.Call(Lookup(static_cast<uint32_t>(i)), deadline, outcomes.For(i));
    }
    ASSERT_TRUE(Eventually([&] { return outcomes.done == kCalls; }));
  }
  EXPECT_EQ(outcomes.twice, 0);
  for (size_t i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(outcomes.results[i]->ok()) << outcomes.results[i]->status();
    EXPECT_EQ((*outcomes.results[i])->account_id(),
              FormatAccountId(static_cast<uint32_t>(i)));
  }
  // 300 calls made at once cannot have gone one per message: those queued
  // while a write was in flight went together.
  const double messages =
      Metric(metrics_,
             "hashmesh_upstream_items_per_message_count{upstream=\"store\"}");
  const double items = Metric(
      metrics_, "hashmesh_upstream_items_per_message_sum{upstream=\"store\"}");
  EXPECT_EQ(items, kCalls);
  EXPECT_LT(messages, kCalls / 2.0)
      << "items per message: " << items / messages;
  EXPECT_EQ(metrics_.in_flight().count(), 0);
}

TEST_F(BatchClientTest, ACallPastItsDeadlineFailsAndItsLateResultIsDropped) {
  Pgstub store(&table_, absl::Milliseconds(300));
  Outcomes outcomes(1);
  Client client(Channel(store.address()), Upstream::kStore, {}, &calls_,
                &metrics_);
  client.Call(Lookup(42), absl::Now() + absl::Milliseconds(50),
              outcomes.For(0));
  ASSERT_TRUE(Eventually([&] { return outcomes.done == 1; }));
  EXPECT_EQ(outcomes.results[0]->status().code(),
            absl::StatusCode::kDeadlineExceeded);
  // The server answers later; the answer finds no call and is dropped.
  ASSERT_TRUE(Eventually([&] { return store.pending() == 0; }));
  EXPECT_EQ(outcomes.done, 1);
  EXPECT_EQ(outcomes.twice, 0);
}

TEST_F(BatchClientTest, CallsOfAStreamThatEndsAreSentAgainElsewhere) {
  // Two replicas hold each lookup for 300 ms; the one holding the calls
  // drains with a 50 ms timeout, so its streams are cancelled with the
  // lookups unanswered. Sent again, they go to the stream on the other
  // replica, or, when both streams sat on the draining one, to a stream
  // opened for them, which round_robin places on the other replica (the
  // draining one sent GOAWAY): never to the draining replica's second
  // stream, which would end too and spend an attempt.
  Pgstub a(&table_, absl::Milliseconds(300), absl::Milliseconds(50));
  Pgstub b(&table_, absl::Milliseconds(300), absl::Milliseconds(50));
  constexpr size_t kCalls = 20;
  Outcomes outcomes(kCalls);
  Client client(Channel(absl::StrCat("ipv4:", a.address(), ",", b.address())),
                Upstream::kStore, {.streams = 2}, &calls_, &metrics_);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (size_t i = 0; i < kCalls; ++i) {
    client.Call(Lookup(static_cast<uint32_t>(i)), deadline, outcomes.For(i));
  }
  ASSERT_TRUE(Eventually([&] { return a.pending() + b.pending() == kCalls; }));
  Pgstub& holding = a.pending() > 0 ? a : b;
  holding.server().Drain();
  ASSERT_TRUE(Eventually([&] { return outcomes.done == kCalls; }));
  for (size_t i = 0; i < kCalls; ++i) {
    EXPECT_TRUE(outcomes.results[i]->ok()) << outcomes.results[i]->status();
  }
  EXPECT_GT(Metric(metrics_,
                   "hashmesh_upstream_items_resent_total{upstream=\"store\"}"),
            0);
  EXPECT_EQ(outcomes.twice, 0);
}

// max_attempts bounds the sends of a call: with 1, the calls of a stream
// that ends fail with UNAVAILABLE and none is sent again.
TEST_F(BatchClientTest, NoResendWithOneAttempt) {
  Pgstub a(&table_, absl::Milliseconds(300), absl::Milliseconds(50));
  constexpr size_t kCalls = 5;
  Outcomes outcomes(kCalls);
  Client client(Channel(absl::StrCat("ipv4:", a.address())), Upstream::kStore,
                {.streams = 2, .max_attempts = 1}, &calls_, &metrics_);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (size_t i = 0; i < kCalls; ++i) {
    client.Call(Lookup(static_cast<uint32_t>(i)), deadline, outcomes.For(i));
  }
  ASSERT_TRUE(Eventually([&] { return a.pending() == kCalls; }));
  a.server().Drain();
  ASSERT_TRUE(Eventually([&] { return outcomes.done == kCalls; }));
  for (size_t i = 0; i < kCalls; ++i) {
    EXPECT_EQ(outcomes.results[i]->status().code(),
              absl::StatusCode::kUnavailable)
        << outcomes.results[i]->status();
  }
  EXPECT_EQ(Metric(metrics_,
                   "hashmesh_upstream_items_resent_total{upstream=\"store\"}"),
            0);
}

TEST_F(BatchClientTest, NoUpstreamFailsFastWithUnavailable) {
  // A port nothing listens on: the channel cannot connect.
  Pgstub store(&table_, absl::Milliseconds(1));
  const std::string address = store.address();
  store.server().Drain();
  Outcomes outcomes(1);
  Client client(Channel(address), Upstream::kStore, {}, &calls_, &metrics_);
  client.Call(Lookup(1), absl::Now() + absl::Seconds(30), outcomes.For(0));
  ASSERT_TRUE(Eventually([&] { return outcomes.done == 1; }));
  EXPECT_EQ(outcomes.results[0]->status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(BatchClientTest, ADrainEndsEveryStreamAndFailsTheirCalls) {
  Pgstub store(&table_, absl::Seconds(60));
  constexpr size_t kCalls = 10;
  Outcomes outcomes(kCalls + 1);
  Client client(Channel(store.address()), Upstream::kStore, {}, &calls_,
                &metrics_);
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  for (size_t i = 0; i < kCalls; ++i) {
    client.Call(Lookup(static_cast<uint32_t>(i)), deadline, outcomes.For(i));
  }
  ASSERT_TRUE(Eventually([&] { return store.pending() == kCalls; }));
  calls_.CancelAll();
  // Every stream object is gone, not merely ended: nothing of the client's
  // runs after this.
  ASSERT_TRUE(calls_.WaitUntilNone(absl::InfiniteFuture()));
  EXPECT_EQ(outcomes.done, kCalls);
  for (size_t i = 0; i < kCalls; ++i) {
    EXPECT_EQ(outcomes.results[i]->status().code(),
              absl::StatusCode::kUnavailable)
        << outcomes.results[i]->status();
  }
  // No stream opens again: a new call fails at once.
  client.Call(Lookup(1), deadline, outcomes.For(kCalls));
  EXPECT_EQ(outcomes.done, kCalls + 1);
  EXPECT_EQ(outcomes.results[kCalls]->status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client.open_streams(), 0);
  EXPECT_EQ(outcomes.twice, 0);
}

}  // namespace
}  // namespace hashmesh::gateway
