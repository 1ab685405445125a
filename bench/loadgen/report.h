// A load run's result as a human summary or one JSON line (bench/run.sh).
#ifndef HASHMESH_BENCH_LOADGEN_REPORT_H_
#define HASHMESH_BENCH_LOADGEN_REPORT_H_

#include <string>

#include "bench/loadgen/load_runner.h"

namespace hashmesh::loadgen {

// Several lines: the set-up, calls/s, latency percentiles in milliseconds,
// errors by gRPC code.
std::string FormatText(const LoadConfig& config, const LoadResult& result);

// One JSON object, no newline. Durations in milliseconds:
// {"tool":"hashmesh-loadgen","target":...,"method":...,"mode":"closed"|"open",
//  "rate":0,"concurrency":...,"channels":...,"warmup_ms":...,"elapsed_ms":...,
//  "calls":...,"ok":...,"errors":{"DEADLINE_EXCEEDED":3},"calls_per_s":...,
//  "latency_ms":{"min":..,"mean":..,"p50":..,"p90":..,"p99":..,"p999":..,
//  "max":..}}
std::string FormatJson(const LoadConfig& config, const LoadResult& result);

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_REPORT_H_
