// Wires the gateway together: io_context threads, listener, upstreams, drain.
#ifndef HASHMESH_GATEWAY_GATEWAY_SERVER_H_
#define HASHMESH_GATEWAY_GATEWAY_SERVER_H_

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/http/connection_stats.h"
#include "gateway/http/http_limits.h"
#include "gateway/http/listener.h"
#include "gateway/http/session_registry.h"
#include "gateway/payment/payment_processor.h"
#include "gateway/payment/sources.h"
#include "gateway/routes/ready_check.h"
#include "gateway/routes/route_metrics.h"
#include "gateway/routes/router.h"
#include "gateway/upstream/batch_client.h"
#include "gateway/upstream/client_calls.h"
#include "gateway/upstream/grpc_channels.h"
#include "gateway/upstream/readiness.h"
#include "gateway/upstream/upstream_metrics.h"
#include "services/common/tls_credentials.h"
#include "services/engine/hasher.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::gateway {

enum class UpstreamMode { kGrpc, kInproc };
// How gRPC upstreams are called: items on batch streams, or a unary call
// each (the comparison).
enum class CallMode { kStream, kUnary };

struct GatewayConfig {
  std::string listen_address = "0.0.0.0:8080";
  // Where /metrics (with /healthz and /readyz) is served instead of on the
  // public port; empty: /metrics on the public port.
  std::string admin_listen;
  int threads = 1;  // io_context threads; each connection lives on one
  HttpLimits http;
  // kInproc: the store or the engine runs inside the gateway (the monolith
  // the benchmark compares against), with the same code paths otherwise.
  UpstreamMode store = UpstreamMode::kGrpc;
  UpstreamMode engine = UpstreamMode::kGrpc;
  std::string store_target = "localhost:50052";
  std::string engine_target = "localhost:50051";
  ChannelOptions channels;
  // Empty: plaintext to the upstreams. Otherwise TLS, mutual with a
  // certificate; channels.tls_server_name overrides the name checked.
  TlsFiles upstream_tls;
  CallMode call_mode = CallMode::kStream;
  int upstream_streams = 0;  // per upstream; 0: one per I/O thread, at least 2
  int max_batch_items = 1024;  // per stream message, as the servers accept
  // Each payment's upstream work, lookup and hash together.
  absl::Duration upstream_timeout = absl::Seconds(1);
  absl::Duration readiness_timeout = absl::Milliseconds(500);
  // /readyz answers from a health probe at most this old.
  absl::Duration readiness_max_age = absl::Seconds(1);
  uint32_t hash_rounds = 100;
  uint32_t inproc_accounts = 100000;                      // store=inproc only
  absl::Duration inproc_latency = absl::Milliseconds(2);  // store=inproc only
  absl::Duration drain_timeout = absl::Seconds(10);
};

// INVALID_ARGUMENT naming the setting when the config cannot work.
absl::Status ValidateGatewayConfig(const GatewayConfig& config);

class GatewayServer {
 public:
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(
      const GatewayConfig& config);
  ~GatewayServer();  // drains if Drain() was not called

  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  int port() const { return listener_->port(); }
  // The admin listener's port; 0 without --admin_listen.
  int admin_port() const {
    return admin_listener_ != nullptr ? admin_listener_->port() : 0;
  }

  // /readyz turns 503, no new connections, idle ones close, busy ones close
  // after their reply; once all are closed (or drain_timeout passed), the
  // upstream calls still in flight are cancelled (their payments answer
  // 503), and it returns when every one has completed and the I/O threads
  // have stopped. Idempotent.
  void Drain();

 private:
  // What each I/O thread has of its own: the in-process sources are bound
  // to its executor, and its sessions' registry is confined to it.
  struct Worker {
    std::unique_ptr<boost::asio::io_context> context;
    std::unique_ptr<AccountSource> inproc_accounts;  // store=inproc only
    std::unique_ptr<DigestSource> inproc_digests;    // engine=inproc only
    std::unique_ptr<PaymentProcessor> payments;
    std::unique_ptr<Router> router;
    SessionRegistry registry;
  };

  explicit GatewayServer(const GatewayConfig& config);
  absl::Status Init();
  // Sets up the worker's processor and router over the shared sources, or
  // over in-process ones bound to its own executor.
  void InitWorker(Worker& worker);
  // The admin router and listener, on the first I/O thread.
  absl::Status InitAdmin();
  BatchClientOptions StreamOptions() const;
  HealthProbeOptions ProbeOptions() const;

  const GatewayConfig config_;
  RouteMetrics route_metrics_;
  UpstreamMetrics upstream_metrics_;
  ConnectionStats connection_stats_;
  ConnectionStats admin_stats_;  // its own limit: a flood cannot lock it out
  std::unique_ptr<pgstub::AccountsTable> table_;
  std::unique_ptr<engine::Hasher> hasher_;
  // Every gRPC call the members below make; declared before them so that
  // it outlives each.
  ClientCalls upstream_calls_;
  std::unique_ptr<AccountSource> grpc_accounts_;  // store=grpc only
  std::unique_ptr<DigestSource> grpc_digests_;    // engine=grpc only
  std::unique_ptr<HealthProbe> store_probe_;      // store=grpc only
  std::unique_ptr<HealthProbe> engine_probe_;     // engine=grpc only
  std::unique_ptr<ReadyCheck> ready_;
  std::unique_ptr<Router> admin_router_;  // with admin_listen only
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      guards_;
  std::vector<std::thread> threads_;
  std::shared_ptr<Listener> listener_;
  std::shared_ptr<Listener> admin_listener_;
  absl::Mutex drain_mu_;
  bool drained_ ABSL_GUARDED_BY(drain_mu_) = false;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_GATEWAY_SERVER_H_
