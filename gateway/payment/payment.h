// A payment against its account: rows 5-8 of SPEC.md's table, the data the
// engine hashes, and the byte-exact 201 body.
#ifndef HASHMESH_GATEWAY_PAYMENT_PAYMENT_H_
#define HASHMESH_GATEWAY_PAYMENT_PAYMENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/payment/account.h"
#include "gateway/payment/payment_request.h"

namespace hashmesh::gateway {

// What the success body reports; the engine's AlgorithmName(kSha256).
inline constexpr absl::string_view kPaymentAlgorithmName = "sha256";

// Row 5: account_not_found (404, field account_id), for the store's NOT_FOUND.
absl::Status AccountNotFoundError(absl::string_view account_id);

// Rows 6-8 in order: account_frozen (403, field account_id), currency_mismatch
// (422, field currency), insufficient_funds (422, field amount_cents) when the
// amount exceeds the balance (an amount equal to it passes).
absl::Status CheckAccount(const PaymentRequest& request,
                          const Account& account);

// account_id|amount_cents|currency|merchant|memo|salt_hex: what the engine
// hashes.
std::string HashInput(const PaymentRequest& request,
                      absl::string_view salt_hex);

// The 201 body, compact and in SPEC.md's key order:
// {"payment_id":"pay-<digest_hex[0,16)>","account_id":...,"amount_cents":...,
//  "currency":...,"merchant":...,"status":"authorized",
//  "balance_after_cents":<balance - amount>,"algorithm":"sha256",
//  "rounds":<rounds>,"digest":"<digest_hex>"}
// `digest_hex` is the lowercase hex digest (64 chars for SHA-256).
std::string PaymentResponseBody(const PaymentRequest& request,
                                const Account& account, uint32_t rounds,
                                absl::string_view digest_hex);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_PAYMENT_PAYMENT_H_
