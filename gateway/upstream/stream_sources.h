// AccountSource and DigestSource over SPEC.md's batch streams: each lookup
// and each hash is an item on a few long-lived streams per upstream.
#ifndef HASHMESH_GATEWAY_UPSTREAM_STREAM_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_STREAM_SOURCES_H_

#include <memory>
#include <string>

#include "gateway/payment/sources.h"
#include "gateway/upstream/batch_client.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::gateway {

// An item's error as the status the unary call would have ended with.
absl::Status ItemError(const rpc::v1::Status& error);

struct AccountStreamTraits {
  using Stub = pgstub::v1::AccountStore::Stub;
  using Batch = pgstub::v1::GetAccountBatch;
  using ResultBatch = pgstub::v1::AccountResultBatch;
  using Request = pgstub::v1::GetAccountRequest;
  using Response = pgstub::v1::Account;
  static constexpr absl::StatusCode kAnswerCode = absl::StatusCode::kNotFound;

  static std::unique_ptr<Stub> NewStub(std::shared_ptr<grpc::Channel> channel);
  static void Start(Stub* stub, grpc::ClientContext* context,
                    grpc::ClientBidiReactor<Batch, ResultBatch>* reactor);
  static void AddItem(Batch* batch, uint64_t id, const Request& request);
  static absl::StatusOr<Response> Outcome(pgstub::v1::AccountResult& result);
};

struct HashStreamTraits {
  using Stub = engine::v1::HashEngine::Stub;
  using Batch = engine::v1::HashBatch;
  using ResultBatch = engine::v1::HashResultBatch;
  using Request = engine::v1::HashRequest;
  using Response = engine::v1::HashResponse;
  static constexpr absl::StatusCode kAnswerCode = absl::StatusCode::kOk;

  static std::unique_ptr<Stub> NewStub(std::shared_ptr<grpc::Channel> channel);
  static void Start(Stub* stub, grpc::ClientContext* context,
                    grpc::ClientBidiReactor<Batch, ResultBatch>* reactor);
  static void AddItem(Batch* batch, uint64_t id, const Request& request);
  static absl::StatusOr<Response> Outcome(engine::v1::HashResult& result);
};

class StreamAccountSource final : public AccountSource {
 public:
  StreamAccountSource(std::shared_ptr<grpc::Channel> channel,
                      BatchClientOptions options, ClientCalls* calls,
                      UpstreamMetrics* metrics)
      : client_(std::move(channel), Upstream::kStore, options, calls, metrics) {
  }

  void Lookup(const std::string& account_id, absl::Time deadline,
              AccountCallback done) override;

 private:
  BatchClient<AccountStreamTraits> client_;
};

class StreamDigestSource final : public DigestSource {
 public:
  StreamDigestSource(std::shared_ptr<grpc::Channel> channel,
                     BatchClientOptions options, ClientCalls* calls,
                     UpstreamMetrics* metrics)
      : client_(std::move(channel), Upstream::kEngine, options, calls,
                metrics) {}

  void Sha256Hex(std::string data, uint32_t rounds, absl::Time deadline,
                 DigestCallback done) override;

 private:
  BatchClient<HashStreamTraits> client_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_STREAM_SOURCES_H_
