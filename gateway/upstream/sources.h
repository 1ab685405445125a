// The two things a payment needs from upstream, as interfaces: gRPC or in-process.
#ifndef HASHMESH_GATEWAY_UPSTREAM_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_SOURCES_H_

#include <cstdint>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::gateway {

// Every callback runs on the executor passed with the request, never on a
// gRPC thread, so that handlers touch their connection from its own thread.
using AccountCallback = absl::AnyInvocable<void(absl::StatusOr<pgstub::Account>) &&>;
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
