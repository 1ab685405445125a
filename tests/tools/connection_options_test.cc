// hashmesh-grpc's grpcurl-style connection options.
#include "tools/connection_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hashmesh::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConnectionOptionsTest, NoOptionsIsPlaintextAndKeepsTheArguments) {
  auto options = ParseConnectionOptions({"localhost:50051", "list"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->tls.empty());
  EXPECT_THAT(options->rest, ElementsAre("localhost:50051", "list"));
}

TEST(ConnectionOptionsTest, ReadsGrpcurlsSpellings) {
  auto options = ParseConnectionOptions(
      {"-cacert", "ca.crt", "--cert=gw.crt", "-key=gw.key", "--servername",
       "engine", "localhost:50051", "call", "-not-an-option-any-more"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tls.ca_file, "ca.crt");
  EXPECT_EQ(options->tls.cert_file, "gw.crt");
  EXPECT_EQ(options->tls.key_file, "gw.key");
  EXPECT_EQ(options->server_name, "engine");
  EXPECT_THAT(options->rest, ElementsAre("localhost:50051", "call",
                                         "-not-an-option-any-more"));
}

TEST(ConnectionOptionsTest, RefusesWhatCannotWork) {
  EXPECT_THAT(
      ParseConnectionOptions({"-insecure", "x:1", "list"}).status().message(),
      HasSubstr("unknown option -insecure"));
  EXPECT_THAT(ParseConnectionOptions({"-cacert"}).status().message(),
              HasSubstr("needs a value"));
  EXPECT_THAT(
      ParseConnectionOptions({"-plaintext", "-cacert", "ca.crt", "x:1", "list"})
          .status()
          .message(),
      HasSubstr("-plaintext cannot go with"));
  EXPECT_TRUE(ParseConnectionOptions({"-plaintext", "x:1", "list"}).ok());
}

TEST(ConnectionOptionsTest, ConnectChecksTheFilesWithTheOptionsNames) {
  auto options =
      ParseConnectionOptions({"-cacert", "/nonexistent/ca.crt", "x:1", "list"});
  ASSERT_TRUE(options.ok());
  auto channel = Connect("x:1", *options);
  ASSERT_FALSE(channel.ok());
  EXPECT_THAT(channel.status().message(), HasSubstr("-cacert"));
}

}  // namespace
}  // namespace hashmesh::tools
