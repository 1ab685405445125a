// hashmesh-grpc-floor, the floor of a gRPC hop: flags -> config, start, drain.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "bench/grpcfloor/floor_service.h"
#include "services/common/grpc_server.h"
#include "services/common/server_flags.h"
#include "services/common/signals.h"
#include "services/pgstub/account_store_service.h"
#include "services/pgstub/accounts_table.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50053",
          "gRPC listen address host:port");

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hashmesh-grpc-floor: " << status.message() << "\n";
  return EXIT_FAILURE;
}

// The row every call gets: a real one, so the reply has pgstub's size.
hashmesh::pgstub::v1::Account Reply() {
  const hashmesh::pgstub::AccountsTable table(43);
  hashmesh::pgstub::v1::Account reply;
  hashmesh::pgstub::ToProto(*table.Lookup("acc-000042"), &reply);
  return reply;
}

}  // namespace

int main(int argc, char** argv) {
  hashmesh::BlockTerminationSignals();
  hashmesh::ParseServiceFlags(
      argc, argv,
      "the floor of a gRPC hop for bench/run.sh: "
      "hashmesh.pgstub.v1.AccountStore/GetAccount answered at once with "
      "acc-000042's row, on the completion-queue API, and so is every item "
      "of GetAccountStream (one result message per message read). "
      "--worker_threads sets "
      "the polling threads (one completion queue each). Example: "
      "hashmesh-grpc-floor --listen=127.0.0.1:50053",
      "bench/grpcfloor/");

  auto flags =
      hashmesh::ServiceFlagsFromFlags("grpcfloor", absl::GetFlag(FLAGS_listen));
  if (!flags.ok()) return Fail(flags.status());
  if (absl::Status s = hashmesh::SetUpLogging(flags->log); !s.ok()) {
    return Fail(s);
  }

  hashmesh::grpcfloor::FloorService floor(Reply(), flags->worker_threads);
  auto server = hashmesh::GrpcServer::Start(
      flags->server,
      {{floor.service(),
        hashmesh::pgstub::v1::AccountStore::service_full_name()}},
      [&floor](grpc::ServerBuilder& builder) { floor.AddTo(builder); });
  if (!server.ok()) return Fail(server.status());
  floor.Start();
  spdlog::info("grpc floor serving on {} ({} polling threads: {})",
               (*server)->address(), flags->worker_threads,
               flags->worker_threads_source);

  const int signal_number = hashmesh::WaitForTerminationSignal();
  spdlog::info("signal {} received; {} calls and {} stream items answered",
               signal_number, floor.answered(), floor.items_answered());
  (*server)->Drain();
  floor.Stop();
  return EXIT_SUCCESS;
}
