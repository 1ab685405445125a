// A blocking HTTP/1.1 client for end-to-end tests (keep-alive, raw bytes,
// pipelining).
#ifndef HASHMESH_TESTS_SUPPORT_HTTP_CLIENT_H_
#define HASHMESH_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hashmesh::testing {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
  bool keep_alive = false;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One connection; every call blocks (tests only).
class HttpClient {
 public:
  static absl::StatusOr<HttpClient> Connect(int port);

  HttpClient(HttpClient&&) = default;

  // Sends one request (Content-Length framing) and reads its response.
  absl::StatusOr<HttpResponse> Send(
      const std::string& method, const std::string& target,
      const std::string& body = "",
      const std::map<std::string, std::string>& headers = {
          {"Content-Type", "application/json"}});

  absl::Status WriteRaw(const std::string& bytes);
  absl::StatusOr<HttpResponse> ReadResponse(
      absl::Duration timeout = absl::Seconds(20));
  // True when the server closed the connection (EOF) within `timeout`.
  bool WaitForClose(absl::Duration timeout);
  // Every byte left to read (also what ReadResponse buffered) until the
  // server closes; an error if it has not closed within `timeout`.
  absl::StatusOr<std::string> ReadUntilClose(absl::Duration timeout);

 private:
  HttpClient();
  // Runs io_ until the operation started sets `done`, or until `deadline`:
  // then cancels it and returns false.
  bool RunUntil(const bool& done, absl::Time deadline);
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
};

// POSTs `body` as application/json to /v1/payments on a fresh connection.
absl::StatusOr<HttpResponse> PostPayment(int port, const std::string& body);

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_SUPPORT_HTTP_CLIENT_H_
