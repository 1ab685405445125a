// AccountSource and DigestSource in-process: the monolith that measures the
// hops' price.
#ifndef HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_
#define HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_

#include "absl/time/time.h"
#include "gateway/upstream/sources.h"
#include "services/engine/hasher.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::gateway {

// The accounts table with the same simulated query latency as pgstub, waited
// on an Asio timer so that no thread is held.
class InprocAccountSource final : public AccountSource {
 public:
  // `table` must outlive the source.
  InprocAccountSource(const pgstub::AccountsTable* table,
                      absl::Duration latency);

  void Lookup(const std::string& account_id,
              boost::asio::any_io_executor executor,
              AccountCallback done) override;

 private:
  const pgstub::AccountsTable* table_;
  const absl::Duration latency_;
};

// Hashes on the connection's thread: a payment's digest is microseconds of
// CPU, too little for a pool, but no work for a gRPC thread either.
class InprocDigestSource final : public DigestSource {
 public:
  explicit InprocDigestSource(const engine::Hasher* hasher) : hasher_(hasher) {}

  void Sha256Hex(std::string data, uint32_t rounds,
                 boost::asio::any_io_executor executor,
                 DigestCallback done) override;

 private:
  const engine::Hasher* hasher_;
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_UPSTREAM_INPROC_SOURCES_H_
