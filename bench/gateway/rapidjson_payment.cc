#include "bench/gateway/rapidjson_payment.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "gateway/payment/payment_json.h"

namespace hashmesh::gateway::bench {
namespace {

// RapidJSON 1.1.0 accepts an escaped lone low surrogate ("\udc00") and
// writes it as the ill-formed UTF-8 ED B0 80. Input bytes are validated
// (kParseValidateEncodingFlag), so ED A0..BF in a parsed string can only come
// from such an escape.
bool HasEncodedSurrogate(const char* text, size_t size) {
  for (size_t i = 0; i + 1 < size; ++i) {
    if (static_cast<uint8_t>(text[i]) == 0xED &&
        static_cast<uint8_t>(text[i + 1]) >= 0xA0) {
      return true;
    }
  }
  return false;
}

// Numbers come as source text (kParseNumbersAsStringsFlag), because RapidJSON
// reports 99999999999999999999 and 1e20 alike as a double.
class Handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  explicit Handler(PaymentFields* fields) : collector_(fields) {}
  const PaymentFieldsCollector& collector() const { return collector_; }

  bool Null() { return collector_.Literal(); }
  bool Bool(bool) { return collector_.Literal(); }
  bool RawNumber(const char* text, rapidjson::SizeType size, bool) {
    return collector_.Number({text, size});
  }
  bool String(const char* text, rapidjson::SizeType size, bool) {
    return NoSurrogate(text, size) && collector_.String({text, size});
  }
  bool Key(const char* text, rapidjson::SizeType size, bool) {
    return NoSurrogate(text, size) && collector_.Key({text, size});
  }
  bool StartObject() { return collector_.BeginContainer(/*is_object=*/true); }
  bool StartArray() { return collector_.BeginContainer(/*is_object=*/false); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }

 private:
  bool NoSurrogate(const char* text, size_t size) {
    return !HasEncodedSurrogate(text, size) ||
           collector_.Fail("lone surrogate escape");
  }
  bool End() {
    collector_.EndContainer();
    return true;
  }

  PaymentFieldsCollector collector_;
};

}  // namespace

absl::Status RapidJsonPaymentReader::Read(absl::string_view body,
                                          PaymentFields* fields) {
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  // A MemoryStream, not EncodedInputStream, which would skip a BOM.
  rapidjson::MemoryStream stream(body.data(), body.size());
  Handler handler(fields);
  const rapidjson::ParseResult result = reader_.Parse<kFlags>(stream, handler);
  if (!handler.collector().failure().empty()) {
    return InvalidJsonError(handler.collector().failure());
  }
  if (result.IsError()) {
    return InvalidJsonError(
        absl::StrCat(rapidjson::GetParseError_En(result.Code()), " at byte ",
                     result.Offset()));
  }
  // MemoryStream reads a NUL byte as the end of input.
  if (stream.Tell() != body.size()) {
    return InvalidJsonError("unexpected data after the JSON value");
  }
  return absl::OkStatus();
}

}  // namespace hashmesh::gateway::bench
