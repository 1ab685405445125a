// A deliberate data race inside a gRPC callback, built in the TSan preset
// only: ctest passes when ThreadSanitizer reports it. It proves that the
// suppressions of tests/support/tsan_absl_sync.cc leave hashmesh's code run
// by gRPC's callback machinery checked (a suppression that matches any gRPC
// frame on the stack would hide this report, and every real one like it).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "absl/synchronization/notification.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"

namespace hashmesh {
namespace {

namespace v1 = engine::v1;

int shared_value = 0;  // written by two threads, deliberately unguarded
// A relaxed flag lets the main thread wait for the handler's write without
// creating a happens-before edge: the race stays a race for TSan.
std::atomic<bool> written{false};

[[gnu::noinline]] void WriteFromCallback() {
  shared_value = 1;
  written.store(true, std::memory_order_relaxed);
}

class RacyEngine final : public v1::HashEngine::CallbackService {
  grpc::ServerUnaryReactor* Hash(grpc::CallbackServerContext* context,
                                 const v1::HashRequest* /*request*/,
                                 v1::HashResponse* /*response*/) override {
    WriteFromCallback();
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int Run() {
  RacyEngine service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;

  auto stub = v1::HashEngine::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::HashRequest request;
  v1::HashResponse response;
  absl::Notification done;
  stub->async()->Hash(&context, &request, &response,
                      [&done](const grpc::Status&) { done.Notify(); });
  while (!written.load(std::memory_order_relaxed)) {
  }
  shared_value = 2;  // races with WriteFromCallback
  done.WaitForNotification();
  server->Shutdown();
  std::printf("shared_value=%d\n", shared_value);
  return 0;
}

}  // namespace
}  // namespace hashmesh

int main() { return hashmesh::Run(); }
