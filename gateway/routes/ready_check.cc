#include "gateway/routes/ready_check.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "gateway/routes/error_reply.h"

namespace hashmesh::gateway {
namespace {

std::string UpstreamState(const absl::Status& status) {
  return status.ok() ? "SERVING" : absl::StatusCodeToString(status.code());
}

// Both probes' answers; they may arrive on two threads at once, and the
// second to arrive answers.
struct Answers {
  absl::Status store;
  absl::Status engine;
  std::atomic<int> pending{2};
  ReplyCallback done;
};

Reply ReadinessReply(const Answers& a) {
  if (a.store.ok() && a.engine.ok()) {
    return JsonReply(
        200, R"({"status":"ready","store":"SERVING","engine":"SERVING"})");
  }
  const bool store_down = !a.store.ok();
  const absl::Status& first = store_down ? a.store : a.engine;
  const HttpError error = ToHttpError(
      ApiError(ErrorCode::kNotReady,
               absl::StrCat(store_down ? "store" : "engine",
                            " is not serving: ", first.ToString())));
  // The error object, then each upstream's state beside it.
  std::string body = ErrorBody(error);
  body.pop_back();
  absl::StrAppend(&body, R"(,"store":")", UpstreamState(a.store),
                  R"(","engine":")", UpstreamState(a.engine), R"("})");
  return JsonReply(error.status, std::move(body));
}

void Ask(HealthProbe* probe, HealthProbe::Callback done) {
  if (probe == nullptr) {
    std::move(done)(absl::OkStatus());
  } else {
    probe->Check(std::move(done));
  }
}

}  // namespace

void ReadyCheck::Check(ReplyCallback done) {
  if (draining_.load(std::memory_order_relaxed)) {
    std::move(done)(ErrorReply(ApiError(ErrorCode::kServiceUnavailable,
                                        "the gateway is shutting down")));
    return;
  }
  auto answers = std::make_shared<Answers>();
  answers->done = std::move(done);
  auto into = [answers](absl::Status Answers::*slot) {
    return [answers, slot](absl::Status status) {
      (*answers).*slot = std::move(status);
      if (answers->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::move(answers->done)(ReadinessReply(*answers));
      }
    };
  };
  Ask(store_, into(&Answers::store));
  Ask(engine_, into(&Answers::engine));
}

}  // namespace hashmesh::gateway
