// FormatResponseHead writes exactly what Beast's serializer writes.
#include "gateway/http/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;

// The head as Beast serializes it, built the way the session used to build
// its responses: fields in the order content type, allow, connection, length.
std::string BeastHead(const ResponseHead& head) {
  http::response<http::string_body> response;
  response.version(head.version);
  response.result(static_cast<unsigned>(head.status));
  response.set(http::field::content_type, head.content_type);
  if (head.allow != nullptr) response.set(http::field::allow, head.allow);
  response.body() = std::string(head.content_length, 'x');
  response.keep_alive(head.keep_alive);
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  const std::string whole = out.str();
  return whole.substr(0, whole.size() - head.content_length);
}

TEST(FormatResponseHeadTest, MatchesBeastForEveryShapeOfReply) {
  std::string formatted;
  for (unsigned version : {10u, 11u}) {
    for (bool keep_alive : {true, false}) {
      for (int status :
           {200, 201, 400, 404, 405, 413, 415, 422, 431, 500, 502, 503, 504}) {
        for (const char* allow : {static_cast<const char*>(nullptr), "POST"}) {
          for (size_t length : {size_t{0}, size_t{2}, size_t{331}}) {
            const ResponseHead head{.version = version,
                                    .status = status,
                                    .content_type = "application/json",
                                    .allow = allow,
                                    .keep_alive = keep_alive,
                                    .content_length = length};
            FormatResponseHead(head, &formatted);
            EXPECT_EQ(formatted, BeastHead(head))
                << "HTTP/" << version << " " << status
                << " keep_alive=" << keep_alive
                << " allow=" << (allow ? allow : "none");
          }
        }
      }
    }
  }
}

TEST(FormatResponseHeadTest, OtherContentTypesPassThrough) {
  std::string formatted;
  const ResponseHead head{.status = 200,
                          .content_type = "text/plain; version=0.0.4",
                          .content_length = 12};
  FormatResponseHead(head, &formatted);
  EXPECT_EQ(formatted,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
            "Content-Length: 12\r\n\r\n");
  EXPECT_EQ(formatted, BeastHead(head));
}

}  // namespace
}  // namespace hashmesh::gateway
