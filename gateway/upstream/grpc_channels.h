// Creates the gateway's gRPC channels: round_robin, retries, keepalive, N per
// upstream.
#ifndef HASHMESH_GATEWAY_UPSTREAM_GRPC_CHANNELS_H_
#define HASHMESH_GATEWAY_UPSTREAM_GRPC_CHANNELS_H_

#include <grpcpp/channel.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace grpc {
class ChannelCredentials;
}  // namespace grpc

namespace hashmesh::gateway {

struct ChannelOptions {
  // Separate HTTP/2 connections per resolved address. One measured best on
  // loopback (bench/run.sh: 140 us of mesh CPU per payment against 176 us
  // with two); more help when one connection's bandwidth is the limit.
  int channels = 1;
  // Client keepalive pings; must stay above the servers' minimum client ping
  // interval (10 s by default) or they answer with too_many_pings.
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // After an upstream restarts, reconnect within this (gRPC's default grows
  // to 120 s, far too long for a replica that is back after a rollout).
  absl::Duration max_reconnect_backoff = absl::Seconds(5);
  int retry_max_attempts = 3;  // first try included; UNAVAILABLE, CANCELLED
  absl::Duration retry_initial_backoff = absl::Milliseconds(10);
  absl::Duration retry_max_backoff = absl::Milliseconds(200);
  // Null: plaintext (h2c). Made once (MakeChannelCredentials) and shared, so
  // that all channels watch one set of certificate files.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // With TLS, the name the server's certificate must carry when the target's
  // host is not in it (an IP address, a local alias); empty: the host.
  std::string tls_server_name;
};

// The service config: round_robin over every resolved address, and a bounded
// retry with backoff of UNAVAILABLE (and CANCELLED) for `service`.
std::string ServiceConfigJson(const std::string& service,
                              const ChannelOptions& options);

// `options.channels` channels to `target` (any gRPC target: "host:port",
// "dns:///name:port", "ipv4:a:p,b:p"), each its own HTTP/2 connection(s).
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, const std::string& service,
    const ChannelOptions& options);

// One stub per channel, created once and handed out round robin; thread-safe.
template <typename Service>
class StubSet {
 public:
  explicit StubSet(
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    for (const auto& channel : channels) {
      stubs_.push_back(Service::NewStub(channel));
    }
  }

  typename Service::Stub& Next() {
    return *stubs_[next_.fetch_add(1, std::memory_order_relaxed) %
                   stubs_.size()];
  }

 private:
  std::vector<std::unique_ptr<typename Service::Stub>> stubs_;
  std::atomic<uint32_t> next_{0};
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_GRPC_CHANNELS_H_
