// In-process gRPC tests of AccountStoreService through the generated stub.
#include "services/pgstub/account_store_service.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/account_id.h"
#include "services/common/grpc_server.h"
#include "tests/support/eventually.h"

namespace hashmesh::pgstub {
namespace {

using ::hashmesh::testing::Eventually;
using ::testing::HasSubstr;

// Bounds for events that take milliseconds on an idle machine; generous for
// a loaded 2-core CI runner under sanitizers. Never slept, only polled.
constexpr absl::Duration kPatience = absl::Seconds(30);

int ThreadsInThisProcess() {
  std::ifstream status("/proc/self/status");
  std::string line;
  int threads = -1;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) {
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)),
                             &threads);
    }
  }
  return threads;
}

// One asynchronous GetAccount whose outcome the test can wait for.
struct AsyncLookup {
  grpc::ClientContext context;
  v1::GetAccountRequest request;
  v1::Account response;
  grpc::Status status;
  absl::Time started;
  absl::Duration took;
  absl::Notification done;

  void Start(v1::AccountStore::Stub* stub, absl::string_view id,
             absl::Duration deadline = kPatience) {
    request.set_account_id(id.data(), id.size());
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    started = absl::Now();
    stub->async()->GetAccount(&context, &request, &response,
                              [this](grpc::Status s) {
                                took = absl::Now() - started;
                                status = std::move(s);
                                done.Notify();
                              });
  }
};

class AccountStoreServiceTest : public ::testing::Test {
 protected:
  void Start(absl::Duration latency,
             absl::Duration drain_timeout = absl::Seconds(10),
             int64_t max_pending = 10000) {
    latency_.emplace(*LatencyModel::Create({.base = latency}));
    service_ = std::make_unique<AccountStoreService>(&table_, &*latency_,
                                                     &timers_, max_pending);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = drain_timeout;
    auto server = GrpcServer::Start(
        config, {{service_.get(), v1::AccountStore::service_full_name()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::AccountStore::NewStub(channel_);
  }

  grpc::Status Get(absl::string_view id, v1::Account* account) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    v1::GetAccountRequest request;
    request.set_account_id(id.data(), id.size());
    return stub_->GetAccount(&context, request, account);
  }

  bool NothingPending() {
    return Eventually(
        [this] { return service_->pending() == 0 && timers_.size() == 0; },
        kPatience);
  }

  // Declared in construction order; the server goes first on destruction.
  AccountsTable table_{1000};
  std::optional<LatencyModel> latency_;
  TimerQueue timers_{2};
  std::unique_ptr<AccountStoreService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AccountStore::Stub> stub_;
};

TEST_F(AccountStoreServiceTest, ReturnsTheAccountRow) {
  Start(absl::Milliseconds(1));
  v1::Account account;
  grpc::Status status = Get("acc-000042", &account);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(account.account_id(), "acc-000042");
  EXPECT_EQ(account.owner(), "owner-000042");
  EXPECT_EQ(account.currency(), "GBP");
  EXPECT_EQ(account.balance_cents(), 432598);
  EXPECT_EQ(account.status(), v1::ACCOUNT_STATUS_ACTIVE);
  EXPECT_EQ(account.salt_hex(), "bace429177cc7520dcfe34753b49bb97");

  ASSERT_TRUE(Get("acc-000013", &account).ok());
  EXPECT_EQ(account.status(), v1::ACCOUNT_STATUS_FROZEN);
  EXPECT_TRUE(NothingPending());
}

TEST_F(AccountStoreServiceTest, MalformedIdIsInvalidArgumentWithoutTheLatency) {
  Start(absl::Minutes(10));  // a lookup that waited would hit the deadline
  v1::Account account;
  grpc::Status status = Get("acc-42", &account);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("account_id"));
  EXPECT_THAT(status.error_message(), HasSubstr("acc-\" followed by 6 digits"));
  EXPECT_EQ(service_->pending(), 0);
}

TEST_F(AccountStoreServiceTest, UnknownIdIsNotFoundAfterTheLatency) {
  Start(absl::Milliseconds(50));
  const absl::Time start = absl::Now();
  v1::Account account;
  grpc::Status status = Get("acc-001000", &account);  // table holds 0..999
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("acc-001000"));
}

TEST_F(AccountStoreServiceTest, HealthIsServingForTheServiceAndTheServer) {
  Start(absl::Milliseconds(1));
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string& name :
       {std::string(v1::AccountStore::service_full_name()), std::string()}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(name);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

// 500 lookups are all waiting at the same moment in a process with far
// fewer threads: the wait holds none. Then each took at least the latency.
TEST_F(AccountStoreServiceTest, ManyLookupsWaitAtOnceWithoutAThreadEach) {
  constexpr int kLookups = 500;
  constexpr absl::Duration kLatency = absl::Seconds(2);
  Start(kLatency);
  std::vector<std::unique_ptr<AsyncLookup>> lookups;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kLookups; ++i) {
    lookups.push_back(std::make_unique<AsyncLookup>());
    lookups.back()->Start(stub_.get(), FormatAccountId(i % 1000));
  }
  EXPECT_TRUE(
      Eventually([&] { return service_->pending() == kLookups; }, kPatience))
      << "pending " << service_->pending();
  EXPECT_LT(ThreadsInThisProcess(), kLookups / 5);
  for (auto& lookup : lookups) {
    ASSERT_TRUE(lookup->done.WaitForNotificationWithTimeout(kPatience));
    EXPECT_TRUE(lookup->status.ok()) << lookup->status.error_message();
    EXPECT_GE(lookup->took, kLatency);
  }
  // One thread per lookup, in turn, would take kLookups * kLatency.
  EXPECT_LT(absl::Now() - start, kLatency + kPatience);
  EXPECT_TRUE(NothingPending());
}

