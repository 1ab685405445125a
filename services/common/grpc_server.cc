#include "services/common/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.pb.h"
#include "services/common/tls_credentials.h"

namespace hashmesh {
namespace {

int ToMillisArg(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return std::numeric_limits<int>::max();
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d),
                                            std::numeric_limits<int>::max()));
}

// Takes reflection off a server: the health port must describe nothing.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    std::erase_if(*plugins, [](const auto& plugin) {
      return plugin->name() == "proto_server_reflection";
    });
  }
};

// Answers every method the health port does not serve with UNIMPLEMENTED
// and why. It is also what lets that server start: gRPC builds no server
// whose only service is the default health service.
class RefuseAllButHealth final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Refusal(context->method());
  }

 private:
  class Refusal final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Refusal(const std::string& method) {
      Finish(grpc::Status(
          grpc::StatusCode::UNIMPLEMENTED,
          absl::StrCat(method,
                       ": this port serves grpc.health.v1.Health only; call "
                       "the service port")));
    }
    void OnDone() override { delete this; }
  };
};

void MarkServing(grpc::Server& server,
                 const std::vector<ServiceRegistration>& services) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const ServiceRegistration& s : services) {
    health->SetServingStatus(s.full_name, true);
  }
}

absl::Status CannotListen(const std::string& address) {
  return absl::UnavailableError(
      absl::StrCat("cannot listen on ", address,
                   " (address already in use, or not a valid host:port)"));
}

void ApplyConnectionPolicy(const GrpcServerConfig& config,
                           grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ToMillisArg(config.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ToMillisArg(config.max_connection_age_grace));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ToMillisArg(config.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ToMillisArg(config.keepalive_timeout));
  // Accept client keepalive pings down to this interval, also on idle
  // connections, so that clients within the policy never get "too_many_pings".
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ToMillisArg(config.min_client_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             config.max_concurrent_streams);
  builder.SetMaxReceiveMessageSize(config.max_receive_message_bytes);
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would
  // silently share it instead of reporting the clash.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const GrpcServerConfig& config,
    const std::vector<ServiceRegistration>& services,
    const std::function<void(grpc::ServerBuilder&)>& customize) {
  auto credentials = MakeServerCredentials(config.tls);
  if (!credentials.ok()) return credentials.status();

  // Forces the generated grpc.health.v1 messages to be linked and registered,
  // so reflection can describe the built-in health service (see protos/).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address, *credentials, &port);
  ApplyConnectionPolicy(config, builder);
  for (const ServiceRegistration& s : services) {
    builder.RegisterService(s.service);
  }
  if (customize) customize(builder);

  Parts parts;
  parts.server = builder.BuildAndStart();
  parts.port = port;
  if (parts.server == nullptr || port == 0) {
    return CannotListen(config.listen_address);
  }
  MarkServing(*parts.server, services);

  if (!config.health_listen_address.empty()) {
    // Its own server: a second port on the main one would serve every
    // service in plaintext. It gets the default health service alone.
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(config.health_listen_address,
                                    grpc::InsecureServerCredentials(),
                                    &parts.health_port);
    ApplyConnectionPolicy(config, health_builder);
    health_builder.SetOption(std::make_unique<WithoutReflection>());
    parts.refuse_all = std::make_unique<RefuseAllButHealth>();
    health_builder.RegisterCallbackGenericService(parts.refuse_all.get());
    parts.health_server = health_builder.BuildAndStart();
    if (parts.health_server == nullptr || parts.health_port == 0) {
      parts.server->Shutdown();
      return CannotListen(config.health_listen_address);
    }
    MarkServing(*parts.health_server, services);
    spdlog::info("health checks at {}:{} (plaintext, grpc.health.v1 only)",
                 config.health_listen_address.substr(
                     0, config.health_listen_address.rfind(':')),
                 parts.health_port);
  }
  std::string host(
      config.listen_address.substr(0, config.listen_address.rfind(':')));
  std::vector<BatchStreamRegistry*> streams;
  for (const ServiceRegistration& s : services) {
    if (s.streams != nullptr) streams.push_back(s.streams);
  }
  return std::unique_ptr<GrpcServer>(new GrpcServer(
      std::move(parts), config.drain_timeout, host, std::move(streams)));
}

GrpcServer::GrpcServer(Parts parts, absl::Duration drain_timeout,
                       std::string host,
                       std::vector<BatchStreamRegistry*> streams)
    : server_(std::move(parts.server)),
      port_(parts.port),
      refuse_all_(std::move(parts.refuse_all)),
      health_server_(std::move(parts.health_server)),
      health_port_(parts.health_port),
      drain_timeout_(drain_timeout),
      host_(std::move(host)),
      streams_(std::move(streams)) {}

GrpcServer::~GrpcServer() { Drain(); }

std::string GrpcServer::address() const {
  return absl::StrCat(host_, ":", port_);
}

void GrpcServer::Drain() {
  absl::MutexLock lock(&drain_mu_);
  if (drained_) return;
  drained_ = true;
  spdlog::info("draining: health NOT_SERVING, waiting up to {} for calls",
               absl::FormatDuration(drain_timeout_));
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (health_server_) {
    health_server_->GetHealthCheckService()->SetServingStatus(false);
  }
  for (BatchStreamRegistry* streams : streams_) streams->Drain();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain_timeout_));
  server_->Wait();
  // Probes read NOT_SERVING on the health port until the drain is over.
  if (health_server_) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
  spdlog::info("drained");
}

}  // namespace hashmesh
