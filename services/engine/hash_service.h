// The HashEngine gRPC service: a thin callback-API adapter around Hasher.
#ifndef HASHMESH_SERVICES_ENGINE_HASH_SERVICE_H_
#define HASHMESH_SERVICES_ENGINE_HASH_SERVICE_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "services/common/batch_stream.h"
#include "services/common/worker_pool.h"
#include "services/engine/hasher.h"

namespace hashmesh::engine {

struct HashServiceOptions {
  // Hashes over this many input bytes in total (data + (rounds-1) digests)
  // run on the worker pool; smaller ones run inline on gRPC's thread, where a
  // thread hop would cost more than the hash. 0 = always offload.
  size_t inline_max_bytes = 64 << 10;
  // Items one HashStream message may carry (and results one sends back).
  int max_batch_items = kDefaultMaxBatchItems;
};

class HashService final : public v1::HashEngine::CallbackService {
 public:
  // `hasher` and `pool` must outlive the service.
  HashService(const Hasher* hasher, WorkerPool* pool,
              HashServiceOptions options);

  grpc::ServerUnaryReactor* Hash(grpc::CallbackServerContext* context,
                                 const v1::HashRequest* request,
                                 v1::HashResponse* response) override;

  // Every item is a Hash call: checked, hashed where a unary call would be
  // (inline or on the pool) and answered on its own.
  grpc::ServerBidiReactor<v1::HashBatch, v1::HashResultBatch>* HashStream(
      grpc::CallbackServerContext* context) override;

  // The open streams, for GrpcServer's drain (ServiceRegistration::streams).
  BatchStreamRegistry* streams() { return &streams_; }

 private:
  class Stream;

  const Hasher* hasher_;
  WorkerPool* pool_;
  const HashServiceOptions options_;
  BatchStreamRegistry streams_;
};

// What every Hash call and HashStream item is checked for before any work:
// the algorithm, then rounds and data size against the hasher's limits.
// INVALID_ARGUMENT naming the first that is wrong.
absl::StatusOr<HashAlgorithm> CheckHashRequest(const Hasher& hasher,
                                               const v1::HashRequest& request);

// Hashes a checked request into `response` (algorithm, rounds, digest), the
// one code path of unary calls and stream items, inline and on the pool.
// `cancelled` is polled as Hasher::Digest says.
absl::Status ComputeHash(const Hasher& hasher, HashAlgorithm algorithm,
                         const v1::HashRequest& request,
                         absl::FunctionRef<bool()> cancelled,
                         v1::HashResponse* response);

// Maps the wire enum to the algorithm; INVALID_ARGUMENT for UNSPECIFIED or an
// unknown value.
absl::StatusOr<HashAlgorithm> AlgorithmFromProto(v1::Algorithm algorithm);

}  // namespace hashmesh::engine

#endif  // HASHMESH_SERVICES_ENGINE_HASH_SERVICE_H_
