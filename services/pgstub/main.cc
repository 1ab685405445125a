// hashmesh-pgstub, the PostgreSQL stand-in: flags -> config, start, drain.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/grpc_server.h"
#include "services/common/log_flags.h"
#include "services/common/server_flags.h"
#include "services/common/signals.h"
#include "services/pgstub/account_store_service.h"
#include "services/pgstub/accounts_table.h"
#include "services/pgstub/latency_model.h"
#include "services/pgstub/timer_queue.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50052",
          "gRPC listen address host:port");
ABSL_FLAG(uint32_t, accounts, 100000,
          "accounts in the table, acc-000000 up to N-1; 1 to 1000000");
ABSL_FLAG(absl::Duration, latency, absl::Milliseconds(2),
          "simulated query latency of every well-formed lookup (found or not)");
ABSL_FLAG(std::string, latency_jitter_mode, "none",
          "extra latency on top of --latency: none, uniform (0 to "
          "--latency_jitter) or exponential (mean --latency_jitter)");
ABSL_FLAG(absl::Duration, latency_jitter, absl::ZeroDuration(),
          "the maximum (uniform) or mean (exponential) extra latency");
ABSL_FLAG(int64_t, max_pending, 10000,
          "lookups that may wait at once (all connections); beyond it a "
          "lookup is refused with RESOURCE_EXHAUSTED");

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-pgstub: " << status.message() << "\n";
  return EXIT_FAILURE;
}

absl::StatusOr<uint32_t> AccountsFromFlags() {
  const uint32_t accounts = absl::GetFlag(FLAGS_accounts);
  if (accounts < 1 ||
      accounts > hashmesh::pgstub::AccountsTable::kMaxAccounts) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--accounts must be between 1 and ",
        hashmesh::pgstub::AccountsTable::kMaxAccounts, ", got ", accounts));
  }
  return accounts;
}

absl::StatusOr<int64_t> MaxPendingFromFlags() {
  const int64_t max_pending = absl::GetFlag(FLAGS_max_pending);
  if (max_pending < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_pending must be at least 1, got ", max_pending));
  }
  return max_pending;
}

absl::StatusOr<hashmesh::pgstub::LatencyModel> LatencyFromFlags() {
  auto mode = hashmesh::pgstub::ParseJitterMode(
      absl::GetFlag(FLAGS_latency_jitter_mode));
  if (!mode.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--latency_jitter_mode: ", mode.status().message()));
  }
  auto model = hashmesh::pgstub::LatencyModel::Create(
      {.base = absl::GetFlag(FLAGS_latency),
       .jitter_mode = *mode,
       .jitter = absl::GetFlag(FLAGS_latency_jitter)});
  if (!model.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--latency/--latency_jitter: ", model.status().message()));
  }
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::BlockTerminationSignals();
  hashmesh::ParseServiceFlags(
      argc, argv,
      "gRPC hashmesh.pgstub.v1.AccountStore, the accounts "
      "table of SPEC.md answered after a simulated query latency. "
      "--worker_threads sets the timer threads that finish the lookups. "
      "Example: hashmesh-pgstub --listen=0.0.0.0:50052 --accounts=100000 "
      "--latency=2ms --latency_jitter_mode=exponential --latency_jitter=1ms",
      "services/pgstub/");

  auto flags =
      hashmesh::ServiceFlagsFromFlags("pgstub", absl::GetFlag(FLAGS_listen));
  if (!flags.ok()) return Fail(flags.status());
  auto accounts = AccountsFromFlags();
  if (!accounts.ok()) return Fail(accounts.status());
  auto latency = LatencyFromFlags();
  if (!latency.ok()) return Fail(latency.status());
  auto max_pending = MaxPendingFromFlags();
  if (!max_pending.ok()) return Fail(max_pending.status());
  if (absl::Status s = hashmesh::SetUpLogging(flags->log); !s.ok()) {
    return Fail(s);
  }

  const absl::Time build_start = absl::Now();
  const hashmesh::pgstub::AccountsTable table(*accounts);
  spdlog::info("accounts table: {} accounts built in {}", table.size(),
               absl::FormatDuration(absl::Now() - build_start));
  hashmesh::pgstub::TimerQueue timers(flags->worker_threads);
  hashmesh::pgstub::AccountStoreService service(
      &table, &*latency, &timers, *max_pending, flags->max_batch_items);
  auto server = hashmesh::GrpcServer::Start(
      flags->server,
      {{&service, hashmesh::pgstub::v1::AccountStore::service_full_name(),
        service.streams()}});
  if (!server.ok()) return Fail(server.status());
  spdlog::info(
      "pgstub serving on {} ({}; latency {}; {} timer threads: {}; "
      "max_pending {})",
      (*server)->address(), hashmesh::TlsMode(flags->server.tls),
      latency->Describe(), timers.threads(), flags->worker_threads_source,
      *max_pending);

  const int signal_number = hashmesh::WaitForTerminationSignal();
  spdlog::info("signal {} received; {} lookups pending", signal_number,
               service.pending());
  (*server)->Drain();
  return EXIT_SUCCESS;
}
