// Starts a gRPC server with health, reflection and connection policy, and
// drains it.
#ifndef HASHMESH_SERVICES_COMMON_GRPC_SERVER_H_
#define HASHMESH_SERVICES_COMMON_GRPC_SERVER_H_

#include <grpcpp/server.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/batch_stream.h"
#include "services/common/tls_credentials.h"

namespace grpc {
class CallbackGenericService;
class ServerBuilder;
}  // namespace grpc

namespace hashmesh {

struct GrpcServerConfig {
  std::string listen_address = "0.0.0.0:0";
  // Empty: plaintext h2c. Certificate and key: TLS. With a CA too: mutual
  // TLS, only clients with a certificate from that CA may call.
  TlsFiles tls;
  // Non-empty: a second, plaintext port that serves grpc.health.v1.Health
  // and nothing else, for probes that cannot speak TLS (kubelet's gRPC probe).
  std::string health_listen_address;
  // How long in-flight calls may run after a drain starts before they are
  // cancelled.
  absl::Duration drain_timeout = absl::Seconds(10);
  // Connections are closed (GOAWAY) after this age so that clients re-resolve
  // and reach new replicas; absl::InfiniteDuration() disables it.
  absl::Duration max_connection_age = absl::Minutes(5);
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  // The server pings idle connections this often, and accepts client pings no
  // more often than min_client_ping_interval (clients must keep above it).
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  int max_receive_message_bytes = 4 << 20;
  int max_concurrent_streams = 1000;
};

// A service to serve, with the name its health status is published under.
struct ServiceRegistration {
  grpc::Service* service;
  std::string full_name;  // e.g. "hashmesh.engine.v1.HashEngine"
  // The service's open batch streams, drained as a drain begins: they end
  // once their work is answered, instead of holding the drain until its
  // timeout. Null for a service without streams.
  BatchStreamRegistry* streams = nullptr;
};

class GrpcServer {
 public:
  // Binds, starts and marks every service (and "") SERVING. The services must
  // outlive the server. `customize` runs on the builder just before it builds
  // the server: completion-queue services add their queues there.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerConfig& config,
      const std::vector<ServiceRegistration>& services,
      const std::function<void(grpc::ServerBuilder&)>& customize = {});

  ~GrpcServer();  // drains if Drain() was not called

  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  int port() const { return port_; }
  std::string address() const;
  // The health-only port; 0 without health_listen_address.
  int health_port() const { return health_port_; }

  // Health NOT_SERVING, end the services' streams once answered, stop
  // accepting calls, let in-flight calls finish for up to drain_timeout (then
  // cancel them), and return when all are done.
  // Idempotent and safe to call from any thread.
  void Drain();

 private:
  struct Parts {
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    // The health port's server (may be null) and what it answers for
    // every other method; the service outlives the server.
    std::unique_ptr<grpc::CallbackGenericService> refuse_all;
    std::unique_ptr<grpc::Server> health_server;
    int health_port = 0;
  };
  GrpcServer(Parts parts, absl::Duration drain_timeout, std::string host,
             std::vector<BatchStreamRegistry*> streams);

  std::unique_ptr<grpc::Server> server_;
  const int port_;
  std::unique_ptr<grpc::CallbackGenericService> refuse_all_;
  std::unique_ptr<grpc::Server> health_server_;
  const int health_port_;
  const absl::Duration drain_timeout_;
  const std::string host_;
  const std::vector<BatchStreamRegistry*> streams_;
  absl::Mutex drain_mu_;
  bool drained_ ABSL_GUARDED_BY(drain_mu_) = false;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_GRPC_SERVER_H_
