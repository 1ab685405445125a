// The real hashmesh-pgstub and hashmesh-loadgen binaries, as processes.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/child_process.h"
#include "tools/reflection_client.h"

namespace hashmesh {
namespace {

using ::hashmesh::testing::ChildProcess;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr absl::Duration kTimeout = absl::Seconds(30);

ChildProcess StartStub(std::vector<std::string> flags) {
  std::vector<std::string> argv = {HASHMESH_PGSTUB_BIN, "--listen=127.0.0.1:0",
                                   "--accounts=1000", "--latency=1ms"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto child = ChildProcess::Start(argv);
  EXPECT_TRUE(child.ok()) << child.status();
  return *std::move(child);
}

TEST(PgstubE2eTest, ServesGrpcurlStyleCallsAndDrainsOnSigterm) {
  ChildProcess stub = StartStub({});
  auto port = stub.WaitForPort(kTimeout);
  ASSERT_TRUE(port.ok()) << port.status() << stub.output();
  tools::ReflectionClient client(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));

  auto services = client.ListServices();
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, Contains("hashmesh.pgstub.v1.AccountStore"));
  EXPECT_EQ(
      *client.CallUnary("grpc.health.v1.Health/Check",
                        R"({"service":"hashmesh.pgstub.v1.AccountStore"})"),
      R"({"status":"SERVING"})");
  // The issue's example: grpcurl -d '{"account_id":"acc-000042"}' ...
  auto account = client.CallUnary("hashmesh.pgstub.v1.AccountStore/GetAccount",
                                  R"({"account_id":"acc-000042"})");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_THAT(*account, HasSubstr(R"("currency":"GBP")"));
  EXPECT_THAT(*account, HasSubstr(R"("balanceCents":"432598")"));
  EXPECT_THAT(*account, HasSubstr(R"("status":"ACCOUNT_STATUS_ACTIVE")"));
  EXPECT_THAT(*account,
              HasSubstr(R"("saltHex":"bace429177cc7520dcfe34753b49bb97")"));
  EXPECT_EQ(client
                .CallUnary("hashmesh.pgstub.v1.AccountStore/GetAccount",
                           R"({"account_id":"acc-42"})")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client
                .CallUnary("hashmesh.pgstub.v1.AccountStore/GetAccount",
                           R"({"account_id":"acc-001000"})")
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  // The drain waits for this idle connection, which the client notices on
  // its 5 s backup poll at worst: still well inside the timeout.
  stub.Signal(SIGTERM);
  auto exit_code = stub.Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << stub.output();
  EXPECT_THAT(stub.output(), HasSubstr("drained"));
}

TEST(PgstubE2eTest, SigintAlsoDrainsAndExitsZero) {
  ChildProcess stub = StartStub({});
  ASSERT_TRUE(stub.WaitForPort(kTimeout).ok()) << stub.output();
  stub.Signal(SIGINT);
  auto exit_code = stub.Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << stub.output();
}

TEST(PgstubE2eTest, BadFlagsFailWithAMessage) {
  struct Case {
    std::string flag;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"--accounts=0", "--accounts must be between 1 and 1000000, got 0"},
           {"--accounts=1000001", "--accounts must be between 1 and 1000000"},
           {"--latency=-1ms", "latency must be between 0 and 10m"},
           {"--latency_jitter_mode=gaussian",
            "jitter mode must be none, uniform or exponential"},
           {"--latency_jitter=1ms", "needs a jitter mode"},
           {"--worker_threads=-1", "--worker_threads must be"},
           {"--max_pending=0", "--max_pending must be at least 1, got 0"},
           {"--latency=soon", "Illegal value 'soon'"}}) {
    ChildProcess stub = StartStub({c.flag});
    auto exit_code = stub.Wait(kTimeout);
    ASSERT_TRUE(exit_code.ok());
    EXPECT_NE(*exit_code, 0) << c.flag;
    EXPECT_LT(*exit_code, 128) << c.flag << " crashed: " << stub.output();
    EXPECT_THAT(stub.output(), HasSubstr(c.message)) << c.flag;
  }
}

