#include "gateway/http/request_parser.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include "services/common/boost_string_view.h"

namespace hashmesh::gateway {

namespace http = boost::beast::http;

HttpRequest MakeHttpRequest(const RequestParser::value_type& message,
                            bool with_body, absl::Time received) {
  HttpRequest request;
  request.method = message.method();
  request.target = ToAbsl(message.target());
  request.received = received;
  if (with_body) {
    if (auto it = message.find(http::field::content_type);
        it != message.end()) {
      request.content_type = ToAbsl(it->value());
    }
    request.body = message.body();
  }
  return request;
}

std::optional<HttpFailure> ReadFailure(boost::beast::error_code ec) {
  namespace asio_error = boost::asio::error;
  if (ec == http::error::body_limit) return HttpFailure::kBodyTooLarge;
  if (ec == http::error::header_limit) return HttpFailure::kHeaderTooLarge;
  if (ec == http::error::end_of_stream || ec == asio_error::eof ||
      ec == asio_error::connection_reset ||
      ec == asio_error::operation_aborted ||
      ec == http::error::partial_message) {
    return std::nullopt;
  }
  return HttpFailure::kMalformed;
}

}  // namespace hashmesh::gateway
