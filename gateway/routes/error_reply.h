// An API error (payment/api_error.h) as the HTTP reply that carries it.
#ifndef HASHMESH_GATEWAY_ROUTES_ERROR_REPLY_H_
#define HASHMESH_GATEWAY_ROUTES_ERROR_REPLY_H_

#include "absl/status/status.h"
#include "gateway/http/handler.h"

namespace hashmesh::gateway {

// The JSON error reply for `status`, through the one HTTP mapping
// (ToHttpError).
Reply ErrorReply(const absl::Status& status);

// A JSON reply with `status` and `body`.
Reply JsonReply(int status, std::string body);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_ROUTES_ERROR_REPLY_H_
