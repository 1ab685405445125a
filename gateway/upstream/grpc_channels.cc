#include "gateway/upstream/grpc_channels.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_format.h"

namespace hashmesh::gateway {
namespace {

std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%.3fs", absl::ToDoubleSeconds(d));
}

}  // namespace

// CANCELLED is retried too: gRPC 1.51's Server::Shutdown answers calls that
// arrived but had not reached a handler with CANCELLED, so a replica that
// drains would otherwise fail a few payments. Both methods are idempotent.
std::string ServiceConfigJson(const std::string& service,
                              const ChannelOptions& options) {
  return absl::StrFormat(
      R"({"loadBalancingConfig":[{"round_robin":{}}],)"
      R"("methodConfig":[{"name":[{"service":"%s"}],)"
      R"("retryPolicy":{"maxAttempts":%d,"initialBackoff":"%s",)"
      R"("maxBackoff":"%s","backoffMultiplier":2,)"
      R"("retryableStatusCodes":["UNAVAILABLE","CANCELLED"]}}]})",
      service, std::max(2, options.retry_max_attempts),
      Seconds(options.retry_initial_backoff),
      Seconds(options.retry_max_backoff));
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, const std::string& service,
    const ChannelOptions& options) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const std::string config = ServiceConfigJson(service, options);
  for (int i = 0; i < std::max(1, options.channels); ++i) {
    grpc::ChannelArguments args;
    args.SetServiceConfigJSON(config);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, options.retry_max_attempts > 1);
    args.SetInt(
        GRPC_ARG_KEEPALIVE_TIME_MS,
        static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
    args.SetInt(
        GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
        static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                static_cast<int>(
                    absl::ToInt64Milliseconds(options.max_reconnect_backoff)));
    // Without a distinct subchannel pool, channels with equal arguments share
    // one TCP connection and "several channels" would be one.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (!options.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(options.tls_server_name);
    }
    channels.push_back(grpc::CreateCustomChannel(
        target,
        options.credentials ? options.credentials
                            : grpc::InsecureChannelCredentials(),
        args));
  }
  return channels;
}

}  // namespace hashmesh::gateway
