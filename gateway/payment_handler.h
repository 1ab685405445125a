// POST /v1/payments: validate, look the account up, have the digest computed,
// answer.
#ifndef HASHMESH_GATEWAY_PAYMENT_HANDLER_H_
#define HASHMESH_GATEWAY_PAYMENT_HANDLER_H_

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/http/reply.h"
#include "gateway/upstream/sources.h"

namespace hashmesh::gateway {

class PaymentHandler {
 public:
  // The sources must outlive the handler; `rounds` is the gateway's setting.
  PaymentHandler(AccountSource* accounts, DigestSource* digests,
                 uint32_t rounds);

  // Rows 2-8 of SPEC.md's table, then the 201 (row 1, the size, is the HTTP
  // layer's, enforced while reading). `done` may run on any thread (see
  // sources.h); the session takes the reply to its own executor.
  void Handle(std::optional<absl::string_view> content_type,
              absl::string_view body,
              const boost::asio::any_io_executor& executor, ReplyCallback done);

 private:
  AccountSource* accounts_;
  DigestSource* digests_;
  const uint32_t rounds_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_HANDLER_H_
