#include "gateway/routes/routes.h"

#include <array>

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;

struct RouteSpec {
  absl::string_view path;
  Route route;
  http::verb method;
  const char* allow;
  bool json_body;
};

// In Route's order, so that a route's row is its index.
constexpr std::array<RouteSpec, kRouteCount - 1> kRoutes = {{
    {"/v1/payments", Route::kPayments, http::verb::post, "POST", true},
    {"/healthz", Route::kHealthz, http::verb::get, "GET", false},
    {"/readyz", Route::kReadyz, http::verb::get, "GET", false},
    {"/metrics", Route::kMetrics, http::verb::get, "GET", false},
}};

}  // namespace

absl::string_view RouteName(Route route) {
  return route == Route::kOther ? "other"
                                : kRoutes[static_cast<int>(route)].path;
}

absl::string_view PathOf(absl::string_view target) {
  return target.substr(0, target.find('?'));
}

RouteMatch MatchRoute(http::verb method, absl::string_view target) {
  const absl::string_view path = PathOf(target);
  for (const RouteSpec& spec : kRoutes) {
    if (spec.path == path) {
      return {spec.route, method == spec.method, spec.allow, spec.json_body};
    }
  }
  return {};
}

}  // namespace hashmesh::gateway
