// The HashEngine gRPC service in-process: a real server on an ephemeral port.
#include "services/engine/hash_service.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/grpc_server.h"
#include "tests/support/eventually.h"
#include "tools/reflection_client.h"

namespace hashmesh::engine {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::hashmesh::testing::Eventually;

class HashServiceTest : public ::testing::Test {
 protected:
  void StartServer(int pool_threads, HashServiceOptions options) {
    auto hasher = Hasher::Create();
    ASSERT_TRUE(hasher.ok());
    hasher_ = *std::move(hasher);
    pool_ = std::make_unique<WorkerPool>(pool_threads, 100);
    service_ =
        std::make_unique<HashService>(hasher_.get(), pool_.get(), options);
    GrpcServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(30);
    auto server = GrpcServer::Start(
        config, {{service_.get(), v1::HashEngine::service_full_name()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::HashEngine::NewStub(channel_);
  }

  void SetUp() override { StartServer(2, {}); }

  void TearDown() override {
    if (server_) server_->Drain();
    if (pool_) pool_->Shutdown();
  }

  grpc::Status Hash(const v1::HashRequest& request,
                    v1::HashResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return stub_->Hash(&context, request, response);
  }

  static v1::HashRequest Request(v1::Algorithm algorithm, uint32_t rounds,
                                 std::string data) {
    v1::HashRequest request;
    request.set_algorithm(algorithm);
    request.set_rounds(rounds);
    request.set_data(std::move(data));
    return request;
  }

  std::unique_ptr<Hasher> hasher_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<HashService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::HashEngine::Stub> stub_;
};

TEST_F(HashServiceTest, HashesWithEveryAlgorithm) {
  for (auto [algorithm, internal] :
       {std::pair{v1::ALGORITHM_SHA256, HashAlgorithm::kSha256},
        std::pair{v1::ALGORITHM_SHA512, HashAlgorithm::kSha512},
        std::pair{v1::ALGORITHM_SHA3_256, HashAlgorithm::kSha3_256},
        std::pair{v1::ALGORITHM_BLAKE2B512, HashAlgorithm::kBlake2b512}}) {
    v1::HashResponse response;
    ASSERT_TRUE(Hash(Request(algorithm, 100, "hello"), &response).ok());
    EXPECT_EQ(response.algorithm(), algorithm);
    EXPECT_EQ(response.rounds(), 100u);
    EXPECT_EQ(response.digest(), *hasher_->Digest(internal, 100, "hello"));
  }
}

TEST_F(HashServiceTest, SpecExampleOverGrpc) {
  v1::HashResponse response;
  ASSERT_TRUE(Hash(Request(v1::ALGORITHM_SHA256, 100,
                           "acc-000042|1299|GBP|corner-cafe|latte|"
                           "bace429177cc7520dcfe34753b49bb97"),
                   &response)
                  .ok());
  EXPECT_EQ(absl::BytesToHexString(response.digest()),
            "c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522");
}

TEST_F(HashServiceTest, LargeWorkTakesThePoolPathWithSameResult) {
  v1::HashResponse response;
  ASSERT_TRUE(Hash(Request(v1::ALGORITHM_SHA256, 100000, "x"), &response).ok());
  EXPECT_EQ(response.digest(),
            *hasher_->Digest(HashAlgorithm::kSha256, 100000, "x"));
}

TEST_F(HashServiceTest, InvalidArguments) {
  struct Case {
    v1::HashRequest request;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Request(v1::ALGORITHM_UNSPECIFIED, 1, "x"),
       "algorithm must be one of ALGORITHM_SHA256, ALGORITHM_SHA512, "
       "ALGORITHM_SHA3_256, ALGORITHM_BLAKE2B512; got ALGORITHM_UNSPECIFIED"},
      {Request(static_cast<v1::Algorithm>(99), 1, "x"),
       "algorithm must be one of ALGORITHM_SHA256, ALGORITHM_SHA512, "
       "ALGORITHM_SHA3_256, ALGORITHM_BLAKE2B512; got 99"},
      {Request(v1::ALGORITHM_SHA256, 0, "x"),
       "rounds must be between 1 and 1000000, got 0"},
      {Request(v1::ALGORITHM_SHA256, 1000001, "x"),
       "rounds must be between 1 and 1000000, got 1000001"},
      {Request(v1::ALGORITHM_SHA256, 1, std::string((1 << 20) + 1, 'a')),
       "data must be at most 1048576 bytes, got 1048577"},
  };
  for (const Case& c : cases) {
    v1::HashResponse response;
    grpc::Status status = Hash(c.request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);
  }
}

TEST_F(HashServiceTest, HealthIsServing) {
  auto health = Health::NewStub(channel_);
  for (const char* service : {"", "hashmesh.engine.v1.HashEngine"}) {
    grpc::ClientContext context;
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    ASSERT_TRUE(health->Check(&context, request, &response).ok());
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << service;
  }
}

// What grpcurl does: list, describe and call every service with nothing but
// reflection. The health service is the one that needs hashmesh's help.
TEST_F(HashServiceTest, EveryListedServiceIsDescribableThroughReflection) {
  tools::ReflectionClient reflection(channel_);
  auto services = reflection.ListServices();
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services,
              ::testing::UnorderedElementsAre(
                  "hashmesh.engine.v1.HashEngine", "grpc.health.v1.Health",
                  "grpc.reflection.v1alpha.ServerReflection"));
  for (const std::string& name : *services) {
    auto described = reflection.DescribeService(name);
    EXPECT_TRUE(described.ok()) << name << ": " << described.status();
  }
  EXPECT_EQ(
      *reflection.CallUnary("grpc.health.v1.Health/Check", R"({"service":""})"),
      R"({"status":"SERVING"})");
  auto hashed = reflection.CallUnary(
      "hashmesh.engine.v1.HashEngine/Hash",
      R"({"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="})");
  ASSERT_TRUE(hashed.ok()) << hashed.status();
  EXPECT_EQ(*hashed,
            R"({"algorithm":"ALGORITHM_SHA256","rounds":100,)"
            R"("digest":"NKEOPxrFvHxqfH+jrk8cKlL3SybLtXz6cMfmo4XsajY="})");
}

TEST_F(HashServiceTest, HealthAnswersWhileLongHashesRun) {
  // Four 1000000-round SHA3 hashes keep both workers busy for a long while.
  std::atomic<int> finished{0};
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::HashResponse> responses(4);
  const v1::HashRequest long_hash =
      Request(v1::ALGORITHM_SHA3_256, 1000000, "x");
  for (int i = 0; i < 4; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    stub_->async()->Hash(contexts.back().get(), &long_hash, &responses[i],
                         [&](const grpc::Status&) { ++finished; });
  }
  ASSERT_TRUE(Eventually([&] { return pool_->queued() == 2; }));
  auto health = Health::NewStub(channel_);
  grpc::ClientContext context;
  HealthCheckRequest request;
  HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  // Answered while hashes were still queued, not after the backlog.
  EXPECT_LT(finished.load(), 4);
  ASSERT_TRUE(Eventually([&] { return finished.load() == 4; }));
}

TEST(HashServiceDrainTest, InFlightCallCompletesAndHealthTurnsNotServing) {
  auto hasher = Hasher::Create();
  ASSERT_TRUE(hasher.ok());
  WorkerPool pool(1, 10);
  HashService service(hasher->get(), &pool, {.inline_max_bytes = 0});
  GrpcServerConfig config;
  config.listen_address = "127.0.0.1:0";
  auto server = GrpcServer::Start(
      config, {{&service, v1::HashEngine::service_full_name()}});
  ASSERT_TRUE(server.ok());
  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());

