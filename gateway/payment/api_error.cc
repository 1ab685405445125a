#include "gateway/payment/api_error.h"

#include <array>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "services/common/json_escape.h"

namespace hashmesh::gateway {
namespace {

using absl::StatusCode;

struct ErrorRow {
  ErrorCode code;
  absl::string_view name;
  int http_status;
  StatusCode status_code;   // for logs and tests; the HTTP status is the row's
  absl::string_view field;  // SPEC.md's field at fault, where it fixes one
};

// The one table: SPEC.md's rows first, then the gateway's own.
constexpr std::array<ErrorRow, kErrorCodeCount> kErrors = {{
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 413,
     StatusCode::kResourceExhausted, ""},
    {ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415,
     StatusCode::kInvalidArgument, ""},
    {ErrorCode::kInvalidJson, "invalid_json", 400, StatusCode::kInvalidArgument,
     ""},
    {ErrorCode::kInvalidArgument, "invalid_argument", 400,
     StatusCode::kInvalidArgument, ""},
    {ErrorCode::kAccountNotFound, "account_not_found", 404,
     StatusCode::kNotFound, "account_id"},
    {ErrorCode::kAccountFrozen, "account_frozen", 403,
     StatusCode::kFailedPrecondition, "account_id"},
    {ErrorCode::kCurrencyMismatch, "currency_mismatch", 422,
     StatusCode::kFailedPrecondition, "currency"},
    {ErrorCode::kInsufficientFunds, "insufficient_funds", 422,
     StatusCode::kFailedPrecondition, "amount_cents"},
    {ErrorCode::kUpstreamUnavailable, "upstream_unavailable", 503,
     StatusCode::kUnavailable, ""},
    {ErrorCode::kUpstreamTimeout, "upstream_timeout", 504,
     StatusCode::kDeadlineExceeded, ""},
    {ErrorCode::kUpstreamError, "upstream_error", 502, StatusCode::kUnknown,
     ""},
    {ErrorCode::kNotFound, "not_found", 404, StatusCode::kNotFound, ""},
    {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405,
     StatusCode::kUnimplemented, ""},
    {ErrorCode::kRequestHeaderFieldsTooLarge, "request_header_fields_too_large",
     431, StatusCode::kResourceExhausted, ""},
    {ErrorCode::kServiceUnavailable, "service_unavailable", 503,
     StatusCode::kUnavailable, ""},
    {ErrorCode::kNotReady, "not_ready", 503, StatusCode::kUnavailable, ""},
    {ErrorCode::kBadRequest, "bad_request", 400, StatusCode::kInvalidArgument,
     ""},
    {ErrorCode::kInternal, "internal", 500, StatusCode::kInternal, ""},
    {ErrorCode::kNotImplemented, "not_implemented", 501,
     StatusCode::kUnimplemented, ""},
}};

constexpr bool RowsInEnumOrder() {
  for (size_t i = 0; i < kErrors.size(); ++i) {
    if (static_cast<size_t>(kErrors[i].code) != i) return false;
  }
  return true;
}
static_assert(RowsInEnumOrder(), "kErrors must list ErrorCode in order");

const ErrorRow& Row(ErrorCode code) {
  return kErrors[static_cast<size_t>(code)];
}

// The code travels as one byte, its enum value; the field as text.
constexpr absl::string_view kCodePayload = "hashmesh/error_code";
constexpr absl::string_view kFieldPayload = "hashmesh/field";

std::string ToString(absl::string_view text) {
  return std::string(text.data(), text.size());
}

}  // namespace

absl::string_view ErrorCodeName(ErrorCode code) { return Row(code).name; }

int HttpStatusOf(ErrorCode code) { return Row(code).http_status; }

absl::Status ApiError(ErrorCode code, absl::string_view message,
                      absl::string_view field) {
  const ErrorRow& row = Row(code);
  absl::Status status(row.status_code, message);
  status.SetPayload(kCodePayload,
                    absl::Cord(std::string(1, static_cast<char>(code))));
  if (field.empty()) field = row.field;
  if (!field.empty()) status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view message) {
  return ApiError(ErrorCode::kInvalidArgument, message, field);
}

std::optional<ErrorCode> ErrorCodeOf(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  const absl::optional<absl::Cord> payload = status.GetPayload(kCodePayload);
  if (!payload.has_value() || payload->size() != 1) return std::nullopt;
  const auto value = static_cast<unsigned char>(*payload->char_begin());
  if (value >= kErrors.size()) return std::nullopt;
  return static_cast<ErrorCode>(value);
}

absl::Status UpstreamError(const absl::Status& from_upstream,
                           absl::string_view upstream_name) {
  switch (from_upstream.code()) {
    case StatusCode::kOk:
      return from_upstream;
    case StatusCode::kUnavailable:
      return ApiError(ErrorCode::kUpstreamUnavailable,
                      absl::StrCat(upstream_name, " is unavailable"));
    case StatusCode::kDeadlineExceeded:
      return ApiError(
          ErrorCode::kUpstreamTimeout,
          absl::StrCat(upstream_name, " did not answer before the deadline"));
    default:
      return ApiError(
          ErrorCode::kUpstreamError,
          absl::StrCat(upstream_name, " failed with ",
                       absl::StatusCodeToString(from_upstream.code())));
  }
}

HttpError ToHttpError(const absl::Status& status) {
  const std::optional<ErrorCode> code = ErrorCodeOf(status);
  if (!code.has_value() || HttpStatusOf(*code) == 500) {
    return {500, ErrorCode::kInternal, "internal error", ""};
  }
  HttpError error{HttpStatusOf(*code), *code, ToString(status.message()), ""};
  if (absl::optional<absl::Cord> field = status.GetPayload(kFieldPayload)) {
    absl::CopyCordToString(*field, &error.field);
  }
  return error;
}

std::string ErrorBody(const HttpError& error) {
  const absl::string_view code = ErrorCodeName(error.code);
  std::string body;
  body.reserve(48 + code.size() + error.message.size() + error.field.size());
  body.append(R"({"error":{"code":)");
  AppendJsonString(code, &body);
  body.append(R"(,"message":)");
  AppendJsonString(error.message, &body);
  if (!error.field.empty()) {
    body.append(R"(,"field":)");
    AppendJsonString(error.field, &body);
  }
  body.append("}}");
  return body;
}

}  // namespace hashmesh::gateway
