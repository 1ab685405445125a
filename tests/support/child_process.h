// Runs a hashmesh binary as a child process for end-to-end tests.
#ifndef HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_
#define HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hashmesh::testing {

// The child's stderr and stdout go to one pipe that the test reads line by
// line; the child is killed (SIGKILL) if the test forgets to stop it.
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

  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  // Reads what is available within `timeout` into output_; false on EOF.
  bool ReadSome(absl::Duration timeout);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
  size_t scanned_ = 0;  // output_ before this offset was already searched
  bool exited_ = false;
};

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_SUPPORT_CHILD_PROCESS_H_
