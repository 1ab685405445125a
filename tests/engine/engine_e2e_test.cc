// The real hashmesh-engine binary: start-up, grpcurl-style calls, drain, flags.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/child_process.h"
#include "tools/reflection_client.h"

namespace hashmesh {
namespace {

using testing::ChildProcess;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

ChildProcess StartEngine(std::vector<std::string> flags) {
  std::vector<std::string> argv = {HASHMESH_ENGINE_BIN, "--listen=127.0.0.1:0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto child = ChildProcess::Start(argv);
  EXPECT_TRUE(child.ok()) << child.status();
  return *std::move(child);
}

TEST(EngineE2eTest, ServesReflectionCallsAndDrainsOnSigterm) {
  ChildProcess engine = StartEngine({});
  auto port = engine.WaitForPort(kStartTimeout);
  ASSERT_TRUE(port.ok()) << port.status();
  tools::ReflectionClient client(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));

  auto services = client.ListServices();
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, ::testing::Contains("hashmesh.engine.v1.HashEngine"));
  EXPECT_EQ(
      *client.CallUnary("grpc.health.v1.Health/Check", R"({"service":""})"),
      R"({"status":"SERVING"})");
  auto hashed = client.CallUnary(
      "hashmesh.engine.v1.HashEngine/Hash",
      R"({"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="})");
  ASSERT_TRUE(hashed.ok()) << hashed.status();
  EXPECT_THAT(*hashed, ::testing::HasSubstr(
                           "NKEOPxrFvHxqfH+jrk8cKlL3SybLtXz6cMfmo4XsajY="));
  auto invalid = client.CallUnary("hashmesh.engine.v1.HashEngine/Hash",
                                  R"({"algorithm":"ALGORITHM_SHA256"})");
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);

  engine.Signal(SIGTERM);
  auto exit_code = engine.Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << engine.output();
  EXPECT_THAT(engine.output(), ::testing::HasSubstr("drained"));
}

// HashStream through reflection alone, as grpcurl -d @ calls it: the CLI
// reads one JSON batch after another from standard input.
TEST(EngineE2eTest, HashStreamIsCallableWithJsonBatchesOnStandardInput) {
  ChildProcess engine = StartEngine({});
  auto port = engine.WaitForPort(kStartTimeout);
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string batches =
      R"({"items":[{"id":1,"request":{"algorithm":"ALGORITHM_SHA256",)"
      R"("rounds":100,"data":"aGVsbG8="}},{"id":2,"request":{"rounds":1}}]})"
      "\n"
      R"({"items":[{"id":3,"request":{"algorithm":"ALGORITHM_SHA256",)"
      R"("rounds":1,"data":""}}]})";
  auto cli = ChildProcess::Start(
      {"/bin/sh", "-c",
       absl::StrCat("printf '%s' '", batches, "' | ", HASHMESH_GRPC_BIN,
                    " 127.0.0.1:", *port,
                    " call hashmesh.engine.v1.HashEngine/HashStream @")});
  ASSERT_TRUE(cli.ok()) << cli.status();
  auto exit_code = cli->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  ASSERT_EQ(*exit_code, 0) << cli->output();
  // Each line is one result message; every item answered once by its id.
  std::vector<std::string> ids;
  for (absl::string_view line : absl::StrSplit(cli->output(), '\n')) {
    if (line.empty()) continue;
    boost::json::value message =
        boost::json::parse(boost::json::string_view(line.data(), line.size()));
    for (const auto& result : message.at("results").as_array()) {
      ids.emplace_back(result.at("id").as_string().c_str());
      if (result.at("id").as_string() == "1") {
        EXPECT_EQ(result.at("response").at("digest").as_string(),
                  "NKEOPxrFvHxqfH+jrk8cKlL3SybLtXz6cMfmo4XsajY=");
      }
      if (result.at("id").as_string() == "2") {
        EXPECT_EQ(result.at("error").at("code").as_int64(), 3);
      }
    }
  }
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("1", "2", "3"))
      << cli->output();
  engine.Signal(SIGTERM);
  EXPECT_EQ(*engine.Wait(absl::Seconds(30)), 0);
}

TEST(EngineE2eTest, JsonLogsAreOneObjectPerLine) {
  ChildProcess engine = StartEngine({"--log_format=json"});
  ASSERT_TRUE(engine.WaitForPort(kStartTimeout).ok());
  engine.Signal(SIGINT);
  ASSERT_EQ(*engine.Wait(absl::Seconds(30)), 0);
  int lines = 0;
  for (absl::string_view line :
       absl::StrSplit(engine.output(), '\n', absl::SkipEmpty())) {
    boost::system::error_code ec;
    boost::json::value v =
        boost::json::parse(std::string(line.data(), line.size()), ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    EXPECT_TRUE(v.as_object().contains("msg")) << line;
    EXPECT_EQ(v.at("service").as_string(), "engine");
    ++lines;
  }
  EXPECT_GE(lines, 3);  // serving, signal, draining, drained
}

TEST(EngineE2eTest, BadFlagsFailWithAMessage) {
  struct Case {
    std::string flag;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"--log_format=xml", "log format must be 'text' or 'json'"},
           {"--log_level=loud", "log level must be one of"},
           {"--worker_threads=-1", "--worker_threads must be"},
           {"--max_rounds=0", "--max_rounds must be at least 1"},
           {"--drain_timeout=-1s", "--drain_timeout must be positive"},
           {"--rounds_typo=3", "Unknown command line flag 'rounds_typo'"},
           {"--max_rounds=lots", "Illegal value 'lots'"}}) {
    ChildProcess engine = StartEngine({c.flag});
    auto exit_code = engine.Wait(absl::Seconds(30));
    ASSERT_TRUE(exit_code.ok());
    EXPECT_NE(*exit_code, 0) << c.flag;
    EXPECT_LT(*exit_code, 128) << c.flag << " crashed: " << engine.output();
    EXPECT_THAT(engine.output(), ::testing::HasSubstr(c.message)) << c.flag;
  }
}

TEST(EngineE2eTest, PortInUseIsReportedPlainly) {
  ChildProcess first = StartEngine({});
  auto port = first.WaitForPort(kStartTimeout);
  ASSERT_TRUE(port.ok());
  auto second = ChildProcess::Start(
      {HASHMESH_ENGINE_BIN, absl::StrCat("--listen=127.0.0.1:", *port)});
  ASSERT_TRUE(second.ok());
  auto exit_code = second->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_EQ(*exit_code, 1);
  EXPECT_THAT(second->output(), ::testing::HasSubstr("address already in use"));
}

}  // namespace
}  // namespace hashmesh
