// The serialized request of each call, per method the load tool can fill.
#ifndef HASHMESH_BENCH_LOADGEN_REQUEST_SOURCE_H_
#define HASHMESH_BENCH_LOADGEN_REQUEST_SOURCE_H_

#include <grpcpp/support/byte_buffer.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hashmesh::loadgen {

struct PayloadConfig {
  // GetAccount: call k asks for one of acc-000000 .. acc-(accounts-1),
  // spread over the whole range by a multiplicative hash of k.
  uint32_t accounts = 100000;
  // Hash: the same request every call.
  std::string algorithm = "sha256";  // sha256, sha512, sha3-256, blake2b512
  uint32_t rounds = 100;
  size_t data_bytes = 64;
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The request for call number `call`. Thread-safe.
  virtual grpc::ByteBuffer Request(uint64_t call) const = 0;
  // The same, serialized, for an item of a batch stream. Thread-safe.
  virtual std::string RequestBytes(uint64_t call) const = 0;
};

// The methods a RequestSource exists for, as "/package.Service/Method": the
// unary ones and their batch streams (SPEC.md "Batch streams"), whose items
// carry the same requests.
std::vector<std::string> KnownMethods();

// Whether a canonical method is a batch stream (GetAccountStream,
// HashStream).
bool IsStreamMethod(absl::string_view canonical_method);

// "/package.Service/Method" for a method written with or without the leading
// slash; INVALID_ARGUMENT (listing the known ones) for any other method.
absl::StatusOr<std::string> CanonicalMethod(absl::string_view method);

// INVALID_ARGUMENT for an unknown method or a payload it cannot carry.
absl::StatusOr<std::unique_ptr<RequestSource>> MakeRequestSource(
    absl::string_view canonical_method, const PayloadConfig& config);

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_REQUEST_SOURCE_H_
