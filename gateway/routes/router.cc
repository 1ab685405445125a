#include "gateway/routes/router.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/payment_request.h"
#include "gateway/routes/error_reply.h"

namespace hashmesh::gateway {
namespace {

constexpr char kPrometheusContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

RouteMatch Router::Match(const HttpRequest& request) const {
  const RouteMatch match = MatchRoute(request.method, request.target);
  if (match.route == Route::kOther ||
      !deps_.served.test(static_cast<size_t>(match.route))) {
    return {};
  }
  return match;
}

void Router::Handle(const HttpRequest& request, ReplyCallback done) {
  const RouteMatch match = Match(request);
  Dispatch(request, match,
           Counted(match.route, request.received, std::move(done)));
}

void Router::Refuse(HttpFailure failure, const HttpRequest* request,
                    absl::string_view detail, ReplyCallback done) {
  // Without a parsed header there is no route, nor a time to count from.
  const RouteMatch match = request != nullptr ? Match(*request) : RouteMatch{};
  done =
      Counted(match.route, request != nullptr ? request->received : absl::Now(),
              std::move(done));
  switch (failure) {
    case HttpFailure::kTooManyConnections:
      std::move(done)(
          ErrorReply(ApiError(ErrorCode::kServiceUnavailable,
                              "too many connections; retry later")));
      return;
    case HttpFailure::kHeaderTooLarge:
      std::move(done)(ErrorReply(
          ApiError(ErrorCode::kRequestHeaderFieldsTooLarge, detail)));
      return;
    case HttpFailure::kMalformed:
      std::move(done)(ErrorReply(
          ApiError(ErrorCode::kBadRequest,
                   absl::StrCat("malformed HTTP request: ", detail))));
      return;
    case HttpFailure::kTransferCodingNotImplemented:
      std::move(done)(ErrorReply(ApiError(ErrorCode::kNotImplemented, detail)));
      return;
    case HttpFailure::kBodyTooLarge:
      // Routing comes first: only a route that takes a body answers 413;
      // the others answer as usual, their body unread.
      if (request == nullptr || (match.json_body && match.method_allowed)) {
        std::move(done)(ErrorReply(PayloadTooLargeError(deps_.max_body_bytes)));
        return;
      }
      Dispatch(*request, match, std::move(done));
      return;
  }
}

void Router::Dispatch(const HttpRequest& request, const RouteMatch& match,
                      ReplyCallback done) {
  if (match.route == Route::kOther) {
    std::move(done)(ErrorReply(
        ApiError(ErrorCode::kNotFound,
                 absl::StrCat("no route for ", PathOf(request.target)))));
    return;
  }
  if (!match.method_allowed) {
    Reply reply = ErrorReply(
        ApiError(ErrorCode::kMethodNotAllowed,
                 absl::StrCat("method not allowed; use ", match.allow)));
    reply.allow = match.allow;
    std::move(done)(std::move(reply));
    return;
  }
  switch (match.route) {
    case Route::kPayments:
      Payments(request, std::move(done));
      return;
    case Route::kHealthz:
      std::move(done)(JsonReply(200, R"({"status":"ok"})"));
      return;
    case Route::kReadyz:
      deps_.ready->Check(std::move(done));
      return;
    case Route::kMetrics: {
      Reply reply = JsonReply(200, MetricsPage());
      reply.content_type = kPrometheusContentType;
      std::move(done)(std::move(reply));
      return;
    }
    case Route::kOther:
      return;
  }
}

void Router::Payments(const HttpRequest& request, ReplyCallback done) {
  if (absl::Status s = CheckMediaType(request.content_type); !s.ok()) {
    std::move(done)(ErrorReply(s));
    return;
  }
  deps_.payments->Process(
      request.body,
      [done = std::move(done)](absl::StatusOr<std::string> body) mutable {
        std::move(done)(body.ok() ? JsonReply(201, *std::move(body))
                                  : ErrorReply(body.status()));
      });
}

std::string Router::MetricsPage() const {
  std::string out;
  out.reserve(8192);
  deps_.route_metrics->AppendPrometheus(&out);
  deps_.upstream_metrics->AppendPrometheus(&out);
  deps_.connection_stats->AppendPrometheus(&out);
  return out;
}

ReplyCallback Router::Counted(Route route, absl::Time received,
                              ReplyCallback done) {
  return [metrics = deps_.route_metrics, route, received,
          done = std::move(done)](Reply reply) mutable {
    metrics->Record(route, reply.status, absl::Now() - received);
    std::move(done)(std::move(reply));
  };
}

}  // namespace hashmesh::gateway
