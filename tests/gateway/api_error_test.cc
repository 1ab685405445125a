// The one mapping from API errors to HTTP: every error code, the fallbacks
// for plain statuses, the upstream mapping, and the error body's bytes.
#include "gateway/payment/api_error.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "absl/strings/cord.h"
#include "gtest/gtest.h"
#include "tests/gateway/payment_test_util.h"

namespace hashmesh::gateway {
namespace {

struct CodeCase {
  absl::string_view code;
  int http_status;
};

constexpr CodeCase kCodes[] = {
    {"payload_too_large", 413},    {"unsupported_media_type", 415},
    {"invalid_json", 400},         {"invalid_argument", 400},
    {"account_not_found", 404},    {"account_frozen", 403},
    {"currency_mismatch", 422},    {"insufficient_funds", 422},
    {"upstream_unavailable", 503}, {"upstream_timeout", 504},
    {"upstream_error", 502},       {"not_found", 404},
    {"method_not_allowed", 405},   {"bad_request", 400},
    {"request_timeout", 408},      {"request_header_fields_too_large", 431},
    {"service_unavailable", 503},
};

TEST(ApiErrorTest, CarriesCodeAndFieldAsPayloads) {
  const absl::Status status =
      ApiError(absl::StatusCode::kInvalidArgument, error_code::kInvalidArgument,
               "amount_cents must be between 1 and 100000000", "amount_cents");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "amount_cents must be between 1 and 100000000");
  EXPECT_EQ(status.GetPayload(kErrorCodePayload),
            absl::Cord("invalid_argument"));
  EXPECT_EQ(status.GetPayload(kFieldPayload), absl::Cord("amount_cents"));
  const absl::Status no_field = ApiError(absl::StatusCode::kInvalidArgument,
                                         error_code::kInvalidJson, "bad");
  EXPECT_FALSE(no_field.GetPayload(kFieldPayload).has_value());
}

TEST(ToHttpErrorTest, EveryCodeOfTheSpecAndTheGateway) {
  for (const CodeCase& c : kCodes) {
    // The absl code does not matter once the error code is set.
    for (absl::StatusCode code :
         {absl::StatusCode::kInvalidArgument, absl::StatusCode::kInternal}) {
      const HttpError error = ToHttpError(ApiError(code, c.code, "why", "f"));
      EXPECT_EQ(error,
                (HttpError{c.http_status, testing::Str(c.code), "why", "f"}))
          << c.code;
    }
  }
  EXPECT_EQ(ToHttpError(ApiError(absl::StatusCode::kInternal, "internal",
                                 "secret detail")),
            (HttpError{500, "internal", "internal error", ""}));
}

TEST(ToHttpErrorTest, UnknownErrorCodeIsABug) {
  EXPECT_EQ(ToHttpError(ApiError(absl::StatusCode::kInvalidArgument,
                                 "no_such_code", "secret")),
            (HttpError{500, "internal", "internal error", ""}));
}

TEST(ToHttpErrorTest, FallsBackOnTheAbslCode) {
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("m")),
            (HttpError{400, "invalid_argument", "m", ""}));
  EXPECT_EQ(ToHttpError(absl::OutOfRangeError("m")),
            (HttpError{400, "invalid_argument", "m", ""}));
  EXPECT_EQ(ToHttpError(absl::NotFoundError("m")),
            (HttpError{404, "not_found", "m", ""}));
  EXPECT_EQ(ToHttpError(absl::UnavailableError("m")),
            (HttpError{503, "service_unavailable", "m", ""}));
  EXPECT_EQ(ToHttpError(absl::ResourceExhaustedError("m")),
            (HttpError{503, "service_unavailable", "m", ""}));
  EXPECT_EQ(ToHttpError(absl::DeadlineExceededError("m")),
            (HttpError{504, "upstream_timeout", "m", ""}));
  const HttpError internal{500, "internal", "internal error", ""};
  EXPECT_EQ(ToHttpError(absl::InternalError("/etc/secret")), internal);
  EXPECT_EQ(ToHttpError(absl::UnknownError("m")), internal);
  EXPECT_EQ(ToHttpError(absl::FailedPreconditionError("m")), internal);
  EXPECT_EQ(ToHttpError(absl::OkStatus()), internal);
}

