// SPEC.md's account id format ("acc-" and six digits), for the store and the
// gateway alike.
#ifndef HASHMESH_SERVICES_COMMON_ACCOUNT_ID_H_
#define HASHMESH_SERVICES_COMMON_ACCOUNT_ID_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hashmesh {

// INVALID_ARGUMENT unless `account_id` is "acc-" followed by six digits; on
// success returns the index i it names. The message echoes a rejected id
// escaped and cut short, since it may hold any bytes.
absl::StatusOr<uint32_t> ParseAccountId(absl::string_view account_id);

// "acc-" and `index` as six zero-padded digits; index must be < 1000000.
std::string FormatAccountId(uint32_t index);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_ACCOUNT_ID_H_
