// A load run's result as a human summary or one JSON line (bench/run.sh).
#ifndef HASHMESH_BENCH_LOADGEN_REPORT_H_
#define HASHMESH_BENCH_LOADGEN_REPORT_H_

#include <string>

#include "bench/loadgen/load_runner.h"

namespace hashmesh::loadgen {

// Several lines: the set-up, calls/s (items/s), items per message for a
// stream method, latency percentiles in milliseconds, errors by gRPC code.
std::string FormatText(const LoadConfig& config, const LoadResult& result);

// One JSON object, no newline. Durations in milliseconds:
// {"tool":"hashmesh-loadgen","target":...,"method":...,"mode":"closed"|"open",
//  "rate":0,"concurrency":...,"channels":...,"warmup_ms":...,"elapsed_ms":...,
//  "calls":...,"ok":...,"errors":{"DEADLINE_EXCEEDED":3},"calls_per_s":...,
//  "latency_ms":{"min":..,"mean":..,"p50":..,"p90":..,"p99":..,"p999":..,
//  "max":..},
//  "batching":"unary"|"natural"|"fixed","streams":..,
//  "items_per_message_flag":..,"max_items_per_message":..,
//  "messages_sent":..,"messages_received":..,"items_per_message":..,
//  "results_per_message":..}
// For a stream method calls, ok, errors, calls_per_s and latency_ms count
// items (each from being handed to its stream to its result) and
// items_per_message is the mean of the measured messages; a unary call is
// one message of one item each way.
std::string FormatJson(const LoadConfig& config, const LoadResult& result);

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_REPORT_H_