  // A health Watch stream opened before the drain sees it happen.
  grpc::ClientContext watch_context;
  HealthCheckRequest watch_request;
  auto watch = Health::NewStub(channel)->Watch(&watch_context, watch_request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  // Hold the only worker so that the call below is provably in flight.
  // Wait until the worker runs it: until then it is what queued() counts.
  absl::Notification holding, release;
  ASSERT_TRUE(pool.TrySubmit([&] {
    holding.Notify();
    release.WaitForNotification();
  }));
  holding.WaitForNotification();
  auto stub = v1::HashEngine::NewStub(channel);
  grpc::ClientContext call_context;
  v1::HashRequest request;
  request.set_algorithm(v1::ALGORITHM_SHA256);
  request.set_rounds(100);
  request.set_data("in flight");
  v1::HashResponse response;
  grpc::Status call_status;
  absl::Notification call_done;
  stub->async()->Hash(&call_context, &request, &response, [&](grpc::Status s) {
    call_status = std::move(s);
    call_done.Notify();
  });
  ASSERT_TRUE(Eventually([&] { return pool.queued() == 1; }));

  std::thread drain([&] { (*server)->Drain(); });
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  // gRPC's health service keeps Watch streams open until the drain deadline;
  // a watcher that saw NOT_SERVING goes away, as clients do.
  watch_context.TryCancel();
  release.Notify();
  call_done.WaitForNotification();
  drain.join();
  EXPECT_TRUE(call_status.ok()) << call_status.error_message();
  EXPECT_EQ(response.digest(),
            *(*hasher)->Digest(HashAlgorithm::kSha256, 100, "in flight"));

  // After the drain no new call is accepted.
  grpc::ClientContext late_context;
  late_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::Status late = stub->Hash(&late_context, request, &response);
  EXPECT_FALSE(late.ok());
  pool.Shutdown();
}

}  // namespace
}  // namespace hashmesh::engine
