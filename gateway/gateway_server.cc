#include "gateway/gateway_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gateway/upstream/grpc_sources.h"
#include "gateway/upstream/inproc_sources.h"
#include "gateway/upstream/stream_sources.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::gateway {
namespace {

namespace asio = boost::asio;

// Cancelled calls end within milliseconds; this only bounds a gRPC fault.
constexpr absl::Duration kCancelWait = absl::Seconds(10);
// How long the 503s of cancelled payments may take to be written.
constexpr absl::Duration kReplyWait = absl::Seconds(1);

absl::StatusOr<asio::ip::tcp::endpoint> ParseEndpoint(
    const std::string& address, const char* flag = "listen") {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be IP:port (e.g. 0.0.0.0:8080), got '",
                     address, "'"));
  }
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  host = std::string(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  boost::system::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " host must be an IP address, got '", host, "'"));
  }
  return asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port));
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
  if (c.http.max_body_bytes < 1 || c.http.max_body_bytes > kMaxBodyBytesLimit) {
    return fail("--max_body_bytes must be between 1 and ", kMaxBodyBytesLimit,
                ", got ", c.http.max_body_bytes);
  }
  if (c.http.max_header_bytes < 64 ||
      c.http.max_header_bytes > kMaxHeaderBytesLimit) {
    return fail("--max_header_bytes must be between 64 and ",
                kMaxHeaderBytesLimit, ", got ", c.http.max_header_bytes);
  }
  if (c.http.max_connections < 1 || c.http.max_connections > 1000000) {
    return fail("--max_connections must be between 1 and 1000000, got ",
                c.http.max_connections);
  }
  if (c.channels.channels < 1 || c.channels.channels > 64) {
    return fail("--upstream_channels must be between 1 and 64");
  }
  if (c.upstream_streams < 0 || c.upstream_streams > 256) {
    return fail("--upstream_streams must be 0 (auto) to 256, got ",
                c.upstream_streams);
  }
  if (c.max_batch_items < 1 || c.max_batch_items > 65536) {
    return fail("--upstream_max_batch_items must be between 1 and 65536, got ",
                c.max_batch_items);
  }
  for (absl::Duration d :
       {c.http.header_timeout, c.http.body_timeout, c.http.idle_timeout,
        c.http.write_timeout, c.http.linger_timeout, c.upstream_timeout,
        c.readiness_timeout, c.drain_timeout}) {
    if (d <= absl::ZeroDuration() || d > absl::Hours(1)) {
      return fail("timeouts must be positive and at most 1h, got ",
                  absl::FormatDuration(d));
    }
  }
  if (c.readiness_max_age < absl::ZeroDuration() ||
      c.readiness_max_age > absl::Minutes(1)) {
    return fail("--readiness_max_age must be between 0 and 1m, got ",
                absl::FormatDuration(c.readiness_max_age));
  }
  if (c.inproc_accounts < 1 ||
      c.inproc_accounts > pgstub::AccountsTable::kMaxAccounts) {
    return fail("--accounts must be between 1 and 1000000");
  }
  if (c.inproc_latency < absl::ZeroDuration()) {
    return fail("--latency must not be negative");
  }
  if (absl::Status s = CheckTlsFiles(c.upstream_tls, kUpstreamTlsFlags);
      !s.ok()) {
    return s;
  }
  if (c.upstream_tls.empty() && !c.channels.tls_server_name.empty()) {
    return fail(
        "--upstream_tls_server_name needs TLS: set --upstream_tls_ca_file");
  }
  if (!c.admin_listen.empty()) {
    if (absl::Status s = ParseEndpoint(c.admin_listen, "admin_listen").status();
        !s.ok()) {
      return s;
    }
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
  ChannelOptions channel_options = config_.channels;
  if (config_.store == UpstreamMode::kGrpc ||
      config_.engine == UpstreamMode::kGrpc) {
    auto credentials = MakeChannelCredentials(config_.upstream_tls);
    if (!credentials.ok()) return credentials.status();
    channel_options.credentials = *std::move(credentials);
  }
  if (config_.store == UpstreamMode::kInproc) {
    table_ = std::make_unique<pgstub::AccountsTable>(config_.inproc_accounts);
  } else {
    auto channels = MakeChannels(config_.store_target,
                                 pgstub::v1::AccountStore::service_full_name(),
                                 channel_options);
    store_probe_ = std::make_unique<HealthProbe>(
        channels[0], pgstub::v1::AccountStore::service_full_name(),
        ProbeOptions(), &upstream_calls_, &upstream_metrics_);
    if (config_.call_mode == CallMode::kStream) {
      grpc_accounts_ = std::make_unique<StreamAccountSource>(
          channels[0], StreamOptions(), &upstream_calls_, &upstream_metrics_);
    } else {
      grpc_accounts_ = std::make_unique<GrpcAccountSource>(
          channels, &upstream_calls_, &upstream_metrics_);
    }
  }
  if (config_.engine == UpstreamMode::kInproc) {
    auto hasher = engine::Hasher::Create();
    if (!hasher.ok()) return hasher.status();
    hasher_ = *std::move(hasher);
  } else {
    auto channels = MakeChannels(config_.engine_target,
                                 engine::v1::HashEngine::service_full_name(),
                                 channel_options);
    engine_probe_ = std::make_unique<HealthProbe>(
        channels[0], engine::v1::HashEngine::service_full_name(),
        ProbeOptions(), &upstream_calls_, &upstream_metrics_);
    if (config_.call_mode == CallMode::kStream) {
      grpc_digests_ = std::make_unique<StreamDigestSource>(
          channels[0], StreamOptions(), &upstream_calls_, &upstream_metrics_);
    } else {
      grpc_digests_ = std::make_unique<GrpcDigestSource>(
          channels, &upstream_calls_, &upstream_metrics_);
    }
  }
  ready_ =
      std::make_unique<ReadyCheck>(store_probe_.get(), engine_probe_.get());

  std::vector<HttpWorker> http_workers;
  for (int i = 0; i < config_.threads; ++i) {
    auto worker = std::make_unique<Worker>();
    // concurrency hint 1: each io_context is run by exactly one thread.
    worker->context = std::make_unique<asio::io_context>(1);
    guards_.push_back(asio::make_work_guard(*worker->context));
    InitWorker(*worker);
    http_workers.push_back(
        {worker->context.get(), worker->router.get(), &worker->registry});
    workers_.push_back(std::move(worker));
  }
  auto listener = Listener::Create(*ParseEndpoint(config_.listen_address),
                                   std::move(http_workers), &connection_stats_,
                                   &config_.http);
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);
  if (!config_.admin_listen.empty()) {
    if (absl::Status s = InitAdmin(); !s.ok()) return s;
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([ctx = worker->context.get()] { ctx->run(); });
  }
  listener_->Start();
  if (admin_listener_ != nullptr) admin_listener_->Start();
  return absl::OkStatus();
}

