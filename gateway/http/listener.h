// Accepts TCP connections and spreads them over the worker io_contexts.
#ifndef HASHMESH_GATEWAY_HTTP_LISTENER_H_
#define HASHMESH_GATEWAY_HTTP_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/http/connection_stats.h"
#include "gateway/http/handler.h"
#include "gateway/http/http_limits.h"
#include "gateway/http/session_registry.h"

namespace hashmesh::gateway {

// One I/O thread's share of the server: its io_context, the handler its
// connections use and the registry of its sessions.
struct HttpWorker {
  boost::asio::io_context* context;
  HttpHandler* handler;
  SessionRegistry* registry;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds `endpoint` on the first worker's io_context; new connections go to
  // the workers round robin. Everything passed must outlive the listener.
  static absl::StatusOr<std::shared_ptr<Listener>> Create(
      const boost::asio::ip::tcp::endpoint& endpoint,
      std::vector<HttpWorker> workers, ConnectionStats* stats,
      const HttpLimits* limits);

  void Start();
  // Stops accepting (callable from any thread).
  void Stop();
  int port() const { return port_; }

 private:
  Listener(std::vector<HttpWorker> workers, ConnectionStats* stats,
           const HttpLimits* limits);
  void Accept();
  void OnAccept(boost::beast::error_code ec,
                boost::asio::ip::tcp::socket socket);

  std::vector<HttpWorker> workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  ConnectionStats* stats_;
  const HttpLimits* limits_;
  size_t next_worker_ = 0;  // the worker the pending accept is for
  int port_ = 0;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_LISTENER_H_
