// pgstub_timer_precision: lateness and cost of grpc::Alarm vs TimerQueue.
// grpc::Alarm versus TimerQueue.
//
// Starts --rate timers per second for --duration, each due --delay after it
// is set, and reports how late each fired (histogram percentiles) and the
// process CPU time per timer. This is the measurement behind the pgstub's
// choice of TimerQueue over grpc::Alarm (see services/pgstub/timer_queue.h).
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bench/loadgen/histogram.h"
#include "services/common/abseil_runtime.h"
#include "services/pgstub/timer_queue.h"

ABSL_FLAG(double, rate, 25000, "timers started per second");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(3),
          "how long to start timers");
ABSL_FLAG(absl::Duration, delay, absl::Milliseconds(2), "each timer's delay");
ABSL_FLAG(int, threads, 2, "TimerQueue threads");
ABSL_FLAG(std::string, mechanism, "both", "alarm, queue or both");

namespace {

using Clock = std::chrono::steady_clock;
using hashmesh::loadgen::LatencyHistogram;

// Collects the lateness of every firing.
class Lateness {
 public:
  void Record(Clock::time_point deadline) {
    const int64_t late = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             Clock::now() - deadline)
                             .count();
    absl::MutexLock lock(&mu_);
    histogram_.Record(late);
  }
  LatencyHistogram Take() {
    absl::MutexLock lock(&mu_);
    return histogram_;
  }

 private:
  absl::Mutex mu_;
  LatencyHistogram histogram_ ABSL_GUARDED_BY(mu_);
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Calls start(deadline) --rate times per second for --duration (in 1 ms
// batches), then waits until every timer fired.
void Drive(const char* name,
           const std::function<void(Clock::time_point, Lateness*,
                                    std::atomic<int64_t>*)>& start) {
  const auto delay = absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_delay));
  const double rate = absl::GetFlag(FLAGS_rate);
  const Clock::time_point begin = Clock::now();
  const Clock::time_point end =
      begin + absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_duration));
  Lateness lateness;
  std::atomic<int64_t> outstanding{0};
  const double cpu_before = CpuSeconds();
  int64_t started = 0;
  for (Clock::time_point tick = begin; tick < end;
       tick += std::chrono::milliseconds(1)) {
    std::this_thread::sleep_until(tick);
    const double elapsed_s =
        std::chrono::duration<double>(tick - begin).count();
    for (; started < static_cast<int64_t>(elapsed_s * rate); ++started) {
      ++outstanding;
      start(Clock::now() + delay, &lateness, &outstanding);
    }
  }
  while (outstanding.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a bound poll
  }
  const double cpu = CpuSeconds() - cpu_before;
  const LatencyHistogram h = lateness.Take();
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
  std::printf(
      "%-11s timers %lld  late us: p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f "
      "max %.0f  cpu/timer %.2f us\n",
      name, static_cast<long long>(h.count()), us(h.Percentile(50)),
      us(h.Percentile(90)), us(h.Percentile(99)), us(h.Percentile(99.9)),
      us(h.max()), cpu * 1e6 / static_cast<double>(h.count()));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  hashmesh::ConfigureAbseilRuntime();
  grpc_init();  // the alarms' timer and executor threads

  const std::string mechanism = absl::GetFlag(FLAGS_mechanism);
  if (mechanism != "queue") {
    Drive("grpc::Alarm", [](Clock::time_point deadline, Lateness* lateness,
                            std::atomic<int64_t>* outstanding) {
      // What a reactor would own; deleting it in its callback is allowed.
      auto* alarm = new grpc::Alarm;
      const auto wall_deadline =
          std::chrono::system_clock::now() + (deadline - Clock::now());
      alarm->Set(wall_deadline, [=](bool) {
        lateness->Record(deadline);
        --*outstanding;
        delete alarm;
      });
    });
  }
  if (mechanism == "alarm") {
    grpc_shutdown();
    return 0;
  }

  hashmesh::pgstub::TimerQueue timers(absl::GetFlag(FLAGS_threads));
  Drive("TimerQueue", [&timers](Clock::time_point deadline, Lateness* lateness,
                                std::atomic<int64_t>* outstanding) {
    timers.Schedule(absl::FromChrono(deadline - Clock::now()), [=](bool) {
      lateness->Record(deadline);
      --*outstanding;
    });
  });
  grpc_shutdown();
  return 0;
}
