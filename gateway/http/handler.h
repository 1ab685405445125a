// The boundary between the HTTP layer and the application: a request in, a
// reply out, through a handler that knows nothing of connections.
#ifndef HASHMESH_GATEWAY_HTTP_HANDLER_H_
#define HASHMESH_GATEWAY_HTTP_HANDLER_H_

// clang-format off
#include <ostream>  // first: Boost 1.81's string_view.hpp uses it unincluded
// clang-format on
#include <boost/beast/http/verb.hpp>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hashmesh::gateway {

// A request as the connection read it. The views point into the
// connection's buffers and stay valid until Handle (or Refuse) returns.
struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  absl::string_view target;  // as sent: path and query
  std::optional<absl::string_view> content_type;
  absl::string_view body;
  absl::Time received;  // when the header had been read
};

// What a handler answers; the session frames it.
struct Reply {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise
  const char* content_type = "application/json";
  const char* allow = nullptr;  // the Allow header of a 405
  bool close = false;           // close the connection after this reply
};

// Runs exactly once, on any thread: the session takes the reply to its
// connection's executor.
using ReplyCallback = absl::AnyInvocable<void(Reply) &&>;

// Why a request could not be read as sent.
enum class HttpFailure {
  kMalformed,                     // not HTTP/1.1 as RFC 9112 frames it
  kTransferCodingNotImplemented,  // a Transfer-Encoding other than chunked
  kHeaderTooLarge,                // beyond HttpLimits::max_header_bytes
  kBodyTooLarge,                  // beyond HttpLimits::max_body_bytes
  kTooManyConnections,            // HttpLimits::max_connections were open
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;

  // A complete request.
  virtual void Handle(const HttpRequest& request, ReplyCallback done) = 0;

  // A request that cannot be read whole: the reply to send before the
  // connection closes (the rest of its bytes are never read as a request).
  // `request` holds the parsed header (body empty) where there was one, and
  // is null otherwise; `detail` says what was wrong, for the reply's text.
  virtual void Refuse(HttpFailure failure, const HttpRequest* request,
                      absl::string_view detail, ReplyCallback done) = 0;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_HANDLER_H_
