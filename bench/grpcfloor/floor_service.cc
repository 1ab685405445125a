#include "bench/grpcfloor/floor_service.h"

#include <algorithm>
#include <utility>

namespace hashmesh::grpcfloor {
namespace {

// Calls each queue keeps requested ahead of arrivals, so a burst finds a
// waiting request instead of queueing inside gRPC until one is posted.
constexpr int kRequestsAhead = 128;

}  // namespace

// One call, its own completion-queue tag: first "a call arrived", then "the
// reply has been sent".
struct FloorService::Call {
  Call() : writer(&context) {}

  grpc::ServerContext context;
  pgstub::v1::GetAccountRequest request;
  grpc::ServerAsyncResponseWriter<pgstub::v1::Account> writer;
  bool answered = false;
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

void FloorService::Request(grpc::ServerCompletionQueue* cq) {
  auto* call = new Call;
  service_.RequestGetAccount(&call->context, &call->request, &call->writer, cq,
                             cq, call);
}

// Runs until the queue is shut down and drained. A request tag with ok=false
// means the server is shutting down: it is not replaced.
void FloorService::Poll(grpc::ServerCompletionQueue* cq) {
  for (int i = 0; i < kRequestsAhead; ++i) Request(cq);
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
    auto* call = static_cast<Call*>(tag);
    if (call->answered || !ok) {
      delete call;
      continue;
    }
    Request(cq);
    call->answered = true;
    // Counted before the reply leaves, so a client that has it sees the count.
    answered_.fetch_add(1, std::memory_order_release);
    call->writer.Finish(reply_, grpc::Status::OK, call);
  }
}

}  // namespace hashmesh::grpcfloor
