// hashmesh-loadgen, a gRPC load tool: flags -> config, connect, run, report.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/loadgen/load_runner.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/request_source.h"
#include "bench/loadgen/stream_runner.h"
#include "services/common/abseil_runtime.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "server host:port (h2c)");
ABSL_FLAG(std::string, method, "hashmesh.pgstub.v1.AccountStore/GetAccount",
          "package.Service/Method to call: "
          "hashmesh.pgstub.v1.AccountStore/GetAccount, "
          "hashmesh.engine.v1.HashEngine/Hash, or their batch streams "
          "(SPEC.md) hashmesh.pgstub.v1.AccountStore/GetAccountStream and "
          "hashmesh.engine.v1.HashEngine/HashStream, whose items are "
          "measured one by one");
ABSL_FLAG(uint32_t, accounts, 100000,
          "GetAccount: ids are spread over acc-000000 .. N-1");
ABSL_FLAG(std::string, algorithm, "sha256",
          "Hash: sha256, sha512, sha3-256 or blake2b512");
ABSL_FLAG(uint32_t, rounds, 100, "Hash: rounds per call");
ABSL_FLAG(uint64_t, data_bytes, 64, "Hash: bytes of data per call");
ABSL_FLAG(int, concurrency, 256,
          "calls in flight (closed loop), or at most in flight (--rate); "
          "the server allows --max_concurrent_streams (default 1000) per "
          "channel. Stream methods: items in flight over all the streams");
ABSL_FLAG(int, channels, 2,
          "gRPC channels, each its own TCP connection (2 used the least CPU "
          "per call on a 2-core machine)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10),
          "how long to measure after the warmup (unless --count)");
ABSL_FLAG(uint64_t, count, 0,
          "measure exactly this many calls after the warmup instead of "
          "--duration; 0 = use --duration");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2),
          "calls during this first period are made but not measured");
ABSL_FLAG(double, rate, 0,
          "open loop: start this many calls per second on a fixed schedule, "
          "latency measured from each call's scheduled start; 0 = closed "
          "loop");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(5),
          "deadline of every call; stream methods: of every item (a later "
          "result counts as DEADLINE_EXCEEDED), and each stream's is the "
          "run's length plus this");
ABSL_FLAG(int, streams, 0,
          "stream methods: long-lived streams, spread over --channels; 0 = "
          "one per channel (natural batching) or --concurrency / "
          "--items_per_message (fixed batches)");
ABSL_FLAG(int, items_per_message, 0,
          "stream methods: N > 0 = fixed batches, each stream writes a "
          "message of N items and waits for all their results (--concurrency "
          "must be N x --streams); 0 = natural batching, --concurrency items "
          "in flight, and items that become ready while a write is in flight "
          "go out together in the next message");
ABSL_FLAG(int, max_items_per_message, 1024,
          "stream methods, natural batching: at most this many items per "
          "message (the servers' --max_batch_items, default 1024)");
ABSL_FLAG(bool, json, false,
          "print one JSON line on stdout (the summary goes to stderr)");

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-loadgen: " << status.message() << "\n";
  return EXIT_FAILURE;
}

absl::StatusOr<hashmesh::loadgen::LoadConfig> ConfigFromFlags() {
  hashmesh::loadgen::LoadConfig config;
  auto method = hashmesh::loadgen::CanonicalMethod(absl::GetFlag(FLAGS_method));
  if (!method.ok()) return method.status();
  config.method = *method;
  config.target = absl::GetFlag(FLAGS_target);
  config.concurrency = absl::GetFlag(FLAGS_concurrency);
  config.channels = absl::GetFlag(FLAGS_channels);
  config.duration = absl::GetFlag(FLAGS_duration);
  config.count = absl::GetFlag(FLAGS_count);
  config.warmup = absl::GetFlag(FLAGS_warmup);
  config.rate = absl::GetFlag(FLAGS_rate);
  config.deadline = absl::GetFlag(FLAGS_deadline);
  config.streams = absl::GetFlag(FLAGS_streams);
  config.items_per_message = absl::GetFlag(FLAGS_items_per_message);
  config.max_items_per_message = absl::GetFlag(FLAGS_max_items_per_message);
  if (absl::Status s = hashmesh::loadgen::ValidateConfig(
          hashmesh::loadgen::IsStreamMethod(config.method), &config);
      !s.ok()) {
    return s;
  }
  return config;
}

// Connects and runs the unary or the stream runner; a stream that ended
// non-OK is reported on stderr (its items are in the errors).
absl::StatusOr<hashmesh::loadgen::LoadResult> Run(
    const hashmesh::loadgen::LoadConfig& config,
    std::unique_ptr<hashmesh::loadgen::RequestSource> requests) {
  if (config.streams == 0) {
    auto runner =
        hashmesh::loadgen::LoadRunner::Connect(config, std::move(requests));
    if (!runner.ok()) return runner.status();
    return (*runner)->Run();
  }
  auto runner =
      hashmesh::loadgen::StreamRunner::Connect(config, std::move(requests));
  if (!runner.ok()) return runner.status();
  std::vector<grpc::Status> failures;
  hashmesh::loadgen::LoadResult result = (*runner)->Run(&failures);
  if (!failures.empty()) {
    std::cerr << "hashmesh-loadgen: " << failures.size() << " of "
              << config.streams << " streams ended with an error; first: "
              << absl::StatusCodeToString(
                     static_cast<absl::StatusCode>(failures[0].error_code()))
              << ": " << failures[0].error_message() << "\n";
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::ConfigureAbseilRuntime();
  // absl's --help lists only flags defined in a file named after the
  // program; ours live in main.cc.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "bench/loadgen/");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      absl::StrCat("calls one gRPC method with many calls in flight and "
                   "reports calls/s and latency percentiles.\nMethods: ",
                   absl::StrJoin(hashmesh::loadgen::KnownMethods(), ", "),
                   "\nExample: hashmesh-loadgen --target=127.0.0.1:50052 "
                   "--concurrency=256 --channels=2 --duration=10s --json"
                   "\nStreams: --method=hashmesh.pgstub.v1.AccountStore/"
                   "GetAccountStream --concurrency=256 --items_per_message=16 "
                   "(16 streams of 16-item messages) or "
                   "--items_per_message=0 (natural batching)"));
  absl::ParseCommandLine(argc, argv);

  auto config = ConfigFromFlags();
  if (!config.ok()) return Fail(config.status());
  auto requests = hashmesh::loadgen::MakeRequestSource(
      config->method, {.accounts = absl::GetFlag(FLAGS_accounts),
                       .algorithm = absl::GetFlag(FLAGS_algorithm),
                       .rounds = absl::GetFlag(FLAGS_rounds),
                       .data_bytes = absl::GetFlag(FLAGS_data_bytes)});
  if (!requests.ok()) return Fail(requests.status());
  auto result = Run(*config, *std::move(requests));
  if (!result.ok()) return Fail(result.status());
  const std::string text = hashmesh::loadgen::FormatText(*config, *result);
  if (absl::GetFlag(FLAGS_json)) {
    std::cerr << text;
    std::cout << hashmesh::loadgen::FormatJson(*config, *result) << std::endl;
  } else {
    std::cout << text;
  }
  // Exit status 2: the run itself worked but no call succeeded, which a
  // script should not mistake for a measurement.
  return result->ok() > 0 ? EXIT_SUCCESS : 2;
}
