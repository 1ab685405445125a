#include "tests/support/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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
  // Its own process group, so that whatever it starts (a shell's commands)
  // can be killed with it and never keeps the output pipe open.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

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

ChildProcess::ChildProcess(pid_t pid, int fd)
    : pid_(pid), output_(std::make_unique<Output>()) {
  reader_ = std::thread([fd, output = output_.get()] {
    char buf[4096];
    while (true) {
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      absl::MutexLock lock(&output->mu);
      if (n <= 0) {  // EOF: the child, the only writer, has exited
        output->eof = true;
        break;
      }
      output->text.append(buf, static_cast<size_t>(n));
    }
    close(fd);
  });
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_),
      output_(std::move(other.output_)),
      reader_(std::move(other.reader_)),
      scanned_(other.scanned_),
      exited_(other.exited_) {
  other.pid_ = -1;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    kill(-pid_, SIGKILL);  // the child and its group, while it holds the id
    waitpid(pid_, nullptr, 0);
  }
  // EOF follows: the group held the pipe's only write ends.
  if (reader_.joinable()) reader_.join();
}

std::string ChildProcess::output() const {
  absl::MutexLock lock(&output_->mu);
  return output_->text;
}

void ChildProcess::WaitForEof(absl::Time deadline) {
  absl::MutexLock lock(&output_->mu);
  output_->mu.AwaitWithDeadline(absl::Condition(&output_->eof), deadline);
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                      absl::Duration timeout) {
  struct Search {
    const Output* output;
    const std::string* needle;
    size_t from;
    size_t found = std::string::npos;
    bool Done() ABSL_EXCLUSIVE_LOCKS_REQUIRED(output->mu) {
      found = output->text.find(*needle, from);
      if (found == std::string::npos && output->text.size() >= needle->size()) {
        // Next time only what could complete a match: no rescans.
        from = std::max(from, output->text.size() - needle->size() + 1);
      }
      return found != std::string::npos || output->eof;
    }
  } search{output_.get(), &needle, scanned_};
  absl::MutexLock lock(&output_->mu);
  output_->mu.AwaitWithTimeout(absl::Condition(&search, &Search::Done),
                               timeout);
  const std::string& text = output_->text;
  if (search.found == std::string::npos) {
    return absl::DeadlineExceededError(
        absl::StrCat("no line with '", needle, "'",
                     output_->eof ? " (the child closed its output)" : "",
                     "; output so far:\n", text));
  }
  const size_t begin = text.rfind('\n', search.found);
  const size_t end = text.find('\n', search.found);
  scanned_ = search.found + needle.size();
  return text.substr(
      begin == std::string::npos ? 0 : begin + 1,
      end == std::string::npos ? std::string::npos : end - begin - 1);
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
    siginfo_t info{};
    if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid_) {
      // Exited but not yet reaped, so its id cannot be reused: end what it
      // left behind in its group, which would hold the output pipe open.
      kill(-pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exited_ = true;
      WaitForEof(deadline);  // what it wrote before exiting
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      return absl::DeadlineExceededError(
          absl::StrCat("still running; output:\n", output()));
    }
    // No portable wait-with-timeout for a child (pidfd needs Linux 5.3).
    absl::SleepFor(absl::Milliseconds(10));
  }
}

}  // namespace hashmesh::testing
