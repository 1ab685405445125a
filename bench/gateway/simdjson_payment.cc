#include "bench/gateway/simdjson_payment.h"

#include <cstdint>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gateway/payment/payment_json.h"
#include "gateway/payment/payment_request.h"

namespace hashmesh::gateway::bench {
namespace {

// simdjson 3.0.1 rejects integers beyond uint64 (99999999999999999999) as a
// NUMBER_ERROR of the whole document, so those come out invalid_json instead
// of invalid_argument; the DOM keeps no number text to do better.
bool Visit(simdjson::dom::element value, PaymentFieldsCollector& collector) {
  using Type = simdjson::dom::element_type;
  switch (value.type()) {
    case Type::STRING: {
      const std::string_view text = value.get_string().value_unsafe();
      return collector.String({text.data(), text.size()});
    }
    case Type::INT64:
      return collector.Integer(value.get_int64().value_unsafe());
    case Type::UINT64:
      return collector.NumberBeyondInt64(/*integer=*/true);
    case Type::DOUBLE:
      return collector.NumberBeyondInt64(/*integer=*/false);
    case Type::ARRAY:
    case Type::OBJECT:
      // Nested values were validated by the parser (depth included).
      if (!collector.BeginContainer(value.type() == Type::OBJECT)) return false;
      collector.EndContainer();
      return true;
    case Type::BOOL:
    case Type::NULL_VALUE:
      return collector.Literal();
  }
  return false;
}

}  // namespace

// The parser's depth counts like SPEC.md's (checked by the agreement run).
SimdjsonPaymentReader::SimdjsonPaymentReader()
    : allocation_(parser_.allocate(kMaxBodyBytes, kMaxJsonDepth)) {}

absl::Status SimdjsonPaymentReader::Read(absl::string_view body,
                                         PaymentFields* fields) {
  if (allocation_ != simdjson::SUCCESS) {
    return absl::InternalError(simdjson::error_message(allocation_));
  }
  simdjson::dom::element root;
  // realloc_if_needed: copies the body into a padded buffer, as the gateway
  // would have to with Beast's buffers.
  if (simdjson::error_code error =
          parser_.parse(body.data(), body.size(), true).get(root);
      error != simdjson::SUCCESS) {
    return InvalidJsonError(simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidJsonError("the top-level value is not an object");
  }
  PaymentFieldsCollector collector(fields);
  collector.BeginContainer(/*is_object=*/true);
  for (simdjson::dom::key_value_pair member : object) {
    if (!collector.Key({member.key.data(), member.key.size()}) ||
        !Visit(member.value, collector)) {
      return InvalidJsonError(collector.failure());
    }
  }
  return absl::OkStatus();
}

}  // namespace hashmesh::gateway::bench
