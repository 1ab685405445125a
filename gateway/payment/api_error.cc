#include "gateway/payment/api_error.h"

#include <array>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "gateway/payment/json_escape.h"

namespace hashmesh::gateway {
namespace {

struct CodeStatus {
  absl::string_view code;
  int http_status;
};

constexpr std::array<CodeStatus, 18> kHttpStatusByCode = {{
    {error_code::kPayloadTooLarge, 413},
    {error_code::kUnsupportedMediaType, 415},
    {error_code::kInvalidJson, 400},
    {error_code::kInvalidArgument, 400},
    {error_code::kAccountNotFound, 404},
    {error_code::kAccountFrozen, 403},
    {error_code::kCurrencyMismatch, 422},
    {error_code::kInsufficientFunds, 422},
    {error_code::kUpstreamUnavailable, 503},
    {error_code::kUpstreamTimeout, 504},
    {error_code::kUpstreamError, 502},
    {error_code::kNotFound, 404},
    {error_code::kMethodNotAllowed, 405},
    {error_code::kRequestTimeout, 408},
    {error_code::kRequestHeaderFieldsTooLarge, 431},
    {error_code::kServiceUnavailable, 503},
    {error_code::kBadRequest, 400},
    {error_code::kInternal, 500},
}};

std::optional<int> HttpStatusOf(absl::string_view code) {
  for (const CodeStatus& entry : kHttpStatusByCode) {
    if (entry.code == code) return entry.http_status;
  }
  return std::nullopt;
}

std::string ToString(absl::string_view text) {
  return std::string(text.data(), text.size());
}

// A 500 says nothing more: its message may carry internals (paths, peers).
HttpError InternalError() {
  return {500, ToString(error_code::kInternal), "internal error", ""};
}

HttpError FromAbslCode(const absl::Status& status) {
  auto with = [&status](int http_status, absl::string_view code) {
    return HttpError{http_status, ToString(code), ToString(status.message()),
                     ""};
  };
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return with(400, error_code::kInvalidArgument);
    case absl::StatusCode::kNotFound:
      return with(404, error_code::kNotFound);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
      return with(503, error_code::kServiceUnavailable);
    case absl::StatusCode::kDeadlineExceeded:
      return with(504, error_code::kUpstreamTimeout);
    default:
      return InternalError();
  }
}

}  // namespace

absl::Status ApiError(absl::StatusCode code, absl::string_view error_code,
                      absl::string_view message, absl::string_view field) {
  absl::Status status(code, message);
  status.SetPayload(kErrorCodePayload, absl::Cord(error_code));
  if (!field.empty()) status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view message) {
  return ApiError(absl::StatusCode::kInvalidArgument,
                  error_code::kInvalidArgument, message, field);
}

absl::Status UpstreamError(const absl::Status& from_grpc,
                           absl::string_view upstream_name) {
  if (from_grpc.ok()) return from_grpc;
  absl::Status mapped;
  switch (from_grpc.code()) {
    case absl::StatusCode::kUnavailable:
      mapped = ApiError(from_grpc.code(), error_code::kUpstreamUnavailable,
                        absl::StrCat(upstream_name, " is unavailable"));
      break;
    case absl::StatusCode::kDeadlineExceeded:
      mapped = ApiError(
          from_grpc.code(), error_code::kUpstreamTimeout,
          absl::StrCat(upstream_name, " did not answer before the deadline"));
      break;
    default:
      // The absl code stays the upstream's so that logs and metrics can tell
      // failures apart; the payload alone decides the HTTP status.
      mapped =
          ApiError(from_grpc.code(), error_code::kUpstreamError,
                   absl::StrCat(upstream_name, " failed with ",
                                absl::StatusCodeToString(from_grpc.code())));
      break;
  }
  mapped.SetPayload(kUpstreamDetailPayload, absl::Cord(from_grpc.message()));
  return mapped;
}

HttpError ToHttpError(const absl::Status& status) {
  if (status.ok()) return InternalError();
  absl::optional<absl::Cord> code = status.GetPayload(kErrorCodePayload);
  if (!code.has_value()) return FromAbslCode(status);
  std::string code_text;
  absl::CopyCordToString(*code, &code_text);
  std::optional<int> http_status = HttpStatusOf(code_text);
  if (!http_status.has_value()) return InternalError();
  HttpError error{*http_status, std::move(code_text),
                  ToString(status.message()), ""};
  if (absl::optional<absl::Cord> field = status.GetPayload(kFieldPayload)) {
    absl::CopyCordToString(*field, &error.field);
  }
  if (error.status == 500) error.message = InternalError().message;
  return error;
}

std::string ErrorBody(const HttpError& error) {
  std::string body;
  body.reserve(48 + error.code.size() + error.message.size() +
               error.field.size());
  body.append(R"({"error":{"code":)");
  AppendJsonString(error.code, &body);
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
