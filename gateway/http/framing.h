// The framing checks RFC 9112 asks of a server behind a proxy, made on a
// request's header before any byte of its body is read (SPEC.md "Framing").
#ifndef HASHMESH_GATEWAY_HTTP_FRAMING_H_
#define HASHMESH_GATEWAY_HTTP_FRAMING_H_

// clang-format off
#include <ostream>  // first: Boost 1.81's string_view.hpp uses it unincluded
// clang-format on
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>

#include "gateway/http/handler.h"

namespace hashmesh::gateway {

struct FramingFault {
  HttpFailure failure;  // kMalformed, or kTransferCodingNotImplemented
  std::string detail;   // what was wrong, for the reply
};

// Beast's parser already refuses a Content-Length that is malformed or given
// twice with different values, Content-Length beside Transfer-Encoding,
// whitespace before a header's colon and a malformed chunk. It frames any
// other Transfer-Encoding than a final `chunked` as a body of zero bytes,
// though, so that a proxy that frames it differently would see the body's
// bytes taken as the next request: those are refused here. A request that
// fails is answered and its connection closed.
//
// Faulty: Transfer-Encoding in HTTP/1.0, an empty or malformed coding list,
// `chunked` more than once or not last. Not implemented: any other coding
// (`gzip`, `gzip, chunked`); names are case-insensitive.
std::optional<FramingFault> CheckFraming(
    const boost::beast::http::request_header<>& header);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_FRAMING_H_
