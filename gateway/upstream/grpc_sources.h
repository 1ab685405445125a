// AccountSource and DigestSource over gRPC: async callback-API calls with
// deadlines.
#ifndef HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "gateway/metrics/metrics.h"
#include "gateway/upstream/grpc_channels.h"
#include "gateway/upstream/sources.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::gateway {

class GrpcAccountSource final : public AccountSource {
 public:
  // `metrics` must outlive the source.
  GrpcAccountSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                    absl::Duration timeout, Metrics* metrics);

  void Lookup(const std::string& account_id,
              boost::asio::any_io_executor executor,
              AccountCallback done) override;

 private:
  StubSet<pgstub::v1::AccountStore> stubs_;
  const absl::Duration timeout_;
  Metrics* metrics_;
};

class GrpcDigestSource final : public DigestSource {
 public:
  GrpcDigestSource(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   absl::Duration timeout, Metrics* metrics);

  void Sha256Hex(std::string data, uint32_t rounds,
                 boost::asio::any_io_executor executor,
                 DigestCallback done) override;

 private:
  StubSet<engine::v1::HashEngine> stubs_;
  const absl::Duration timeout_;
  Metrics* metrics_;
};

// The wire Account as the gateway's plain struct.
pgstub::Account AccountFromProto(const pgstub::v1::Account& proto);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_GRPC_SOURCES_H_
