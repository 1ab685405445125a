// Known-answer and rounds tests for the engine's Hasher.
#include "services/engine/hasher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"

namespace hashmesh::engine {
namespace {

class HasherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Hasher::Create();
    ASSERT_TRUE(created.ok()) << created.status();
    hasher_ = *std::move(created);
  }

  std::string Hex(HashAlgorithm algorithm, uint32_t rounds,
                  absl::string_view data) {
    absl::StatusOr<std::string> digest =
        hasher_->Digest(algorithm, rounds, data);
    EXPECT_TRUE(digest.ok()) << digest.status();
    return digest.ok() ? absl::BytesToHexString(*digest) : "";
  }

  std::unique_ptr<Hasher> hasher_;
};

// FIPS 180-4 / FIPS 202 / RFC 7693 vectors for "abc".
TEST_F(HasherTest, KnownAnswersForAbc) {
  EXPECT_EQ(Hex(HashAlgorithm::kSha256, 1, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(HashAlgorithm::kSha512, 1, "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(Hex(HashAlgorithm::kSha3_256, 1, "abc"),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(Hex(HashAlgorithm::kBlake2b512, 1, "abc"),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST_F(HasherTest, EmptyInputIsValid) {
  EXPECT_EQ(Hex(HashAlgorithm::kSha256, 1, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// d2 = H(d1) over the raw digest bytes, not over its hex.
TEST_F(HasherTest, SecondRoundHashesRawDigest) {
  EXPECT_EQ(Hex(HashAlgorithm::kSha256, 2, "abc"),
            "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358");
  auto first = hasher_->Digest(HashAlgorithm::kSha512, 1, "abc");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Hex(HashAlgorithm::kSha512, 2, "abc"),
            Hex(HashAlgorithm::kSha512, 1, *first));
}

// The example of SPEC.md: the canonical payment data of acc-000042.
TEST_F(HasherTest, SpecExamplePaymentDigest) {
  EXPECT_EQ(Hex(HashAlgorithm::kSha256, 100,
                "acc-000042|1299|GBP|corner-cafe|latte|"
                "bace429177cc7520dcfe34753b49bb97"),
            "c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522");
}

TEST_F(HasherTest, DigestSizes) {
  EXPECT_EQ(hasher_->Digest(HashAlgorithm::kSha256, 3, "x")->size(), 32u);
  EXPECT_EQ(hasher_->Digest(HashAlgorithm::kSha512, 3, "x")->size(), 64u);
  EXPECT_EQ(hasher_->Digest(HashAlgorithm::kSha3_256, 3, "x")->size(), 32u);
  EXPECT_EQ(hasher_->Digest(HashAlgorithm::kBlake2b512, 3, "x")->size(), 64u);
}

TEST_F(HasherTest, RejectsRoundsOutsideLimits) {
  auto zero = hasher_->Digest(HashAlgorithm::kSha256, 0, "x");
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().message(),
            "rounds must be between 1 and 1000000, got 0");
  EXPECT_EQ(
      hasher_->Digest(HashAlgorithm::kSha256, 1000001, "x").status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(HasherTest, RejectsDataOverLimitAndAcceptsExactLimit) {
  const std::string max(1 << 20, 'a');
  EXPECT_TRUE(hasher_->Digest(HashAlgorithm::kSha256, 1, max).ok());
  auto over = hasher_->Digest(HashAlgorithm::kSha256, 1, max + "a");
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(),
            "data must be at most 1048576 bytes, got 1048577");
}

TEST(HasherLimitsTest, ConfiguredMaxRoundsApplies) {
  auto hasher = Hasher::Create({.max_rounds = 10, .max_data_bytes = 4});
  ASSERT_TRUE(hasher.ok());
  EXPECT_TRUE((*hasher)->Digest(HashAlgorithm::kSha256, 10, "abcd").ok());
  EXPECT_FALSE((*hasher)->Digest(HashAlgorithm::kSha256, 11, "abcd").ok());
  EXPECT_FALSE((*hasher)->Digest(HashAlgorithm::kSha256, 1, "abcde").ok());
}

TEST_F(HasherTest, CancellationStopsLongHash) {
  int polls = 0;
  auto digest = hasher_->Digest(HashAlgorithm::kSha256, 1000000, "x",
                                [&] { return ++polls == 2; });
  EXPECT_EQ(digest.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(polls, 2);
}

TEST_F(HasherTest, ConcurrentThreadsAgree) {
  const std::string expected = Hex(HashAlgorithm::kSha3_256, 500, "payload");
  std::atomic<int> mismatches{0};
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto d = hasher_->Digest(HashAlgorithm::kSha3_256, 500, "payload");
        if (!d.ok() || absl::BytesToHexString(*d) != expected) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// SHA-2's direct path must give EVP's bytes, across block and padding
// boundaries (55/56/64 and 111/112/128 bytes) and chained rounds.
TEST(Sha2PathTest, DirectAndEvpGiveTheSameBytes) {
  auto direct = Hasher::Create({}, Sha2Path::kDirect);
  auto evp = Hasher::Create({}, Sha2Path::kEvp);
  ASSERT_TRUE(direct.ok() && evp.ok());
  std::string data;
  for (int size = 0; size <= 257; ++size) {
    for (HashAlgorithm algorithm :
         {HashAlgorithm::kSha256, HashAlgorithm::kSha512}) {
      for (uint32_t rounds : {1u, 2u, 3u, 100u}) {
        EXPECT_EQ(*(*direct)->Digest(algorithm, rounds, data),
                  *(*evp)->Digest(algorithm, rounds, data))
            << AlgorithmName(algorithm) << " size=" << size
            << " rounds=" << rounds;
      }
    }
    data.push_back(static_cast<char>('a' + size % 26));
  }
  EXPECT_EQ(*(*direct)->Digest(HashAlgorithm::kSha512, 5000, "x"),
            *(*evp)->Digest(HashAlgorithm::kSha512, 5000, "x"));
}

TEST(Sha2PathTest, CancellationStopsEitherPath) {
  for (Sha2Path path : {Sha2Path::kDirect, Sha2Path::kEvp}) {
    auto hasher = Hasher::Create({}, path);
    ASSERT_TRUE(hasher.ok());
    for (HashAlgorithm algorithm :
         {HashAlgorithm::kSha256, HashAlgorithm::kSha512}) {
      int polls = 0;
      auto digest = (*hasher)->Digest(algorithm, 1000000, "x",
                                      [&] { return ++polls == 3; });
      EXPECT_EQ(digest.status().code(), absl::StatusCode::kCancelled);
      EXPECT_EQ(polls, 3);
    }
  }
}

TEST(AlgorithmNamesTest, RoundTrip) {
  for (HashAlgorithm a :
       {HashAlgorithm::kSha256, HashAlgorithm::kSha512,
        HashAlgorithm::kSha3_256, HashAlgorithm::kBlake2b512}) {
    EXPECT_EQ(AlgorithmFromName(AlgorithmName(a)), a);
  }
  EXPECT_EQ(AlgorithmName(HashAlgorithm::kSha256), "sha256");
  EXPECT_FALSE(AlgorithmFromName("md5").has_value());
}

}  // namespace
}  // namespace hashmesh::engine
