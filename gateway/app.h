// The gateway's routes: /v1/payments, /healthz, /readyz, /metrics; 404 and 405
// otherwise.
#ifndef HASHMESH_GATEWAY_APP_H_
#define HASHMESH_GATEWAY_APP_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>
#include <optional>

#include "absl/strings/string_view.h"
#include "gateway/http/reply.h"
#include "gateway/metrics/metrics.h"
#include "gateway/payment_handler.h"
#include "gateway/upstream/readiness.h"

namespace hashmesh::gateway {

struct RouteMatch {
  Route route = Route::kOther;
  bool method_allowed = false;
  const char* allow = nullptr;  // methods the route takes, for 405's Allow
};

// Routing comes first and matches the path exactly as sent, query ignored.
RouteMatch MatchRoute(boost::beast::http::verb method,
                      absl::string_view target);

class GatewayApp {
 public:
  // Everything passed must outlive the app.
  GatewayApp(PaymentHandler* payments, HealthProbe* store, HealthProbe* engine,
             const Metrics* metrics);

  // Answers a complete request; `done` may run on any thread.
  void Handle(const RouteMatch& match, absl::string_view target,
              std::optional<absl::string_view> content_type,
              absl::string_view body,
              const boost::asio::any_io_executor& executor, ReplyCallback done);

  // From now on /readyz answers 503, so load balancers stop sending.
  void StartDraining() { draining_.store(true); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }

 private:
  void Ready(const boost::asio::any_io_executor& executor, ReplyCallback done);

  PaymentHandler* payments_;
  HealthProbe* store_;
  HealthProbe* engine_;
  const Metrics* metrics_;
  std::atomic<bool> draining_{false};
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_APP_H_
