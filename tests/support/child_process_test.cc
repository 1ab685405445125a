// The end-to-end tests' child-process harness: a child that writes far more
// than a pipe holds keeps running while the test does something else.
#include "tests/support/child_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/support/eventually.h"

namespace hashmesh::testing {
namespace {

// The situation of a service whose TSan report or debug log outgrows the
// 64 KiB pipe after the test has read its port line: unless the harness
// keeps reading, the child blocks in write() and never reaches `touch`.
TEST(ChildProcessTest, ChildNeverBlocksOnItsOutput) {
  const std::string marker = absl::StrCat(
      ::testing::TempDir(), "/child_process_test_", getpid(), ".done");
  unlink(marker.c_str());
  auto child = ChildProcess::Start(
      {"/bin/sh", "-c",
       absl::StrCat("echo serving on 127.0.0.1:7; head -c 1048576 /dev/zero; "
                    "touch '",
                    marker, "'; echo finished; exec sleep 30")});
  ASSERT_TRUE(child.ok()) << child.status();
  auto port = child->WaitForPort(absl::Seconds(30));
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(*port, 7);
  // The test reads nothing here, as a test busy with HTTP calls would not.
  EXPECT_TRUE(Eventually([&] { return access(marker.c_str(), F_OK) == 0; }))
      << "the child blocked writing its output";
  EXPECT_TRUE(child->WaitForLine("finished", absl::Seconds(30)).ok());
  EXPECT_GE(child->output().size(), 1048576u);
  child->Signal(SIGTERM);
  auto code = child->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGTERM);
  unlink(marker.c_str());
}

TEST(ChildProcessTest, WaitForLineReportsAChildThatExitedWithoutIt) {
  auto child = ChildProcess::Start({"/bin/sh", "-c", "echo only this"});
  ASSERT_TRUE(child.ok()) << child.status();
  auto line = child->WaitForLine("never", absl::Seconds(30));
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.status().message().find("closed its output"),
            std::string::npos)
      << line.status();
  EXPECT_NE(line.status().message().find("only this"), std::string::npos);
  auto code = child->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

// What a child leaves running (a shell's background command) would hold the
// output pipe open, so that reading to its end, and the destructor, would
// wait for it; Wait ends it with the child.
TEST(ChildProcessTest, WaitEndsWhatTheChildLeftRunning) {
  auto child =
      ChildProcess::Start({"/bin/sh", "-c", "sleep 60 & echo left $!; exit 3"});
  ASSERT_TRUE(child.ok()) << child.status();
  auto line = child->WaitForLine("left ", absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  int left = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line->substr(line->find(' ') + 1), &left))
      << *line;
  auto code = child->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 3);
  // Gone, or a zombie until its new parent reaps it.
  const std::string stat = absl::StrCat("/proc/", left, "/stat");
  EXPECT_TRUE(Eventually([&] {
    std::ifstream in(stat);
    std::string pid, comm, state;
    return !(in >> pid >> comm >> state) || state == "Z";
  })) << "the background sleep still runs";
}

}  // namespace
}  // namespace hashmesh::testing
