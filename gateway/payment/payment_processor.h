// One payment from its JSON body to its 201 body: validate, look the account
// up, check it, have the digest computed.
#ifndef HASHMESH_GATEWAY_PAYMENT_PAYMENT_PROCESSOR_H_
#define HASHMESH_GATEWAY_PAYMENT_PAYMENT_PROCESSOR_H_

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/payment/sources.h"

namespace hashmesh::gateway {

// The 201 body, or the API error (api_error.h) to answer with.
using PaymentCallback =
    absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;

class PaymentProcessor {
 public:
  // The sources must outlive the processor; `rounds` is the gateway's
  // setting; `timeout` bounds each payment's upstream work (lookup and hash
  // together).
  PaymentProcessor(AccountSource* accounts, DigestSource* digests,
                   uint32_t rounds, absl::Duration timeout);

  // Rows 3-8 of SPEC.md's table, then the 201 body. Rows 1 and 2 (size and
  // media type) belong to the route and are checked before. `body` is read
  // before Process returns; `done` runs exactly once, on any thread (see
  // sources.h).
  void Process(absl::string_view body, PaymentCallback done);

 private:
  AccountSource* accounts_;
  DigestSource* digests_;
  const uint32_t rounds_;
  const absl::Duration timeout_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_PAYMENT_PROCESSOR_H_
