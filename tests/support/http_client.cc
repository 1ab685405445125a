#include "tests/support/http_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace hashmesh::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

void SetReceiveTimeout(asio::ip::tcp::socket& socket, absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

}  // namespace

HttpClient::HttpClient()
    : io_(std::make_unique<asio::io_context>()),
      socket_(std::make_unique<asio::ip::tcp::socket>(*io_)) {}

absl::StatusOr<HttpClient> HttpClient::Connect(int port) {
  HttpClient client;
  boost::system::error_code ec;
  client.socket_->connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                              static_cast<uint16_t>(port)),
      ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  }
  return client;
}

absl::Status HttpClient::WriteRaw(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(*socket_, asio::buffer(bytes), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> HttpClient::ReadResponse(absl::Duration timeout) {
  SetReceiveTimeout(*socket_, timeout);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  boost::system::error_code ec;
  http::read(*socket_, buffer_, parser, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  const auto& message = parser.get();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.body = message.body();
  response.keep_alive = message.keep_alive();
  for (const auto& field : message) {
    response.headers[absl::AsciiStrToLower(
        std::string(field.name_string().data(), field.name_string().size()))] =
        std::string(field.value().data(), field.value().size());
  }
  return response;
}

absl::StatusOr<HttpResponse> HttpClient::Send(
    const std::string& method, const std::string& target,
    const std::string& body,
    const std::map<std::string, std::string>& headers) {
  std::string request =
      absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&request, name, ": ", value, "\r\n");
  }
  absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n\r\n", body);
  if (absl::Status s = WriteRaw(request); !s.ok()) return s;
  return ReadResponse();
}

bool HttpClient::WaitForClose(absl::Duration timeout) {
  SetReceiveTimeout(*socket_, timeout);
  char byte;
  boost::system::error_code ec;
  while (true) {
    socket_->read_some(asio::buffer(&byte, 1), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      return true;
    }
    if (ec) return false;  // timeout
  }
}

absl::StatusOr<std::string> HttpClient::ReadUntilClose(absl::Duration timeout) {
  SetReceiveTimeout(*socket_, timeout);
  std::string rest(static_cast<const char*>(buffer_.data().data()),
                   buffer_.size());
  buffer_.clear();
  char chunk[4096];
  boost::system::error_code ec;
  while (true) {
    const size_t n = socket_->read_some(asio::buffer(chunk), ec);
    rest.append(chunk, n);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      return rest;
    }
    if (ec) {
      return absl::DeadlineExceededError(
          absl::StrCat("not closed (", ec.message(), "); read so far: ", rest));
    }
  }
}

absl::StatusOr<HttpResponse> PostPayment(int port, const std::string& body) {
  auto client = HttpClient::Connect(port);
  if (!client.ok()) return client.status();
  return client->Send("POST", "/v1/payments", body);
}

}  // namespace hashmesh::testing
