#include "tests/mesh/mesh_fixture.h"

#include <signal.h>

#include "absl/strings/str_cat.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {

absl::StatusOr<Service> StartService(const std::string& binary, int port,
                                     std::vector<std::string> flags) {
  std::vector<std::string> argv = {binary,
                                   absl::StrCat("--listen=127.0.0.1:", port)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto child = ChildProcess::Start(argv);
  if (!child.ok()) return child.status();
  Service service{std::make_unique<ChildProcess>(*std::move(child)), 0};
  auto bound = service.process->WaitForPort(absl::Seconds(60));
  if (!bound.ok()) return bound.status();
  service.port = *bound;
  return service;
}

absl::StatusOr<Service> StartEngine(int port, std::vector<std::string> flags) {
  return StartService(HASHMESH_ENGINE_BIN, port, std::move(flags));
}

absl::StatusOr<Service> StartPgstub(std::vector<std::string> flags) {
  return StartService(HASHMESH_PGSTUB_BIN, 0, std::move(flags));
}

absl::StatusOr<Service> StartGateway(const std::string& store_target,
                                     const std::string& engine_target,
                                     std::vector<std::string> flags) {
  // A loaded CI runner (ASan, tests in parallel) can take longer than the
  // production default of 1s for an upstream call; tests about deadlines pass
  // their own --upstream_timeout, which comes later and wins.
  flags.insert(flags.begin(), "--upstream_timeout=10s");
  flags.push_back(absl::StrCat("--store_target=", store_target));
  flags.push_back(absl::StrCat("--engine_target=", engine_target));
  return StartService(HASHMESH_GATEWAY_BIN, 0, std::move(flags));
}

std::string Local(int port) { return absl::StrCat("127.0.0.1:", port); }

bool WaitUntilReady(int port) {
  return Eventually(
      [port] {
        auto client = HttpClient::Connect(port);
        if (!client.ok()) return false;
        auto ready = client->Send("GET", "/readyz", "");
        return ready.ok() && ready->status == 200;
      },
      absl::Seconds(3));
}

absl::StatusOr<int> Stop(Service& service) {
  service.process->Signal(SIGTERM);
  return service.process->Wait(absl::Seconds(60));
}

}  // namespace hashmesh::testing
