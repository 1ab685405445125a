#include "services/pgstub/account_store_service.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "services/common/account_id.h"
#include "services/common/grpc_status.h"

namespace hashmesh::pgstub {
namespace {

// Answers a call that never waits: it is rejected before the "database".
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

// One lookup waiting out its latency. The timer callback and OnCancel race;
// TimerQueue::Cancel decides the winner, so Finish runs exactly once: the
// timer finishes with the lookup's result, or OnCancel removes the timer and
// finishes with CANCELLED. gRPC calls OnDone only after Finish, and the timer
// can no longer fire by then, so deleting the reactor there is safe.
class AccountStoreService::DelayedLookup final
    : public grpc::ServerUnaryReactor {
 public:
  // Takes over the pending slot GetAccount reserved; OnDone gives it back.
  // Schedules the timer here, before gRPC holds the reactor: OnCancel cannot
  // run before the method handler returns it, so timer_ is set by then.
  DelayedLookup(AccountStoreService* service, grpc::Status result,
                absl::Duration delay)
      : service_(service), result_(std::move(result)) {
    timer_ = service_->timers_->Schedule(
        delay, [this](bool expired) { OnTimer(expired); });
  }

  void OnCancel() override {
    if (service_->timers_->Cancel(timer_)) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "lookup cancelled"));
    }
  }

  void OnDone() override {
    AccountStoreService* service = service_;
    delete this;
    service->pending_.fetch_sub(1, std::memory_order_release);
  }

 private:
  void OnTimer(bool expired) {
    Finish(expired ? result_
                   : grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "pgstub is shutting down"));
    // `this` may be gone from here on: OnDone can run as soon as Finish did.
  }

  AccountStoreService* const service_;
  const grpc::Status result_;
  TimerQueue::Handle timer_;
};

AccountStoreService::AccountStoreService(const AccountsTable* table,
                                         const LatencyModel* latency,
                                         TimerQueue* timers,
                                         int64_t max_pending)
    : table_(table),
      latency_(latency),
      timers_(timers),
      max_pending_(max_pending) {}

grpc::ServerUnaryReactor* AccountStoreService::GetAccount(
    grpc::CallbackServerContext* context, const v1::GetAccountRequest* request,
    v1::Account* response) {
  // A query that cannot parse never reaches the "database": no latency, and
  // it takes no pending slot.
  if (absl::Status valid = ParseAccountId(request->account_id()).status();
      !valid.ok()) {
    return FinishNow(context, ToGrpcStatus(valid));
  }
  // Reserve first, then check: concurrent calls cannot both take the last
  // slot.
  if (pending_.fetch_add(1, std::memory_order_relaxed) >= max_pending_) {
    pending_.fetch_sub(1, std::memory_order_release);
    return FinishNow(
        context, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("pgstub overloaded: ", max_pending_,
                                           " lookups already pending, the "
                                           "most it holds; retry later")));
  }
  absl::StatusOr<Account> account = table_->Lookup(request->account_id());
  if (account.ok()) ToProto(*account, response);
  thread_local absl::InsecureBitGen gen;
  return new DelayedLookup(this, ToGrpcStatus(account.status()),
                           latency_->Sample(gen));
}

void ToProto(const Account& account, v1::Account* proto) {
  proto->set_account_id(account.account_id);
  proto->set_owner(account.owner);
  proto->set_currency(account.currency);
  proto->set_balance_cents(account.balance_cents);
  proto->set_status(account.frozen ? v1::ACCOUNT_STATUS_FROZEN
                                   : v1::ACCOUNT_STATUS_ACTIVE);
  proto->set_salt_hex(account.salt_hex);
}

}  // namespace hashmesh::pgstub
