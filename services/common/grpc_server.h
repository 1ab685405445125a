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

namespace grpc {
class ServerBuilder;
}  // namespace grpc

namespace hashmesh {

struct GrpcServerConfig {
  std::string listen_address = "0.0.0.0:0";
  // Empty: plaintext h2c. Both set: TLS with this PEM certificate chain and
  // key.
  std::string tls_cert_file;
  std::string tls_key_file;
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

  // Health NOT_SERVING, end the services' streams once answered, stop
  // accepting calls, let in-flight calls finish for up to drain_timeout (then
  // cancel them), and return when all are done.
  // Idempotent and safe to call from any thread.
  void Drain();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port,
             absl::Duration drain_timeout, std::string host,
             std::vector<BatchStreamRegistry*> streams);

  std::unique_ptr<grpc::Server> server_;
  const int port_;
  const absl::Duration drain_timeout_;
  const std::string host_;
  const std::vector<BatchStreamRegistry*> streams_;
  absl::Mutex drain_mu_;
  bool drained_ ABSL_GUARDED_BY(drain_mu_) = false;
};

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_GRPC_SERVER_H_
