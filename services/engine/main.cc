// hashmesh-engine: the gRPC hash engine. Flags -> config, start, wait, drain.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc_server.h"
#include "services/common/server_flags.h"
#include "services/common/signals.h"
#include "services/common/worker_pool.h"
#include "services/engine/hash_service.h"
#include "services/engine/hasher.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "gRPC listen address host:port");
ABSL_FLAG(uint32_t, max_rounds, 1000000,
          "largest rounds a request may ask for");
ABSL_FLAG(uint64_t, max_data_bytes, 1 << 20, "largest data a request may send");
ABSL_FLAG(uint64_t, inline_max_bytes, 64 << 10,
          "hashes over this many bytes in total run on the worker pool, "
          "smaller ones inline on gRPC's threads; 0 = always the pool");
ABSL_FLAG(uint64_t, max_queued, 10000,
          "hashes waiting for a worker beyond which calls get "
          "RESOURCE_EXHAUSTED");

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-engine: " << status.message() << "\n";
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::BlockTerminationSignals();
  hashmesh::ParseServiceFlags(
      argc, argv,
      "gRPC hashmesh.engine.v1.HashEngine (OpenSSL). "
      "Example: hashmesh-engine --listen=0.0.0.0:50051 --log_format=json",
      "services/engine/");

  auto flags =
      hashmesh::ServiceFlagsFromFlags("engine", absl::GetFlag(FLAGS_listen));
  if (!flags.ok()) return Fail(flags.status());
  const hashmesh::engine::HashLimits limits{
      absl::GetFlag(FLAGS_max_rounds), absl::GetFlag(FLAGS_max_data_bytes)};
  if (limits.max_rounds < 1) {
    return Fail(absl::InvalidArgumentError("--max_rounds must be at least 1"));
  }
  if (absl::Status s = hashmesh::SetUpLogging(flags->log); !s.ok()) {
    return Fail(s);
  }

  auto hasher = hashmesh::engine::Hasher::Create(limits);
  if (!hasher.ok()) return Fail(hasher.status());
  hashmesh::WorkerPool pool(flags->worker_threads,
                            absl::GetFlag(FLAGS_max_queued));
  hashmesh::engine::HashService service(
      hasher->get(), &pool,
      {.inline_max_bytes = absl::GetFlag(FLAGS_inline_max_bytes),
       .max_batch_items = flags->max_batch_items});
  auto server = hashmesh::GrpcServer::Start(
      flags->server,
      {{&service, hashmesh::engine::v1::HashEngine::service_full_name(),
        service.streams()}});
  if (!server.ok()) return Fail(server.status());
  spdlog::info(
      "engine serving on {} ({}; {} worker threads: {}; max_rounds {})",
      (*server)->address(), hashmesh::TlsMode(flags->server.tls),
      flags->worker_threads, flags->worker_threads_source, limits.max_rounds);

  const int signal_number = hashmesh::WaitForTerminationSignal();
  spdlog::info("signal {} received", signal_number);
  (*server)->Drain();
  pool.Shutdown();
  return EXIT_SUCCESS;
}
