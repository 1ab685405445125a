// The simulated query latency: a fixed base plus an optional random jitter.
#ifndef HASHMESH_SERVICES_PGSTUB_LATENCY_MODEL_H_
#define HASHMESH_SERVICES_PGSTUB_LATENCY_MODEL_H_

#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hashmesh::pgstub {

// How the extra latency on top of the base is drawn. A real database's tail
// is closer to exponential; uniform gives a bounded spread.
enum class JitterMode { kNone, kUniform, kExponential };

// "none", "uniform" or "exponential".
absl::StatusOr<JitterMode> ParseJitterMode(absl::string_view text);
absl::string_view JitterModeName(JitterMode mode);

struct LatencyConfig {
  absl::Duration base = absl::Milliseconds(2);
  JitterMode jitter_mode = JitterMode::kNone;
  // The maximum extra for kUniform, the mean extra for kExponential.
  absl::Duration jitter = absl::ZeroDuration();
};

// Immutable and thread-safe; each caller brings its own random generator.
class LatencyModel {
 public:
  // The longest base or jitter accepted: beyond it a "database" is a hang.
  static constexpr absl::Duration kMax = absl::Minutes(10);

  // INVALID_ARGUMENT for a negative or huge duration, or a jitter without a
  // mode to draw it with.
  static absl::StatusOr<LatencyModel> Create(const LatencyConfig& config);

  // base + jitter; never less than base.
  absl::Duration Sample(absl::BitGenRef gen) const;

  const LatencyConfig& config() const { return config_; }
  // "2ms", "2ms + uniform[0, 1ms]" or "2ms + exponential(mean 1ms)".
  std::string Describe() const;

 private:
  explicit LatencyModel(const LatencyConfig& config) : config_(config) {}

  LatencyConfig config_;
};

}  // namespace hashmesh::pgstub

#endif  // HASHMESH_SERVICES_PGSTUB_LATENCY_MODEL_H_
