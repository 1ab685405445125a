#include "gateway/http/framing.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/boost_string_view.h"

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;

// RFC 9110's token characters: a transfer coding's name is a token.
bool IsToken(absl::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    if (absl::StrContains("!#$%&'*+-.^_`|~", c)) continue;
    return false;
  }
  return true;
}

FramingFault Malformed(absl::string_view detail) {
  return {HttpFailure::kMalformed, std::string{detail}};
}

}  // namespace

std::optional<FramingFault> CheckFraming(const http::request_header<>& header) {
  auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return std::nullopt;
  if (header.version() < 11) {
    return Malformed("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  }
  // Several fields are one comma-separated list; empty elements are allowed
  // by RFC 9110's list syntax and mean nothing.
  std::vector<absl::string_view> codings;
  for (auto it = first; it != last; ++it) {
    for (absl::string_view element :
         absl::StrSplit(ToAbsl(it->value()), ',', absl::SkipWhitespace())) {
      element = absl::StripAsciiWhitespace(element);
      if (!IsToken(element)) {
        return Malformed(
            absl::StrCat("malformed Transfer-Encoding \"", element, "\""));
      }
      codings.push_back(element);
    }
  }
  if (codings.empty()) return Malformed("empty Transfer-Encoding");
  // A chunked that is not the final coding leaves the body's end unknown:
  // RFC 9112 section 6.3 asks for a 400 there, a 501 for codings merely not
  // implemented (section 6.1).
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (absl::EqualsIgnoreCase(codings[i], "chunked")) {
      return Malformed("chunked must be the final transfer coding, once");
    }
  }
  for (absl::string_view coding : codings) {
    if (!absl::EqualsIgnoreCase(coding, "chunked")) {
      return FramingFault{HttpFailure::kTransferCodingNotImplemented,
                          absl::StrCat("transfer coding \"", coding,
                                       "\" is not implemented; only chunked "
                                       "is")};
    }
  }
  if (header.count(http::field::content_length) > 0) {
    return Malformed("Content-Length and Transfer-Encoding together");
  }
  return std::nullopt;
}

}  // namespace hashmesh::gateway
