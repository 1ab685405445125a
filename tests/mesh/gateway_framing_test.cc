// SPEC.md's "Framing" against the real gateway, with raw bytes: each faulty
// or ambiguous request is answered 400 (or 501) and its connection closed,
// and the request hidden in its body is never answered.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe"})";
// What a front proxy that framed the body differently would take as a second
// request: answering it is request smuggling.
constexpr char kSmuggled[] = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
constexpr absl::Duration kPatience = absl::Seconds(20);

std::string Chunked(absl::string_view body) {
  return absl::StrFormat("%x\r\n%s\r\n0\r\n\r\n", body.size(), body);
}

std::string Post(absl::string_view version, absl::string_view fields,
                 absl::string_view body) {
  return absl::StrCat("POST /v1/payments HTTP/", version,
                      "\r\nHost: t\r\nContent-Type: application/json\r\n",
                      fields, "\r\n", body);
}

struct FramingCase {
  std::string name;
  std::string request;  // followed by kSmuggled on the same connection
  int status;

  friend void PrintTo(const FramingCase& c, std::ostream* os) { *os << c.name; }
};

std::vector<FramingCase> Cases() {
  const std::string n = absl::StrCat(sizeof(kPayment) - 1);
  return {
      {"TeGzip", Post("1.1", "Transfer-Encoding: gzip\r\n", ""), 501},
      {"TeIdentity", Post("1.1", "Transfer-Encoding: identity\r\n", ""), 501},
      {"TeGzipChunked",
       Post("1.1", "Transfer-Encoding: gzip, chunked\r\n", Chunked(kPayment)),
       501},
      {"TeChunkedGzip", Post("1.1", "Transfer-Encoding: chunked, gzip\r\n", ""),
       400},
      {"TeEmpty", Post("1.1", "Transfer-Encoding: \r\n", ""), 400},
      {"TeOnGet",
       "GET /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity\r\n"
       "\r\n",
       501},
      {"TeInHttp10",
       Post("1.0", "Transfer-Encoding: chunked\r\n", Chunked(kPayment)), 400},
      {"TeAndContentLength",
       Post("1.1", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            Chunked(kPayment)),
       400},
      {"ContentLengthsDiffer",
       Post("1.1",
            absl::StrCat("Content-Length: ", n, "\r\nContent-Length: 3\r\n"),
            kPayment),
       400},
      {"ContentLengthMalformed",
       Post("1.1", absl::StrCat("Content-Length: +", n, "\r\n"), kPayment),
       400},
      {"SpaceBeforeColon",
       Post("1.1", absl::StrCat("Content-Length : ", n, "\r\n"), kPayment),
       400},
      {"MalformedChunk",
       Post("1.1", "Transfer-Encoding: chunked\r\n",
            absl::StrCat("zz\r\n", kPayment, "\r\n0\r\n\r\n")),
       400},
  };
}

class GatewayFramingTest : public ::testing::TestWithParam<FramingCase> {
 protected:
  static void SetUpTestSuite() {
    auto gateway = StartGateway("unused:1", "unused:1",
                                {"--store=inproc", "--engine=inproc"});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = new Service(*std::move(gateway));
  }
  static void TearDownTestSuite() {
    if (gateway_ != nullptr) {
      EXPECT_EQ(Stop(*gateway_).value_or(-1), 0);
    }
    delete gateway_;
    gateway_ = nullptr;
  }
  static Service* gateway_;
};
Service* GatewayFramingTest::gateway_ = nullptr;

TEST_P(GatewayFramingTest, AnsweredOnceThenClosed) {
  auto client = HttpClient::Connect(gateway_->port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client->WriteRaw(GetParam().request + kSmuggled).ok());
  auto response = client->ReadResponse(kPatience);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, GetParam().status) << response->body;
  EXPECT_FALSE(response->keep_alive);
  EXPECT_NE(response->body.find(GetParam().status == 501 ? "not_implemented"
                                                         : "bad_request"),
            std::string::npos)
      << response->body;
  auto rest = client->ReadUntilClose(kPatience);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "") << "the smuggled request was answered";
}

INSTANTIATE_TEST_SUITE_P(SpecCases, GatewayFramingTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<FramingCase>& info) {
                           return info.param.name;
                         });

// Well-formed framing still works, pipelined behind a chunked body.
TEST_F(GatewayFramingTest, ChunkedThenPipelinedRequestIsAnswered) {
  auto client = HttpClient::Connect(gateway_->port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(
      client
          ->WriteRaw(absl::StrCat(
              Post("1.1", "Transfer-Encoding: Chunked\r\n", Chunked(kPayment)),
              "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"))
          .ok());
  auto payment = client->ReadResponse(kPatience);
  ASSERT_TRUE(payment.ok()) << payment.status();
  EXPECT_EQ(payment->status, 201) << payment->body;
  auto health = client->ReadResponse(kPatience);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(health->keep_alive);
}

}  // namespace
}  // namespace hashmesh::testing
