// The request parser every connection uses, configured with the gateway's
// limits: one place, so that the fuzzer parses exactly as a Session does.
#ifndef HASHMESH_GATEWAY_HTTP_REQUEST_PARSER_H_
#define HASHMESH_GATEWAY_HTTP_REQUEST_PARSER_H_

// clang-format off
#include <ostream>  // first: Boost 1.81's string_view.hpp uses it unincluded
// clang-format on
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "gateway/http/handler.h"
#include "gateway/http/http_limits.h"

namespace hashmesh::gateway {

using RequestParser =
    boost::beast::http::request_parser<boost::beast::http::string_body>;

// Applies `limits` to a freshly constructed parser (one per request: Beast's
// parser reads one message). The header limit fits in 32 bits because
// max_header_bytes is range-checked to kMaxHeaderBytesLimit.
inline void ConfigureRequestParser(const HttpLimits& limits,
                                   RequestParser* parser) {
  parser->header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  parser->body_limit(limits.max_body_bytes);
}

// Decides the header limit by the header's size, not by how it arrived:
// Beast applies header_limit only while it is still looking for the end of
// the header, so a header over the limit passed when a read held its end
// early enough, and was refused when it came in small reads (found by the
// http_request fuzzer). `header_bytes` is what reading the header consumed;
// header_limit when that is over max_header_bytes.
inline boost::beast::error_code CheckHeaderSize(size_t header_bytes,
                                                const HttpLimits& limits) {
  if (header_bytes > limits.max_header_bytes) {
    return boost::beast::http::error::header_limit;
  }
  return {};
}

// The parsed request as the handler sees it: views into `message`, which
// must outlive the result. Content-Type and body only `with_body` (a request
// refused before its body was read has neither).
HttpRequest MakeHttpRequest(const RequestParser::value_type& message,
                            bool with_body, absl::Time received);

// What a failed read of a request means: the failure to answer with, or
// nullopt when nobody is left to answer (the client went away or stopped
// mid-request) and the connection just closes.
std::optional<HttpFailure> ReadFailure(boost::beast::error_code ec);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_REQUEST_PARSER_H_