absl::Status GatewayServer::InitAdmin() {
  RouterDeps deps{.ready = ready_.get(),
                  .route_metrics = &route_metrics_,
                  .upstream_metrics = &upstream_metrics_,
                  .connection_stats = &connection_stats_,
                  .max_body_bytes = config_.http.max_body_bytes};
  deps.served.reset();
  for (Route route : {Route::kHealthz, Route::kReadyz, Route::kMetrics}) {
    deps.served.set(static_cast<size_t>(route));
  }
  admin_router_ = std::make_unique<Router>(deps);
  Worker& first = *workers_.front();
  auto admin = Listener::Create(
      *ParseEndpoint(config_.admin_listen, "admin_listen"),
      {{first.context.get(), admin_router_.get(), &first.registry}},
      &admin_stats_, &config_.http);
  if (!admin.ok()) return admin.status();
  admin_listener_ = *std::move(admin);
  return absl::OkStatus();
}

BatchClientOptions GatewayServer::StreamOptions() const {
  BatchClientOptions options;
  options.streams = config_.upstream_streams > 0 ? config_.upstream_streams
                                                 : std::max(2, config_.threads);
  options.max_items_per_message = config_.max_batch_items;
  options.reopen_max_backoff = config_.channels.max_reconnect_backoff;
  options.max_attempts = config_.channels.retry_max_attempts;
  return options;
}

