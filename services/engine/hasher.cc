#include "services/engine/hasher.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "services/engine/sha2_direct.h"

namespace hashmesh::engine {
namespace {

struct AlgorithmInfo {
  HashAlgorithm algorithm;
  absl::string_view name;    // hashmesh's name
  const char* openssl_name;  // EVP_MD_fetch name
  size_t digest_size;
};

constexpr std::array<AlgorithmInfo, kHashAlgorithmCount> kAlgorithms = {{
    {HashAlgorithm::kSha256, "sha256", "SHA2-256", 32},
    {HashAlgorithm::kSha512, "sha512", "SHA2-512", 64},
    {HashAlgorithm::kSha3_256, "sha3-256", "SHA3-256", 32},
    {HashAlgorithm::kBlake2b512, "blake2b512", "BLAKE2B-512", 64},
}};

// Polling cancellation costs a call; every 4096 rounds keeps it negligible
// while stopping a 1000000-round hash within about half a millisecond.
constexpr uint32_t kCancelPollRounds = 4096;

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

std::string OpenSslError(absl::string_view what) {
  char buf[256] = {0};
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return absl::StrCat(what, ": ", buf);
}

bool EvpDigest(EVP_MD_CTX* ctx, const EVP_MD* md, const unsigned char* in,
               size_t in_len, unsigned char* out) {
  unsigned int out_len = 0;
  return EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx, in, in_len) == 1 &&
         EVP_DigestFinal_ex(ctx, out, &out_len) == 1;
}

// d1 = H(data), then H over the previous digest in place, which is safe:
// every digest is shorter than its algorithm's block, so it is consumed
// before the final write to `out`.
template <typename DigestFn>
absl::Status Chain(DigestFn digest_once, absl::string_view data,
                   uint32_t rounds, size_t size, unsigned char* out,
                   absl::FunctionRef<bool()> cancelled) {
  if (!digest_once(reinterpret_cast<const unsigned char*>(data.data()),
                   data.size(), out)) {
    return absl::InternalError(OpenSslError("digest"));
  }
  for (uint32_t round = 2; round <= rounds; ++round) {
    if (round % kCancelPollRounds == 0 && cancelled()) {
      return absl::CancelledError("hash cancelled by the caller");
    }
    if (!digest_once(out, size, out)) {
      return absl::InternalError(OpenSslError("digest"));
    }
  }
  return absl::OkStatus();
}

template <void (*kDirect)(const unsigned char*, size_t, unsigned char*)>
bool Direct(const unsigned char* in, size_t size, unsigned char* out) {
  kDirect(in, size, out);
  return true;
}

}  // namespace

absl::string_view AlgorithmName(HashAlgorithm algorithm) {
  return kAlgorithms[static_cast<int>(algorithm)].name;
}

std::optional<HashAlgorithm> AlgorithmFromName(absl::string_view name) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.name == name) return info.algorithm;
  }
  return std::nullopt;
}

size_t DigestSize(HashAlgorithm algorithm) {
  return kAlgorithms[static_cast<int>(algorithm)].digest_size;
}

absl::StatusOr<std::unique_ptr<Hasher>> Hasher::Create(HashLimits limits,
                                                       Sha2Path sha2_path) {
  std::array<EVP_MD*, kHashAlgorithmCount> mds{};
  for (const AlgorithmInfo& info : kAlgorithms) {
    EVP_MD* md = EVP_MD_fetch(nullptr, info.openssl_name, nullptr);
    if (md == nullptr) {
      for (EVP_MD* fetched : mds) EVP_MD_free(fetched);
      return absl::InternalError(
          OpenSslError(absl::StrCat("EVP_MD_fetch ", info.openssl_name)));
    }
    mds[static_cast<int>(info.algorithm)] = md;
  }
  return std::unique_ptr<Hasher>(new Hasher(limits, sha2_path, mds));
}

Hasher::Hasher(HashLimits limits, Sha2Path sha2_path,
               std::array<EVP_MD*, kHashAlgorithmCount> mds)
    : limits_(limits), sha2_path_(sha2_path), mds_(mds) {}

Hasher::~Hasher() {
  for (EVP_MD* md : mds_) EVP_MD_free(md);
}

absl::Status Hasher::Validate(uint32_t rounds, size_t data_size) const {
  if (rounds < 1 || rounds > limits_.max_rounds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rounds must be between 1 and ", limits_.max_rounds, ", got ", rounds));
  }
  if (data_size > limits_.max_data_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("data must be at most ",
                                                   limits_.max_data_bytes,
                                                   " bytes, got ", data_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Hasher::Digest(
    HashAlgorithm algorithm, uint32_t rounds, absl::string_view data,
    absl::FunctionRef<bool()> cancelled) const {
  if (absl::Status s = Validate(rounds, data.size()); !s.ok()) return s;
  const size_t size = DigestSize(algorithm);
  std::string digest(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(digest.data());
  absl::Status status;
  if (sha2_path_ == Sha2Path::kDirect && algorithm == HashAlgorithm::kSha256) {
    status = Chain(Direct<Sha256Direct>, data, rounds, size, out, cancelled);
  } else if (sha2_path_ == Sha2Path::kDirect &&
             algorithm == HashAlgorithm::kSha512) {
    status = Chain(Direct<Sha512Direct>, data, rounds, size, out, cancelled);
  } else {
    EVP_MD_CTX* ctx = ThreadContext();
    if (ctx == nullptr) return absl::ResourceExhaustedError("EVP_MD_CTX_new");
    const EVP_MD* md = mds_[static_cast<int>(algorithm)];
    status = Chain(
        [ctx, md](const unsigned char* in, size_t n, unsigned char* o) {
          return EvpDigest(ctx, md, in, n, o);
        },
        data, rounds, size, out, cancelled);
  }
  if (!status.ok()) return status;
  return digest;
}

}  // namespace hashmesh::engine
