// Unit tests of AccountsTable against SPEC.md's formulas.
#include "services/pgstub/accounts_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/common/account_id.h"

namespace hashmesh::pgstub {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

struct Expected {
  const char* id;
  const char* currency;
  int64_t balance;
  bool frozen;
  const char* salt;  // computed independently (Python hashlib)
};

constexpr std::array<Expected, 6> kVectors = {{
    {"acc-000000", "USD", 100000, false, "10edded98419ea12bd8b749fade74797"},
    {"acc-000013", "EUR", 202947, true, "94fcb71900c620726d3337d10aa50050"},
    {"acc-000042", "GBP", 432598, false, "bace429177cc7520dcfe34753b49bb97"},
    {"acc-000304", "USD", 2507376, true, "eb6ed190d95012397baeb32ba0ca348e"},
    {"acc-012345", "EUR", 7860055, false, "a4d51db707b5ec9ce60fffdbd900ef85"},
    {"acc-099999", "JPY", 1992081, false, "b59cd138905b103552a6f40d415ca2d4"},
}};

class AccountsTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { table_ = new AccountsTable(100000); }
  static void TearDownTestSuite() { delete table_; }
  static const AccountsTable* table_;
};
const AccountsTable* AccountsTableTest::table_ = nullptr;

TEST_F(AccountsTableTest, SpecExampleAccount42) {
  absl::StatusOr<Account> account = table_->Lookup("acc-000042");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->account_id, "acc-000042");
  EXPECT_EQ(account->owner, "owner-000042");
  EXPECT_EQ(account->currency, "GBP");
  EXPECT_EQ(account->balance_cents, 432598);
  EXPECT_FALSE(account->frozen);
  EXPECT_EQ(account->salt_hex, "bace429177cc7520dcfe34753b49bb97");
}

TEST_F(AccountsTableTest, Account13IsFrozen) {
  absl::StatusOr<Account> account = table_->Lookup("acc-000013");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_TRUE(account->frozen);
}

TEST_F(AccountsTableTest, IndependentVectorsIncludingFirstAndLast) {
  for (const Expected& e : kVectors) {
    SCOPED_TRACE(e.id);
    absl::StatusOr<Account> account = table_->Lookup(e.id);
    ASSERT_TRUE(account.ok()) << account.status();
    EXPECT_EQ(account->currency, e.currency);
    EXPECT_EQ(account->balance_cents, e.balance);
    EXPECT_EQ(account->frozen, e.frozen);
    EXPECT_EQ(account->salt_hex, e.salt);
  }
}

TEST_F(AccountsTableTest, FormulasHoldForASample) {
  constexpr std::array<const char*, 4> kCurrencies = {"USD", "EUR", "GBP",
                                                      "JPY"};
  for (uint32_t i = 0; i < table_->size(); i += 997) {
    const std::string digits = absl::StrFormat("%06u", i);
    SCOPED_TRACE(digits);
    absl::StatusOr<Account> account = table_->Lookup("acc-" + digits);
    ASSERT_TRUE(account.ok()) << account.status();
    EXPECT_EQ(account->account_id, "acc-" + digits);
    EXPECT_EQ(account->owner, "owner-" + digits);
    EXPECT_EQ(account->currency, kCurrencies[i % 4]);
    EXPECT_EQ(account->balance_cents, 100000 + (int64_t{i} * 7919) % 10000000);
    EXPECT_EQ(account->frozen, i % 97 == 13);
    EXPECT_THAT(account->salt_hex, MatchesRegex("[0-9a-f]{32}"));
  }
}

TEST_F(AccountsTableTest, SizeIsRespected) {
  EXPECT_EQ(table_->size(), 100000u);
  EXPECT_TRUE(table_->Lookup("acc-099999").ok());
  absl::StatusOr<Account> beyond = table_->Lookup("acc-100000");
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(beyond.status().message(), HasSubstr("acc-100000"));
  EXPECT_EQ(table_->Lookup("acc-999999").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(AccountsTableSizeTest, SmallTableAndFullTable) {
  const AccountsTable small(1);
  EXPECT_TRUE(small.Lookup("acc-000000").ok());
  EXPECT_EQ(small.Lookup("acc-000001").status().code(),
            absl::StatusCode::kNotFound);

  const AccountsTable full(AccountsTable::kMaxAccounts);
  absl::StatusOr<Account> last = full.Lookup("acc-999999");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->currency, "JPY");
  EXPECT_EQ(last->balance_cents, 9092081);
  EXPECT_EQ(last->salt_hex, "c6be6a9ad730179df862c062e2a6d1f7");
}

TEST(AccountsTableLookupTest, MalformedIdIsInvalidArgument) {
  const AccountsTable table(10);
  EXPECT_EQ(table.Lookup("acc-1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hashmesh::pgstub
