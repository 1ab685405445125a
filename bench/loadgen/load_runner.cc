#include "bench/loadgen/load_runner.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <sys/prctl.h>

#include <algorithm>
#include <numeric>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hashmesh::loadgen {
namespace {

// Distinct args per channel: gRPC otherwise shares one subchannel, hence one
// TCP connection, between channels to the same target.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("hashmesh.loadgen.channel_index", index);
  args.SetMaxReceiveMessageSize(-1);
  // A load tool reports what the server did, so no call is retried (not even
  // transparently); and gRPC 1.51's retry filter costs the client about a
  // third of its CPU per call, which on a shared machine the server loses.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

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

uint64_t LoadResult::calls() const {
  return std::accumulate(calls_by_code.begin(), calls_by_code.end(),
                         uint64_t{0});
}

double LoadResult::calls_per_second() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(calls()) / seconds : 0.0;
}

absl::StatusOr<std::unique_ptr<LoadRunner>> LoadRunner::Connect(
    LoadConfig config, std::unique_ptr<RequestSource> requests) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  const auto deadline = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(config.connect_timeout);
  for (int i = 0; i < config.channels; ++i) {
    std::shared_ptr<grpc::Channel> channel = MakeChannel(config.target, i);
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(absl::StrCat(
          "cannot connect to ", config.target, " within ",
          absl::FormatDuration(config.connect_timeout), " (channel ", i, ")"));
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(std::move(channel)));
  }
  return std::unique_ptr<LoadRunner>(
      new LoadRunner(std::move(config), std::move(requests), std::move(stubs)));
}

LoadRunner::LoadRunner(LoadConfig config,
                       std::unique_ptr<RequestSource> requests,
                       std::vector<std::unique_ptr<grpc::GenericStub>> stubs)
    : config_(std::move(config)),
      requests_(std::move(requests)),
      stubs_(std::move(stubs)) {}

LoadResult LoadRunner::Run() {
  const Clock::time_point start = Clock::now();
  warmup_end_ = start + absl::ToChronoNanoseconds(config_.warmup);
  measure_end_ = warmup_end_ + absl::ToChronoNanoseconds(config_.duration);
  {
    absl::MutexLock lock(&mu_);
    last_measured_end_ = warmup_end_;
  }
  if (config_.rate > 0) {
    RunOpenLoop();
  } else {
    RunClosedLoop();
  }
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &LoadRunner::Idle));
  result_.elapsed = absl::FromChrono(last_measured_end_ - warmup_end_);
  return std::move(result_);
}

LoadRunner::Phase LoadRunner::Admit(Clock::time_point start) {
  if (start < warmup_end_) return Phase::kWarmup;
  if (config_.count > 0) {
    return measured_admitted_.fetch_add(1, std::memory_order_relaxed) <
                   config_.count
               ? Phase::kMeasured
               : Phase::kStop;
  }
  return start < measure_end_ ? Phase::kMeasured : Phase::kStop;
}

void LoadRunner::RunClosedLoop() {
  for (int i = 0; i < config_.concurrency; ++i) {
    const Clock::time_point now = Clock::now();
    const Phase phase = Admit(now);
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
    const Phase phase = Admit(next);
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
  const Phase next = config_.rate > 0 ? Phase::kStop : Admit(end);
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
