// Unit tests of the shared service scaffolding's plain pieces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "services/common/account_id.h"
#include "services/common/cpu_count.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/in_flight.h"
#include "services/common/log.h"
#include "services/common/worker_pool.h"

namespace hashmesh {
namespace {

using ::testing::HasSubstr;

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

TEST(FilesTest, ReadsAWholeFile) {
  const std::string path = ::testing::TempDir() + "files_test_read.txt";
  // More than one read(2) buffer, with a NUL, to catch partial reads.
  const std::string contents = std::string(10000, 'x') + '\0' + "end\n";
  {
    std::ofstream out(path, std::ios::binary);
    out << contents;
  }
  absl::StatusOr<std::string> read = ReadFileToString(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, contents);
}

TEST(FilesTest, MissingFileIsAnErrorNamingThePath) {
  const std::string path = ::testing::TempDir() + "files_test_no_such_file";
  absl::StatusOr<std::string> read = ReadFileToString(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), ::testing::HasSubstr(path));
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

// A message that carries a peer's bytes (quotes, controls, invalid UTF-8)
// is still one valid JSON object on one line.
TEST(LogConfigTest, JsonLinesEscapeWhatAMessageCarries) {
  ASSERT_TRUE(
      SetUpLogging({.format = LogFormat::kJson, .service_name = "svc"}).ok());
  ::testing::internal::CaptureStderr();
  spdlog::info("peer sent \"{}\"", absl::string_view("a\x01\n\xFF"
                                                     "b"));
  spdlog::default_logger()->flush();
  const std::string out = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(SetUpLogging({}).ok());
  EXPECT_THAT(out, HasSubstr(R"(,"service":"svc",)"));
  EXPECT_THAT(out, ::testing::EndsWith(R"(,"msg":"peer sent \"a\u0001\n)"
                                       "\xEF\xBF\xBD"
                                       R"(b\""})"
                                       "\n"));
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

TEST(LogRateLimiterTest, OneLineAnIntervalThenTheCountLeftOut) {
  LogRateLimiter limiter(absl::Seconds(5));
  const absl::Time start = absl::FromUnixSeconds(1000);
  uint64_t suppressed = 99;
  ASSERT_TRUE(limiter.AllowAt(start, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_FALSE(limiter.AllowAt(start + absl::Seconds(1), &suppressed));
  EXPECT_FALSE(limiter.AllowAt(start + absl::Seconds(4), &suppressed));
  EXPECT_FALSE(limiter.AllowAt(start + absl::Seconds(4), &suppressed));
  ASSERT_TRUE(limiter.AllowAt(start + absl::Seconds(5), &suppressed));
  EXPECT_EQ(suppressed, 3u);
  EXPECT_FALSE(limiter.AllowAt(start + absl::Seconds(6), &suppressed));
  ASSERT_TRUE(limiter.AllowAt(start + absl::Seconds(60), &suppressed));
  EXPECT_EQ(suppressed, 1u);
}

TEST(InFlightTest, WaitEndsWhenTheLastFinishes) {
  InFlight work;
  EXPECT_TRUE(work.WaitForZero(absl::InfinitePast()));  // none: at once
  work.Start();
  work.Start();
  EXPECT_EQ(work.count(), 2);
  EXPECT_FALSE(work.WaitForZero(absl::Now()));
  std::thread finisher([&work] {
    work.Finish();
    work.Finish();
  });
  EXPECT_TRUE(work.WaitForZero(absl::InfiniteFuture()));
  EXPECT_EQ(work.count(), 0);
  finisher.join();
}

TEST(ParseAccountIdTest, WellFormed) {
  EXPECT_EQ(*ParseAccountId("acc-000000"), 0u);
  EXPECT_EQ(*ParseAccountId("acc-000042"), 42u);
  EXPECT_EQ(*ParseAccountId("acc-999999"), 999999u);
}

TEST(ParseAccountIdTest, MalformedIsInvalidArgumentNamingTheField) {
  // U+0660 ARABIC-INDIC DIGIT ZERO is a digit to some parsers, not to SPEC.md.
  const std::string arabic_zero = std::string("acc-\xd9\xa0") + "00000";
  for (const std::string& bad : std::vector<std::string>{
           "", "acc-", "acc-42", "acc-0000042", "ACC-000042", "acc_000042",
           "acc-00004a", "acc-+00042", "acc- 00042", " acc-000042",
           "acc-000042 ", arabic_zero, "xacc-000042"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<uint32_t> parsed = ParseAccountId(bad);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("account_id"));
    EXPECT_THAT(parsed.status().message(), HasSubstr("6 digits"));
  }
}

TEST(ParseAccountIdTest, EchoOfAHostileIdIsEscapedAndShort) {
  const std::string hostile =
      std::string("acc-\n\0\x01", 7) + std::string(1000, 'x');
  absl::StatusOr<uint32_t> parsed = ParseAccountId(hostile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("acc-\\n\\x00\\x01"));
  EXPECT_LT(parsed.status().message().size(), 200u);
}

TEST(FormatAccountIdTest, ZeroPadsToSixDigits) {
  EXPECT_EQ(FormatAccountId(0), "acc-000000");
  EXPECT_EQ(FormatAccountId(42), "acc-000042");
  EXPECT_EQ(FormatAccountId(999999), "acc-999999");
}

}  // namespace
}  // namespace hashmesh
