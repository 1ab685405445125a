// Building blocks of the gateway's Prometheus metrics: lock-free
// fixed-bucket histograms and the text format's HELP/TYPE lines.
#ifndef HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_
#define HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hashmesh::gateway {

// A cumulative histogram over fixed bucket bounds; a value is recorded as a
// whole number of `unit`s (microseconds for latencies, 1 for counts), so
// that recording is a few relaxed atomic increments.
class Histogram {
 public:
  Histogram(std::span<const double> bounds, double unit);

  void Record(uint64_t units);
  // Appends the _bucket/_sum/_count lines of `name` with `labels` ("a=\"b\"").
  void Render(absl::string_view name, absl::string_view labels,
              std::string* out) const;

 private:
  const std::span<const double> bounds_;
  const double unit_;
  std::vector<uint64_t> bound_units_;  // bounds_ in units, for exact buckets
  std::vector<std::atomic<uint64_t>> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_units_{0};
};

// Latencies in seconds.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01,
      0.025,  0.05,  0.1,   0.25,  0.5,   1.0,    2.5};

  void Record(absl::Duration latency);
  void Render(absl::string_view name, absl::string_view labels,
              std::string* out) const {
    histogram_.Render(name, labels, out);
  }

 private:
  Histogram histogram_{kBounds, 1e-6};
};

// Small counts (items per message).
class CountHistogram {
 public:
  static constexpr std::array<double, 11> kBounds = {1,  2,   4,   8,   16,  32,
                                                     64, 128, 256, 512, 1024};

  void Record(uint64_t count) { histogram_.Record(count); }
  void Render(absl::string_view name, absl::string_view labels,
              std::string* out) const {
    histogram_.Render(name, labels, out);
  }

 private:
  Histogram histogram_{kBounds, 1};
};

// "# HELP name help\n# TYPE name type\n" (text exposition format 0.0.4).
void AppendMetricHeader(absl::string_view name, absl::string_view type,
                        absl::string_view help, std::string* out);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_
