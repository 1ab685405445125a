#include "gateway/upstream/stream_sources.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "gateway/upstream/grpc_sources.h"

namespace hashmesh::gateway {

absl::Status ItemError(const rpc::v1::Status& error) {
  if (error.code() <= 0 || error.code() > 16) {
    return absl::InternalError(
        absl::StrCat("a result with neither an answer nor an error code (code ",
                     error.code(), ")"));
  }
  return absl::Status(static_cast<absl::StatusCode>(error.code()),
                      error.message());
}

std::unique_ptr<AccountStreamTraits::Stub> AccountStreamTraits::NewStub(
    std::shared_ptr<grpc::Channel> channel) {
  return pgstub::v1::AccountStore::NewStub(std::move(channel));
}

void AccountStreamTraits::Start(
    Stub* stub, grpc::ClientContext* context,
    grpc::ClientBidiReactor<Batch, ResultBatch>* reactor) {
  stub->async()->GetAccountStream(context, reactor);
}

void AccountStreamTraits::AddItem(Batch* batch, uint64_t id,
                                  const Request& request) {
  pgstub::v1::GetAccountItem* item = batch->add_items();
  item->set_id(id);
  *item->mutable_request() = request;
}

absl::StatusOr<pgstub::v1::Account> AccountStreamTraits::Outcome(
    pgstub::v1::AccountResult& result) {
  if (result.has_account()) return std::move(*result.mutable_account());
  return ItemError(result.error());
}

std::unique_ptr<HashStreamTraits::Stub> HashStreamTraits::NewStub(
    std::shared_ptr<grpc::Channel> channel) {
  return engine::v1::HashEngine::NewStub(std::move(channel));
}

void HashStreamTraits::Start(
    Stub* stub, grpc::ClientContext* context,
    grpc::ClientBidiReactor<Batch, ResultBatch>* reactor) {
  stub->async()->HashStream(context, reactor);
}

void HashStreamTraits::AddItem(Batch* batch, uint64_t id,
                               const Request& request) {
  engine::v1::HashItem* item = batch->add_items();
  item->set_id(id);
  *item->mutable_request() = request;
}

absl::StatusOr<engine::v1::HashResponse> HashStreamTraits::Outcome(
    engine::v1::HashResult& result) {
  if (result.has_response()) return std::move(*result.mutable_response());
  return ItemError(result.error());
}

void StreamAccountSource::Lookup(const std::string& account_id,
                                 absl::Time deadline, AccountCallback done) {
  pgstub::v1::GetAccountRequest request;
  request.set_account_id(account_id);
  client_.Call(std::move(request), deadline,
               [done = std::move(done)](
                   absl::StatusOr<pgstub::v1::Account> account) mutable {
                 if (!account.ok()) {
                   std::move(done)(account.status());
                   return;
                 }
                 std::move(done)(AccountFromProto(*account));
               });
}

void StreamDigestSource::Sha256Hex(std::string data, uint32_t rounds,
                                   absl::Time deadline, DigestCallback done) {
  engine::v1::HashRequest request;
  request.set_algorithm(engine::v1::ALGORITHM_SHA256);
  request.set_rounds(rounds);
  request.set_data(std::move(data));
  client_.Call(std::move(request), deadline,
               [done = std::move(done)](
                   absl::StatusOr<engine::v1::HashResponse> response) mutable {
                 if (!response.ok()) {
                   std::move(done)(response.status());
                   return;
                 }
                 std::move(done)(absl::BytesToHexString(response->digest()));
               });
}

}  // namespace hashmesh::gateway
