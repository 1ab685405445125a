#include "tests/support/http_client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace hashmesh::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

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

// Asio's synchronous reads cannot time out (after SO_RCVTIMEO's EAGAIN they
// poll without a limit), so every read here is asynchronous, run on io_ for
// at most the time left.
bool HttpClient::RunUntil(const bool& done, absl::Time deadline) {
  io_->restart();
  io_->run_for(absl::ToChronoMilliseconds(
      std::max(deadline - absl::Now(), absl::ZeroDuration())));
  if (done) return true;
  socket_->cancel();  // the read completes with operation_aborted
  io_->restart();
  io_->run();
  return false;
}

absl::StatusOr<HttpResponse> HttpClient::ReadResponse(absl::Duration timeout) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  error_code ec;
  bool done = false;
  http::async_read(*socket_, buffer_, parser, [&](error_code e, size_t) {
    ec = e;
    done = true;
  });
  if (!RunUntil(done, absl::Now() + timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no whole response within ", absl::FormatDuration(timeout)));
  }
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
  return ReadUntilClose(timeout).ok();
}

absl::StatusOr<std::string> HttpClient::ReadUntilClose(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string rest(static_cast<const char*>(buffer_.data().data()),
                   buffer_.size());
  buffer_.clear();
  char chunk[4096];
  while (true) {
    error_code ec;
    size_t n = 0;
    bool done = false;
    socket_->async_read_some(asio::buffer(chunk), [&](error_code e, size_t k) {
      ec = e;
      n = k;
      done = true;
    });
    const bool in_time = RunUntil(done, deadline);
    rest.append(chunk, n);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      return rest;
    }
    if (!in_time || ec) {
      return absl::DeadlineExceededError(
          absl::StrCat("not closed within ", absl::FormatDuration(timeout),
                       " (", ec.message(), "); read so far: ", rest));
    }
  }
}

absl::StatusOr<HttpResponse> PostPayment(int port, const std::string& body) {
  auto client = HttpClient::Connect(port);
  if (!client.ok()) return client.status();
  return client->Send("POST", "/v1/payments", body);
}

}  // namespace hashmesh::testing
