#include "gateway/http/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/http/framing.h"
#include "gateway/http/response_head.h"
#include "gateway/http/session_registry.h"

namespace hashmesh::gateway {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

constexpr size_t kReadChunk = 4096;
// A read buffer grown beyond this by a large request is given back once the
// connection is idle; smaller ones are kept for the next request.
constexpr size_t kKeptBufferBytes = 16 << 10;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

// A quarter of the shortest timeout, within [10ms, 1s]: with 10000 idle
// connections and the default 2s linger that is 20000 cheap wake-ups a
// second at most, and tests with millisecond timeouts stay quick.
std::chrono::steady_clock::duration WatchdogTick(const HttpLimits& limits) {
  const absl::Duration shortest =
      std::min({limits.header_timeout, limits.body_timeout, limits.idle_timeout,
                limits.write_timeout, limits.linger_timeout});
  return absl::ToChronoNanoseconds(
      std::clamp(shortest / 4, absl::Milliseconds(10), absl::Seconds(1)));
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, HttpHandler* handler,
                 ConnectionStats* stats, const HttpLimits* limits,
                 SessionRegistry* registry)
    : socket_(std::move(socket)),
      watchdog_(socket_.get_executor()),
      watchdog_tick_(WatchdogTick(*limits)),
      handler_(handler),
      stats_(stats),
      limits_(limits),
      registry_(registry) {
  stats_->Opened();
}

// May run on another thread (a reply callback can hold the last reference),
// which is why the registry is left in Close().
Session::~Session() { stats_->Closed(); }

void Session::Start(bool reject) {
  registered_ = registry_->Add(shared_from_this());
  if (!registered_) {  // accepted as the drain began: nobody would close it
    Close();
    return;
  }
  beast::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  WatchDeadline();
  if (reject) {
    Refuse(HttpFailure::kTooManyConnections, /*have_header=*/false, "");
    return;
  }
  WaitForRequest();
}

void Session::Shutdown() {
  draining_ = true;
  if (idle_) Close();
}

void Session::WaitForRequest() {
  if (draining_) {
    Close();
    return;
  }
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadHeader();
    return;
  }
  idle_ = true;
  ExpireAfter(limits_->idle_timeout);
  socket_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->idle_ = false;
        if (ec) {
          self->Close();
          return;
        }
        self->buffer_.commit(n);
        self->ReadHeader();
      });
}

void Session::ReadHeader() {
  parser_.emplace();
  ConfigureRequestParser(*limits_, &*parser_);
  ExpireAfter(limits_->header_timeout);
  http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t header_bytes) {
        if (!ec) ec = CheckHeaderSize(header_bytes, *self->limits_);
        self->OnHeader(ec);
      });
}

void Session::OnHeader(beast::error_code ec) {
  // Every reply to a parsed header is timed from here, also the 413s and
  // malformed bodies that never reach Dispatch().
  request_start_ = absl::Now();
  // Beast reports a Content-Length over the body limit with the header.
  if (ec) {
    FailRequest(ec);
    return;
  }
  if (std::optional<FramingFault> fault = CheckFraming(parser_->get())) {
    Refuse(fault->failure, /*have_header=*/true, fault->detail);
    return;
  }
  if (parser_->is_done()) {
    Dispatch();
    return;
  }
  ContinueThenReadBody();
}

void Session::ContinueThenReadBody() {
  const auto& request = parser_->get();
  if (request.version() < 11 ||
      !beast::iequals(request[http::field::expect], "100-continue")) {
    ReadBody();
    return;
  }
  // curl and others wait for this before sending a body of over 1 KiB.
  asio::async_write(socket_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) {
                        self->Close();
                        return;
                      }
                      self->ReadBody();
                    });
}

void Session::ReadBody() {
  ExpireAfter(limits_->body_timeout);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) {
                       self->FailRequest(ec);
                       return;
                     }
                     self->Dispatch();
                   });
}

