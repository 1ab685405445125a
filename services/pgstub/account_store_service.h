// The AccountStore gRPC service: a callback-API adapter over the table.
#ifndef HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_
#define HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"
#include "services/common/batch_stream.h"
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
  // `max_batch_items`: items one GetAccountStream message may carry.
  AccountStoreService(const AccountsTable* table, const LatencyModel* latency,
                      TimerQueue* timers, int64_t max_pending,
                      int max_batch_items = kDefaultMaxBatchItems);
  // Destroy only after the server: calls still pending would outlive it.
  ~AccountStoreService() override;

  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context,
                                       const v1::GetAccountRequest* request,
                                       v1::Account* response) override;

  // Every item is a GetAccount call: rejected at once when malformed or
  // beyond max_pending, otherwise answered after its latency, counted in
  // pending() until then.
  grpc::ServerBidiReactor<v1::GetAccountBatch, v1::AccountResultBatch>*
  GetAccountStream(grpc::CallbackServerContext* context) override;

  // The open streams, for GrpcServer's drain (ServiceRegistration::streams).
  BatchStreamRegistry* streams() { return &streams_; }

  // Lookups accepted and not yet released: unary calls waiting out their
  // latency or being sent, stream items waiting out their latency. Back to
  // zero once every call and item has completed, cancelled ones included;
  // tests and the drain log watch it.
  int64_t pending() const { return pending_.load(std::memory_order_acquire); }

 private:
  class DelayedLookup;
  class Stream;

  // Reserves a pending slot; RESOURCE_EXHAUSTED when all are taken.
  absl::Status ReservePending();

  const AccountsTable* table_;
  const LatencyModel* latency_;
  TimerQueue* timers_;
  const int64_t max_pending_;
  const int max_batch_items_;
  std::atomic<int64_t> pending_{0};
  BatchStreamRegistry streams_;
};

// The wire form of a table row.
void ToProto(const Account& account, v1::Account* proto);

}  // namespace hashmesh::pgstub

#endif  // HASHMESH_SERVICES_PGSTUB_ACCOUNT_STORE_SERVICE_H_
