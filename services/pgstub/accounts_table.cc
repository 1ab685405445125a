#include "services/pgstub/accounts_table.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/account_id.h"
#include "services/engine/hasher.h"

namespace hashmesh::pgstub {
namespace {

constexpr std::array<const char*, 4> kCurrencies = {"USD", "EUR", "GBP", "JPY"};

// A table that cannot be built is a broken installation (no SHA-256 in
// OpenSSL) or a caller bug; the constructor has no way to return a status.
[[noreturn]] void Die(absl::string_view why) {
  spdlog::critical("AccountsTable: {}",
                   fmt::string_view(why.data(), why.size()));
  std::abort();
}

}  // namespace

AccountsTable::AccountsTable(uint32_t size) : size_(size) {
  if (size > kMaxAccounts) {
    Die(absl::StrCat("size ", size, " exceeds ", kMaxAccounts));
  }
  absl::StatusOr<std::unique_ptr<engine::Hasher>> hasher =
      engine::Hasher::Create();
  if (!hasher.ok()) Die(hasher.status().ToString());
  salts_.resize(size);
  for (uint32_t i = 0; i < size; ++i) {
    absl::StatusOr<std::string> digest =
        (*hasher)->Digest(engine::HashAlgorithm::kSha256, 1,
                          absl::StrCat("salt:", FormatAccountId(i)));
    if (!digest.ok()) Die(digest.status().ToString());
    std::copy_n(digest->begin(), salts_[i].size(), salts_[i].begin());
  }
}

absl::StatusOr<Account> AccountsTable::Lookup(
    absl::string_view account_id) const {
  absl::StatusOr<uint32_t> index = ParseAccountId(account_id);
  if (!index.ok()) return index.status();
  if (*index >= size_) {
    return absl::NotFoundError(
        absl::StrCat("account ", account_id, " not found (the table holds ",
                     size_, " accounts, acc-000000 up to ",
                     size_ == 0 ? "none" : FormatAccountId(size_ - 1), ")"));
  }
  return Build(*index);
}

Account AccountsTable::Build(uint32_t index) const {
  const std::string digits = absl::StrFormat("%06u", index);
  const Salt& salt = salts_[index];
  return Account{
      .account_id = absl::StrCat("acc-", digits),
      .owner = absl::StrCat("owner-", digits),
      .currency = kCurrencies[index % kCurrencies.size()],
      .balance_cents = 100000 + (int64_t{index} * 7919) % 10000000,
      .frozen = index % 97 == 13,
      .salt_hex = absl::BytesToHexString(absl::string_view(
          reinterpret_cast<const char*>(salt.data()), salt.size())),
  };
}

}  // namespace hashmesh::pgstub
