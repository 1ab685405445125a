// Unit tests of the shared service scaffolding's plain pieces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"
#include "services/common/cpu_count.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/worker_pool.h"

namespace hashmesh {
namespace {

TEST(CpuCountTest, CgroupV2) {
  EXPECT_EQ(CpusFromCgroupV2("max 100000\n"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupV2("200000 100000\n"), 2);
  EXPECT_EQ(CpusFromCgroupV2("150000 100000"), 2);  // 1.5 CPUs rounds up
  EXPECT_EQ(CpusFromCgroupV2("50000 100000"), 1);
  EXPECT_EQ(CpusFromCgroupV2("garbage"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupV2(""), std::nullopt);
}

TEST(CpuCountTest, CgroupV1) {
  EXPECT_EQ(CpusFromCgroupV1("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupV1("400000\n", "100000\n"), 4);
  EXPECT_EQ(CpusFromCgroupV1("x", "100000"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupV1("100000", "0"), std::nullopt);
}

TEST(CpuCountTest, EffectiveCountIsPositiveAndExplained) {
  CpuCount count = EffectiveCpuCount();
  EXPECT_GE(count.cpus, 1);
  EXPECT_FALSE(count.source.empty());
}

TEST(GrpcStatusTest, CodesAndMessagesRoundTrip) {
  const absl::Status status = absl::NotFoundError("no account acc-000001");
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(wire.error_message(), "no account acc-000001");
  EXPECT_EQ(FromGrpcStatus(wire), status);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""))
          .code(),
      absl::StatusCode::kDeadlineExceeded);
}

TEST(LogConfigTest, FormatsAndLevels) {
  LogFormat format = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &format).ok());
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("JSON ", &format).ok());
  EXPECT_TRUE(ValidateLogLevel("debug").ok());
  EXPECT_TRUE(ValidateLogLevel("off").ok());
  EXPECT_FALSE(ValidateLogLevel("loud").ok());
}

TEST(WorkerPoolTest, RunsEverythingQueuedBeforeShutdown) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2, 1000);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
    }
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 500);
}

TEST(WorkerPoolTest, RefusesBeyondTheQueueBoundAndAfterShutdown) {
  WorkerPool pool(1, 2);
  absl::Notification release;
  absl::Notification started;
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_FALSE(pool.TrySubmit([] {}));
  EXPECT_EQ(pool.queued(), 2u);
  release.Notify();
  pool.Shutdown();
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

}  // namespace
}  // namespace hashmesh
