#include "services/common/account_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hashmesh {
namespace {

constexpr absl::string_view kIdPrefix = "acc-";
constexpr size_t kIdDigits = 6;

std::string Quote(absl::string_view text) {
  constexpr size_t kMaxEcho = 32;
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxEcho)), "\"",
                      text.size() > kMaxEcho ? "..." : "");
}

}  // namespace

absl::StatusOr<uint32_t> ParseAccountId(absl::string_view account_id) {
  bool ok = account_id.size() == kIdPrefix.size() + kIdDigits &&
            absl::StartsWith(account_id, kIdPrefix);
  uint32_t index = 0;
  for (size_t i = kIdPrefix.size(); ok && i < account_id.size(); ++i) {
    ok = absl::ascii_isdigit(static_cast<unsigned char>(account_id[i]));
    index = index * 10 + static_cast<uint32_t>(account_id[i] - '0');
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("account_id must be \"acc-\" followed by 6 digits (e.g. "
                     "\"acc-000042\"), got ",
                     Quote(account_id)));
  }
  return index;
}

std::string FormatAccountId(uint32_t index) {
  return absl::StrFormat("acc-%06u", index);
}

}  // namespace hashmesh
