// Iterated digests with OpenSSL 3: the engine's core, free of gRPC.
#ifndef HASHMESH_SERVICES_ENGINE_HASHER_H_
#define HASHMESH_SERVICES_ENGINE_HASHER_H_

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hashmesh::engine {

enum class HashAlgorithm { kSha256, kSha512, kSha3_256, kBlake2b512 };
inline constexpr int kHashAlgorithmCount = 4;

// "sha256", "sha512", "sha3-256", "blake2b512": the names the gateway reports.
absl::string_view AlgorithmName(HashAlgorithm algorithm);
std::optional<HashAlgorithm> AlgorithmFromName(absl::string_view name);
size_t DigestSize(HashAlgorithm algorithm);

struct HashLimits {
  uint32_t max_rounds = 1000000;
  size_t max_data_bytes = 1 << 20;
};

// How SHA-256 and SHA-512 are computed; the other algorithms always use EVP.
// kDirect is faster (see sha2_direct.h); kEvp exists so tests can prove both
// give the same bytes.
enum class Sha2Path { kDirect, kEvp };

// Thread-safe; create once and share. Each thread reuses its own EVP_MD_CTX.
class Hasher {
 public:
  // Fetches every algorithm from OpenSSL's default provider once.
  static absl::StatusOr<std::unique_ptr<Hasher>> Create(
      HashLimits limits = {}, Sha2Path sha2_path = Sha2Path::kDirect);
  ~Hasher();

  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  // INVALID_ARGUMENT (naming the field and its limit) for rounds outside
  // 1..max_rounds or data over max_data_bytes.
  absl::Status Validate(uint32_t rounds, size_t data_size) const;

  // d1 = H(data), d(k+1) = H(dk); returns the raw bytes of d(rounds).
  // `cancelled` is polled every few thousand rounds; when it turns true the
  // work stops with CANCELLED.
  absl::StatusOr<std::string> Digest(
      HashAlgorithm algorithm, uint32_t rounds, absl::string_view data,
      absl::FunctionRef<bool()> cancelled = [] { return false; }) const;

  const HashLimits& limits() const { return limits_; }

 private:
  Hasher(HashLimits limits, Sha2Path sha2_path,
         std::array<EVP_MD*, kHashAlgorithmCount> mds);

  const HashLimits limits_;
  const Sha2Path sha2_path_;
  const std::array<EVP_MD*, kHashAlgorithmCount> mds_;
};

}  // namespace hashmesh::engine

#endif  // HASHMESH_SERVICES_ENGINE_HASHER_H_
