#include "bench/loadgen/stream_runner.h"

#include <algorithm>
#include <utility>

namespace hashmesh::loadgen {

absl::StatusOr<std::unique_ptr<StreamRunner>> StreamRunner::Connect(
    LoadConfig config, std::unique_ptr<RequestSource> requests) {
  auto stubs = ConnectStubs(config);
  if (!stubs.ok()) return stubs.status();
  return std::unique_ptr<StreamRunner>(new StreamRunner(
      std::move(config), std::move(requests), *std::move(stubs)));
}

StreamRunner::StreamRunner(
    LoadConfig config, std::unique_ptr<RequestSource> requests,
    std::vector<std::unique_ptr<grpc::GenericStub>> stubs)
    : config_(std::move(config)),
      requests_(std::move(requests)),
      stubs_(std::move(stubs)) {}

std::chrono::system_clock::time_point StreamRunner::StreamDeadline() const {
  const absl::Duration length =
      config_.count > 0 ? config_.deadline * static_cast<double>(config_.count)
                        : config_.duration;
  const absl::Duration bound =
      std::min(config_.warmup + length + config_.deadline, absl::Hours(24));
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(bound);
}

LoadResult StreamRunner::Run(std::vector<grpc::Status>* failures) {
  phases_.emplace(config_, RunPhases::Clock::now());
  const StreamRunShared shared{&config_, requests_.get(), &*phases_,
                               &next_item_};
  const int streams = config_.streams;
  const auto deadline = StreamDeadline();
  {
    absl::MutexLock lock(&mu_);
    open_ = streams;
  }
  for (int i = 0; i < streams; ++i) {
    // Fixed batches: a message's worth per stream. Natural: the items in
    // flight spread evenly.
    const int slots = config_.items_per_message > 0
                          ? config_.items_per_message
                          : config_.concurrency / streams +
                                (i < config_.concurrency % streams ? 1 : 0);
    streams_.push_back(std::make_unique<ItemStream>(shared, slots, [this] {
      absl::MutexLock lock(&mu_);
      --open_;
    }));
  }
  for (int i = 0; i < streams; ++i) {
    streams_[i]->Start(stubs_[i % stubs_.size()].get(), deadline);
  }
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &StreamRunner::AllEnded));
  }
  LoadResult result;
  RunPhases::Clock::time_point last_end = phases_->warmup_end();
  for (auto& stream : streams_) {
    grpc::Status status = stream->Collect(&result, &last_end);
    if (!status.ok() && failures != nullptr) {
      failures->push_back(std::move(status));
    }
  }
  result.elapsed = absl::FromChrono(last_end - phases_->warmup_end());
  return result;
}

}  // namespace hashmesh::loadgen
