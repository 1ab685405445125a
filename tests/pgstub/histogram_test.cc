// Unit tests of the load tool's LatencyHistogram: buckets, percentiles, merge.
#include "bench/loadgen/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

namespace hashmesh::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.Percentile(99), 0);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndTight) {
  // Every value lies within its bucket, buckets tile the range without gaps,
  // and a bucket is at most 1/128 of its values wide.
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{257},
        uint64_t{511}, uint64_t{512}, uint64_t{2000000}, uint64_t{1} << 40,
        uint64_t{std::numeric_limits<int64_t>::max()}}) {
    const size_t i = LatencyHistogram::BucketIndex(v);
    ASSERT_LT(i, LatencyHistogram::kBucketCount) << v;
    EXPECT_LE(v, LatencyHistogram::BucketUpperBound(i)) << v;
    if (i > 0) {
      EXPECT_GT(v, LatencyHistogram::BucketUpperBound(i - 1)) << v;
    }
  }
  for (size_t i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    const uint64_t lower = LatencyHistogram::BucketUpperBound(i - 1) + 1;
    ASSERT_EQ(LatencyHistogram::BucketIndex(lower), i);
    const uint64_t width = LatencyHistogram::BucketUpperBound(i) - lower + 1;
    ASSERT_LE(width * 128, std::max<uint64_t>(lower, 128)) << i;
  }
}

TEST(LatencyHistogramTest, PercentilesOfAUniformRangeWithinPrecision) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1us..100ms
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 1000);
  EXPECT_EQ(h.max(), 100000000);
  EXPECT_NEAR(h.mean(), 50000500.0, 1.0);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100 * 100000 * 1000;
    EXPECT_GE(h.Percentile(p), exact) << p;  // upper bound of the bucket
    EXPECT_LE(h.Percentile(p), exact * (1 + 1.0 / 128)) << p;
  }
  EXPECT_EQ(h.Percentile(0), 1000);
  EXPECT_EQ(h.Percentile(100), 100000000);
}

TEST(LatencyHistogramTest, TailIsNotHiddenByTheAverage) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.Record(2000000);  // 2 ms
  for (int i = 0; i < 10; ++i) h.Record(50000000);  // 50 ms, 1%
  EXPECT_LE(h.Percentile(99), 2000000 * 129 / 128);
  EXPECT_GE(h.Percentile(99.9), 50000000);
  EXPECT_NEAR(h.mean(), 2480000.0, 1.0);
}

TEST(LatencyHistogramTest, SmallCountsUseNearestRank) {
  LatencyHistogram h;
  h.Record(100);
  h.Record(200);
  EXPECT_EQ(h.Percentile(50), 100);
  EXPECT_EQ(h.Percentile(50.1), 200);
  EXPECT_EQ(h.Percentile(100), 200);
}

TEST(LatencyHistogramTest, NegativeCountsAsZero) {
  LatencyHistogram h;
  h.Record(-5);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 gen(3);
  std::exponential_distribution<double> latency(1.0 / 2e6);
  LatencyHistogram all, a, b;
  for (int i = 0; i < 10000; ++i) {
    const auto v = static_cast<int64_t>(latency(gen));
    all.Record(v);
    (i % 3 == 0 ? a : b).Record(v);
  }
  LatencyHistogram merged;
  merged.Merge(a);
  merged.Merge(b);
  merged.Merge(LatencyHistogram());
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-6 * all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(merged.Percentile(p), all.Percentile(p)) << p;
  }
}

}  // namespace
}  // namespace hashmesh::loadgen
