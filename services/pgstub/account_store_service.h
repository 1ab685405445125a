// The AccountStore gRPC service: a callback-API adapter over the table.
#ifndef HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_
#define HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"
#include "services/pgstub/accounts_table.h"
#include "services/pgstub/latency_model.h"
#include "services/pgstub/timer_queue.h"

namespace hashmesh::pgstub {

// A malformed account_id is rejected at once; any well-formed lookup, found
// or not, waits out a latency drawn from the model on `timers` (no thread is
// held) and then finishes. A cancelled call (client cancel, deadline, server
// shutdown) gets its timer removed and is finished at once. Beyond
// `max_pending` lookups at once, a new one is shed with RESOURCE_EXHAUSTED, as
// a database past its connection limit refuses: the bound keeps an overload
// from queueing without end (HTTP/2's per-connection stream limit does not
// bound the number of connections).
class AccountStoreService final : public v1::AccountStore::CallbackService {
 public:
  // `table`, `latency` and `timers` must outlive the service, and `timers`
  // must outlive the server (its callbacks finish calls). `max_pending` >= 1.
  AccountStoreService(const AccountsTable* table, const LatencyModel* latency,
                      TimerQueue* timers, int64_t max_pending);

  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context,
                                       const v1::GetAccountRequest* request,
                                       v1::Account* response) override;

  // Lookups accepted and not yet released by gRPC: waiting out their
  // latency, or finished and being sent. Back to zero once every call has
  // completed, cancelled ones included; tests and the drain log watch it.
  int64_t pending() const { return pending_.load(std::memory_order_acquire); }

 private:
  class DelayedLookup;

  const AccountsTable* table_;
  const LatencyModel* latency_;
  TimerQueue* timers_;
  const int64_t max_pending_;
  std::atomic<int64_t> pending_{0};
};

// The wire form of a table row.
void ToProto(const Account& account, v1::Account* proto);

}  // namespace hashmesh::pgstub

#endif  // HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_
