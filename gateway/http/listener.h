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
#include "gateway/app.h"
#include "gateway/http/http_limits.h"
#include "gateway/http/session_registry.h"
#include "gateway/metrics/metrics.h"

namespace hashmesh::gateway {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds `endpoint` on `workers[0]`; new connections go to the workers
  // round robin. Everything passed must outlive the listener.
  static absl::StatusOr<std::shared_ptr<Listener>> Create(
      const boost::asio::ip::tcp::endpoint& endpoint,
      std::vector<boost::asio::io_context*> workers, GatewayApp* app,
      Metrics* metrics, const HttpLimits* limits, SessionRegistry* registry);

  void Start();
  // Stops accepting (callable from any thread).
  void Stop();
  int port() const { return port_; }

 private:
  Listener(std::vector<boost::asio::io_context*> workers, GatewayApp* app,
           Metrics* metrics, const HttpLimits* limits,
           SessionRegistry* registry);
  void Accept();
  void OnAccept(boost::beast::error_code ec,
                boost::asio::ip::tcp::socket socket);

  std::vector<boost::asio::io_context*> workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  GatewayApp* app_;
  Metrics* metrics_;
  const HttpLimits* limits_;
  SessionRegistry* registry_;
  size_t next_worker_ = 0;
  int port_ = 0;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_LISTENER_H_
