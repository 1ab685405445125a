// hashmesh-loadgen, a gRPC load tool: flags -> config, connect, run, report.
#include <cstdlib>
#include <iostream>

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
#include "services/common/abseil_runtime.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "server host:port (h2c)");
ABSL_FLAG(std::string, method, "hashmesh.pgstub.v1.AccountStore/GetAccount",
          "package.Service/Method to call: "
          "hashmesh.pgstub.v1.AccountStore/GetAccount or "
          "hashmesh.engine.v1.HashEngine/Hash");
ABSL_FLAG(uint32_t, accounts, 100000,
          "GetAccount: ids are spread over acc-000000 .. N-1");
ABSL_FLAG(std::string, algorithm, "sha256",
          "Hash: sha256, sha512, sha3-256 or blake2b512");
ABSL_FLAG(uint32_t, rounds, 100, "Hash: rounds per call");
ABSL_FLAG(uint64_t, data_bytes, 64, "Hash: bytes of data per call");
ABSL_FLAG(int, concurrency, 256,
          "calls in flight (closed loop), or at most in flight (--rate); "
          "the server allows --max_concurrent_streams (default 1000) per "
          "channel");
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
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(5), "deadline of every call");
ABSL_FLAG(bool, json, false,
          "print one JSON line on stdout (the summary goes to stderr)");

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-loadgen: " << status.message() << "\n";
  return EXIT_FAILURE;
}

absl::Status Validate(const hashmesh::loadgen::LoadConfig& config) {
  if (config.concurrency < 1 || config.concurrency > 1000000) {
    return absl::InvalidArgumentError("--concurrency must be 1 to 1000000");
  }
  if (config.channels < 1 || config.channels > 1024) {
    return absl::InvalidArgumentError("--channels must be 1 to 1024");
  }
  if (config.count == 0 && config.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--duration must be positive (or set --count)");
  }
  if (config.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--warmup must not be negative");
  }
  if (!(config.rate >= 0)) {  // also rejects NaN
    return absl::InvalidArgumentError("--rate must be 0 or positive");
  }
  if (config.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--deadline must be positive");
  }
  return absl::OkStatus();
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
  if (absl::Status s = Validate(config); !s.ok()) return s;
  return config;
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
                   "--concurrency=256 --channels=2 --duration=10s --json"));
  absl::ParseCommandLine(argc, argv);

  auto config = ConfigFromFlags();
  if (!config.ok()) return Fail(config.status());
  auto requests = hashmesh::loadgen::MakeRequestSource(
      config->method, {.accounts = absl::GetFlag(FLAGS_accounts),
                       .algorithm = absl::GetFlag(FLAGS_algorithm),
                       .rounds = absl::GetFlag(FLAGS_rounds),
                       .data_bytes = absl::GetFlag(FLAGS_data_bytes)});
  if (!requests.ok()) return Fail(requests.status());
  auto runner =
      hashmesh::loadgen::LoadRunner::Connect(*config, *std::move(requests));
  if (!runner.ok()) return Fail(runner.status());

  const hashmesh::loadgen::LoadResult result = (*runner)->Run();
  const std::string text = hashmesh::loadgen::FormatText(*config, result);
  if (absl::GetFlag(FLAGS_json)) {
    std::cerr << text;
    std::cout << hashmesh::loadgen::FormatJson(*config, result) << std::endl;
  } else {
    std::cout << text;
  }
  // Exit status 2: the run itself worked but no call succeeded, which a
  // script should not mistake for a measurement.
  return result.ok() > 0 ? EXIT_SUCCESS : 2;
}
