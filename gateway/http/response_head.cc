#include "gateway/http/response_head.h"

#include <boost/beast/http/status.hpp>

#include "absl/strings/str_cat.h"

namespace hashmesh::gateway {

void FormatResponseHead(const ResponseHead& head, std::string* out) {
  const boost::beast::string_view reason = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(head.status));
  out->clear();
  absl::StrAppend(out, head.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ",
                  head.status, " ",
                  absl::string_view(reason.data(), reason.size()),
                  "\r\nContent-Type: ", head.content_type, "\r\n");
  if (head.allow != nullptr) {
    absl::StrAppend(out, "Allow: ", head.allow, "\r\n");
  }
  // HTTP/1.1 keeps connections alive by default, HTTP/1.0 closes them.
  if (head.version >= 11 && !head.keep_alive) {
    out->append("Connection: close\r\n");
  } else if (head.version < 11 && head.keep_alive) {
    out->append("Connection: keep-alive\r\n");
  }
  absl::StrAppend(out, "Content-Length: ", head.content_length, "\r\n\r\n");
}

}  // namespace hashmesh::gateway
