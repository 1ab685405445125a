// Reflection of an in-process pgstub: what grpcurl sees without .protos.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/grpc_server.h"
#include "services/pgstub/account_store_service.h"
#include "tools/reflection_client.h"

namespace hashmesh::pgstub {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class ReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    auto server = GrpcServer::Start(
        config, {{&service_, v1::AccountStore::service_full_name()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    reflection_ = std::make_unique<tools::ReflectionClient>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  AccountsTable table_{100};
  LatencyModel latency_ = *LatencyModel::Create({});
  TimerQueue timers_{1};
  AccountStoreService service_{&table_, &latency_, &timers_,
                               /*max_pending=*/10};
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<tools::ReflectionClient> reflection_;
};

TEST_F(ReflectionTest, EveryListedServiceIsDescribable) {
  auto services = reflection_->ListServices();
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services,
              UnorderedElementsAre("hashmesh.pgstub.v1.AccountStore",
                                   "grpc.health.v1.Health",
                                   "grpc.reflection.v1alpha.ServerReflection"));
  for (const std::string& name : *services) {
    auto described = reflection_->DescribeService(name);
    EXPECT_TRUE(described.ok()) << name << ": " << described.status();
  }
  auto store = reflection_->DescribeService("hashmesh.pgstub.v1.AccountStore");
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_NE((*store)->FindMethodByName("GetAccount"), nullptr);
}

TEST_F(ReflectionTest, GetAccountCallableWithJsonAlone) {
  auto account =
      reflection_->CallUnary("hashmesh.pgstub.v1.AccountStore/GetAccount",
                             R"({"account_id":"acc-000013"})");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_THAT(*account, HasSubstr(R"("accountId":"acc-000013")"));
  EXPECT_THAT(*account, HasSubstr(R"("status":"ACCOUNT_STATUS_FROZEN")"));
}

TEST_F(ReflectionTest, GetAccountStreamCallableWithJsonAlone) {
  auto results = reflection_->CallStream(
      "hashmesh.pgstub.v1.AccountStore/GetAccountStream",
      {R"({"items":[{"id":"7","request":{"account_id":"acc-000013"}}]})",
       R"({"items":[{"id":"8","request":{"account_id":"nope"}}]})"});
  ASSERT_TRUE(results.ok()) << results.status();
  const std::string all = absl::StrJoin(*results, "\n");
  EXPECT_THAT(all,
              HasSubstr(R"("id":"7","account":{"accountId":"acc-000013")"));
  EXPECT_THAT(all, HasSubstr(R"("id":"8","error":{"code":3)"));
}

}  // namespace
}  // namespace hashmesh::pgstub
