// The accounts table of SPEC.md, computed from its formulas: plain logic, no
// gRPC.
#ifndef HASHMESH_SERVICES_PGSTUB_ACCOUNTS_TABLE_H_
#define HASHMESH_SERVICES_PGSTUB_ACCOUNTS_TABLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hashmesh::pgstub {

struct Account {
  std::string account_id;  // "acc-000042"
  std::string owner;       // "owner-000042"
  std::string currency;    // "USD", "EUR", "GBP" or "JPY"
  int64_t balance_cents = 0;
  bool frozen = false;
  std::string salt_hex;  // 32 lowercase hex chars
};

// Immutable after construction, so lookups are thread-safe without locks.
class AccountsTable {
 public:
  static constexpr uint32_t kMaxAccounts = 1000000;  // six digits

  // `size` accounts, i in [0, size); at most kMaxAccounts (larger aborts:
  // callers validate user input first). Computes every salt up front, about
  // 20 ms and 1.6 MB per 100000 accounts.
  explicit AccountsTable(uint32_t size);

  uint32_t size() const { return size_; }

  // INVALID_ARGUMENT for a malformed id, NOT_FOUND for one outside the table.
  // O(1).
  absl::StatusOr<Account> Lookup(absl::string_view account_id) const;

 private:
  using Salt = std::array<uint8_t, 16>;

  Account Build(uint32_t index) const;

  uint32_t size_;
  // Only the salts are stored (they cost a SHA-256 each); every other column
  // is derived from the index on lookup.
  std::vector<Salt> salts_;
};

}  // namespace hashmesh::pgstub

#endif  // HASHMESH_SERVICES_PGSTUB_ACCOUNTS_TABLE_H_