void Session::FailRequest(beast::error_code ec) {
  const std::optional<HttpFailure> failure = ReadFailure(ec);
  if (!failure) {
    Close();  // the client went away or was too slow: nobody to answer
    return;
  }
  switch (*failure) {
    case HttpFailure::kBodyTooLarge:
      Refuse(*failure, /*have_header=*/true, "");
      return;
    case HttpFailure::kHeaderTooLarge:
      Refuse(*failure, /*have_header=*/false,
             absl::StrCat("request header larger than ",
                          limits_->max_header_bytes, " bytes"));
      return;
    default:
      Refuse(*failure, parser_->is_header_done(), ec.message());
      return;
  }
}

void Session::Refuse(HttpFailure failure, bool have_header,
                     absl::string_view detail) {
  ExpireNever();  // the handler may ask upstream; its deadline bounds it
  const HttpRequest request =
      have_header ? MakeRequest(/*with_body=*/false) : HttpRequest{};
  handler_->Refuse(failure, have_header ? &request : nullptr, detail,
                   [self = shared_from_this()](Reply reply) {
                     reply.close = true;
                     self->SendOnExecutor(std::move(reply));
                   });
}

HttpRequest Session::MakeRequest(bool with_body) const {
  return MakeHttpRequest(parser_->get(), with_body, request_start_);
}

void Session::Dispatch() {
  ExpireNever();  // the upstream deadline bounds the handler
  // The handler reads the body before Handle returns; the parser keeps it
  // until the reply is written anyway.
  handler_->Handle(MakeRequest(/*with_body=*/true),
                   [self = shared_from_this()](Reply reply) {
                     self->SendOnExecutor(std::move(reply));
                   });
}

void Session::SendOnExecutor(Reply reply) {
  // Inline when already on the connection's thread; from a gRPC thread the
  // reply is posted there.
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(),
                                          reply = std::move(reply)]() mutable {
    self->Send(std::move(reply));
  });
}

void Session::Send(Reply reply) {
  const bool have_request = parser_.has_value() && parser_->is_header_done();
  const unsigned version = have_request ? parser_->get().version() : 11;
  const bool keep_alive =
      have_request && parser_->get().keep_alive() && !reply.close && !draining_;
  body_ = std::move(reply.body);
  FormatResponseHead({.version = version,
                      .status = reply.status,
                      .content_type = reply.content_type,
                      .allow = reply.allow,
                      .keep_alive = keep_alive,
                      .content_length = body_.size()},
                     &head_);
  ExpireAfter(limits_->write_timeout);
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_),
                                                     asio::buffer(body_)};
  asio::async_write(
      socket_, buffers,
      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
        self->OnWrite(!keep_alive, ec);
      });
}

void Session::OnWrite(bool close, beast::error_code ec) {
  // An idle connection holds no request: the body (up to --max_body_bytes)
  // goes now, and so does a read buffer that a large one grew.
  parser_.reset();
  if (buffer_.size() == 0 && buffer_.capacity() > kKeptBufferBytes) {
    buffer_.shrink_to_fit();
  }
  if (ec) {
    Close();
  } else if (close) {
    LingerAndClose();
  } else {
    WaitForRequest();
  }
}

void Session::LingerAndClose() {
  beast::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  // One deadline for the whole linger: a peer that keeps sending a byte now
  // and then must not hold a closing connection open.
  ExpireAfter(limits_->linger_timeout);
  DiscardUntilClose();
}

void Session::DiscardUntilClose() {
  buffer_.clear();
  socket_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) {
          self->Close();
          return;
        }
        self->DiscardUntilClose();
      });
}

void Session::Close() {
  if (closed_) return;
  closed_ = true;
  if (registered_) registry_->Remove(this);
  beast::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(
      ignored);  // pending reads and writes end with operation_aborted
  watchdog_.cancel();
}

void Session::ExpireAfter(absl::Duration timeout) {
  deadline_ = Clock::now() + absl::ToChronoNanoseconds(timeout);
}

void Session::ExpireNever() { deadline_ = Clock::time_point::max(); }

void Session::WatchDeadline() {
  watchdog_.expires_after(watchdog_tick_);
  watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_) return;
    if (Clock::now() >= self->deadline_) {
      self->Close();  // a peer too slow, or idle for too long
      return;
    }
    self->WatchDeadline();
  });
}

}  // namespace hashmesh::gateway
