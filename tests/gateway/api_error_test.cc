// The typed error model: every code's row, the status it travels in, the one
// mapping from upstream failures, the one mapping to HTTP, the body's bytes.
#include "gateway/payment/api_error.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace hashmesh::gateway {
namespace {

struct CodeRow {
  ErrorCode code;
  absl::string_view name;
  int http_status;
  absl::string_view field;  // the field SPEC.md fixes, if any
};

// SPEC.md's table and the gateway's own codes, written out independently of
// api_error.cc's table.
constexpr CodeRow kRows[] = {
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 413, ""},
    {ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415, ""},
    {ErrorCode::kInvalidJson, "invalid_json", 400, ""},
    {ErrorCode::kInvalidArgument, "invalid_argument", 400, ""},
    {ErrorCode::kAccountNotFound, "account_not_found", 404, "account_id"},
    {ErrorCode::kAccountFrozen, "account_frozen", 403, "account_id"},
    {ErrorCode::kCurrencyMismatch, "currency_mismatch", 422, "currency"},
    {ErrorCode::kInsufficientFunds, "insufficient_funds", 422, "amount_cents"},
    {ErrorCode::kUpstreamUnavailable, "upstream_unavailable", 503, ""},
    {ErrorCode::kUpstreamTimeout, "upstream_timeout", 504, ""},
    {ErrorCode::kUpstreamError, "upstream_error", 502, ""},
    {ErrorCode::kNotFound, "not_found", 404, ""},
    {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405, ""},
    {ErrorCode::kRequestHeaderFieldsTooLarge, "request_header_fields_too_large",
     431, ""},
    {ErrorCode::kServiceUnavailable, "service_unavailable", 503, ""},
    {ErrorCode::kNotReady, "not_ready", 503, ""},
    {ErrorCode::kBadRequest, "bad_request", 400, ""},
    {ErrorCode::kInternal, "internal", 500, ""},
    {ErrorCode::kNotImplemented, "not_implemented", 501, ""},
};
static_assert(std::size(kRows) == kErrorCodeCount);

std::string Str(absl::string_view text) { return {text.data(), text.size()}; }

TEST(ErrorCodeTest, EveryRowOfTheTable) {
  for (const CodeRow& row : kRows) {
    EXPECT_EQ(ErrorCodeName(row.code), row.name);
    EXPECT_EQ(HttpStatusOf(row.code), row.http_status) << row.name;
    const absl::Status status = ApiError(row.code, "why");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(ErrorCodeOf(status), row.code) << row.name;
    const HttpError error = ToHttpError(status);
    if (row.http_status == 500) {
      EXPECT_EQ(error,
                (HttpError{500, ErrorCode::kInternal, "internal error", ""}));
    } else {
      EXPECT_EQ(error,
                (HttpError{row.http_status, row.code, "why", Str(row.field)}))
          << row.name;
    }
  }
}

TEST(ApiErrorTest, AnExplicitFieldWins) {
  const absl::Status status =
      InvalidFieldError("amount_cents", "amount_cents must be an integer");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToHttpError(status),
            (HttpError{400, ErrorCode::kInvalidArgument,
                       "amount_cents must be an integer", "amount_cents"}));
  EXPECT_EQ(
      ToHttpError(ApiError(ErrorCode::kCurrencyMismatch, "m", "other")).field,
      "other");
}

TEST(ApiErrorTest, AbslCodesFollowTheErrors) {
  EXPECT_EQ(ApiError(ErrorCode::kAccountNotFound, "m").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ApiError(ErrorCode::kUpstreamTimeout, "m").code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(ApiError(ErrorCode::kUpstreamUnavailable, "m").code(),
            absl::StatusCode::kUnavailable);
}

TEST(ToHttpErrorTest, AStatusWithoutACodeIsABug) {
  const HttpError internal{500, ErrorCode::kInternal, "internal error", ""};
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("m")), internal);
  EXPECT_EQ(ToHttpError(absl::InternalError("/etc/secret")), internal);
  EXPECT_EQ(ToHttpError(absl::OkStatus()), internal);
  EXPECT_FALSE(ErrorCodeOf(absl::OkStatus()).has_value());
  EXPECT_FALSE(ErrorCodeOf(absl::NotFoundError("m")).has_value());
  // A payload no ApiError wrote (out of range) is no code either.
  absl::Status forged = absl::NotFoundError("m");
  forged.SetPayload("hashmesh/error_code", absl::Cord("\x7f"));
  EXPECT_FALSE(ErrorCodeOf(forged).has_value());
  EXPECT_EQ(ToHttpError(forged), internal);
}

