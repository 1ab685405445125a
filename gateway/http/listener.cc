#include "gateway/http/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>

#include "absl/strings/str_cat.h"
#include "gateway/http/session.h"

namespace hashmesh::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

absl::StatusOr<std::shared_ptr<Listener>> Listener::Create(
    const tcp::endpoint& endpoint, std::vector<HttpWorker> workers,
    ConnectionStats* stats, const HttpLimits* limits) {
  std::shared_ptr<Listener> listener(
      new Listener(std::move(workers), stats, limits));
  boost::system::error_code ec;
  tcp::acceptor& acceptor = listener->acceptor_;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) {
    listener->port_ = acceptor.local_endpoint().port();
    return listener;
  }
  return absl::UnavailableError(absl::StrCat(
      "cannot listen on ", endpoint.address().to_string(), ":", endpoint.port(),
      ": ", ec.message(),
      ec == asio::error::address_in_use ? " (address already in use)" : ""));
}

Listener::Listener(std::vector<HttpWorker> workers, ConnectionStats* stats,
                   const HttpLimits* limits)
    : workers_(std::move(workers)),
      acceptor_(*workers_[0].context),
      retry_timer_(*workers_[0].context),
      stats_(stats),
      limits_(limits) {}

void Listener::Start() {
  asio::post(acceptor_.get_executor(),
             [self = shared_from_this()] { self->Accept(); });
}

void Listener::Stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::Accept() {
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_.async_accept(*workers_[next_worker_].context,
                         [self = shared_from_this()](
                             boost::beast::error_code ec, tcp::socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void Listener::OnAccept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: back off instead of spinning.
    spdlog::warn("accept failed: {}; retrying in 50ms", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait(
        [self = shared_from_this()](boost::beast::error_code wait_ec) {
          if (!wait_ec) self->Accept();
        });
    return;
  }
  const bool reject = stats_->open() >= limits_->max_connections;
  if (reject) stats_->Rejected();
  const HttpWorker& worker = workers_[next_worker_];
  auto session = std::make_shared<Session>(std::move(socket), worker.handler,
                                           stats_, limits_, worker.registry);
  // The session's handlers run on its socket's io_context, not this one.
  asio::post(session->executor(),
             [session, reject] { session->Start(reject); });
  Accept();
}

}  // namespace hashmesh::gateway
