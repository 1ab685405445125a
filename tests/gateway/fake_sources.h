// Fake AccountSource and DigestSource for the payment flow's tests: they
// answer inline, or hold the callback until the test releases it.
#ifndef HASHMESH_TESTS_GATEWAY_FAKE_SOURCES_H_
#define HASHMESH_TESTS_GATEWAY_FAKE_SOURCES_H_

#include <string>
#include <utility>

#include "gateway/payment/sources.h"

namespace hashmesh::gateway::testing {

// acc-000042 as SPEC.md's table has it.
inline Account Account42() {
  return {.currency = "GBP",
          .balance_cents = 432598,
          .frozen = false,
          .salt_hex = "bace429177cc7520dcfe34753b49bb97"};
}

class FakeAccounts final : public AccountSource {
 public:
  absl::StatusOr<Account> result = Account42();
  bool hold = false;  // keep the callback in `held` instead of answering
  AccountCallback held;
  std::string last_id;
  absl::Time last_deadline;
  int calls = 0;

  void Lookup(const std::string& account_id, absl::Time deadline,
              AccountCallback done) override {
    ++calls;
    last_id = account_id;
    last_deadline = deadline;
    if (hold) {
      held = std::move(done);
      return;
    }
    std::move(done)(result);
  }
};

class FakeDigests final : public DigestSource {
 public:
  absl::StatusOr<std::string> result = std::string(64, 'a');
  std::string last_data;
  uint32_t last_rounds = 0;
  absl::Time last_deadline;
  int calls = 0;

  void Sha256Hex(std::string data, uint32_t rounds, absl::Time deadline,
                 DigestCallback done) override {
    ++calls;
    last_deadline = deadline;
    last_data = std::move(data);
    last_rounds = rounds;
    std::move(done)(result);
  }
};

}  // namespace hashmesh::gateway::testing

#endif  // HASHMESH_TESTS_GATEWAY_FAKE_SOURCES_H_