TEST(UpstreamErrorTest, MapsGrpcFailures) {
  EXPECT_EQ(ToHttpError(UpstreamError(absl::UnavailableError("connect failed"),
                                      "engine")),
            (HttpError{503, ErrorCode::kUpstreamUnavailable,
                       "engine is unavailable", ""}));
  EXPECT_EQ(
      ToHttpError(UpstreamError(
          absl::DeadlineExceededError("Deadline Exceeded"), "account store")),
      (HttpError{504, ErrorCode::kUpstreamTimeout,
                 "account store did not answer before the deadline", ""}));
  for (const absl::Status& other :
       {absl::InternalError("x"), absl::UnknownError("x"),
        absl::InvalidArgumentError("x"), absl::NotFoundError("x"),
        absl::ResourceExhaustedError("x"), absl::CancelledError("x"),
        absl::PermissionDeniedError("x"), absl::UnimplementedError("x"),
        absl::DataLossError("x"), absl::UnauthenticatedError("x")}) {
    const HttpError error = ToHttpError(UpstreamError(other, "engine"));
    EXPECT_EQ(error.status, 502) << other;
    EXPECT_EQ(error.code, ErrorCode::kUpstreamError);
    EXPECT_EQ(error.message,
              "engine failed with " + absl::StatusCodeToString(other.code()));
  }
}

TEST(UpstreamErrorTest, KeepsTheUpstreamMessageOutOfTheBody) {
  const absl::Status mapped = UpstreamError(
      absl::UnavailableError("ipv4:10.0.0.7:50051: connection refused"),
      "engine");
  EXPECT_EQ(ErrorBody(ToHttpError(mapped)).find("10.0.0.7"), std::string::npos);
}

TEST(UpstreamErrorTest, OkPassesThrough) {
  EXPECT_TRUE(UpstreamError(absl::OkStatus(), "engine").ok());
}

TEST(ErrorBodyTest, ExactShapeWithAndWithoutField) {
  EXPECT_EQ(ErrorBody({400, ErrorCode::kInvalidArgument,
                       "amount_cents must be between 1 and 100000000",
                       "amount_cents"}),
            R"({"error":{"code":"invalid_argument","message":"amount_cents )"
            R"(must be between 1 and 100000000","field":"amount_cents"}})");
  EXPECT_EQ(ErrorBody({400, ErrorCode::kInvalidJson, "bad", ""}),
            R"({"error":{"code":"invalid_json","message":"bad"}})");
  EXPECT_EQ(ErrorBody({500, ErrorCode::kInternal, "", ""}),
            R"({"error":{"code":"internal","message":""}})");
}

TEST(ErrorBodyTest, EscapesAndStaysValidJson) {
  const std::string message = std::string("q\" b\\ nl\n tab\t nul") + '\0' +
                              " bell\x07 del\x7F "
                              "Zo\xC3\xAB bad\xFF end";
  const std::string body =
      ErrorBody({400, ErrorCode::kInvalidJson, message, "a\"b"});
  EXPECT_EQ(body,
            "{\"error\":{\"code\":\"invalid_json\",\"message\":\"q\\\" b\\\\ "
            "nl\\n tab\\t nul\\u0000 bell\\u0007 del\x7F Zo\xC3\xAB "
            "bad\xEF\xBF\xBD end\",\"field\":\"a\\\"b\"}}");
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(parsed.at("error").at("field").as_string(), "a\"b");
}

TEST(ErrorBodyTest, WorksOnEveryCode) {
  for (const CodeRow& row : kRows) {
    const std::string body = ErrorBody(ToHttpError(ApiError(row.code, "m")));
    boost::json::error_code ec;
    boost::json::value parsed = boost::json::parse(body, ec);
    ASSERT_FALSE(ec) << body;
    EXPECT_EQ(parsed.at("error").at("code").as_string(),
              row.http_status == 500 ? "internal" : Str(row.name));
  }
}

}  // namespace
}  // namespace hashmesh::gateway
