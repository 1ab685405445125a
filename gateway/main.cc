// hashmesh-gateway: the HTTP gateway. Flags -> config, start, wait, drain.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "gateway/gateway_server.h"
#include "services/common/cpu_count.h"
#include "services/common/log_flags.h"
#include "services/common/signals.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:8080", "HTTP listen address IP:port");
ABSL_FLAG(std::string, admin_listen, "",
          "IP:port serving /metrics (and /healthz, /readyz) apart from the "
          "public port, e.g. 0.0.0.0:9090; empty: /metrics on --listen");
ABSL_FLAG(int, threads, 0,
          "I/O threads (each runs one io_context); 0 = one per CPU of the "
          "cgroup quota");
ABSL_FLAG(std::string, store, "grpc",
          "grpc: the pgstub service at --store_target; inproc: the accounts "
          "table inside the gateway (benchmark baseline)");
ABSL_FLAG(std::string, engine, "grpc",
          "grpc: the engine at --engine_target; inproc: hash in-process");
ABSL_FLAG(std::string, store_target, "localhost:50052",
          "gRPC target of pgstub, e.g. dns:///pgstub.hashmesh.svc:50052");
ABSL_FLAG(
    std::string, engine_target, "localhost:50051",
    "gRPC target of the engine, e.g. ipv4:127.0.0.1:50051,127.0.0.1:50061");
ABSL_FLAG(int, upstream_channels, 1,
          "gRPC channels (HTTP/2 connections) per upstream address; more "
          "cost CPU per call on loopback (measured: 1: 140 us, 2: 176 us of "
          "mesh CPU per payment)");
ABSL_FLAG(std::string, upstream_mode, "stream",
          "stream: every lookup and hash is an item on a few long-lived "
          "batch streams per upstream (SPEC.md); unary: one gRPC call each");
ABSL_FLAG(int, upstream_streams, 0,
          "batch streams per upstream (stream mode); 0 = one per I/O "
          "thread, at least 2");
ABSL_FLAG(int, upstream_max_batch_items, 1024,
          "items per batch-stream message at most (the servers' "
          "--max_batch_items must be at least this)");
ABSL_FLAG(absl::Duration, upstream_timeout, absl::Seconds(1),
          "deadline of each payment's upstream work, lookup and hash "
          "together");
ABSL_FLAG(int, upstream_max_attempts, 3,
          "attempts per upstream call or stream item for UNAVAILABLE (a "
          "unary call retries with backoff; an item whose stream ended goes "
          "to another stream)");
ABSL_FLAG(std::string, upstream_tls_ca_file, "",
          "PEM CA bundle the upstreams' certificates must chain to; with it "
          "the gateway dials them over TLS instead of h2c");
ABSL_FLAG(std::string, upstream_tls_cert_file, "",
          "PEM client certificate chain presented to the upstreams (mutual "
          "TLS); with --upstream_tls_key_file");
ABSL_FLAG(std::string, upstream_tls_key_file, "",
          "PEM private key of --upstream_tls_cert_file");
ABSL_FLAG(std::string, upstream_tls_server_name, "",
          "name the upstreams' certificates must carry when the targets' "
          "host is not in them (an IP address); empty: the target's host");
ABSL_FLAG(absl::Duration, upstream_tls_refresh_interval, absl::Seconds(60),
          "how often the upstream TLS files are re-read (1s..24h); new "
          "connections use rotated files after at most this");
ABSL_FLAG(uint32_t, hash_rounds, 100, "SHA-256 rounds of every payment digest");
ABSL_FLAG(uint32_t, accounts, 100000, "accounts of the in-process store");
ABSL_FLAG(absl::Duration, latency, absl::Milliseconds(2),
          "simulated query latency of the in-process store");
ABSL_FLAG(uint64_t, max_body_bytes, 64 << 10, "larger bodies get 413");
ABSL_FLAG(uint64_t, max_header_bytes, 8 << 10, "larger headers get 431");
ABSL_FLAG(absl::Duration, header_timeout, absl::Seconds(10),
          "time to send a request's header once it has begun");
ABSL_FLAG(absl::Duration, body_timeout, absl::Seconds(10),
          "time to send a request's body");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Seconds(60),
          "keep-alive connections idle this long are closed");
ABSL_FLAG(absl::Duration, linger_timeout, absl::Seconds(2),
          "after a reply that closes the connection, the client's unread "
          "input is read and discarded for at most this long in all, so that "
          "it sees the reply rather than a reset");
ABSL_FLAG(int, max_connections, 10000,
          "connections beyond this get 503 and are closed");
ABSL_FLAG(absl::Duration, readiness_timeout, absl::Milliseconds(500),
          "deadline of each health call that /readyz makes upstream");
ABSL_FLAG(absl::Duration, readiness_max_age, absl::Seconds(1),
          "/readyz answers from an upstream health result at most this old, "
          "so that however often it is asked, each upstream gets at most one "
          "health call per interval");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on SIGTERM/SIGINT, how long open requests may finish");

namespace {

using hashmesh::gateway::UpstreamMode;

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-gateway: " << status.message() << "\n";
  return EXIT_FAILURE;
}

absl::StatusOr<UpstreamMode> ParseMode(const char* flag, const std::string& v) {
  if (v == "grpc") return UpstreamMode::kGrpc;
  if (v == "inproc") return UpstreamMode::kInproc;
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " must be 'grpc' or 'inproc', not '", v, "'"));
}

