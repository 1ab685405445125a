#include "services/common/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/cpu_count.h"

ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on SIGTERM/SIGINT, how long in-flight calls may finish before "
          "they are cancelled");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "close client connections after this age (GOAWAY) so clients "
          "re-resolve and reach new replicas; 'inf' disables");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "time calls get to finish on a connection closed for its age");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(1),
          "server keepalive ping interval on idle connections");
ABSL_FLAG(absl::Duration, min_client_ping_interval, absl::Seconds(10),
          "reject (too_many_pings) clients that ping more often than this");
ABSL_FLAG(int, max_receive_message_bytes, 4 << 20,
          "largest request message accepted, in bytes");
ABSL_FLAG(int, max_concurrent_streams, 1000,
          "concurrent calls allowed on one HTTP/2 connection");
ABSL_FLAG(
    std::string, tls_cert_file, "",
    "PEM certificate chain; with --tls_key_file serves TLS instead of h2c");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key for --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle: with it, only clients presenting a certificate "
          "that chains to one of these CAs may connect (mutual TLS)");
ABSL_FLAG(absl::Duration, tls_refresh_interval, absl::Seconds(60),
          "how often the TLS files are re-read (1s..24h); new connections "
          "use a rotated certificate after at most this");
ABSL_FLAG(std::string, health_listen, "",
          "host:port of a second, plaintext port serving only "
          "grpc.health.v1.Health (for kubelet's gRPC probes under TLS); off "
          "when empty");
ABSL_FLAG(int, max_batch_items, hashmesh::kDefaultMaxBatchItems,
          "items one batch-stream message may carry, and results one sends "
          "back (1..65536); a larger message ends its stream with "
          "INVALID_ARGUMENT");
ABSL_FLAG(int, worker_threads, 0,
          "threads for CPU work; 0 = one per CPU of the cgroup quota");

namespace hashmesh {
namespace {

absl::Status CheckPositive(absl::string_view flag, absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " must be positive, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GrpcServerConfig> GrpcServerConfigFromFlags(
    std::string listen_address) {
  GrpcServerConfig config;
  config.listen_address = std::move(listen_address);
  config.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  config.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  config.max_connection_age_grace =
      absl::GetFlag(FLAGS_max_connection_age_grace);
  config.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  config.min_client_ping_interval =
      absl::GetFlag(FLAGS_min_client_ping_interval);
  config.max_receive_message_bytes =
      absl::GetFlag(FLAGS_max_receive_message_bytes);
  config.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  config.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  config.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  config.tls.ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  config.tls.refresh_interval = absl::GetFlag(FLAGS_tls_refresh_interval);
  config.health_listen_address = absl::GetFlag(FLAGS_health_listen);

  if (config.listen_address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen must be host:port, got '", config.listen_address, "'"));
  }
  if (!config.health_listen_address.empty() &&
      config.health_listen_address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--health_listen must be host:port, got '",
                     config.health_listen_address, "'"));
  }
  // The TLS files are checked where they are used: GrpcServer::Start
  // (MakeServerCredentials), before it listens.
  for (auto [name, value] :
       {std::pair{"drain_timeout", config.drain_timeout},
        std::pair{"max_connection_age", config.max_connection_age},
        std::pair{"max_connection_age_grace", config.max_connection_age_grace},
        std::pair{"keepalive_time", config.keepalive_time},
        std::pair{"min_client_ping_interval",
                  config.min_client_ping_interval}}) {
    if (absl::Status s = CheckPositive(name, value); !s.ok()) return s;
  }
  if (config.max_receive_message_bytes <= 0 ||
      config.max_concurrent_streams <= 0) {
    return absl::InvalidArgumentError(
        "--max_receive_message_bytes and --max_concurrent_streams must be "
        "positive");
  }
  return config;
}

absl::StatusOr<int> WorkerThreadsFromFlags(std::string* source) {
  const int flag = absl::GetFlag(FLAGS_worker_threads);
  if (flag < 0 || flag > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("--worker_threads must be 0 (auto) to 1024, got ", flag));
  }
  if (flag > 0) {
    *source = "--worker_threads";
    return flag;
  }
  CpuCount cpus = EffectiveCpuCount();
  *source = cpus.source;
  return cpus.cpus;
}

absl::StatusOr<ServiceFlags> ServiceFlagsFromFlags(std::string service_name,
                                                   std::string listen_address) {
  ServiceFlags flags;
  absl::StatusOr<LogConfig> log = LogConfigFromFlags(std::move(service_name));
  if (!log.ok()) return log.status();
  flags.log = *std::move(log);
  absl::StatusOr<GrpcServerConfig> server =
      GrpcServerConfigFromFlags(std::move(listen_address));
  if (!server.ok()) return server.status();
  flags.server = *std::move(server);
  absl::StatusOr<int> threads =
      WorkerThreadsFromFlags(&flags.worker_threads_source);
  if (!threads.ok()) return threads.status();
  flags.worker_threads = *threads;
  flags.max_batch_items = absl::GetFlag(FLAGS_max_batch_items);
  if (flags.max_batch_items < 1 ||
      flags.max_batch_items > kMaxBatchItemsLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_batch_items must be between 1 and ",
                     kMaxBatchItemsLimit, ", got ", flags.max_batch_items));
  }
  return flags;
}

}  // namespace hashmesh
