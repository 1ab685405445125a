#include "services/common/cpu_count.h"

#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/files.h"

namespace hashmesh {
namespace {

std::optional<int> CpusFromQuota(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<int>((quota + period - 1) / period);
}

}  // namespace

std::optional<int> CpusFromCgroupV2(absl::string_view cpu_max) {
  std::vector<absl::string_view> parts = absl::StrSplit(
      absl::StripAsciiWhitespace(cpu_max), ' ', absl::SkipEmpty());
  int64_t quota = 0;
  int64_t period = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &quota) ||
      !absl::SimpleAtoi(parts[1], &period)) {
    return std::nullopt;  // includes "max 100000": no limit
  }
  return CpusFromQuota(quota, period);
}

std::optional<int> CpusFromCgroupV1(absl::string_view quota_us,
                                    absl::string_view period_us) {
  int64_t quota = 0;
  int64_t period = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(quota_us), &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(period_us), &period)) {
    return std::nullopt;
  }
  return CpusFromQuota(quota, period);
}

CpuCount EffectiveCpuCount() {
  const int online =
      static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  CpuCount result{online,
                  absl::StrCat(online, " online CPUs, no cgroup quota")};
  std::optional<int> quota;
  // An unreadable file means that cgroup version (or its CPU controller) is
  // not there, so the host's count stands.
  if (auto v2 = ReadFileToString("/sys/fs/cgroup/cpu.max"); v2.ok()) {
    quota = CpusFromCgroupV2(*v2);
  } else if (auto q = ReadFileToString("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
             q.ok()) {
    if (auto p = ReadFileToString("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
        p.ok()) {
      quota = CpusFromCgroupV1(*q, *p);
    }
  }
  if (quota.has_value() && *quota < online) {
    result = {*quota, absl::StrCat("cgroup CPU quota of ", *quota,
                                   " (host has ", online, ")")};
  }
  return result;
}

}  // namespace hashmesh
