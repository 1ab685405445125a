#include "gateway/gateway_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gateway/upstream/grpc_sources.h"
#include "gateway/upstream/inproc_sources.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::gateway {
namespace {

namespace asio = boost::asio;

absl::StatusOr<asio::ip::tcp::endpoint> ParseEndpoint(
    const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen must be IP:port (e.g. 0.0.0.0:8080), got '", address, "'"));
  }
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  host = std::string(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  boost::system::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen host must be an IP address, got '", host, "'"));
  }
  return asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port));
}

// Polls `done` from a non-Asio thread until it holds or `deadline` passes.
template <typename Predicate>
bool WaitUntil(Predicate done, absl::Time deadline) {
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace

absl::Status ValidateGatewayConfig(const GatewayConfig& c) {
  auto fail = [](auto... parts) {
    return absl::InvalidArgumentError(absl::StrCat(parts...));
  };
  if (c.threads < 1 || c.threads > 256) {
    return fail("--threads must be 0 (auto) to 256");
  }
  if (c.hash_rounds < 1 || c.hash_rounds > 1000000) {
    return fail("--hash_rounds must be between 1 and 1000000, got ",
                c.hash_rounds);
  }
  if (c.http.max_body_bytes < 1 || c.http.max_header_bytes < 64) {
    return fail(
        "--max_body_bytes must be positive and --max_header_bytes at least 64");
  }
  if (c.http.max_connections < 1) {
    return fail("--max_connections must be positive");
  }
  if (c.channels.channels < 1 || c.channels.channels > 64) {
    return fail("--upstream_channels must be between 1 and 64");
  }
  for (absl::Duration d :
       {c.http.header_timeout, c.http.body_timeout, c.http.idle_timeout,
        c.http.write_timeout, c.upstream_timeout, c.drain_timeout}) {
    if (d <= absl::ZeroDuration()) return fail("timeouts must be positive");
  }
  if (c.inproc_accounts < 1 ||
      c.inproc_accounts > pgstub::AccountsTable::kMaxAccounts) {
    return fail("--accounts must be between 1 and 1000000");
  }
  if (c.inproc_latency < absl::ZeroDuration()) {
    return fail("--latency must not be negative");
  }
  return ParseEndpoint(c.listen_address).status();
}

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    const GatewayConfig& config) {
  if (absl::Status s = ValidateGatewayConfig(config); !s.ok()) return s;
  std::unique_ptr<GatewayServer> server(new GatewayServer(config));
  if (absl::Status s = server->Init(); !s.ok()) return s;
  return server;
}

GatewayServer::GatewayServer(const GatewayConfig& config) : config_(config) {}

absl::Status GatewayServer::Init() {
  if (config_.store == UpstreamMode::kInproc) {
    table_ = std::make_unique<pgstub::AccountsTable>(config_.inproc_accounts);
    accounts_ = std::make_unique<InprocAccountSource>(table_.get(),
                                                      config_.inproc_latency);
  } else {
    auto channels = MakeChannels(config_.store_target,
                                 pgstub::v1::AccountStore::service_full_name(),
                                 config_.channels);
    store_probe_ =
        HealthProbe(channels[0], pgstub::v1::AccountStore::service_full_name(),
                    config_.readiness_timeout, &metrics_);
    accounts_ = std::make_unique<GrpcAccountSource>(
        channels, config_.upstream_timeout, &metrics_);
  }
  if (config_.engine == UpstreamMode::kInproc) {
    auto hasher = engine::Hasher::Create();
    if (!hasher.ok()) return hasher.status();
    hasher_ = *std::move(hasher);
    digests_ = std::make_unique<InprocDigestSource>(hasher_.get());
  } else {
    auto channels = MakeChannels(config_.engine_target,
                                 engine::v1::HashEngine::service_full_name(),
                                 config_.channels);
    engine_probe_ =
        HealthProbe(channels[0], engine::v1::HashEngine::service_full_name(),
                    config_.readiness_timeout, &metrics_);
    digests_ = std::make_unique<GrpcDigestSource>(
        channels, config_.upstream_timeout, &metrics_);
  }
  payments_ = std::make_unique<PaymentHandler>(accounts_.get(), digests_.get(),
                                               config_.hash_rounds);
  app_ = std::make_unique<GatewayApp>(payments_.get(), &store_probe_,
                                      &engine_probe_, &metrics_);

  std::vector<asio::io_context*> workers;
  for (int i = 0; i < config_.threads; ++i) {
    // concurrency hint 1: each io_context is run by exactly one thread.
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
    workers.push_back(contexts_.back().get());
  }
  auto listener =
      Listener::Create(*ParseEndpoint(config_.listen_address), workers,
                       app_.get(), &metrics_, &config_.http, &registry_);
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);
  for (auto& context : contexts_) {
    threads_.emplace_back([ctx = context.get()] { ctx->run(); });
  }
  listener_->Start();
  return absl::OkStatus();
}

GatewayServer::~GatewayServer() { Drain(); }

void GatewayServer::Drain() {
  absl::MutexLock lock(&drain_mu_);
  if (drained_) return;
  drained_ = true;
  if (listener_ == nullptr) return;  // Init failed before anything ran
  spdlog::info("draining: /readyz 503, closing idle connections, up to {}",
               absl::FormatDuration(config_.drain_timeout));
  app_->StartDraining();
  listener_->Stop();
  registry_.ShutdownAll();
  const absl::Time deadline = absl::Now() + config_.drain_timeout;
  if (!WaitUntil([this] { return metrics_.connections_open() == 0; },
                 deadline)) {
    spdlog::warn("drain timeout: {} connections still open",
                 metrics_.connections_open());
  }
  // No gRPC completion may arrive at an io_context after it is gone; each
  // call ends by its deadline at the latest.
  WaitUntil([this] { return metrics_.upstream_in_flight() == 0; },
            absl::Now() + config_.upstream_timeout + absl::Seconds(1));
  for (auto& guard : guards_) guard.reset();
  for (auto& context : contexts_) context->stop();
  for (std::thread& t : threads_) t.join();
  spdlog::info("drained");
}

}  // namespace hashmesh::gateway
