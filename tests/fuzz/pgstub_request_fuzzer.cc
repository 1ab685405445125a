// Fuzzes pgstub's request handling without a gRPC server: bytes parsed as a
// GetAccountRequest (unary GetAccount) or a GetAccountBatch
// (GetAccountStream), each account id through ParseAccountId,
// AccountsTable::Lookup and ToProto as the service's handlers call them, the
// answers checked against SPEC.md's formulas computed here on their own.
//
// Input: the first byte picks the message (even: GetAccountRequest, odd:
// GetAccountBatch); the rest is its wire form.
#include <google/protobuf/stubs/logging.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "hashmesh/pgstub/v1/pgstub.pb.h"
#include "services/common/account_id.h"
#include "services/common/batch_stream.h"
#include "services/pgstub/account_store_service.h"
#include "services/pgstub/accounts_table.h"
#include "tests/fuzz/fuzz_check.h"

namespace hashmesh::pgstub {
namespace {

// Small, so that start-up (a SHA-256 per account) stays quick; ids beyond it
// are NOT_FOUND, a path of its own.
constexpr uint32_t kAccounts = 1000;

// ^acc-[0-9]{6}$, the SPEC's format; the index it names, or -1.
int64_t SpecIndex(const std::string& id) {
  if (id.size() != 10 || !absl::StartsWith(id, "acc-")) return -1;
  int64_t index = 0;
  for (char c : id.substr(4)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    index = index * 10 + (c - '0');
  }
  return index;
}

// The row SPEC.md's table gives account `i`.
void CheckRow(const v1::Account& row, const std::string& id, int64_t i) {
  static const char* const kCurrencies[] = {"USD", "EUR", "GBP", "JPY"};
  FUZZ_CHECK(row.account_id() == id);
  FUZZ_CHECK(row.owner() == "owner-" + id.substr(4));
  FUZZ_CHECK(row.currency() == kCurrencies[i % 4]);
  FUZZ_CHECK(row.balance_cents() == 100000 + (i * 7919) % 10000000);
  FUZZ_CHECK(row.status() == (i % 97 == 13 ? v1::ACCOUNT_STATUS_FROZEN
                                           : v1::ACCOUNT_STATUS_ACTIVE));
  const std::string salt_input = "salt:" + id;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(salt_input.data()),
         salt_input.size(), digest);
  FUZZ_CHECK(row.salt_hex() == absl::BytesToHexString(absl::string_view(
                                   reinterpret_cast<const char*>(digest), 16)));
}

// One lookup's handling, as GetAccount and each stream item do it.
void Handle(const AccountsTable& table, const v1::GetAccountRequest& request) {
  const std::string& id = request.account_id();
  const int64_t index = SpecIndex(id);
  absl::StatusOr<uint32_t> parsed = ParseAccountId(id);
  FUZZ_CHECK(parsed.ok() == (index >= 0));
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    // The message echoes the id escaped and cut short (32 bytes, each at
    // most 4 escaped): never all of a long id.
    FUZZ_CHECK(parsed.status().message().size() < 256);
    return;
  }
  FUZZ_CHECK(*parsed == index);
  absl::StatusOr<Account> account = table.Lookup(id);
  if (index >= kAccounts) {
    FUZZ_CHECK(account.status().code() == absl::StatusCode::kNotFound);
    return;
  }
  FUZZ_CHECK(account.ok());
  v1::Account row;
  ToProto(*account, &row);
  CheckRow(row, id, index);
}

int FuzzOne(const uint8_t* data, size_t size) {
  static const auto* table = new AccountsTable(kAccounts);
  if (size == 0) return 0;
  const void* wire = data + 1;
  const int wire_size = static_cast<int>(size - 1);
  if ((data[0] & 1) == 0) {
    v1::GetAccountRequest request;
    if (!request.ParseFromArray(wire, wire_size)) return 0;  // gRPC refuses
    Handle(*table, request);
    return 0;
  }
  v1::GetAccountBatch batch;
  if (!batch.ParseFromArray(wire, wire_size)) return 0;
  // A message beyond the limit ends the stream before any item starts.
  if (batch.items_size() > kDefaultMaxBatchItems) return 0;
  for (const v1::GetAccountItem& item : batch.items()) {
    Handle(*table, item.request());
  }
  return 0;
}

}  // namespace
}  // namespace hashmesh::pgstub

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // protobuf logs every rejected input (invalid UTF-8 in a string, ...):
  // noise at thousands of inputs a second.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hashmesh::pgstub::FuzzOne(data, size);
}
