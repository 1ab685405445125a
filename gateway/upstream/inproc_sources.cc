#include "gateway/upstream/inproc_sources.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"

namespace hashmesh::gateway {

InprocAccountSource::InprocAccountSource(const pgstub::AccountsTable* table,
                                         absl::Duration latency)
    : table_(table), latency_(latency) {}

void InprocAccountSource::Lookup(const std::string& account_id,
                                 boost::asio::any_io_executor executor,
                                 AccountCallback done) {
  auto timer = std::make_unique<boost::asio::steady_timer>(
      executor, absl::ToChronoNanoseconds(latency_));
  boost::asio::steady_timer& ref = *timer;
  ref.async_wait(
      [timer = std::move(timer), result = table_->Lookup(account_id),
       done = std::move(done)](const boost::system::error_code&) mutable {
        std::move(done)(std::move(result));
      });
}

void InprocDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                   boost::asio::any_io_executor executor,
                                   DigestCallback done) {
  // Inline on the connection's thread (the in-process store answers there);
  // called from a gRPC thread (a gRPC store), the hash moves off it first.
  boost::asio::dispatch(executor, [this, data = std::move(data), rounds,
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
