// The raw top-level members of a payment body, and the parser-independent
// collector that fills them from any event-based (SAX) JSON parser.
#ifndef HASHMESH_GATEWAY_PAYMENT_PAYMENT_FIELDS_H_
#define HASHMESH_GATEWAY_PAYMENT_PAYMENT_FIELDS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace hashmesh::gateway {

// Nesting limit of SPEC.md: the top-level object is level 1; objects and
// arrays count.
inline constexpr int kMaxJsonDepth = 32;

// What one known top-level member held.
struct JsonField {
  enum class Kind {
    kMissing,
    kString,             // `string` holds the unescaped UTF-8 bytes
    kInteger,            // no fraction, no exponent, fits int64: `integer`
    kIntegerOutOfRange,  // no fraction, no exponent, outside int64
    kNonInteger,         // a number with a fraction or an exponent
    kOther,              // null, true, false, an object or an array
  };
  Kind kind = Kind::kMissing;
  std::string string;
  int64_t integer = 0;
};

struct PaymentFields {
  JsonField account_id;
  JsonField amount_cents;
  JsonField currency;
  JsonField merchant;
  JsonField memo;
};

// Applies the rules of "JSON details" that JSON parsers do not (a top-level
// object, unique top-level keys after unescaping, depth <= kMaxJsonDepth,
// finite numbers) while a parser reports events, and captures the known
// members into `*fields`. The parser must already reject what is not JSON
// (syntax, invalid UTF-8, lone surrogates, trailing data). Each event returns
// false when the document breaks a rule, after which failure() says which and
// the parse must stop. Known keys are tracked in a bit set, so a usual
// payment costs no allocation.
class PaymentFieldsCollector {
 public:
  explicit PaymentFieldsCollector(PaymentFields* fields) : fields_(fields) {}

  PaymentFieldsCollector(const PaymentFieldsCollector&) = delete;
  PaymentFieldsCollector& operator=(const PaymentFieldsCollector&) = delete;

  bool BeginContainer(bool is_object);
  void EndContainer() { --depth_; }
  // `key` complete and unescaped.
  bool Key(absl::string_view key);
  // A string value may come in parts: StringPart for all but the last.
  bool StringPart(absl::string_view part);
  bool String(absl::string_view last_part);
  // Numbers: Integer for an int64 written without fraction or exponent;
  // NumberBeyondInt64 for any other finite number (`integer`: written without
  // fraction or exponent).
  bool Integer(int64_t value);
  bool NumberBeyondInt64(bool integer);
  // null, true or false.
  bool Literal();

  // Stops the parse for a reason found outside the collector.
  bool Fail(absl::string_view reason);
  // Empty while every rule holds.
  absl::string_view failure() const { return failure_; }
  int depth() const { return depth_; }

 private:
  // The known member whose value this is, if any; at depth 1 every value
  // follows a key because the top level is an object.
  JsonField* TakeValueField();
  // False on a value at depth 0 (a top level that is not an object).
  bool CheckTopLevel();

  PaymentFields* fields_;
  int depth_ = 0;                     // objects and arrays open
  JsonField* value_field_ = nullptr;  // known member whose value comes next
  unsigned seen_ = 0;                 // bit per known member seen at depth 1
  absl::flat_hash_set<std::string> unknown_keys_;
  absl::string_view failure_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_PAYMENT_FIELDS_H_
