#include "bench/loadgen/load_config.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <numeric>

#include "absl/strings/str_cat.h"

namespace hashmesh::loadgen {
namespace {

// Distinct args per channel: gRPC otherwise shares one subchannel, hence one
// TCP connection, between channels to the same target.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("hashmesh.loadgen.channel_index", index);
  args.SetMaxReceiveMessageSize(-1);
  // A load tool reports what the server did, so no call is retried (not even
  // transparently); and gRPC 1.51's retry filter costs the client about a
  // third of its CPU per call, which on a shared machine the server loses.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

double Mean(uint64_t sum, uint64_t count) {
  return count > 0 ? static_cast<double>(sum) / static_cast<double>(count)
                   : 0.0;
}

}  // namespace

uint64_t LoadResult::calls() const {
  return std::accumulate(calls_by_code.begin(), calls_by_code.end(),
                         uint64_t{0});
}

double LoadResult::calls_per_second() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(calls()) / seconds : 0.0;
}

double LoadResult::items_per_message() const {
  return Mean(items_sent, messages_sent);
}

double LoadResult::results_per_message() const {
  return Mean(results_received, messages_received);
}

void LoadResult::Merge(const LoadResult& other) {
  latency.Merge(other.latency);
  for (int code = 0; code < kStatusCodeCount; ++code) {
    calls_by_code[code] += other.calls_by_code[code];
  }
  messages_sent += other.messages_sent;
  items_sent += other.items_sent;
  messages_received += other.messages_received;
  results_received += other.results_received;
}

RunPhases::RunPhases(const LoadConfig& config, Clock::time_point start)
    : count_(config.count),
      warmup_end_(start + absl::ToChronoNanoseconds(config.warmup)),
      measure_end_(warmup_end_ + absl::ToChronoNanoseconds(config.duration)) {}

RunPhases::Phase RunPhases::Admit(Clock::time_point start) {
  if (start < warmup_end_) return Phase::kWarmup;
  if (count_ > 0) {
    return measured_admitted_.fetch_add(1, std::memory_order_relaxed) < count_
               ? Phase::kMeasured
               : Phase::kStop;
  }
  return start < measure_end_ ? Phase::kMeasured : Phase::kStop;
}

namespace {

absl::Status ValidateStreams(LoadConfig* config) {
  if (config->rate != 0) {
    return absl::InvalidArgumentError(
        "--rate (open loop) is for unary methods only; stream methods run "
        "closed loop");
  }
  if (config->streams < 0 || config->streams > kMaxStreams) {
    return absl::InvalidArgumentError(
        absl::StrCat("--streams must be 0 to ", kMaxStreams));
  }
  if (config->items_per_message < 0 ||
      config->items_per_message > kMaxItemsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("--items_per_message must be 0 (natural batching) to ",
                     kMaxItemsPerMessage));
  }
  if (config->max_items_per_message < 1 ||
      config->max_items_per_message > kMaxItemsPerMessage) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_items_per_message must be 1 to ", kMaxItemsPerMessage));
  }
  const int n = config->items_per_message;
  if (n == 0) {
    if (config->streams == 0) config->streams = config->channels;
    if (config->concurrency < config->streams) {
      return absl::InvalidArgumentError(
          absl::StrCat("--concurrency (items in flight, ", config->concurrency,
                       ") must be at least --streams (", config->streams, ")"));
    }
    return absl::OkStatus();
  }
  if (config->concurrency % n != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "with --items_per_message=", n, ", --concurrency (items in flight, ",
        config->concurrency, ") must be a multiple of it"));
  }
  const int streams = config->concurrency / n;
  if (config->streams == 0) config->streams = streams;
  if (config->streams != streams || streams > kMaxStreams) {
    return absl::InvalidArgumentError(absl::StrCat(
        "with --items_per_message=", n, " each stream has one message of ", n,
        " items in flight, so --concurrency=", config->concurrency,
        " needs --streams=", streams, " (or 0), at most ", kMaxStreams));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateConfig(bool stream_method, LoadConfig* config) {
  if (config->concurrency < 1 || config->concurrency > 1000000) {
    return absl::InvalidArgumentError("--concurrency must be 1 to 1000000");
  }
  if (config->channels < 1 || config->channels > 1024) {
    return absl::InvalidArgumentError("--channels must be 1 to 1024");
  }
  if (config->count == 0 && config->duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--duration must be positive (or set --count)");
  }
  if (config->warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--warmup must not be negative");
  }
  if (!(config->rate >= 0)) {  // also rejects NaN
    return absl::InvalidArgumentError("--rate must be 0 or positive");
  }
  if (config->deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--deadline must be positive");
  }
  if (stream_method) return ValidateStreams(config);
  const LoadConfig defaults;
  if (config->streams != defaults.streams ||
      config->items_per_message != defaults.items_per_message ||
      config->max_items_per_message != defaults.max_items_per_message) {
    return absl::InvalidArgumentError(
        "--streams, --items_per_message and --max_items_per_message are for "
        "the stream methods (GetAccountStream, HashStream) only");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::unique_ptr<grpc::GenericStub>>> ConnectStubs(
    const LoadConfig& config) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  const auto deadline = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(config.connect_timeout);
  for (int i = 0; i < config.channels; ++i) {
    std::shared_ptr<grpc::Channel> channel = MakeChannel(config.target, i);
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(absl::StrCat(
          "cannot connect to ", config.target, " within ",
          absl::FormatDuration(config.connect_timeout), " (channel ", i, ")"));
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(std::move(channel)));
  }
  return stubs;
}

}  // namespace hashmesh::loadgen
