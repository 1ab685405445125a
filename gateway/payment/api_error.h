// The gateway's typed API errors: SPEC.md's error codes in one table, carried
// inside absl::Status, with the one mapping from upstream failures and the one
// mapping to HTTP statuses.
#ifndef HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_
#define HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hashmesh::gateway {

// The `error.code` values of SPEC.md ("HTTP API of the gateway"), followed by
// those the gateway needs for its own limits and routes. Each has one row in
// the table of api_error.cc: its name, HTTP status, absl code and, where the
// SPEC fixes it, the field at fault.
enum class ErrorCode {
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kInvalidJson,
  kInvalidArgument,
  kAccountNotFound,
  kAccountFrozen,
  kCurrencyMismatch,
  kInsufficientFunds,
  kUpstreamUnavailable,
  kUpstreamTimeout,
  kUpstreamError,
  kNotFound,
  kMethodNotAllowed,
  kRequestHeaderFieldsTooLarge,
  kServiceUnavailable,
  kNotReady,    // /readyz: an upstream is not serving
  kBadRequest,  // malformed HTTP
  kInternal,
  kNotImplemented,  // a transfer coding other than chunked
};
inline constexpr int kErrorCodeCount = 19;

// "payload_too_large", ...: the wire name.
absl::string_view ErrorCodeName(ErrorCode code);
// The HTTP status SPEC.md gives the code.
int HttpStatusOf(ErrorCode code);

// A failed status carrying `code` (and `field`; when empty, the field the
// table fixes for the code, if any). The status's absl code is the table's.
absl::Status ApiError(ErrorCode code, absl::string_view message,
                      absl::string_view field = "");

// INVALID_ARGUMENT with code invalid_argument and `field` set.
absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view message);

// The code `status` carries; nullopt for OK or a status ApiError did not make.
std::optional<ErrorCode> ErrorCodeOf(const absl::Status& status);

// Maps a failed upstream call (its gRPC status already as absl::Status) to
// the client-facing error: UNAVAILABLE -> upstream_unavailable,
// DEADLINE_EXCEEDED -> upstream_timeout, anything else -> upstream_error.
// The message names the upstream (e.g. "engine") and never carries the
// upstream's own message: the upstream layer logs that. OK stays OK. The
// store's NOT_FOUND is the caller's to turn into account_not_found first.
absl::Status UpstreamError(const absl::Status& from_upstream,
                           absl::string_view upstream_name);

struct HttpError {
  int status = 500;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // empty: no single field at fault

  friend bool operator==(const HttpError&, const HttpError&) = default;
};

// The single place that decides HTTP statuses, from the code's row. A status
// without a code (or OK) is a bug: 500 internal. A 500's message is always
// the generic "internal error", so that internal details never reach a
// client.
HttpError ToHttpError(const absl::Status& status);

// {"error":{"code":"...","message":"...","field":"..."}}, compact, "field"
// only when set, strings JSON-escaped (invalid UTF-8 replaced by U+FFFD).
std::string ErrorBody(const HttpError& error);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_API_ERROR_H_
