// Starts the real pgstub, engine and gateway binaries on ephemeral ports.
#ifndef HASHMESH_TESTS_MESH_MESH_FIXTURE_H_
#define HASHMESH_TESTS_MESH_MESH_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/child_process.h"

namespace hashmesh::testing {

// SPEC.md's example payment (its answer is byte-exact in gateway_e2e_test).
inline constexpr char kExamplePayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

struct Service {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};

// Starts `binary` with --listen=127.0.0.1:`port` (0: ephemeral) and `flags`,
// and waits for the port it logs.
absl::StatusOr<Service> StartService(const std::string& binary, int port,
                                     std::vector<std::string> flags = {});

absl::StatusOr<Service> StartEngine(int port = 0,
                                    std::vector<std::string> flags = {});
absl::StatusOr<Service> StartPgstub(std::vector<std::string> flags = {});
// The gateway pointed at the given store and engine gRPC targets.
absl::StatusOr<Service> StartGateway(const std::string& store_target,
                                     const std::string& engine_target,
                                     std::vector<std::string> flags = {});

std::string Local(int port);  // "127.0.0.1:port"

// Waits (3 s at most) until the gateway on `port` answers /readyz with 200,
// as a load balancer would before sending it traffic: a stream-mode gateway
// whose first connect failed (a loaded start-up) answers 503 until it
// reconnects. Best effort: the test's own checks decide.
bool WaitUntilReady(int port);

// Stops with SIGTERM and returns the exit code.
absl::StatusOr<int> Stop(Service& service);

}  // namespace hashmesh::testing

#endif  // HASHMESH_TESTS_MESH_MESH_FIXTURE_H_
