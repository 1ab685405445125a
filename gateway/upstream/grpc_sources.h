// AccountSource and DigestSource over unary gRPC calls (--upstream_mode=unary):
// async callback-API calls with the payment's deadline, answering with the
// gateway's own types.
#ifndef HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "gateway/payment/sources.h"
#include "gateway/upstream/client_calls.h"
#include "gateway/upstream/grpc_channels.h"
#include "gateway/upstream/upstream_metrics.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"
#include "services/common/log.h"

namespace hashmesh::gateway {

class GrpcAccountSource final : public AccountSource {
 public:
  // `calls` and `metrics` must outlive the source.
  GrpcAccountSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                    ClientCalls* calls, UpstreamMetrics* metrics);

  void Lookup(const std::string& account_id, absl::Time deadline,
              AccountCallback done) override;

 private:
  StubSet<pgstub::v1::AccountStore> stubs_;
  ClientCalls* calls_;
  UpstreamMetrics* metrics_;
  LogRateLimiter failure_log_;
};

class GrpcDigestSource final : public DigestSource {
 public:
  GrpcDigestSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   ClientCalls* calls, UpstreamMetrics* metrics);

  void Sha256Hex(std::string data, uint32_t rounds, absl::Time deadline,
                 DigestCallback done) override;

 private:
  StubSet<engine::v1::HashEngine> stubs_;
  ClientCalls* calls_;
  UpstreamMetrics* metrics_;
  LogRateLimiter failure_log_;
};

// The wire Account as the gateway's record; its strings are moved out.
Account AccountFromProto(pgstub::v1::Account& proto);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
