// Fuzzes the engine's request handling without a gRPC server: bytes parsed
// as a HashRequest (unary Hash) or a HashBatch (HashStream), each request
// through CheckHashRequest and ComputeHash as the service's handlers call
// them, with SPEC.md's rules and the hash definition as properties.
//
// Input: the first byte picks the message (even: HashRequest, odd:
// HashBatch); the rest is its wire form.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "hashmesh/engine/v1/engine.pb.h"
#include "services/common/batch_stream.h"
#include "services/engine/hash_service.h"
#include "services/engine/hasher.h"
#include "tests/fuzz/fuzz_check.h"

namespace hashmesh::engine {
namespace {

// Rounds actually hashed stay small so that one input runs in well under a
// millisecond; validation still sees the real limits (1..1000000, 1 MiB).
constexpr uint32_t kMaxHashedRounds = 64;

struct Hashers {
  std::unique_ptr<Hasher> direct = *Hasher::Create();
  std::unique_ptr<Hasher> evp = *Hasher::Create({}, Sha2Path::kEvp);
};

// SPEC.md: rounds 1..1000000, data at most 1 MiB, the algorithm specified;
// otherwise INVALID_ARGUMENT. Written out here, not taken from the service.
bool ValidPerSpec(const v1::HashRequest& request) {
  const int algorithm = request.algorithm();
  return algorithm >= 1 && algorithm <= 4 && request.rounds() >= 1 &&
         request.rounds() <= 1000000 && request.data().size() <= (1u << 20);
}

// One call's handling, as Hash and each HashStream item do it.
void Handle(const Hashers& hashers, const v1::HashRequest& request) {
  absl::StatusOr<HashAlgorithm> algorithm =
      CheckHashRequest(*hashers.direct, request);
  FUZZ_CHECK(algorithm.ok() == ValidPerSpec(request));
  if (!algorithm.ok()) {
    FUZZ_CHECK(algorithm.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!algorithm.status().message().empty());
    return;
  }
  if (request.rounds() > kMaxHashedRounds) return;

  v1::HashResponse response;
  const absl::Status computed = ComputeHash(
      *hashers.direct, *algorithm, request, [] { return false; }, &response);
  FUZZ_CHECK(computed.ok());
  FUZZ_CHECK(response.algorithm() == request.algorithm());
  FUZZ_CHECK(response.rounds() == request.rounds());
  FUZZ_CHECK(response.digest().size() == DigestSize(*algorithm));

  // The SHA-2 fast path gives EVP's bytes.
  v1::HashResponse via_evp;
  FUZZ_CHECK(
      ComputeHash(
          *hashers.evp, *algorithm, request, [] { return false; }, &via_evp)
          .ok());
  FUZZ_CHECK(via_evp.digest() == response.digest());

  // d(k+1) = H(dk): one more round over the previous result.
  if (request.rounds() >= 2) {
    absl::StatusOr<std::string> before = hashers.direct->Digest(
        *algorithm, request.rounds() - 1, request.data());
    FUZZ_CHECK(before.ok());
    absl::StatusOr<std::string> again =
        hashers.direct->Digest(*algorithm, 1, *before);
    FUZZ_CHECK(again.ok() && *again == response.digest());
  }
  // A cancelled hash stops with CANCELLED, never with a wrong digest.
  absl::StatusOr<std::string> cancelled = hashers.direct->Digest(
      *algorithm, request.rounds(), request.data(), [] { return true; });
  FUZZ_CHECK(!cancelled.ok()
                 ? cancelled.status().code() == absl::StatusCode::kCancelled
                 : *cancelled == response.digest());
}

int FuzzOne(const uint8_t* data, size_t size) {
  static const auto* hashers = new Hashers;
  if (size == 0) return 0;
  const bool batch = (data[0] & 1) != 0;
  const void* wire = data + 1;
  const int wire_size = static_cast<int>(size - 1);
  if (!batch) {
    v1::HashRequest request;
    if (!request.ParseFromArray(wire, wire_size)) return 0;  // gRPC refuses
    Handle(*hashers, request);
    return 0;
  }
  v1::HashBatch batch_message;
  if (!batch_message.ParseFromArray(wire, wire_size)) return 0;
  // A message beyond the limit ends the stream before any item starts.
  if (batch_message.items_size() > kDefaultMaxBatchItems) return 0;
  for (const v1::HashItem& item : batch_message.items()) {
    Handle(*hashers, item.request());
  }
  return 0;
}

}  // namespace
}  // namespace hashmesh::engine

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // protobuf logs every rejected input (invalid UTF-8 in a string, ...):
  // noise at thousands of inputs a second.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hashmesh::engine::FuzzOne(data, size);
}
