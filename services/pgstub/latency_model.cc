#include "services/pgstub/latency_model.h"

#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"

namespace hashmesh::pgstub {
namespace {

absl::Status CheckRange(absl::string_view what, absl::Duration d) {
  if (d < absl::ZeroDuration() || d > LatencyModel::kMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be between 0 and ",
                     absl::FormatDuration(LatencyModel::kMax), ", got ",
                     absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<JitterMode> ParseJitterMode(absl::string_view text) {
  for (JitterMode mode :
       {JitterMode::kNone, JitterMode::kUniform, JitterMode::kExponential}) {
    if (text == JitterModeName(mode)) return mode;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "jitter mode must be none, uniform or exponential, got \"", text, "\""));
}

absl::string_view JitterModeName(JitterMode mode) {
  switch (mode) {
    case JitterMode::kNone:
      return "none";
    case JitterMode::kUniform:
      return "uniform";
    case JitterMode::kExponential:
      return "exponential";
  }
  return "?";
}

absl::StatusOr<LatencyModel> LatencyModel::Create(const LatencyConfig& config) {
  if (absl::Status s = CheckRange("latency", config.base); !s.ok()) return s;
  if (absl::Status s = CheckRange("latency jitter", config.jitter); !s.ok()) {
    return s;
  }
  if (config.jitter_mode == JitterMode::kNone &&
      config.jitter != absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "latency jitter ", absl::FormatDuration(config.jitter),
        " needs a jitter mode (uniform or exponential) to draw it with"));
  }
  return LatencyModel(config);
}

absl::Duration LatencyModel::Sample(absl::BitGenRef gen) const {
  const double jitter_s = absl::ToDoubleSeconds(config_.jitter);
  if (jitter_s <= 0) return config_.base;
  switch (config_.jitter_mode) {
    case JitterMode::kNone:
      return config_.base;
    case JitterMode::kUniform:
      return config_.base +
             absl::Seconds(
                 absl::Uniform(absl::IntervalClosedClosed, gen, 0.0, jitter_s));
    case JitterMode::kExponential:
      return config_.base +
             absl::Seconds(absl::Exponential(gen, 1.0 / jitter_s));
  }
  return config_.base;
}

std::string LatencyModel::Describe() const {
  std::string base = absl::FormatDuration(config_.base);
  std::string jitter = absl::FormatDuration(config_.jitter);
  switch (config_.jitter_mode) {
    case JitterMode::kNone:
      return base;
    case JitterMode::kUniform:
      return absl::StrCat(base, " + uniform[0, ", jitter, "]");
    case JitterMode::kExponential:
      return absl::StrCat(base, " + exponential(mean ", jitter, ")");
  }
  return base;
}

}  // namespace hashmesh::pgstub
