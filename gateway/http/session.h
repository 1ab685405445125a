// One HTTP/1.1 connection: read a request, hand it to the handler, write its
// reply in order, keep alive or close.
#ifndef HASHMESH_GATEWAY_HTTP_SESSION_H_
#define HASHMESH_GATEWAY_HTTP_SESSION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gateway/http/connection_stats.h"
#include "gateway/http/handler.h"
#include "gateway/http/http_limits.h"
#include "gateway/http/request_parser.h"

namespace hashmesh::gateway {

class SessionRegistry;

// Requests on one connection are handled one after another, so pipelined
// requests are answered in the order they came. All of a session's work runs
// on its socket's executor (one io_context thread): no locks needed.
//
// Timeouts are a deadline per phase (idle, header, body, write, linger) that
// a watchdog timer checks every quarter of the shortest timeout, closing the
// connection once it has passed. Beast's tcp_stream arms and cancels a timer
// around every read and write instead, which cost about a tenth of a
// request's CPU; here a timeout fires up to a quarter late instead.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // Everything passed must outlive the session; `registry` belongs to the
  // socket's io_context.
  Session(boost::asio::ip::tcp::socket socket, HttpHandler* handler,
          ConnectionStats* stats, const HttpLimits* limits,
          SessionRegistry* registry);
  ~Session();

  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

  // Starts reading requests; with `reject`, has the handler refuse the
  // connection at once and closes. On the socket's executor.
  void Start(bool reject);

  // Drain: an idle connection closes now, a busy one after its reply. On the
  // socket's executor.
  void Shutdown();

 private:
  void WaitForRequest();
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ContinueThenReadBody();
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // The request could not be read whole: answer what can be answered, close.
  void FailRequest(boost::beast::error_code ec);
  // The handler's reply to a request that cannot be read whole; then close.
  void Refuse(HttpFailure failure, bool have_header, absl::string_view detail);
  // The parsed request as the handler sees it.
  HttpRequest MakeRequest(bool with_body) const;
  void Dispatch();
  void Send(Reply reply);
  void SendOnExecutor(Reply reply);  // callable from any thread
  void OnWrite(bool close, boost::beast::error_code ec);
  void LingerAndClose();
  void DiscardUntilClose();
  void Close();
  void ExpireAfter(absl::Duration timeout);
  void ExpireNever();
  void WatchDeadline();

  using Clock = std::chrono::steady_clock;

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer watchdog_;
  const Clock::duration watchdog_tick_;
  Clock::time_point deadline_ = Clock::time_point::max();
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string head_;  // the reply being written; reused across requests
  std::string body_;
  HttpHandler* handler_;
  ConnectionStats* stats_;
  const HttpLimits* limits_;
  SessionRegistry* registry_;
  absl::Time request_start_;
  bool registered_ = false;
  bool idle_ = false;      // waiting for the first byte of a request
  bool draining_ = false;  // Shutdown() was called
  bool closed_ = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_SESSION_H_