TEST_F(AccountStoreServiceTest, EveryConcurrentLookupTakesAtLeastTheLatency) {
  constexpr int kLookups = 500;
  constexpr absl::Duration kLatency = absl::Milliseconds(50);
  Start(kLatency);
  std::vector<std::unique_ptr<AsyncLookup>> lookups;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kLookups; ++i) {
    lookups.push_back(std::make_unique<AsyncLookup>());
    lookups.back()->Start(stub_.get(), FormatAccountId(i));
  }
  for (auto& lookup : lookups) {
    ASSERT_TRUE(lookup->done.WaitForNotificationWithTimeout(kPatience));
    EXPECT_TRUE(lookup->status.ok()) << lookup->status.error_message();
    EXPECT_GE(lookup->took, kLatency);
  }
  // Thread-per-request with even 50 threads: 500 * 50 ms / 50 = 500 ms per
  // batch of 50, 25 s for all; the timer queue needs about one latency.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_TRUE(NothingPending());
}

TEST_F(AccountStoreServiceTest, CancelledLookupLeavesNothingBehind) {
  Start(absl::Minutes(10));
  AsyncLookup lookup;
  lookup.Start(stub_.get(), "acc-000042");
  ASSERT_TRUE(Eventually([&] { return service_->pending() == 1; }, kPatience));
  lookup.context.TryCancel();
  ASSERT_TRUE(lookup.done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_EQ(lookup.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(NothingPending())
      << "pending " << service_->pending() << ", timers " << timers_.size();
}

TEST_F(AccountStoreServiceTest, DeadlineExceededLookupLeavesNothingBehind) {
  Start(absl::Minutes(10));
  AsyncLookup lookup;
  lookup.Start(stub_.get(), "acc-000042", absl::Milliseconds(100));
  ASSERT_TRUE(lookup.done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_EQ(lookup.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(NothingPending())
      << "pending " << service_->pending() << ", timers " << timers_.size();
}

TEST_F(AccountStoreServiceTest, LookupsBeyondMaxPendingAreResourceExhausted) {
  Start(absl::Minutes(10), absl::Seconds(10), /*max_pending=*/2);
  AsyncLookup first;
  AsyncLookup second;
  first.Start(stub_.get(), "acc-000001");
  second.Start(stub_.get(), "acc-000002");
  ASSERT_TRUE(Eventually([&] { return service_->pending() == 2; }, kPatience));

  v1::Account account;
  grpc::Status refused = Get("acc-000003", &account);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("2 lookups already pending"));
  // A malformed id never reaches the "database", full or not.
  EXPECT_EQ(Get("acc-3", &account).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(service_->pending(), 2);

  // A freed slot takes the next lookup: accepted, it waits out its deadline
  // (the latency is 10 minutes); refused, it would be RESOURCE_EXHAUSTED.
  first.context.TryCancel();
  ASSERT_TRUE(first.done.WaitForNotificationWithTimeout(kPatience));
  ASSERT_TRUE(Eventually([&] { return service_->pending() == 1; }, kPatience));
  AsyncLookup third;
  third.Start(stub_.get(), "acc-000003", absl::Milliseconds(200));
  ASSERT_TRUE(third.done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_EQ(third.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << third.status.error_message();

  second.context.TryCancel();
  ASSERT_TRUE(second.done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_TRUE(NothingPending())
      << "pending " << service_->pending() << ", timers " << timers_.size();
}

TEST_F(AccountStoreServiceTest, DrainCancelsLookupsStillWaitingAtItsTimeout) {
  Start(absl::Minutes(10), /*drain_timeout=*/absl::Milliseconds(100));
  AsyncLookup lookup;
  lookup.Start(stub_.get(), "acc-000042");
  ASSERT_TRUE(Eventually([&] { return service_->pending() == 1; }, kPatience));
  server_->Drain();  // returns once every call is done
  ASSERT_TRUE(lookup.done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_FALSE(lookup.status.ok());
  EXPECT_TRUE(NothingPending());
}

TEST_F(AccountStoreServiceTest, ManyCancellationsRacingTheTimers) {
  // Deadlines around the latency: some calls finish, some are cancelled
  // while their timer fires; every one must end exactly once.
  Start(absl::Milliseconds(5));
  std::vector<std::unique_ptr<AsyncLookup>> lookups;
  for (int i = 0; i < 300; ++i) {
    lookups.push_back(std::make_unique<AsyncLookup>());
    lookups.back()->Start(stub_.get(), FormatAccountId(i),
                          absl::Microseconds(4000 + 20 * i % 2000));
  }
  for (auto& lookup : lookups) {
    ASSERT_TRUE(lookup->done.WaitForNotificationWithTimeout(kPatience));
    EXPECT_THAT(lookup->status.error_code(),
                ::testing::AnyOf(grpc::StatusCode::OK,
                                 grpc::StatusCode::DEADLINE_EXCEEDED));
  }
  EXPECT_TRUE(NothingPending());
}

}  // namespace
}  // namespace hashmesh::pgstub
