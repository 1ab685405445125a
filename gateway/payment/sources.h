// What a payment needs from upstream, as interfaces the upstream layer
// implements: the account lookup and the digest.
#ifndef HASHMESH_GATEWAY_PAYMENT_SOURCES_H_
#define HASHMESH_GATEWAY_PAYMENT_SOURCES_H_

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/payment/account.h"

namespace hashmesh::gateway {

// A callback may run on any thread, and exactly once: gRPC sources run it on
// the gRPC thread that completed the call, so that a payment's next step
// (checks, then the engine call) costs microseconds there instead of a hop
// to the connection's thread and back. Callbacks must therefore not block.
using AccountCallback = absl::AnyInvocable<void(absl::StatusOr<Account>) &&>;
using DigestCallback = absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;

// Looks an account up (the PostgreSQL query of the workload). Errors carry
// the upstream's codes: NOT_FOUND for an unknown account, UNAVAILABLE,
// DEADLINE_EXCEEDED, ...
class AccountSource {
 public:
  virtual ~AccountSource() = default;
  // `deadline`: the payment's, shared by its lookup and its hash.
  virtual void Lookup(const std::string& account_id, absl::Time deadline,
                      AccountCallback done) = 0;
};

// Computes hex(SHA-256 applied `rounds` times to `data`), lowercase.
class DigestSource {
 public:
  virtual ~DigestSource() = default;
  virtual void Sha256Hex(std::string data, uint32_t rounds, absl::Time deadline,
                         DigestCallback done) = 0;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_SOURCES_H_
