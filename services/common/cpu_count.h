// How many CPUs this process may use: the cgroup CPU quota, not the host's
// cores.
#ifndef HASHMESH_SERVICES_COMMON_CPU_COUNT_H_
#define HASHMESH_SERVICES_COMMON_CPU_COUNT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace hashmesh {

struct CpuCount {
  int cpus = 1;        // what thread pools should size themselves to
  std::string source;  // where the number came from, for the start-up log
};

// Parses cgroup v2 "cpu.max" ("max 100000" or "150000 100000"): the quota in
// whole CPUs rounded up, or nullopt when unlimited or unparsable.
std::optional<int> CpusFromCgroupV2(absl::string_view cpu_max);

// Parses cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us (-1 = unlimited).
std::optional<int> CpusFromCgroupV1(absl::string_view quota_us,
                                    absl::string_view period_us);

// min(online CPUs, cgroup quota) read from /sys/fs/cgroup, at least 1.
CpuCount EffectiveCpuCount();

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_CPU_COUNT_H_