TEST(UpstreamErrorTest, MapsGrpcFailures) {
  const HttpError unavailable = ToHttpError(
      UpstreamError(absl::UnavailableError("connect failed"), "engine"));
  EXPECT_EQ(unavailable, (HttpError{503, "upstream_unavailable",
                                    "engine is unavailable", ""}));
  const HttpError timeout = ToHttpError(UpstreamError(
      absl::DeadlineExceededError("Deadline Exceeded"), "account store"));
  EXPECT_EQ(
      timeout,
      (HttpError{504, "upstream_timeout",
                 "account store did not answer before the deadline", ""}));
  for (const absl::Status& other :
       {absl::InternalError("x"), absl::UnknownError("x"),
        absl::InvalidArgumentError("x"), absl::NotFoundError("x"),
        absl::ResourceExhaustedError("x"), absl::CancelledError("x"),
        absl::PermissionDeniedError("x"), absl::UnimplementedError("x"),
        absl::DataLossError("x"), absl::UnauthenticatedError("x")}) {
    const absl::Status mapped = UpstreamError(other, "engine");
    EXPECT_EQ(mapped.code(), other.code());
    const HttpError error = ToHttpError(mapped);
    EXPECT_EQ(error.status, 502) << other;
    EXPECT_EQ(error.code, "upstream_error");
    EXPECT_EQ(error.message,
              "engine failed with " + absl::StatusCodeToString(other.code()));
  }
}

TEST(UpstreamErrorTest, KeepsTheUpstreamMessageOutOfTheBody) {
  const absl::Status mapped = UpstreamError(
      absl::UnavailableError("ipv4:10.0.0.7:50051: connection refused"),
      "engine");
  EXPECT_EQ(mapped.GetPayload(kUpstreamDetailPayload),
            absl::Cord("ipv4:10.0.0.7:50051: connection refused"));
  EXPECT_EQ(ErrorBody(ToHttpError(mapped)).find("10.0.0.7"), std::string::npos);
}

TEST(UpstreamErrorTest, OkPassesThrough) {
  EXPECT_TRUE(UpstreamError(absl::OkStatus(), "engine").ok());
}

TEST(ErrorBodyTest, ExactShapeWithAndWithoutField) {
  EXPECT_EQ(ErrorBody({400, "invalid_argument",
                       "amount_cents must be between 1 and 100000000",
                       "amount_cents"}),
            R"({"error":{"code":"invalid_argument","message":"amount_cents )"
            R"(must be between 1 and 100000000","field":"amount_cents"}})");
  EXPECT_EQ(ErrorBody({400, "invalid_json", "bad", ""}),
            R"({"error":{"code":"invalid_json","message":"bad"}})");
  EXPECT_EQ(ErrorBody({500, "internal", "", ""}),
            R"({"error":{"code":"internal","message":""}})");
}

TEST(ErrorBodyTest, EscapesAndStaysValidJson) {
  const std::string message = std::string("q\" b\\ nl\n tab\t nul") + '\0' +
                              " bell\x07 del\x7F "
                              "Zo\xC3\xAB bad\xFF end";
  const std::string body = ErrorBody({400, "invalid_json", message, "a\"b"});
  EXPECT_EQ(body,
            "{\"error\":{\"code\":\"invalid_json\",\"message\":\"q\\\" b\\\\ "
            "nl\\n tab\\t nul\\u0000 bell\\u0007 del\x7F Zo\xC3\xAB "
            "bad\xEF\xBF\xBD end\",\"field\":\"a\\\"b\"}}");
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(parsed.at("error").at("field").as_string(), "a\"b");
}

TEST(ErrorBodyTest, WorksOnEveryMappedError) {
  for (const CodeCase& c : kCodes) {
    const std::string body = ErrorBody(
        ToHttpError(ApiError(absl::StatusCode::kUnknown, c.code, "m")));
    boost::json::error_code ec;
    boost::json::value parsed = boost::json::parse(body, ec);
    ASSERT_FALSE(ec) << body;
    EXPECT_EQ(parsed.at("error").at("code").as_string(), testing::Str(c.code));
  }
}

}  // namespace
}  // namespace hashmesh::gateway
