#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace hashmesh::testing {

absl::StatusOr<ChildProcess> ChildProcess::Start(
    std::vector<std::string> argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  // The test process may block SIGTERM/SIGINT; the child must not inherit it.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return absl::InternalError(absl::StrCat(
        "posix_spawn ", argv[0], ": ", std::system_category().message(rc)));
  }
  return ChildProcess(pid, fds[0]);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_),
      fd_(other.fd_),
      output_(std::move(other.output_)),
      scanned_(other.scanned_),
      exited_(other.exited_) {
  other.pid_ = -1;
  other.fd_ = -1;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

bool ChildProcess::ReadSome(absl::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  if (poll(&pfd, 1, std::max(ms, 0)) <= 0) return true;
  char buf[4096];
  const ssize_t n = read(fd_, buf, sizeof(buf));
  if (n <= 0) return false;
  output_.append(buf, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                      absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t found = output_.find(needle, scanned_);
    if (found != std::string::npos) {
      const size_t begin = output_.rfind('\n', found);
      const size_t end = output_.find('\n', found);
      scanned_ = found + needle.size();
      return output_.substr(
          begin == std::string::npos ? 0 : begin + 1,
          end == std::string::npos ? std::string::npos : end - begin - 1);
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration() || !ReadSome(left)) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no line with '", needle, "'; output so far:\n", output_));
    }
  }
}

absl::StatusOr<int> ChildProcess::WaitForPort(absl::Duration timeout) {
  absl::StatusOr<std::string> line = WaitForLine(" on ", timeout);
  if (!line.ok()) return line.status();
  static const std::regex kPort(R"((serving|listening) on \S*:(\d+))");
  std::smatch match;
  int port = 0;
  if (!std::regex_search(*line, match, kPort) ||
      !absl::SimpleAtoi(match[2].str(), &port)) {
    return absl::NotFoundError(absl::StrCat("no port in: ", *line));
  }
  return port;
}

void ChildProcess::Signal(int signal_number) const {
  if (pid_ > 0 && !exited_) kill(pid_, signal_number);
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      // Drain what it wrote before exiting (EOF ends this at once).
      while (absl::Now() < deadline && ReadSome(absl::Milliseconds(50))) {
      }
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      return absl::DeadlineExceededError(
          absl::StrCat("still running; output:\n", output_));
    }
    ReadSome(absl::Milliseconds(20));
  }
}

}  // namespace hashmesh::testing
