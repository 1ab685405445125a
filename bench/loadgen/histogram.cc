#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hashmesh::loadgen {

static_assert(LatencyHistogram::kBucketCount ==
                  (64 - LatencyHistogram::kSubBucketBits) *
                      LatencyHistogram::kSubBuckets,
              "one run of sub-buckets per exponent up to bit 62, plus the "
              "linear range");

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < 2 * kSubBuckets) return static_cast<size_t>(value);
  const int msb =
      static_cast<int>(std::bit_width(value)) - 1;  // >= kSubBucketBits + 1
  const int shift = msb - kSubBucketBits;
  return static_cast<size_t>(shift + 1) * kSubBuckets +
         static_cast<size_t>((value >> shift) - kSubBuckets);
}

uint64_t LatencyHistogram::BucketUpperBound(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const int shift = static_cast<int>(index / kSubBuckets) - 1;
  const uint64_t sub = index % kSubBuckets + kSubBuckets;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t nanos) {
  const int64_t value = std::max<int64_t>(nanos, 0);
  ++counts_[BucketIndex(static_cast<uint64_t>(value))];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  ++count_;
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

int64_t LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile <= 0) return min_;
  const double fraction = std::clamp(percentile, 0.0, 100.0) / 100.0;
  // The rank of the sample wanted, 1-based: the ceil, so that p50 of two
  // samples is the first and p100 the last; the epsilon keeps 0.99 * 100
  // from rounding up to rank 100 through binary fractions.
  const double exact_rank = fraction * static_cast<double>(count_);
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(exact_rank - 1e-9)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const auto bound = static_cast<int64_t>(BucketUpperBound(i));
      return std::clamp(bound, min_, max_);
    }
  }
  return max_;
}

}  // namespace hashmesh::loadgen
