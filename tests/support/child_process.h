// Runs a hashmesh binary as a child process for end-to-end tests.
#ifndef HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_
#define HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hashmesh::testing {

// The child's stderr and stdout go to one pipe that a reader thread drains
// for the child's whole life, so a child that logs a lot (a sanitizer
// report, a debug log) never blocks on a full pipe while the test waits for
// something else; the test searches what was read line by line. The child is
// killed (SIGKILL) if the test forgets to stop it.
class ChildProcess {
 public:
  static absl::StatusOr<ChildProcess> Start(std::vector<std::string> argv);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  // Reads output until a line contains `needle`; returns that line. Everything
  // read so far stays in output().
  absl::StatusOr<std::string> WaitForLine(const std::string& needle,
                                          absl::Duration timeout);

  // Reads the port from the "... serving on HOST:PORT" (or "listening on")
  // line the hashmesh binaries log at start-up.
  absl::StatusOr<int> WaitForPort(absl::Duration timeout);

  void Signal(int signal_number) const;

  // Waits for exit and returns the exit code (128+N when killed by signal N),
  // draining the remaining output; DEADLINE_EXCEEDED (and SIGKILL) on timeout.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // Everything read so far.
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  // What the reader thread shares with the test's thread; on the heap so
  // that a ChildProcess can move while the thread runs.
  struct Output {
    mutable absl::Mutex mu;
    std::string text ABSL_GUARDED_BY(mu);
    bool eof ABSL_GUARDED_BY(mu) = false;
  };

  ChildProcess(pid_t pid, int fd);
  // Until the reader has seen EOF, or the deadline.
  void WaitForEof(absl::Time deadline);

  pid_t pid_ = -1;
  std::unique_ptr<Output> output_;
  std::thread reader_;
  size_t scanned_ = 0;  // output before this offset was already searched
  bool exited_ = false;
};

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_
