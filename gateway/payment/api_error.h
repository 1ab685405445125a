// API errors of the gateway: absl::Status with the spec's error code and field
// attached, and the one mapping from such a status to an HTTP error response.
#ifndef HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_
#define HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hashmesh::gateway {

// The `error.code` values of SPEC.md ("HTTP API of the gateway"), followed by
// those the gateway needs for its own limits and routes.
namespace error_code {
inline constexpr absl::string_view kPayloadTooLarge = "payload_too_large";
inline constexpr absl::string_view kUnsupportedMediaType =
    "unsupported_media_type";
inline constexpr absl::string_view kInvalidJson = "invalid_json";
inline constexpr absl::string_view kInvalidArgument = "invalid_argument";
inline constexpr absl::string_view kAccountNotFound = "account_not_found";
inline constexpr absl::string_view kAccountFrozen = "account_frozen";
inline constexpr absl::string_view kCurrencyMismatch = "currency_mismatch";
inline constexpr absl::string_view kInsufficientFunds = "insufficient_funds";
inline constexpr absl::string_view kUpstreamUnavailable =
    "upstream_unavailable";
inline constexpr absl::string_view kUpstreamTimeout = "upstream_timeout";
inline constexpr absl::string_view kUpstreamError = "upstream_error";
inline constexpr absl::string_view kNotFound = "not_found";
inline constexpr absl::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr absl::string_view kRequestTimeout = "request_timeout";
inline constexpr absl::string_view kRequestHeaderFieldsTooLarge =
    "request_header_fields_too_large";
inline constexpr absl::string_view kServiceUnavailable = "service_unavailable";
inline constexpr absl::string_view kBadRequest =
    "bad_request";  // malformed HTTP
inline constexpr absl::string_view kInternal = "internal";
}  // namespace error_code

// Type URLs of the status payloads ApiError attaches.
inline constexpr absl::string_view kErrorCodePayload = "hashmesh/error_code";
inline constexpr absl::string_view kFieldPayload = "hashmesh/field";
// The upstream's own status message, kept for logs: not sent to clients.
inline constexpr absl::string_view kUpstreamDetailPayload =
    "hashmesh/upstream_detail";

// A status carrying the spec's `error_code` (and `field`, when one field is at
// fault) as payloads. `code` is the absl code for logs and metrics; the HTTP
// status is decided by ToHttpError from `error_code` alone. `code` must not be
// kOk.
absl::Status ApiError(absl::StatusCode code, absl::string_view error_code,
                      absl::string_view message, absl::string_view field = "");

// INVALID_ARGUMENT with error code invalid_argument and `field` set.
absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view message);

// Maps a failed upstream gRPC call (already converted to absl::Status) to the
// client-facing error: UNAVAILABLE -> upstream_unavailable, DEADLINE_EXCEEDED
// -> upstream_timeout, anything else -> upstream_error. The message names the
// upstream (e.g. "engine"); the upstream's own message goes to the
// kUpstreamDetailPayload payload. An OK status is returned unchanged. The
// store's NOT_FOUND is the caller's to turn into AccountNotFoundError first.
absl::Status UpstreamError(const absl::Status& from_grpc,
                           absl::string_view upstream_name);

struct HttpError {
  int status = 500;
  std::string code;
  std::string message;
  std::string field;  // empty: no single field at fault

  friend bool operator==(const HttpError&, const HttpError&) = default;
};

// The single place that decides HTTP statuses. With an error-code payload the
// status follows the code (an unknown code is a bug: 500 internal); without
// one it falls back on the absl code: INVALID_ARGUMENT/OUT_OF_RANGE 400
// invalid_argument, NOT_FOUND 404 not_found, UNAVAILABLE/RESOURCE_EXHAUSTED 503
// service_unavailable, DEADLINE_EXCEEDED 504 upstream_timeout, anything else
// (OK included) 500 internal. A 500's message is always the generic
// "internal error", so that internal details never reach a client.
HttpError ToHttpError(const absl::Status& status);

// {"error":{"code":"...","message":"...","field":"..."}}, compact, "field"
// only when set, strings JSON-escaped (invalid UTF-8 replaced by U+FFFD).
std::string ErrorBody(const HttpError& error);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_
