#include "gateway/metrics/prometheus.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hashmesh::gateway {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

Histogram::Histogram(std::span<const double> bounds, double unit)
    : bounds_(bounds), unit_(unit), buckets_(bounds.size() + 1) {
  for (double bound : bounds) {
    bound_units_.push_back(static_cast<uint64_t>(std::llround(bound / unit)));
  }
}

void Histogram::Record(uint64_t units) {
  const size_t bucket =
      std::lower_bound(bound_units_.begin(), bound_units_.end(), units) -
      bound_units_.begin();
  buckets_[bucket].fetch_add(1, kRelaxed);
  count_.fetch_add(1, kRelaxed);
  sum_units_.fetch_add(units, kRelaxed);
}

void Histogram::Render(absl::string_view name, absl::string_view labels,
                       std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(kRelaxed);
    const std::string le =
        i < bounds_.size() ? absl::StrFormat("%g", bounds_[i]) : "+Inf";
    absl::StrAppend(out, name, "_bucket{", labels, ",le=\"", le, "\"} ",
                    cumulative, "\n");
  }
  absl::StrAppend(
      out, name, "_sum{", labels, "} ",
      absl::StrFormat("%.6f",
                      static_cast<double>(sum_units_.load(kRelaxed)) * unit_),
      "\n", name, "_count{", labels, "} ", count_.load(kRelaxed), "\n");
}

void LatencyHistogram::Record(absl::Duration latency) {
  histogram_.Record(static_cast<uint64_t>(
      std::max<int64_t>(0, absl::ToInt64Microseconds(latency))));
}

void AppendMetricHeader(absl::string_view name, absl::string_view type,
                        absl::string_view help, std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

}  // namespace hashmesh::gateway
