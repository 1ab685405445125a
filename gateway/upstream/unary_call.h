// A unary callback-API call to an upstream that owns its state until gRPC
// is done with it, and that a drain can cancel.
#ifndef HASHMESH_GATEWAY_UPSTREAM_UNARY_CALL_H_
#define HASHMESH_GATEWAY_UPSTREAM_UNARY_CALL_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>
#include <memory>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "gateway/upstream/client_calls.h"

namespace hashmesh::gateway {

// The reactor keeps itself alive from StartCall to OnDone; `done` runs once
// on the gRPC thread that completed the call, with the response to move
// from. The registry's base is declared first so that it is destroyed last,
// after the context and the callback.
template <typename Request, typename Response>
class UnaryCall final : public ClientCalls::Call,
                        public grpc::ClientUnaryReactor {
 public:
  using Done = absl::AnyInvocable<void(const grpc::Status&, Response&) &&>;
  // Binds the call to its method: stub->async()->Method(context, request,
  // response, reactor).
  using Bind = absl::FunctionRef<void(grpc::ClientContext*, const Request*,
                                      Response*, grpc::ClientUnaryReactor*)>;

  // Starts the call with `deadline`, or, once `calls` refuses new calls (the
  // gateway drains), runs `done` at once with UNAVAILABLE. Like every gRPC
  // call by default, it fails at once on an upstream known to be down
  // instead of waiting for it.
  static void Start(ClientCalls* calls, Request request, absl::Time deadline,
                    Bind bind, Done done) {
    auto call = std::shared_ptr<UnaryCall>(
        new UnaryCall(std::move(request), std::move(done)));
    call->context_.set_deadline(absl::ToChronoTime(deadline));
    if (!calls->Add(call)) {
      std::move(call->done_)(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                          "the gateway is shutting down"),
                             call->response_);
      return;
    }
    bind(&call->context_, &call->request_, &call->response_, call.get());
    UnaryCall* started = call.get();
    started->self_ = std::move(call);
    started->StartCall();
  }

  void Cancel() override {
    cancelled_.store(true, std::memory_order_relaxed);
    context_.TryCancel();
  }

 private:
  // UNAVAILABLE rather than the CANCELLED gRPC reports: the caller's
  // payment answers 503, as for any upstream the gateway cannot reach.
  static grpc::Status ShuttingDown() {
    return {grpc::StatusCode::UNAVAILABLE, "the gateway is shutting down"};
  }

  UnaryCall(Request request, Done done)
      : request_(std::move(request)), done_(std::move(done)) {}

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<UnaryCall> keep = std::move(self_);
    const bool by_drain = cancelled_.load(std::memory_order_relaxed) &&
                          status.error_code() == grpc::StatusCode::CANCELLED;
    std::move(done_)(by_drain ? ShuttingDown() : status, response_);
  }

  grpc::ClientContext context_;
  Request request_;
  Response response_;
  Done done_;
  std::atomic<bool> cancelled_{false};
  std::shared_ptr<UnaryCall> self_;  // from StartCall to OnDone
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_UNARY_CALL_H_
