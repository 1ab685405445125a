// Unit tests of LatencyModel: validation and the jitter distributions.
#include "services/pgstub/latency_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace hashmesh::pgstub {
namespace {

using ::testing::HasSubstr;

TEST(ParseJitterModeTest, NamesRoundTrip) {
  for (JitterMode mode :
       {JitterMode::kNone, JitterMode::kUniform, JitterMode::kExponential}) {
    EXPECT_EQ(*ParseJitterMode(JitterModeName(mode)), mode);
  }
  absl::StatusOr<JitterMode> bad = ParseJitterMode("gaussian");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("uniform"));
}

TEST(LatencyModelTest, DefaultsAreTwoMillisecondsWithoutJitter) {
  absl::StatusOr<LatencyModel> model = LatencyModel::Create({});
  ASSERT_TRUE(model.ok()) << model.status();
  std::mt19937_64 gen(1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(model->Sample(gen), absl::Milliseconds(2));
  }
  EXPECT_EQ(model->Describe(), "2ms");
}

TEST(LatencyModelTest, RejectsNegativeHugeAndModelessJitter) {
  EXPECT_FALSE(LatencyModel::Create({.base = absl::Milliseconds(-1)}).ok());
  EXPECT_FALSE(LatencyModel::Create({.base = absl::Hours(1)}).ok());
  EXPECT_FALSE(LatencyModel::Create({.jitter_mode = JitterMode::kUniform,
                                     .jitter = absl::Milliseconds(-1)})
                   .ok());
  absl::StatusOr<LatencyModel> modeless =
      LatencyModel::Create({.jitter = absl::Milliseconds(1)});
  EXPECT_EQ(modeless.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(modeless.status().message(), HasSubstr("mode"));
  EXPECT_TRUE(LatencyModel::Create({.base = absl::ZeroDuration()}).ok());
}

TEST(LatencyModelTest, UniformJitterStaysWithinBaseAndBasePlusMax) {
  absl::StatusOr<LatencyModel> model =
      LatencyModel::Create({.base = absl::Milliseconds(2),
                            .jitter_mode = JitterMode::kUniform,
                            .jitter = absl::Milliseconds(1)});
  ASSERT_TRUE(model.ok()) << model.status();
  std::mt19937_64 gen(42);
  absl::Duration sum;
  constexpr int kSamples = 20000;
  for (int i = 0; i < kSamples; ++i) {
    const absl::Duration d = model->Sample(gen);
    ASSERT_GE(d, absl::Milliseconds(2));
    ASSERT_LE(d, absl::Milliseconds(3));
    sum += d;
  }
  // Mean 2.5 ms; 20000 samples put it within a few microseconds.
  EXPECT_NEAR(absl::ToDoubleMilliseconds(sum / kSamples), 2.5, 0.02);
  EXPECT_EQ(model->Describe(), "2ms + uniform[0, 1ms]");
}

TEST(LatencyModelTest, ExponentialJitterHasTheConfiguredMean) {
  absl::StatusOr<LatencyModel> model =
      LatencyModel::Create({.base = absl::Milliseconds(2),
                            .jitter_mode = JitterMode::kExponential,
                            .jitter = absl::Milliseconds(1)});
  ASSERT_TRUE(model.ok()) << model.status();
  std::mt19937_64 gen(7);
  absl::Duration sum;
  absl::Duration longest;
  constexpr int kSamples = 20000;
  for (int i = 0; i < kSamples; ++i) {
    const absl::Duration d = model->Sample(gen);
    ASSERT_GE(d, absl::Milliseconds(2));
    sum += d;
    longest = std::max(longest, d);
  }
  EXPECT_NEAR(absl::ToDoubleMilliseconds(sum / kSamples), 3.0, 0.05);
  // An exponential tail: some samples far beyond the mean.
  EXPECT_GT(longest, absl::Milliseconds(6));
  EXPECT_EQ(model->Describe(), "2ms + exponential(mean 1ms)");
}

}  // namespace
}  // namespace hashmesh::pgstub