absl::StatusOr<hashmesh::gateway::GatewayConfig> ConfigFromFlags(
    std::string* threads_source) {
  hashmesh::gateway::GatewayConfig c;
  c.listen_address = absl::GetFlag(FLAGS_listen);
  c.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (threads < 0) return absl::InvalidArgumentError("--threads must be >= 0");
  const hashmesh::CpuCount cpus = hashmesh::EffectiveCpuCount();
  c.threads = threads > 0 ? threads : cpus.cpus;
  *threads_source = threads > 0 ? "--threads" : cpus.source;
  auto store = ParseMode("store", absl::GetFlag(FLAGS_store));
  if (!store.ok()) return store.status();
  auto engine = ParseMode("engine", absl::GetFlag(FLAGS_engine));
  if (!engine.ok()) return engine.status();
  c.store = *store;
  c.engine = *engine;
  c.store_target = absl::GetFlag(FLAGS_store_target);
  c.engine_target = absl::GetFlag(FLAGS_engine_target);
  c.channels.channels = absl::GetFlag(FLAGS_upstream_channels);
  c.channels.retry_max_attempts = absl::GetFlag(FLAGS_upstream_max_attempts);
  const std::string mode = absl::GetFlag(FLAGS_upstream_mode);
  if (mode != "stream" && mode != "unary") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--upstream_mode must be 'stream' or 'unary', not '", mode, "'"));
  }
  c.call_mode = mode == "stream" ? hashmesh::gateway::CallMode::kStream
                                 : hashmesh::gateway::CallMode::kUnary;
  c.upstream_streams = absl::GetFlag(FLAGS_upstream_streams);
  c.max_batch_items = absl::GetFlag(FLAGS_upstream_max_batch_items);
  c.upstream_timeout = absl::GetFlag(FLAGS_upstream_timeout);
  c.upstream_tls.ca_file = absl::GetFlag(FLAGS_upstream_tls_ca_file);
  c.upstream_tls.cert_file = absl::GetFlag(FLAGS_upstream_tls_cert_file);
  c.upstream_tls.key_file = absl::GetFlag(FLAGS_upstream_tls_key_file);
  c.upstream_tls.refresh_interval =
      absl::GetFlag(FLAGS_upstream_tls_refresh_interval);
  c.channels.tls_server_name = absl::GetFlag(FLAGS_upstream_tls_server_name);
  c.hash_rounds = absl::GetFlag(FLAGS_hash_rounds);
  c.inproc_accounts = absl::GetFlag(FLAGS_accounts);
  c.inproc_latency = absl::GetFlag(FLAGS_latency);
  c.http.max_body_bytes = absl::GetFlag(FLAGS_max_body_bytes);
  c.http.max_header_bytes = absl::GetFlag(FLAGS_max_header_bytes);
  c.http.header_timeout = absl::GetFlag(FLAGS_header_timeout);
  c.http.body_timeout = absl::GetFlag(FLAGS_body_timeout);
  c.http.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  c.http.linger_timeout = absl::GetFlag(FLAGS_linger_timeout);
  c.http.max_connections = absl::GetFlag(FLAGS_max_connections);
  c.readiness_timeout = absl::GetFlag(FLAGS_readiness_timeout);
  c.readiness_max_age = absl::GetFlag(FLAGS_readiness_max_age);
  c.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  if (absl::Status s = hashmesh::gateway::ValidateGatewayConfig(c); !s.ok()) {
    return s;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::BlockTerminationSignals();
  hashmesh::ParseServiceFlags(
      argc, argv,
      "HTTP/1.1 payments API in front of pgstub and the "
      "engine. Example: hashmesh-gateway --listen=0.0.0.0:8080 "
      "--store_target=localhost:50052 --engine_target=localhost:50051",
      "gateway/");
  auto log_config = hashmesh::LogConfigFromFlags("gateway");
  if (!log_config.ok()) return Fail(log_config.status());
  std::string threads_source;
  auto config = ConfigFromFlags(&threads_source);
  if (!config.ok()) return Fail(config.status());
  if (absl::Status s = hashmesh::SetUpLogging(*log_config); !s.ok()) {
    return Fail(s);
  }

  auto server = hashmesh::gateway::GatewayServer::Start(*config);
  if (!server.ok()) return Fail(server.status());
  const std::string store =
      config->store == UpstreamMode::kInproc
          ? absl::StrCat("inproc (", config->inproc_accounts, " accounts, ",
                         absl::FormatDuration(config->inproc_latency), ")")
          : absl::StrCat("grpc ", config->store_target);
  const std::string engine = config->engine == UpstreamMode::kInproc
                                 ? std::string("inproc")
                                 : absl::StrCat("grpc ", config->engine_target);
  const char* calls = config->call_mode == hashmesh::gateway::CallMode::kStream
                          ? "batch streams"
                          : "unary calls";
  spdlog::info(
      "gateway listening on {}:{} ({} threads: {}; store {}; engine {}; "
      "upstream {} over {}; hash_rounds {})",
      config->listen_address.substr(0, config->listen_address.rfind(':')),
      (*server)->port(), config->threads, threads_source, store, engine, calls,
      hashmesh::TlsMode(config->upstream_tls), config->hash_rounds);

  if (!config->admin_listen.empty()) {
    spdlog::info(
        "admin: /metrics, /healthz, /readyz on {}:{}",
        config->admin_listen.substr(0, config->admin_listen.rfind(':')),
        (*server)->admin_port());
  }

  const int signal_number = hashmesh::WaitForTerminationSignal();
  spdlog::info("signal {} received", signal_number);
  (*server)->Drain();
  return EXIT_SUCCESS;
}
