// The two things a payment needs from upstream, as interfaces: gRPC or
// in-process.
#ifndef HASHMESH_GATEWAY_UPSTREAM_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_SOURCES_H_

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::gateway {

// A callback runs on the executor passed with the request or, for gRPC
// sources, straight on the gRPC thread that completed the call: a payment's
// next step (checks, then the engine call) costs microseconds and so starts
// there instead of paying a hop to the connection's thread and back. Callbacks
// must therefore not block and must not touch the connection; replies reach
// it through ReplyCallback, which the HTTP session runs on its own executor.
using AccountCallback =
    absl::AnyInvocable<void(absl::StatusOr<pgstub::Account>) &&>;
using DigestCallback = absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;

// Looks an account up (the PostgreSQL query of the workload). Errors are the
// upstream's codes: NOT_FOUND for an unknown account, UNAVAILABLE,
// DEADLINE_EXCEEDED, ...
class AccountSource {
 public:
  virtual ~AccountSource() = default;
  virtual void Lookup(const std::string& account_id,
                      boost::asio::any_io_executor executor,
                      AccountCallback done) = 0;
};

// Computes hex(SHA-256 applied `rounds` times to `data`).
class DigestSource {
 public:
  virtual ~DigestSource() = default;
  virtual void Sha256Hex(std::string data, uint32_t rounds,
                         boost::asio::any_io_executor executor,
                         DigestCallback done) = 0;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_SOURCES_H_
