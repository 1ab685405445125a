// The gateway's routes and what each one's policy is: path, method, whether
// it takes a JSON body, and what a body over the limit gets.
#ifndef HASHMESH_GATEWAY_ROUTES_ROUTES_H_
#define HASHMESH_GATEWAY_ROUTES_ROUTES_H_

// clang-format off
#include <ostream>  // first: Boost 1.81's string_view.hpp uses it unincluded
// clang-format on
#include <boost/beast/http/verb.hpp>

#include "absl/strings/string_view.h"

namespace hashmesh::gateway {

enum class Route { kPayments, kHealthz, kReadyz, kMetrics, kOther };
inline constexpr int kRouteCount = 5;

// The route's metrics label: its path, or "other".
absl::string_view RouteName(Route route);

struct RouteMatch {
  Route route = Route::kOther;
  bool method_allowed = false;
  const char* allow = nullptr;  // methods the route takes, for 405's Allow
  // The body must be application/json (415 otherwise), and one over the limit
  // is answered 413; other routes answer as usual and ignore the body.
  bool json_body = false;
};

// Routing comes first and matches the path exactly as sent (no decoding, no
// folding), query ignored.
RouteMatch MatchRoute(boost::beast::http::verb method,
                      absl::string_view target);

// The path of `target`: everything before '?'.
absl::string_view PathOf(absl::string_view target);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_ROUTES_ROUTES_H_
