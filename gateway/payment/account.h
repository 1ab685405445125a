// The account record a payment is checked against: the gateway's own type,
// whatever store it came from.
#ifndef HASHMESH_GATEWAY_PAYMENT_ACCOUNT_H_
#define HASHMESH_GATEWAY_PAYMENT_ACCOUNT_H_

#include <cstdint>
#include <string>

namespace hashmesh::gateway {

// Only the columns a payment reads (SPEC.md's table has an owner too).
struct Account {
  std::string currency;  // "USD", "EUR", "GBP", "JPY", ...
  int64_t balance_cents = 0;
  bool frozen = false;
  std::string salt_hex;  // hashed into the payment's digest
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_ACCOUNT_H_
