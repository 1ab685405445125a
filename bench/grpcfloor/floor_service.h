// The cheapest AccountStore server gRPC 1.51 allows: the floor of a gRPC hop.
#ifndef HASHMESH_BENCH_GRPCFLOOR_FLOOR_SERVICE_H_
#define HASHMESH_BENCH_GRPCFLOOR_FLOOR_SERVICE_H_

#include <grpcpp/server_builder.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::grpcfloor {

// What bench/run.sh's nginx floor is to HTTP, this is to gRPC: every
// GetAccount is answered at once with the same row, on the completion-queue
// API with one queue and one polling thread per core (the gRPC performance
// notes' recommendation), so nothing but gRPC's own work is left per call.
// GetAccountStream (SPEC.md "Batch streams") likewise: every item of a
// message is answered with the same row under its id, all of one message's
// results in one message, read -> write -> read, so the floor of a hop per
// item is measured the same way for streams.
// Set against it, pgstub's CPU per call is what hashmesh's design adds (the
// callback API, the table, the 2 ms timer) and the rest is gRPC's floor.
//
// Lifecycle: AddTo(builder) before the server is built, Start() once it runs,
// Stop() after the server has shut down (it drains and joins the threads).
class FloorService {
 public:
  // `reply` answers every call, whatever it asks for.
  FloorService(pgstub::v1::Account reply, int threads);
  ~FloorService();  // Stop() if still running

  FloorService(const FloorService&) = delete;
  FloorService& operator=(const FloorService&) = delete;

  grpc::Service* service() { return &service_; }

  // Adds one completion queue per thread; the service itself is registered
  // by whoever builds the server (services/common's GrpcServer).
  void AddTo(grpc::ServerBuilder& builder);
  void Start();
  // Only once the server has shut down: a server must not outlive the
  // completion queues it posts to. Idempotent.
  void Stop();

  // Unary calls answered so far, each counted before its reply is sent;
  // tests read it.
  uint64_t answered() const {
    return answered_.load(std::memory_order_acquire);
  }
  // Stream items answered so far, likewise.
  uint64_t items_answered() const {
    return items_answered_.load(std::memory_order_acquire);
  }

 private:
  struct Tag;
  struct Call;
  struct StreamCall;

  void Poll(grpc::ServerCompletionQueue* cq);

  const pgstub::v1::Account reply_;
  const int threads_;
  pgstub::v1::AccountStore::AsyncService service_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::vector<std::thread> pollers_;
  std::atomic<uint64_t> answered_{0};
  std::atomic<uint64_t> items_answered_{0};
};

}  // namespace hashmesh::grpcfloor

#endif  // HASHMESH_BENCH_GRPCFLOOR_FLOOR_SERVICE_H_
