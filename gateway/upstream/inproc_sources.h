// AccountSource and DigestSource in-process: the monolith that measures the
// hops' price. One pair per I/O thread, bound to its executor.
#ifndef HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_

#include <boost/asio/any_io_executor.hpp>

#include "absl/time/time.h"
#include "gateway/payment/sources.h"
#include "services/engine/hasher.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::gateway {

// The accounts table with the same simulated query latency as pgstub, waited
// on an Asio timer of `executor` so that no thread is held.
class InprocAccountSource final : public AccountSource {
 public:
  // `table` must outlive the source.
  InprocAccountSource(const pgstub::AccountsTable* table,
                      absl::Duration latency,
                      boost::asio::any_io_executor executor);

  // No deadline: the simulated latency is fixed and nothing can hang.
  void Lookup(const std::string& account_id, absl::Time deadline,
              AccountCallback done) override;

 private:
  const pgstub::AccountsTable* table_;
  const absl::Duration latency_;
  boost::asio::any_io_executor executor_;
};

// Hashes on `executor`'s thread: a payment's digest is microseconds of CPU,
// too little for a pool, but no work for a gRPC thread either.
class InprocDigestSource final : public DigestSource {
 public:
  InprocDigestSource(const engine::Hasher* hasher,
                     boost::asio::any_io_executor executor)
      : hasher_(hasher), executor_(std::move(executor)) {}

  void Sha256Hex(std::string data, uint32_t rounds, absl::Time deadline,
                 DigestCallback done) override;

 private:
  const engine::Hasher* hasher_;
  boost::asio::any_io_executor executor_;
};

// The stub's table row as the gateway's record.
Account AccountFromRow(pgstub::Account row);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_
