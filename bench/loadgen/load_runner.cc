#include "bench/loadgen/load_runner.h"

#include <sys/prctl.h>

#include <algorithm>
#include <thread>
#include <utility>

namespace hashmesh::loadgen {
namespace {

// The open-loop pacer sleeps tens of microseconds at a time; the default
// 50 us timer slack would double that.
void UsePreciseSleeps() { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

}  // namespace

// One call in flight; its own reactor, so a call costs no std::function.
class LoadRunner::Call final : public grpc::ClientUnaryReactor {
 public:
  explicit Call(LoadRunner* runner) : runner_(runner) {}

  void OnDone(const grpc::Status& status) override {
    runner_->OnDone(this, status);  // deletes this
  }

  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  Clock::time_point scheduled;  // latency is measured from here
  bool measured = false;

 private:
  LoadRunner* const runner_;
};

absl::StatusOr<std::unique_ptr<LoadRunner>> LoadRunner::Connect(
    LoadConfig config, std::unique_ptr<RequestSource> requests) {
  auto stubs = ConnectStubs(config);
  if (!stubs.ok()) return stubs.status();
  return std::unique_ptr<LoadRunner>(new LoadRunner(
      std::move(config), std::move(requests), *std::move(stubs)));
}

LoadRunner::LoadRunner(LoadConfig config,
                       std::unique_ptr<RequestSource> requests,
                       std::vector<std::unique_ptr<grpc::GenericStub>> stubs)
    : config_(std::move(config)),
      requests_(std::move(requests)),
      stubs_(std::move(stubs)) {}

LoadResult LoadRunner::Run() {
  phases_.emplace(config_, Clock::now());
  {
    absl::MutexLock lock(&mu_);
    last_measured_end_ = phases_->warmup_end();
  }
  if (config_.rate > 0) {
    RunOpenLoop();
  } else {
    RunClosedLoop();
  }
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &LoadRunner::Idle));
  result_.elapsed =
      absl::FromChrono(last_measured_end_ - phases_->warmup_end());
  return std::move(result_);
}

void LoadRunner::RunClosedLoop() {
  for (int i = 0; i < config_.concurrency; ++i) {
    const Clock::time_point now = Clock::now();
    const Phase phase = phases_->Admit(now);
    if (phase == Phase::kStop) return;
    {
      absl::MutexLock lock(&mu_);
      ++in_flight_;
    }
    Launch(phase, now);
  }
}

void LoadRunner::RunOpenLoop() {
  UsePreciseSleeps();
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / config_.rate));
  Clock::time_point next = Clock::now();
  while (true) {
    const Clock::time_point now = Clock::now();
    if (next > now) {
      std::this_thread::sleep_for(next - now);
      continue;
    }
    const Phase phase = phases_->Admit(next);
    if (phase == Phase::kStop) return;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &LoadRunner::HasFreeSlot));
      ++in_flight_;
    }
    Launch(phase, next);
    next += interval;
  }
}

// The caller has counted the call in in_flight_.
void LoadRunner::Launch(Phase phase, Clock::time_point scheduled) {
  const uint64_t n = next_call_.fetch_add(1, std::memory_order_relaxed);
  auto* call = new Call(this);
  call->request = requests_->Request(n);
  call->scheduled = scheduled;
  call->measured = phase == Phase::kMeasured;
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoMicroseconds(config_.deadline));
  stubs_[n % stubs_.size()]->PrepareUnaryCall(
      &call->context, config_.method, grpc::StubOptions(), &call->request,
      &call->response, call);
  call->StartCall();
}

void LoadRunner::OnDone(Call* call, const grpc::Status& status) {
  const Clock::time_point end = Clock::now();
  // In the closed loop a completion hands its slot straight to the next call,
  // so in_flight_ never touches zero (which Run waits for) in between.
  const Phase next = config_.rate > 0 ? Phase::kStop : phases_->Admit(end);
  {
    absl::MutexLock lock(&mu_);
    if (call->measured) {
      result_.latency.Record(
          std::chrono::duration_cast<std::chrono::nanoseconds>(end -
                                                               call->scheduled)
              .count());
      const int code = std::clamp(static_cast<int>(status.error_code()), 0,
                                  kStatusCodeCount - 1);
      ++result_.calls_by_code[code];
      last_measured_end_ = std::max(last_measured_end_, end);
    }
    if (next == Phase::kStop) --in_flight_;
  }
  delete call;
  if (next != Phase::kStop) Launch(next, end);
}

}  // namespace hashmesh::loadgen
