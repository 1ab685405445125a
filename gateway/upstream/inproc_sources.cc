#include "gateway/upstream/inproc_sources.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"

namespace hashmesh::gateway {

Account AccountFromRow(pgstub::Account row) {
  return Account{.currency = std::move(row.currency),
                 .balance_cents = row.balance_cents,
                 .frozen = row.frozen,
                 .salt_hex = std::move(row.salt_hex)};
}

InprocAccountSource::InprocAccountSource(const pgstub::AccountsTable* table,
                                         absl::Duration latency,
                                         boost::asio::any_io_executor executor)
    : table_(table), latency_(latency), executor_(std::move(executor)) {}

void InprocAccountSource::Lookup(const std::string& account_id,
                                 absl::Time /*deadline*/,
                                 AccountCallback done) {
  absl::StatusOr<Account> result;
  if (absl::StatusOr<pgstub::Account> row = table_->Lookup(account_id);
      row.ok()) {
    result = AccountFromRow(*std::move(row));
  } else {
    result = row.status();
  }
  auto timer = std::make_unique<boost::asio::steady_timer>(
      executor_, absl::ToChronoNanoseconds(latency_));
  boost::asio::steady_timer& ref = *timer;
  ref.async_wait(
      [timer = std::move(timer), result = std::move(result),
       done = std::move(done)](const boost::system::error_code&) mutable {
        std::move(done)(std::move(result));
      });
}

void InprocDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                   absl::Time /*deadline*/,
                                   DigestCallback done) {
  // Inline on the connection's thread (the in-process store answers there);
  // called from a gRPC thread (a gRPC store), the hash moves off it first.
  boost::asio::dispatch(executor_, [this, data = std::move(data), rounds,
                                    done = std::move(done)]() mutable {
    absl::StatusOr<std::string> digest =
        hasher_->Digest(engine::HashAlgorithm::kSha256, rounds, data);
    if (!digest.ok()) {
      std::move(done)(digest.status());
      return;
    }
    std::move(done)(absl::BytesToHexString(*digest));
  });
}

}  // namespace hashmesh::gateway
