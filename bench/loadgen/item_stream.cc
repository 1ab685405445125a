#include "bench/loadgen/item_stream.h"

#include <grpcpp/support/slice.h>

#include <algorithm>
#include <utility>

namespace hashmesh::loadgen {
namespace {

constexpr int kDeadlineExceeded =
    static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED);
constexpr int kInternal = static_cast<int>(grpc::StatusCode::INTERNAL);

}  // namespace

ItemStream::ItemStream(const StreamRunShared& shared, int slots,
                       absl::AnyInvocable<void()> on_done)
    : shared_(shared),
      slots_(slots),
      fixed_(shared.config->items_per_message > 0),
      on_done_(std::move(on_done)),
      // A fixed batch is one message; natural batching caps it.
      ready_(static_cast<size_t>(
          fixed_ ? slots : shared.config->max_items_per_message)) {}

void ItemStream::Start(grpc::GenericStub* stub,
                       std::chrono::system_clock::time_point deadline) {
  context_.set_deadline(deadline);
  stub->PrepareBidiStreamingCall(&context_, shared_.config->method,
                                 grpc::StubOptions(), this);
  {
    absl::MutexLock lock(&mu_);
    last_measured_end_ = shared_.phases->warmup_end();
    AddItemsLocked(slots_, Clock::now());
    FlushLocked();
  }
  StartRead(&in_);
  StartCall();
}

grpc::Status ItemStream::Collect(LoadResult* total,
                                 Clock::time_point* last_measured_end) {
  absl::MutexLock lock(&mu_);
  total->Merge(result_);
  *last_measured_end = std::max(*last_measured_end, last_measured_end_);
  return status_;
}

void ItemStream::AddItemsLocked(int n, Clock::time_point now) {
  for (int i = 0; i < n && !stopping_; ++i) {
    const RunPhases::Phase phase = shared_.phases->Admit(now);
    if (phase == RunPhases::Phase::kStop) {
      stopping_ = true;
      break;
    }
    const uint64_t id =
        shared_.next_item->fetch_add(1, std::memory_order_relaxed);
    pending_.emplace(id, Pending{now, phase == RunPhases::Phase::kMeasured});
    ready_.Push(id);
  }
}

void ItemStream::FlushLocked() {
  if (ready_.writing() || writes_done_) return;
  if (ready_.empty()) {
    if (stopping_) {
      writes_done_ = true;
      StartWritesDone();
    }
    return;
  }
  std::string batch;
  int measured = 0;
  const size_t n = ready_.TakeMessage([&](uint64_t id) {
    AppendItem(id, shared_.requests->RequestBytes(id), &batch);
    measured += pending_.at(id).measured ? 1 : 0;
    return true;
  });
  if (measured > 0) {  // the run's messages, warm-up excluded
    ++result_.messages_sent;
    result_.items_sent += n;
  }
  grpc::Slice slice(batch);
  out_ = grpc::ByteBuffer(&slice, 1);
  StartWrite(&out_);
}

void ItemStream::RecordLocked(const Pending& item, int code,
                              Clock::time_point end) {
  if (!item.measured) return;
  result_.latency.Record(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - item.start)
          .count());
  ++result_.calls_by_code[std::clamp(code, 0, kStatusCodeCount - 1)];
  last_measured_end_ = std::max(last_measured_end_, end);
}

void ItemStream::OnReadDone(bool ok) {
  if (!ok) return;  // the stream ended; OnDone follows
  const absl::Status read = ReadResults(&in_, &results_);
  const Clock::time_point now = Clock::now();
  const auto deadline = std::chrono::duration_cast<Clock::duration>(
      absl::ToChronoNanoseconds(shared_.config->deadline));
  {
    absl::MutexLock lock(&mu_);
    if (!read.ok()) {
      malformed_ = true;
    } else {
      int answered = 0;
      bool measured = false;
      for (const ItemResult& r : results_) {
        auto it = pending_.find(r.id);
        if (it == pending_.end()) continue;  // not ours: ignored
        const bool late = now - it->second.start > deadline;
        RecordLocked(it->second, late ? kDeadlineExceeded : r.code, now);
        measured = measured || it->second.measured;
        pending_.erase(it);
        ++answered;
      }
      if (measured) {
        ++result_.messages_received;
        result_.results_received += results_.size();
      }
      if (!fixed_) {
        AddItemsLocked(answered, now);
      } else if (pending_.empty()) {
        AddItemsLocked(slots_, now);
      }
      FlushLocked();
    }
  }
  if (!read.ok()) {
    context_.TryCancel();  // unlocked: it may run reactions at once
    return;
  }
  StartRead(&in_);
}

void ItemStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  ready_.WriteDone();
  if (ok) FlushLocked();  // else the read side sees the end too
}

void ItemStream::OnDone(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    status_ = status;
    if (malformed_) {
      status_ = grpc::Status(grpc::StatusCode::INTERNAL,
                             "malformed result batch from the server");
    }
    // Items without a result fail with the stream's status (an OK end with
    // items unanswered breaks SPEC.md's contract: INTERNAL).
    const int code =
        status_.ok() ? kInternal : static_cast<int>(status_.error_code());
    const Clock::time_point now = Clock::now();
    for (const auto& [id, item] : pending_) RecordLocked(item, code, now);
    pending_.clear();
  }
  // Last, from the stack: the runner may destroy this stream from now on.
  absl::AnyInvocable<void()> done = std::move(on_done_);
  std::move(done)();
}

}  // namespace hashmesh::loadgen
