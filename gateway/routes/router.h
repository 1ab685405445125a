// The gateway's application: routes each request to its handler and applies
// the route's policy (body limit, media type, how it is counted).
#ifndef HASHMESH_GATEWAY_ROUTES_ROUTER_H_
#define HASHMESH_GATEWAY_ROUTES_ROUTER_H_

#include <bitset>
#include <cstddef>

#include "gateway/http/connection_stats.h"
#include "gateway/http/handler.h"
#include "gateway/payment/payment_processor.h"
#include "gateway/routes/ready_check.h"
#include "gateway/routes/route_metrics.h"
#include "gateway/routes/routes.h"
#include "gateway/upstream/upstream_metrics.h"

namespace hashmesh::gateway {

// What the router serves; everything must outlive it.
struct RouterDeps {
  PaymentProcessor* payments = nullptr;
  ReadyCheck* ready = nullptr;
  RouteMetrics* route_metrics = nullptr;
  const UpstreamMetrics* upstream_metrics = nullptr;
  const ConnectionStats* connection_stats = nullptr;
  size_t max_body_bytes = 0;  // for 413's message: the HTTP layer's limit
  // The routes this router answers; the others are answered and counted as
  // unknown paths (404). With --admin_listen, the public port serves all but
  // /metrics and the admin port only /healthz, /readyz and /metrics.
  std::bitset<kRouteCount> served = AllRoutes();

  static std::bitset<kRouteCount> AllRoutes() {
    return std::bitset<kRouteCount>().set();
  }
};

// One per I/O thread (each with its own PaymentProcessor); thread-safe
// otherwise. Every reply is counted in RouteMetrics under its route.
class Router final : public HttpHandler {
 public:
  explicit Router(const RouterDeps& deps) : deps_(deps) {}

  void Handle(const HttpRequest& request, ReplyCallback done) override;
  void Refuse(HttpFailure failure, const HttpRequest* request,
              absl::string_view detail, ReplyCallback done) override;

 private:
  // The request's route, or kOther for one this router does not serve.
  RouteMatch Match(const HttpRequest& request) const;
  // Answers `request` on its matched route; `done` is counted already.
  void Dispatch(const HttpRequest& request, const RouteMatch& match,
                ReplyCallback done);
  void Payments(const HttpRequest& request, ReplyCallback done);
  std::string MetricsPage() const;
  // `done`, recording the reply under `route` first.
  ReplyCallback Counted(Route route, absl::Time received, ReplyCallback done);

  const RouterDeps deps_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_ROUTES_ROUTER_H_
