#include "services/engine/hash_service.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"

namespace hashmesh::engine {
namespace {

// Runs the hash and fills the response; the one code path for inline and pool.
absl::Status Compute(const Hasher& hasher, HashAlgorithm algorithm,
                     grpc::CallbackServerContext* context,
                     const v1::HashRequest& request,
                     v1::HashResponse* response) {
  absl::StatusOr<std::string> digest =
      hasher.Digest(algorithm, request.rounds(), request.data(),
                    [context] { return context->IsCancelled(); });
  if (!digest.ok()) return digest.status();
  response->set_algorithm(request.algorithm());
  response->set_rounds(request.rounds());
  response->set_digest(*std::move(digest));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HashAlgorithm> AlgorithmFromProto(v1::Algorithm algorithm) {
  switch (algorithm) {
    case v1::ALGORITHM_SHA256:
      return HashAlgorithm::kSha256;
    case v1::ALGORITHM_SHA512:
      return HashAlgorithm::kSha512;
    case v1::ALGORITHM_SHA3_256:
      return HashAlgorithm::kSha3_256;
    case v1::ALGORITHM_BLAKE2B512:
      return HashAlgorithm::kBlake2b512;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "algorithm must be one of ALGORITHM_SHA256, ALGORITHM_SHA512, "
          "ALGORITHM_SHA3_256, ALGORITHM_BLAKE2B512; got ",
          v1::Algorithm_Name(algorithm).empty()
              ? absl::StrCat(static_cast<int>(algorithm))
              : v1::Algorithm_Name(algorithm)));
  }
}

HashService::HashService(const Hasher* hasher, WorkerPool* pool,
                         HashServiceOptions options)
    : hasher_(hasher), pool_(pool), options_(options) {}

grpc::ServerUnaryReactor* HashService::Hash(
    grpc::CallbackServerContext* context, const v1::HashRequest* request,
    v1::HashResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<HashAlgorithm> algorithm =
      AlgorithmFromProto(request->algorithm());
  absl::Status valid =
      algorithm.ok()
          ? hasher_->Validate(request->rounds(), request->data().size())
          : algorithm.status();
  if (!valid.ok()) {
    reactor->Finish(ToGrpcStatus(valid));
    return reactor;
  }

  spdlog::debug("hash {} rounds={} bytes={}", AlgorithmName(*algorithm),
                request->rounds(), request->data().size());
  const size_t work_bytes =
      request->data().size() +
      static_cast<size_t>(request->rounds() - 1) * DigestSize(*algorithm);
  if (work_bytes <= options_.inline_max_bytes) {
    reactor->Finish(ToGrpcStatus(
        Compute(*hasher_, *algorithm, context, *request, response)));
    return reactor;
  }
  const bool queued = pool_->TrySubmit(
      [this, algorithm = *algorithm, context, request, response, reactor] {
        // A call cancelled while queued is not worth hashing.
        absl::Status status =
            context->IsCancelled()
                ? absl::CancelledError("cancelled while queued")
                : Compute(*hasher_, algorithm, context, *request, response);
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("engine overloaded: ", pool_->queued(),
                                  " hashes already queued; retry later")));
  }
  return reactor;
}

}  // namespace hashmesh::engine
