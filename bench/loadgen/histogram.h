// Latency histogram, log-linear buckets (HDR-style): percentiles, no samples.
#ifndef HASHMESH_BENCH_LOADGEN_HISTOGRAM_H_
#define HASHMESH_BENCH_LOADGEN_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hashmesh::loadgen {

// Records durations in nanoseconds. Values below 256 ns have a bucket each;
// above, every power of two is split into 128 buckets, so a reported
// percentile is within 1/128 (0.8%) above the true sample, over the whole
// int64 range, in a fixed 57 KiB. Not thread-safe: record per thread or under
// a lock, then Merge.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr size_t kBucketCount = 7296;  // up to INT64_MAX

  LatencyHistogram();

  // Negative values (a clock step) count as 0.
  void Record(int64_t nanos);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;

  // The smallest bucket bound at or below which `percentile` (0..100) percent
  // of the samples fall: the upper bound of that bucket, clamped to the exact
  // min and max, so Percentile(0) == min() and Percentile(100) == max().
  // 0 when empty.
  int64_t Percentile(double percentile) const;

  // Bucket arithmetic, public for tests.
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketUpperBound(size_t index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  // long double: a sum of nanoseconds over billions of calls overflows no
  // integer we would want, and loses nothing a mean needs.
  long double sum_ = 0;
};

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_HISTOGRAM_H_
