#include "gateway/metrics/prometheus.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hashmesh::gateway {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

void LatencyHistogram::Record(absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t bucket =
      std::lower_bound(kBounds.begin(), kBounds.end(), seconds) -
      kBounds.begin();
  buckets_[bucket].fetch_add(1, kRelaxed);
  count_.fetch_add(1, kRelaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(
                            0, absl::ToInt64Microseconds(latency))),
                        kRelaxed);
}

void LatencyHistogram::Render(absl::string_view name, absl::string_view labels,
                              std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(kRelaxed);
    const std::string le =
        i < kBounds.size() ? absl::StrFormat("%g", kBounds[i]) : "+Inf";
    absl::StrAppend(out, name, "_bucket{", labels, ",le=\"", le, "\"} ",
                    cumulative, "\n");
  }
  absl::StrAppend(
      out, name, "_sum{", labels, "} ",
      absl::StrFormat("%.6f",
                      static_cast<double>(sum_micros_.load(kRelaxed)) / 1e6),
      "\n", name, "_count{", labels, "} ", count_.load(kRelaxed), "\n");
}

void AppendMetricHeader(absl::string_view name, absl::string_view type,
                        absl::string_view help, std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

}  // namespace hashmesh::gateway
