// Helpers shared by the gateway's unit tests: payment bodies built from the
// spec's example, and assertions on API errors.
#ifndef HASHMESH_TESTS_GATEWAY_PAYMENT_TEST_UTIL_H_
#define HASHMESH_TESTS_GATEWAY_PAYMENT_TEST_UTIL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/api_error.h"
#include "gtest/gtest.h"

namespace hashmesh::gateway::testing {

// SPEC.md's example request, byte for byte.
inline constexpr absl::string_view kExampleBody =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";

// The example's members as raw JSON, in order; nullopt removes one.
class Body {
 public:
  Body()
      : members_{{"account_id", R"("acc-000042")"},
                 {"amount_cents", "1299"},
                 {"currency", R"("GBP")"},
                 {"merchant", R"("corner-cafe")"},
                 {"memo", R"("latte")"}} {}

  // Replaces (or appends) member `key` with the raw JSON `value`.
  Body& Set(absl::string_view key, std::optional<std::string> value) {
    for (auto& member : members_) {
      if (member.first == key) {
        member.second = std::move(value);
        return *this;
      }
    }
    members_.emplace_back(std::string(key.data(), key.size()),
                          std::move(value));
    return *this;
  }
  Body& Remove(absl::string_view key) { return Set(key, std::nullopt); }
  // Appends `raw` (e.g. `"x":1`) as one more member, unchecked.
  Body& AddRaw(std::string raw) {
    extra_.push_back(std::move(raw));
    return *this;
  }

  std::string Json() const {
    std::string out = "{";
    for (const auto& [key, value] : members_) {
      if (!value.has_value()) continue;
      if (out.size() > 1) out += ",";
      absl::StrAppend(&out, "\"", key, "\":", *value);
    }
    for (const std::string& raw : extra_) {
      if (out.size() > 1) out += ",";
      out += raw;
    }
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> members_;
  std::vector<std::string> extra_;
};

inline std::string Str(absl::string_view text) {
  return {text.data(), text.size()};
}

// `text` as a JSON string literal, quotes included, no escaping added.
inline std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

inline ::testing::AssertionResult IsApiError(const absl::Status& status,
                                             int http_status,
                                             absl::string_view code,
                                             absl::string_view field = "") {
  if (status.ok()) return ::testing::AssertionFailure() << "status is OK";
  const HttpError error = ToHttpError(status);
  if (error.status == http_status && ErrorCodeName(error.code) == code &&
      error.field == field) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << error.status << " " << ErrorCodeName(error.code)
         << " field '" << error.field << "' (" << status << "), want "
         << http_status << " " << code << " field '" << field << "'";
}

template <typename T>
::testing::AssertionResult IsApiError(const absl::StatusOr<T>& result,
                                      int http_status, absl::string_view code,
                                      absl::string_view field = "") {
  return IsApiError(result.status(), http_status, code, field);
}

inline ::testing::AssertionResult IsInvalidJson(const absl::Status& status) {
  return IsApiError(status, 400, "invalid_json");
}

template <typename T>
::testing::AssertionResult IsInvalidJson(const absl::StatusOr<T>& result) {
  return IsInvalidJson(result.status());
}

template <typename T>
::testing::AssertionResult IsInvalidArgument(const absl::StatusOr<T>& result,
                                             absl::string_view field) {
  return IsApiError(result.status(), 400, "invalid_argument", field);
}

}  // namespace hashmesh::gateway::testing

#endif  // HASHMESH_TESTS_GATEWAY_PAYMENT_TEST_UTIL_H_
