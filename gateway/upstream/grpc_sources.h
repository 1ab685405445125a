// AccountSource and DigestSource over gRPC: async callback-API calls with
// deadlines, answering with the gateway's own types.
#ifndef HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "gateway/payment/sources.h"
#include "gateway/upstream/grpc_channels.h"
#include "gateway/upstream/upstream_metrics.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"
#include "services/common/log.h"

namespace hashmesh::gateway {

class GrpcAccountSource final : public AccountSource {
 public:
  // `metrics` must outlive the source.
  GrpcAccountSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                    absl::Duration timeout, UpstreamMetrics* metrics);

  void Lookup(const std::string& account_id, AccountCallback done) override;

 private:
  StubSet<pgstub::v1::AccountStore> stubs_;
  const absl::Duration timeout_;
  UpstreamMetrics* metrics_;
  LogRateLimiter failure_log_;
};

class GrpcDigestSource final : public DigestSource {
 public:
  GrpcDigestSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   absl::Duration timeout, UpstreamMetrics* metrics);

  void Sha256Hex(std::string data, uint32_t rounds,
                 DigestCallback done) override;

 private:
  StubSet<engine::v1::HashEngine> stubs_;
  const absl::Duration timeout_;
  UpstreamMetrics* metrics_;
  LogRateLimiter failure_log_;
};

// The wire Account as the gateway's record; its strings are moved out.
Account AccountFromProto(pgstub::v1::Account& proto);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
