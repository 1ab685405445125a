#include "bench/grpcfloor/floor_service.h"

#include <algorithm>
#include <utility>

namespace hashmesh::grpcfloor {
namespace {

// Calls each queue keeps requested ahead of arrivals, so a burst finds a
// waiting request instead of queueing inside gRPC until one is posted.
constexpr int kRequestsAhead = 128;
// Streams are long-lived: a few requested ahead suffice.
constexpr int kStreamsAhead = 8;

}  // namespace

// A completion-queue tag: each call is its own, and the queue's event moves
// it to its next step.
struct FloorService::Tag {
  virtual ~Tag() = default;
  // Returns false once the call is over (the caller deletes it).
  virtual bool Proceed(bool ok) = 0;
};

// One GetAccount: first "a call arrived", then "the reply has been sent".
struct FloorService::Call final : Tag {
  Call(FloorService* floor, grpc::ServerCompletionQueue* cq)
      : floor(floor), cq(cq), writer(&context) {
    floor->service_.RequestGetAccount(&context, &request, &writer, cq, cq,
                                      this);
  }

  bool Proceed(bool ok) override {
    // A request with ok=false: the server is shutting down, not replaced.
    if (answered || !ok) return false;
    new Call(floor, cq);
    answered = true;
    // Counted before the reply leaves, so a client that has it sees the
    // count.
    floor->answered_.fetch_add(1, std::memory_order_release);
    writer.Finish(floor->reply_, grpc::Status::OK, this);
    return true;
  }

  FloorService* const floor;
  grpc::ServerCompletionQueue* const cq;
  grpc::ServerContext context;
  pgstub::v1::GetAccountRequest request;
  grpc::ServerAsyncResponseWriter<pgstub::v1::Account> writer;
  bool answered = false;
};

// One GetAccountStream: read a batch, write every item's result (the fixed
// row) in one message, read the next; when the client half-closes, finish
// OK. One operation in flight at a time, so one tag suffices.
struct FloorService::StreamCall final : Tag {
  StreamCall(FloorService* floor, grpc::ServerCompletionQueue* cq)
      : floor(floor), cq(cq), stream(&context) {
    floor->service_.RequestGetAccountStream(&context, &stream, cq, cq, this);
  }

  bool Proceed(bool ok) override {
    switch (step) {
      case Step::kRequested:
        if (!ok) return false;  // shutting down: not replaced
        new StreamCall(floor, cq);
        Read();
        return true;
      case Step::kReading:
        if (!ok) {  // the client half-closed (or the call ended)
          step = Step::kFinishing;
          stream.Finish(grpc::Status::OK, this);
          return true;
        }
        Answer();
        return true;
      case Step::kWriting:
        if (!ok) {  // broken: nothing more can be sent
          step = Step::kFinishing;
          stream.Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                     "stream broken while writing"),
                        this);
          return true;
        }
        Read();
        return true;
      case Step::kFinishing:
        return false;
    }
    return false;
  }

  void Read() {
    step = Step::kReading;
    batch.Clear();
    stream.Read(&batch, this);
  }

  void Answer() {
    results.Clear();
    for (const pgstub::v1::GetAccountItem& item : batch.items()) {
      pgstub::v1::AccountResult* result = results.add_results();
      result->set_id(item.id());
      *result->mutable_account() = floor->reply_;
    }
    floor->items_answered_.fetch_add(static_cast<uint64_t>(batch.items_size()),
                                     std::memory_order_release);
    step = Step::kWriting;
    stream.Write(results, this);
  }

  enum class Step { kRequested, kReading, kWriting, kFinishing };

  FloorService* const floor;
  grpc::ServerCompletionQueue* const cq;
  grpc::ServerContext context;
  grpc::ServerAsyncReaderWriter<pgstub::v1::AccountResultBatch,
                                pgstub::v1::GetAccountBatch>
      stream;
  pgstub::v1::GetAccountBatch batch;
  pgstub::v1::AccountResultBatch results;
  Step step = Step::kRequested;
};

FloorService::FloorService(pgstub::v1::Account reply, int threads)
    : reply_(std::move(reply)), threads_(std::max(threads, 1)) {}

FloorService::~FloorService() { Stop(); }

void FloorService::AddTo(grpc::ServerBuilder& builder) {
  for (int i = 0; i < threads_; ++i) {
    queues_.push_back(builder.AddCompletionQueue());
  }
}

void FloorService::Start() {
  for (auto& queue : queues_) {
    pollers_.emplace_back([this, cq = queue.get()] { Poll(cq); });
  }
}

void FloorService::Stop() {
  if (pollers_.empty()) return;
  for (auto& queue : queues_) queue->Shutdown();
  for (std::thread& poller : pollers_) poller.join();
  pollers_.clear();
}

// Runs until the queue is shut down and drained.
void FloorService::Poll(grpc::ServerCompletionQueue* cq) {
  for (int i = 0; i < kRequestsAhead; ++i) new Call(this, cq);
  for (int i = 0; i < kStreamsAhead; ++i) new StreamCall(this, cq);
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
    auto* call = static_cast<Tag*>(tag);
    if (!call->Proceed(ok)) delete call;
  }
}

}  // namespace hashmesh::grpcfloor
