#include "gateway/app.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/json_escape.h"

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;

struct RouteSpec {
  absl::string_view path;
  Route route;
  http::verb method;
  const char* allow;
};

constexpr RouteSpec kRoutes[] = {
    {"/v1/payments", Route::kPayments, http::verb::post, "POST"},
    {"/healthz", Route::kHealthz, http::verb::get, "GET"},
    {"/readyz", Route::kReadyz, http::verb::get, "GET"},
    {"/metrics", Route::kMetrics, http::verb::get, "GET"},
};

Reply JsonReply(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

std::string UpstreamState(const absl::Status& status) {
  return status.ok() ? "SERVING" : absl::StatusCodeToString(status.code());
}

// Both probes' answers, gathered on the connection's executor.
struct Readiness {
  absl::Status store = absl::UnknownError("pending");
  absl::Status engine = absl::UnknownError("pending");
  int pending = 2;
  ReplyCallback done;
};

Reply ReadinessReply(const Readiness& r) {
  if (r.store.ok() && r.engine.ok()) {
    return JsonReply(
        200, R"({"status":"ready","store":"SERVING","engine":"SERVING"})");
  }
  const bool store_down = !r.store.ok();
  const absl::Status& first = store_down ? r.store : r.engine;
  std::string message = absl::StrCat(store_down ? "store" : "engine",
                                     " is not serving: ", first.ToString());
  std::string body = R"({"error":{"code":"not_ready","message":)";
  AppendJsonString(message, &body);
  absl::StrAppend(&body, R"(},"store":")", UpstreamState(r.store),
                  R"(","engine":")", UpstreamState(r.engine), R"("})");
  return JsonReply(503, std::move(body));
}

}  // namespace

RouteMatch MatchRoute(http::verb method, absl::string_view target) {
  const absl::string_view path = target.substr(0, target.find('?'));
  for (const RouteSpec& spec : kRoutes) {
    if (spec.path == path) {
      return {spec.route, method == spec.method, spec.allow};
    }
  }
  return {};
}

GatewayApp::GatewayApp(PaymentHandler* payments, HealthProbe* store,
                       HealthProbe* engine, const Metrics* metrics)
    : payments_(payments), store_(store), engine_(engine), metrics_(metrics) {}

void GatewayApp::Handle(const RouteMatch& match, absl::string_view target,
                        std::optional<absl::string_view> content_type,
                        absl::string_view body,
                        const boost::asio::any_io_executor& executor,
                        ReplyCallback done) {
  if (match.route == Route::kOther) {
    const absl::string_view path = target.substr(0, target.find('?'));
    std::move(done)(
        ErrorReply(ApiError(absl::StatusCode::kNotFound, error_code::kNotFound,
                            absl::StrCat("no route for ", path))));
    return;
  }
  if (!match.method_allowed) {
    Reply reply = ErrorReply(ApiError(
        absl::StatusCode::kUnimplemented, error_code::kMethodNotAllowed,
        absl::StrCat("method not allowed; use ", match.allow)));
    reply.allow = match.allow;
    std::move(done)(std::move(reply));
    return;
  }
  switch (match.route) {
    case Route::kPayments:
      payments_->Handle(content_type, body, executor, std::move(done));
      return;
    case Route::kHealthz:
      std::move(done)(JsonReply(200, R"({"status":"ok"})"));
      return;
    case Route::kReadyz:
      Ready(executor, std::move(done));
      return;
    case Route::kMetrics: {
      Reply reply = JsonReply(200, metrics_->RenderPrometheus());
      reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
      std::move(done)(std::move(reply));
      return;
    }
    case Route::kOther:
      break;
  }
}

void GatewayApp::Ready(const boost::asio::any_io_executor& executor,
                       ReplyCallback done) {
  if (draining()) {
    std::move(done)(ErrorReply(ApiError(absl::StatusCode::kUnavailable,
                                        error_code::kServiceUnavailable,
                                        "the gateway is shutting down")));
    return;
  }
  auto state = std::make_shared<Readiness>();
  state->done = std::move(done);
  auto finish = [state](absl::Status Readiness::*slot) {
    return [state, slot](absl::Status status) {
      (*state).*slot = std::move(status);
      if (--state->pending == 0) std::move(state->done)(ReadinessReply(*state));
    };
  };
  store_->Check(executor, finish(&Readiness::store));
  engine_->Check(executor, finish(&Readiness::engine));
}

}  // namespace hashmesh::gateway
