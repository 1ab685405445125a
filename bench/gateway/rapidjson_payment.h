// Benchmark candidate: a payment body read with RapidJSON's SAX Reader, as
// strictly as the gateway's Boost.JSON reader (see rapidjson_payment.cc).
#ifndef HASHMESH_BENCH_GATEWAY_RAPIDJSON_PAYMENT_H_
#define HASHMESH_BENCH_GATEWAY_RAPIDJSON_PAYMENT_H_

#include <rapidjson/reader.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/payment_fields.h"

namespace hashmesh::gateway::bench {

// Owns RapidJSON's Reader, whose internal stack is kept between parses: one
// per thread.
class RapidJsonPaymentReader {
 public:
  RapidJsonPaymentReader() = default;

  absl::Status Read(absl::string_view body, PaymentFields* fields);

 private:
  rapidjson::Reader reader_;
};

}  // namespace hashmesh::gateway::bench

#endif  // HASHMESH_BENCH_GATEWAY_RAPIDJSON_PAYMENT_H_