HealthProbeOptions GatewayServer::ProbeOptions() const {
  return {.timeout = config_.readiness_timeout,
          .max_age = config_.readiness_max_age};
}

void GatewayServer::InitWorker(Worker& worker) {
  AccountSource* accounts = grpc_accounts_.get();
  if (accounts == nullptr) {
    worker.inproc_accounts = std::make_unique<InprocAccountSource>(
        table_.get(), config_.inproc_latency, worker.context->get_executor());
    accounts = worker.inproc_accounts.get();
  }
  DigestSource* digests = grpc_digests_.get();
  if (digests == nullptr) {
    worker.inproc_digests = std::make_unique<InprocDigestSource>(
        hasher_.get(), worker.context->get_executor());
    digests = worker.inproc_digests.get();
  }
  worker.payments = std::make_unique<PaymentProcessor>(
      accounts, digests, config_.hash_rounds, config_.upstream_timeout);
  RouterDeps deps{.payments = worker.payments.get(),
                  .ready = ready_.get(),
                  .route_metrics = &route_metrics_,
                  .upstream_metrics = &upstream_metrics_,
                  .connection_stats = &connection_stats_,
                  .max_body_bytes = config_.http.max_body_bytes};
  // With an admin listener, metrics are not for the public port.
  if (!config_.admin_listen.empty()) {
    deps.served.reset(static_cast<size_t>(Route::kMetrics));
  }
  worker.router = std::make_unique<Router>(deps);
}

GatewayServer::~GatewayServer() { Drain(); }

void GatewayServer::Drain() {
  absl::MutexLock lock(&drain_mu_);
  if (drained_) return;
  drained_ = true;
  if (listener_ != nullptr) {  // null: Init failed before anything ran
    ready_->StartDraining();
    listener_->Stop();
    if (admin_listener_ != nullptr) admin_listener_->Stop();
    for (auto& worker : workers_) {
      asio::post(*worker->context,
                 [registry = &worker->registry] { registry->ShutdownAll(); });
    }
    // Logged once the drain has reached every I/O thread's queue: what a
    // connection reads from now on is answered as draining.
    spdlog::info("draining: /readyz 503, closing idle connections, up to {}",
                 absl::FormatDuration(config_.drain_timeout));
    if (!connection_stats_.WaitUntilAllClosed(absl::Now() +
                                              config_.drain_timeout)) {
      spdlog::warn("drain timeout: {} connections still open",
                   connection_stats_.open());
    }
  }
  // A completion runs payment code and posts to an io_context: none may
  // arrive once those are gone. Payments still waiting upstream get 503;
  // new upstream calls fail at once from here on.
  if (const int calls = upstream_calls_.size(); calls > 0) {
    spdlog::info("cancelling {} upstream calls and streams", calls);
  }
  upstream_calls_.CancelAll();
  if (!upstream_calls_.WaitUntilNone(absl::Now() + kCancelWait)) {
    // gRPC failed to end cancelled calls: destroying anything now would
    // corrupt memory, so stop here with the cause.
    spdlog::critical("{} upstream calls still alive {} after cancelling",
                     upstream_calls_.size(), absl::FormatDuration(kCancelWait));
    spdlog::shutdown();
    std::abort();
  }
  // The payments that were cancelled answer 503 and close their
  // connections; give them a moment to be written.
  if (listener_ != nullptr && connection_stats_.open() > 0) {
    connection_stats_.WaitUntilAllClosed(absl::Now() + kReplyWait);
  }
  for (auto& guard : guards_) guard.reset();
  for (auto& worker : workers_) worker->context->stop();
  for (std::thread& t : threads_) t.join();
  spdlog::info("drained");
}

}  // namespace hashmesh::gateway
