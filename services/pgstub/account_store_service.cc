#include "services/pgstub/account_store_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/account_id.h"
#include "services/common/grpc_status.h"
#include "services/common/happens_before.h"
#include "spdlog/spdlog.h"

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
// gRPC hands the reactor from the handler to OnCancel, and from OnCancel or
// Finish to OnDone, inside libgrpc++, where TSan cannot see the ordering:
// happens_before.h marks each handover.
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
    HappensBefore(this);
  }

  void OnCancel() override {
    HappensAfter(this);
    if (service_->timers_->Cancel(timer_)) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "lookup cancelled"));
    }
    HappensBefore(this);
  }

  void OnDone() override {
    HappensAfter(this);
    AccountStoreService* service = service_;
    delete this;
    service->pending_.fetch_sub(1, std::memory_order_release);
  }

 private:
  void OnTimer(bool expired) {
    grpc::Status status = expired ? result_
                                  : grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                 "pgstub is shutting down");
    HappensBefore(this);
    Finish(std::move(status));
    // `this` may be gone from here on: OnDone can run as soon as Finish did.
  }

  AccountStoreService* const service_;
  const grpc::Status result_;
  TimerQueue::Handle timer_;
};

AccountStoreService::AccountStoreService(const AccountsTable* table,
                                         const LatencyModel* latency,
                                         TimerQueue* timers,
                                         int64_t max_pending,
                                         int max_batch_items)
    : table_(table),
      latency_(latency),
      timers_(timers),
      max_pending_(max_pending),
      max_batch_items_(max_batch_items) {}

AccountStoreService::~AccountStoreService() {
  // The server went first, so every call has ended. The acquire pairs with
  // each OnDone's release of its slot: the calls' last touch of this object
  // comes before its end even where only gRPC's own shutdown wait (which TSan
  // cannot see) ordered them.
  if (const int64_t left = pending_.load(std::memory_order_acquire);
      left != 0) {
    spdlog::error(
        "pgstub: AccountStoreService destroyed with {} lookups "
        "still pending; their calls will touch freed memory",
        left);
  }
}

absl::Status AccountStoreService::ReservePending() {
  // Reserve first, then check: concurrent calls cannot both take the last
  // slot.
  if (pending_.fetch_add(1, std::memory_order_relaxed) < max_pending_) {
    return absl::OkStatus();
  }
  pending_.fetch_sub(1, std::memory_order_release);
  return absl::ResourceExhaustedError(
      absl::StrCat("pgstub overloaded: ", max_pending_,
                   " lookups already pending, the most it holds; retry "
                   "later"));
}

grpc::ServerUnaryReactor* AccountStoreService::GetAccount(
    grpc::CallbackServerContext* context, const v1::GetAccountRequest* request,
    v1::Account* response) {
  // A query that cannot parse never reaches the "database": no latency, and
  // it takes no pending slot.
  if (absl::Status valid = ParseAccountId(request->account_id()).status();
      !valid.ok()) {
    return FinishNow(context, ToGrpcStatus(valid));
  }
  if (absl::Status reserved = ReservePending(); !reserved.ok()) {
    return FinishNow(context, ToGrpcStatus(reserved));
  }
  absl::StatusOr<Account> account = table_->Lookup(request->account_id());
  if (account.ok()) ToProto(*account, response);
  thread_local absl::InsecureBitGen gen;
  return new DelayedLookup(this, ToGrpcStatus(account.status()),
                           latency_->Sample(gen));
}

// One GetAccountStream. Each accepted item holds a timer; the timer's
// callback and CancelItems race through TimerQueue::Cancel, so each item is
// delivered exactly once, and gives its pending slot back then.
class AccountStoreService::Stream final
    : public BatchStream<v1::GetAccountBatch, v1::AccountResultBatch> {
 public:
  explicit Stream(AccountStoreService* service)
      : BatchStream(&service->streams_, service->max_batch_items_),
        service_(service) {}

 private:
  std::optional<v1::AccountResult> StartItem(
      v1::GetAccountItem& item) override {
    v1::AccountResult result;
    result.set_id(item.id());
    const std::string& id = item.request().account_id();
    if (absl::Status valid = ParseAccountId(id).status(); !valid.ok()) {
      return WithError(std::move(result), valid);
    }
    if (absl::Status reserved = service_->ReservePending(); !reserved.ok()) {
      return WithError(std::move(result), reserved);
    }
    absl::StatusOr<Account> account = service_->table_->Lookup(id);
    if (account.ok()) {
      ToProto(*account, result.mutable_account());
    } else {
      result = WithError(std::move(result), account.status());
    }
    thread_local absl::InsecureBitGen gen;
    absl::MutexLock lock(&mu_);
    const uint64_t key = next_key_++;
    // The callback cannot run before the handle is stored: it takes mu_.
    timers_[key] = {
        item.id(),
        service_->timers_->Schedule(
            service_->latency_->Sample(gen),
            [this, key, result = std::move(result)](bool expired) mutable {
              {
                absl::MutexLock lock(&mu_);
                timers_.erase(key);
              }
              Finished(expired ? std::move(result)
                               : WithError(std::move(result),
                                           absl::UnavailableError(
                                               "pgstub is shutting down")));
            })};
    return std::nullopt;
  }

  bool HasRoom() const override {
    return service_->pending() < service_->max_pending_;
  }

  void CancelItems() override {
    std::vector<std::pair<uint64_t, Waiting>> waiting;
    {
      absl::MutexLock lock(&mu_);
      waiting.assign(timers_.begin(), timers_.end());
    }
    std::vector<v1::AccountResult> cancelled;
    for (const auto& [key, item] : waiting) {
      // False: the timer fired, and its callback delivers.
      if (!service_->timers_->Cancel(item.timer)) continue;
      {
        absl::MutexLock lock(&mu_);
        timers_.erase(key);
      }
      v1::AccountResult result;
      result.set_id(item.id);
      cancelled.push_back(WithError(std::move(result),
                                    absl::CancelledError("lookup cancelled")));
    }
    if (cancelled.empty()) return;
    service_->pending_.fetch_sub(static_cast<int64_t>(cancelled.size()),
                                 std::memory_order_release);
    DeliverAll(std::move(cancelled));  // the last use of `this`
  }

  // Gives the slot back before the result leaves: the slot counts lookups.
  void Finished(v1::AccountResult result) {
    service_->pending_.fetch_sub(1, std::memory_order_release);
    Deliver(std::move(result));
  }

  static v1::AccountResult WithError(v1::AccountResult result,
                                     const absl::Status& status) {
    result.clear_account();
    result.mutable_error()->set_code(static_cast<int32_t>(status.code()));
    result.mutable_error()->set_message(status.message().data(),
                                        status.message().size());
    return result;
  }

  // An item waiting out its latency: its id and its timer.
  struct Waiting {
    uint64_t id;
    TimerQueue::Handle timer;
  };

  AccountStoreService* const service_;
  absl::Mutex mu_;
  uint64_t next_key_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, Waiting> timers_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerBidiReactor<v1::GetAccountBatch, v1::AccountResultBatch>*
AccountStoreService::GetAccountStream(
    grpc::CallbackServerContext* /*context*/) {
  auto* stream = new Stream(this);
  stream->Begin();
  return stream;
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
