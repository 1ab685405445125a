// Benchmark candidate: a payment body read with simdjson's DOM parser, as
// strictly as simdjson allows (see simdjson_payment.cc for where it cannot).
#ifndef HASHMESH_BENCH_GATEWAY_SIMDJSON_PAYMENT_H_
#define HASHMESH_BENCH_GATEWAY_SIMDJSON_PAYMENT_H_

#include <simdjson.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/payment_fields.h"

namespace hashmesh::gateway::bench {

// Owns simdjson's reusable buffers: one per thread.
class SimdjsonPaymentReader {
 public:
  SimdjsonPaymentReader();

  absl::Status Read(absl::string_view body, PaymentFields* fields);

 private:
  simdjson::dom::parser parser_;
  simdjson::error_code allocation_;
};

}  // namespace hashmesh::gateway::bench

#endif  // HASHMESH_BENCH_GATEWAY_SIMDJSON_PAYMENT_H_
