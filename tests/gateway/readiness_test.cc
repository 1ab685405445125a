// HealthProbe against an in-process health service that counts its calls:
// checks share one recent result, and a drain cancels a probe in flight.
#include "gateway/upstream/readiness.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "tests/support/eventually.h"

namespace hashmesh::gateway {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::hashmesh::testing::Eventually;
using ::testing::HasSubstr;

// Answers `status` to every Check, each only once released when `hold`.
class CountingHealth final : public grpc::health::v1::Health::Service {
 public:
  explicit CountingHealth(bool hold) : hold_(hold) {}
  ~CountingHealth() override { Release(); }

  grpc::Status Check(grpc::ServerContext* context,
                     const HealthCheckRequest* /*request*/,
                     HealthCheckResponse* response) override {
    ++calls;
    if (hold_) {
      // Until released or the client cancels (a drain), whichever first.
      while (!released_.WaitForNotificationWithTimeout(absl::Milliseconds(5))) {
        if (context->IsCancelled()) break;
      }
    }
    response->set_status(status);
    return grpc::Status::OK;
  }

  void Release() {
    if (!released_.HasBeenNotified()) released_.Notify();
  }

  std::atomic<int> calls{0};
  std::atomic<HealthCheckResponse::ServingStatus> status{
      HealthCheckResponse::SERVING};

 private:
  const bool hold_;
  absl::Notification released_;
};

// The outcomes of checks, from any thread.
struct Answers {
  absl::Mutex mu;
  std::vector<absl::Status> got ABSL_GUARDED_BY(mu);

  HealthProbe::Callback Next() {
    return [this](absl::Status status) {
      absl::MutexLock lock(&mu);
      got.push_back(std::move(status));
    };
  }
  size_t size() {
    absl::MutexLock lock(&mu);
    return got.size();
  }
  absl::Status at(size_t i) {
    absl::MutexLock lock(&mu);
    return got.at(i);
  }
};

class HealthProbeTest : public ::testing::Test {
 protected:
  void Serve(bool hold) {
    health_ = std::make_unique<CountingHealth>(hold);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(health_.get());
    server_ = builder.BuildAndStart();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<HealthProbe> Probe(absl::Duration max_age) {
    return std::make_unique<HealthProbe>(
        channel_, "hashmesh.pgstub.v1.AccountStore",
        HealthProbeOptions{.timeout = absl::Seconds(30), .max_age = max_age},
        &calls_, &metrics_);
  }

  void TearDown() override {
    if (health_ != nullptr) health_->Release();
    if (server_ != nullptr) server_->Shutdown();
  }

  ClientCalls calls_;
  UpstreamMetrics metrics_;
  std::unique_ptr<CountingHealth> health_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(HealthProbeTest, ChecksWhileAProbeIsInFlightShareIt) {
  Serve(/*hold=*/true);
  auto probe = Probe(absl::Hours(1));
  Answers answers;
  constexpr int kChecks = 50;
  for (int i = 0; i < kChecks; ++i) probe->Check(answers.Next());
  ASSERT_TRUE(Eventually([&] { return health_->calls == 1; }));
  EXPECT_EQ(answers.size(), 0u);
  health_->Release();
  ASSERT_TRUE(Eventually([&] { return answers.size() == kChecks; }));
  for (int i = 0; i < kChecks; ++i) EXPECT_TRUE(answers.at(i).ok());
  // Fresh: answered at once, from the same result.
  probe->Check(answers.Next());
  EXPECT_EQ(answers.size(), kChecks + 1u);
  EXPECT_EQ(health_->calls, 1);
  ASSERT_TRUE(calls_.WaitUntilNone(absl::InfiniteFuture()));
}

TEST_F(HealthProbeTest, AResultOlderThanMaxAgeIsAskedAgain) {
  Serve(/*hold=*/false);
  auto probe = Probe(absl::ZeroDuration());
  Answers answers;
  for (size_t i = 1; i <= 3; ++i) {
    probe->Check(answers.Next());
    ASSERT_TRUE(Eventually([&] { return answers.size() == i; }));
  }
  EXPECT_EQ(health_->calls, 3);
  health_->status = HealthCheckResponse::NOT_SERVING;
  probe->Check(answers.Next());
  ASSERT_TRUE(Eventually([&] { return answers.size() == 4; }));
  EXPECT_EQ(answers.at(3).code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(answers.at(3).message(), HasSubstr("NOT_SERVING"));
  ASSERT_TRUE(calls_.WaitUntilNone(absl::InfiniteFuture()));
}

TEST_F(HealthProbeTest, ADrainCancelsAProbeInFlight) {
  Serve(/*hold=*/true);
  auto probe = Probe(absl::ZeroDuration());
  Answers answers;
  probe->Check(answers.Next());
  ASSERT_TRUE(Eventually([&] { return health_->calls == 1; }));
  calls_.CancelAll();
  ASSERT_TRUE(calls_.WaitUntilNone(absl::InfiniteFuture()));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers.at(0).code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(answers.at(0).message(), HasSubstr("shutting down"));
  // No new health call once draining.
  probe->Check(answers.Next());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers.at(1).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(health_->calls, 1);
}

}  // namespace
}  // namespace hashmesh::gateway