#ifdef HASHMESH_LOADGEN_BIN
TEST(PgstubE2eTest, LoadgenMeasuresTheStub) {
  ChildProcess stub = StartStub({});
  auto port = stub.WaitForPort(kTimeout);
  ASSERT_TRUE(port.ok()) << port.status();

  auto loadgen = ChildProcess::Start(
      {HASHMESH_LOADGEN_BIN, absl::StrCat("--target=127.0.0.1:", *port),
       "--accounts=1000", "--count=300", "--warmup=0s", "--concurrency=20",
       "--channels=2", "--json"});
  ASSERT_TRUE(loadgen.ok()) << loadgen.status();
  auto line = loadgen->WaitForLine(R"({"tool":"hashmesh-loadgen")", kTimeout);
  ASSERT_TRUE(line.ok()) << line.status() << loadgen->output();
  auto exit_code = loadgen->Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << loadgen->output();

  boost::system::error_code error;
  const boost::json::value json = boost::json::parse(*line, error);
  ASSERT_FALSE(error) << *line;
  EXPECT_EQ(json.at("calls").to_number<int64_t>(), 300);
  EXPECT_EQ(json.at("ok").to_number<int64_t>(), 300);
  EXPECT_TRUE(json.at("errors").as_object().empty());
  EXPECT_GT(json.at("calls_per_s").to_number<double>(), 0);
  const boost::json::value& latency = json.at("latency_ms");
  auto ms = [&](const char* key) {
    return latency.at(key).to_number<double>();
  };
  EXPECT_GE(ms("min"), 1.0);  // the stub's --latency
  EXPECT_LE(ms("p50"), ms("p90"));
  EXPECT_LE(ms("p90"), ms("p99"));
  EXPECT_LE(ms("p99"), ms("p999"));
  EXPECT_LE(ms("p999"), ms("max"));
}

// GetAccountStream's items, in both batching modes: every measured item is
// answered, and the messages carried several.
TEST(PgstubE2eTest, LoadgenMeasuresTheStubsStream) {
  ChildProcess stub = StartStub({});
  auto port = stub.WaitForPort(kTimeout);
  ASSERT_TRUE(port.ok()) << port.status();
  for (const char* batching :
       {"--items_per_message=0", "--items_per_message=10"}) {
    SCOPED_TRACE(batching);
    auto loadgen = ChildProcess::Start(
        {HASHMESH_LOADGEN_BIN, absl::StrCat("--target=127.0.0.1:", *port),
         "--method=hashmesh.pgstub.v1.AccountStore/GetAccountStream",
         "--accounts=1000", "--count=300", "--warmup=0s", "--concurrency=20",
         "--channels=2", batching, "--json"});
    ASSERT_TRUE(loadgen.ok()) << loadgen.status();
    auto line = loadgen->WaitForLine(R"({"tool":"hashmesh-loadgen")", kTimeout);
    ASSERT_TRUE(line.ok()) << line.status() << loadgen->output();
    auto exit_code = loadgen->Wait(kTimeout);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << loadgen->output();

    boost::system::error_code error;
    const boost::json::value json = boost::json::parse(*line, error);
    ASSERT_FALSE(error) << *line;
    EXPECT_EQ(json.at("calls").to_number<int64_t>(), 300) << *line;
    EXPECT_EQ(json.at("ok").to_number<int64_t>(), 300) << *line;
    EXPECT_EQ(json.at("streams").to_number<int64_t>(), 2) << *line;
    EXPECT_GT(json.at("items_per_message").to_number<double>(), 1) << *line;
    EXPECT_GE(json.at("latency_ms").at("min").to_number<double>(), 1.0);
  }
}

TEST(PgstubE2eTest, LoadgenRejectsAnUnknownMethodPlainly) {
  auto loadgen = ChildProcess::Start(
      {HASHMESH_LOADGEN_BIN, "--method=foo.Bar/Baz", "--target=127.0.0.1:1"});
  ASSERT_TRUE(loadgen.ok());
  auto exit_code = loadgen->Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok());
  EXPECT_EQ(*exit_code, 1);
  EXPECT_THAT(loadgen->output(), HasSubstr("--method must be one of"));
}
#endif

}  // namespace
}  // namespace hashmesh
