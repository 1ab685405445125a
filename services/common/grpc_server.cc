#include "services/common/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.pb.h"
#include "services/common/files.h"

namespace hashmesh {
namespace {

int ToMillisArg(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return std::numeric_limits<int>::max();
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d),
                                            std::numeric_limits<int>::max()));
}

// A missing or unreadable certificate is a configuration error whatever the
// errno, so the code is kInvalidArgument, as for the other TLS checks.
absl::StatusOr<std::string> ReadPem(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFileToString(path);
  if (!pem.ok()) return absl::InvalidArgumentError(pem.status().message());
  return pem;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const GrpcServerConfig& config) {
  if (config.tls_cert_file.empty() && config.tls_key_file.empty()) {
    return grpc::InsecureServerCredentials();
  }
  if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate file and a key file");
  }
  absl::StatusOr<std::string> cert = ReadPem(config.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(config.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
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
  auto credentials = Credentials(config);
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

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_address,
                     " (address already in use, or not a valid host:port)"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const ServiceRegistration& s : services) {
    health->SetServingStatus(s.full_name, true);
  }
  std::string host(
      config.listen_address.substr(0, config.listen_address.rfind(':')));
  std::vector<BatchStreamRegistry*> streams;
  for (const ServiceRegistration& s : services) {
    if (s.streams != nullptr) streams.push_back(s.streams);
  }
  return std::unique_ptr<GrpcServer>(new GrpcServer(
      std::move(server), port, config.drain_timeout, host, std::move(streams)));
}

GrpcServer::GrpcServer(std::unique_ptr<grpc::Server> server, int port,
                       absl::Duration drain_timeout, std::string host,
                       std::vector<BatchStreamRegistry*> streams)
    : server_(std::move(server)),
      port_(port),
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
  for (BatchStreamRegistry* streams : streams_) streams->Drain();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain_timeout_));
  server_->Wait();
  spdlog::info("drained");
}

}  // namespace hashmesh
