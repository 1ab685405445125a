#include "services/engine/hash_service.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"

namespace hashmesh::engine {
namespace {

// The unary and the stream path shed load with the same error.
absl::Status Overloaded(const WorkerPool& pool) {
  return absl::ResourceExhaustedError(
      absl::StrCat("engine overloaded: ", pool.queued(),
                   " hashes already queued; retry "
                   "later"));
}

// Input bytes plus every further round's digest: what decides inline or pool.
size_t WorkBytes(HashAlgorithm algorithm, const v1::HashRequest& request) {
  return request.data().size() +
         static_cast<size_t>(request.rounds() - 1) * DigestSize(algorithm);
}

}  // namespace

absl::Status ComputeHash(const Hasher& hasher, HashAlgorithm algorithm,
                         const v1::HashRequest& request,
                         absl::FunctionRef<bool()> cancelled,
                         v1::HashResponse* response) {
  absl::StatusOr<std::string> digest =
      hasher.Digest(algorithm, request.rounds(), request.data(), cancelled);
  if (!digest.ok()) return digest.status();
  response->set_algorithm(request.algorithm());
  response->set_rounds(request.rounds());
  response->set_digest(*std::move(digest));
  return absl::OkStatus();
}

absl::StatusOr<HashAlgorithm> CheckHashRequest(const Hasher& hasher,
                                               const v1::HashRequest& request) {
  absl::StatusOr<HashAlgorithm> algorithm =
      AlgorithmFromProto(request.algorithm());
  if (!algorithm.ok()) return algorithm.status();
  if (absl::Status valid =
          hasher.Validate(request.rounds(), request.data().size());
      !valid.ok()) {
    return valid;
  }
  return algorithm;
}

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
      CheckHashRequest(*hasher_, *request);
  if (!algorithm.ok()) {
    reactor->Finish(ToGrpcStatus(algorithm.status()));
    return reactor;
  }

  spdlog::debug("hash {} rounds={} bytes={}", AlgorithmName(*algorithm),
                request->rounds(), request->data().size());
  if (WorkBytes(*algorithm, *request) <= options_.inline_max_bytes) {
    reactor->Finish(ToGrpcStatus(ComputeHash(
        *hasher_, *algorithm, *request,
        [context] { return context->IsCancelled(); }, response)));
    return reactor;
  }
  const bool queued = pool_->TrySubmit(
      [this, algorithm = *algorithm, context, request, response, reactor] {
        // A call cancelled while queued is not worth hashing.
        absl::Status status =
            context->IsCancelled()
                ? absl::CancelledError("cancelled while queued")
                : ComputeHash(
                      *hasher_, algorithm, *request,
                      [context] { return context->IsCancelled(); }, response);
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(Overloaded(*pool_)));
  }
  return reactor;
}

// One HashStream: each item as a Hash call, its result under its id.
class HashService::Stream final
    : public BatchStream<v1::HashBatch, v1::HashResultBatch> {
 public:
  explicit Stream(HashService* service)
      : BatchStream(&service->streams_, service->options_.max_batch_items),
        service_(service) {}

 private:
  std::optional<v1::HashResult> StartItem(v1::HashItem& item) override {
    const uint64_t id = item.id();
    absl::StatusOr<HashAlgorithm> algorithm =
        CheckHashRequest(*service_->hasher_, item.request());
    if (!algorithm.ok()) return ErrorResult(id, algorithm.status());
    spdlog::debug("hash {} rounds={} bytes={} (stream item {})",
                  AlgorithmName(*algorithm), item.request().rounds(),
                  item.request().data().size(), id);
    auto cancelled = [this] { return cancelled_.load(); };
    if (WorkBytes(*algorithm, item.request()) <=
        service_->options_.inline_max_bytes) {
      return Run(id, *algorithm, cancelled, item.request());
    }
    const bool queued = service_->pool_->TrySubmit(
        [this, id, algorithm = *algorithm, cancelled,
         request = std::move(*item.mutable_request())]() mutable {
          Deliver(cancelled() ? ErrorResult(id, absl::CancelledError(
                                                    "cancelled while queued"))
                              : Run(id, algorithm, cancelled, request));
        });
    if (!queued) return ErrorResult(id, Overloaded(*service_->pool_));
    return std::nullopt;
  }

  bool HasRoom() const override { return service_->pool_->HasRoom(); }
  void CancelItems() override { cancelled_.store(true); }

  v1::HashResult Run(uint64_t id, HashAlgorithm algorithm,
                     const std::function<bool()>& cancelled,
                     const v1::HashRequest& request) {
    v1::HashResult result;
    result.set_id(id);
    absl::Status status = ComputeHash(*service_->hasher_, algorithm, request,
                                      cancelled, result.mutable_response());
    if (!status.ok()) return ErrorResult(id, status);
    return result;
  }

  static v1::HashResult ErrorResult(uint64_t id, const absl::Status& status) {
    v1::HashResult result;
    result.set_id(id);
    result.mutable_error()->set_code(static_cast<int32_t>(status.code()));
    result.mutable_error()->set_message(status.message().data(),
                                        status.message().size());
    return result;
  }

  HashService* const service_;
  std::atomic<bool> cancelled_{false};
};

grpc::ServerBidiReactor<v1::HashBatch, v1::HashResultBatch>*
HashService::HashStream(grpc::CallbackServerContext* /*context*/) {
  auto* stream = new Stream(this);
  stream->Begin();
  return stream;
}

}  // namespace hashmesh::engine
