// Building blocks of the gateway's Prometheus metrics: a lock-free
// fixed-bucket latency histogram and the text format's HELP/TYPE lines.
#ifndef HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_
#define HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hashmesh::gateway {

// A cumulative histogram over fixed latency buckets (seconds); recording is
// a few relaxed atomic increments.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01,
      0.025,  0.05,  0.1,   0.25,  0.5,   1.0,    2.5};

  void Record(absl::Duration latency);
  // Appends the _bucket/_sum/_count lines of `name` with `labels` ("a=\"b\"").
  void Render(absl::string_view name, absl::string_view labels,
              std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// "# HELP name help\n# TYPE name type\n" (text exposition format 0.0.4).
void AppendMetricHeader(absl::string_view name, absl::string_view type,
                        absl::string_view help, std::string* out);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_METRICS_PROMETHEUS_H_
