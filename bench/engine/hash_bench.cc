// Hasher throughput per algorithm and input size, to set beside `openssl
// speed`.
#include <benchmark/benchmark.h>

#include <string>

#include "services/engine/hasher.h"

namespace hashmesh::engine {
namespace {

const Hasher& SharedHasher(Sha2Path path = Sha2Path::kDirect) {
  static const Hasher* direct =
      Hasher::Create({}, Sha2Path::kDirect)->release();
  static const Hasher* evp = Hasher::Create({}, Sha2Path::kEvp)->release();
  return path == Sha2Path::kDirect ? *direct : *evp;
}

// One round over `size` bytes: the bulk throughput openssl speed reports.
void BM_Digest(benchmark::State& state, HashAlgorithm algorithm) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(SharedHasher().Digest(algorithm, 1, data));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// The gateway's job: `rounds` iterations over a payment's ~80 bytes of data.
void BM_PaymentDigest(benchmark::State& state, HashAlgorithm algorithm) {
  const std::string data =
      "acc-000042|1299|GBP|corner-cafe|latte|bace429177cc7520dcfe34753b49bb97";
  const auto rounds = static_cast<uint32_t>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(SharedHasher().Digest(algorithm, rounds, data));
  }
  state.SetItemsProcessed(state.iterations());
}

// The same through EVP: what the direct SHA-2 path saves (sha2_direct.h).
void BM_PaymentDigestEvp(benchmark::State& state, HashAlgorithm algorithm) {
  const std::string data =
      "acc-000042|1299|GBP|corner-cafe|latte|bace429177cc7520dcfe34753b49bb97";
  const auto rounds = static_cast<uint32_t>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        SharedHasher(Sha2Path::kEvp).Digest(algorithm, rounds, data));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_PaymentDigestEvp, sha256, HashAlgorithm::kSha256)
    ->Arg(100);
BENCHMARK_CAPTURE(BM_PaymentDigestEvp, sha512, HashAlgorithm::kSha512)
    ->Arg(100);

#define HASHMESH_ALGORITHM_BENCHMARKS(name, algorithm) \
  BENCHMARK_CAPTURE(BM_Digest, name, algorithm)        \
      ->Arg(16)                                        \
      ->Arg(64)                                        \
      ->Arg(256)                                       \
      ->Arg(1024)                                      \
      ->Arg(8192)                                      \
      ->Arg(16384);                                    \
  BENCHMARK_CAPTURE(BM_PaymentDigest, name, algorithm) \
      ->Arg(1)                                         \
      ->Arg(100)                                       \
      ->Arg(1000)

HASHMESH_ALGORITHM_BENCHMARKS(sha256, HashAlgorithm::kSha256);
HASHMESH_ALGORITHM_BENCHMARKS(sha512, HashAlgorithm::kSha512);
HASHMESH_ALGORITHM_BENCHMARKS(sha3_256, HashAlgorithm::kSha3_256);
HASHMESH_ALGORITHM_BENCHMARKS(blake2b512, HashAlgorithm::kBlake2b512);

}  // namespace
}  // namespace hashmesh::engine

BENCHMARK_MAIN();
