// Unit tests of CheckFraming on headers parsed by Beast, as the session
// parses them: every case of SPEC.md's "Framing" the parser lets through.
#include "gateway/http/framing.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

namespace hashmesh::gateway {
namespace {

namespace http = boost::beast::http;

// Parses `head` (request line and fields, without the blank line) and
// checks it; a header Beast itself refuses fails the test.
std::optional<FramingFault> Check(const std::string& head) {
  const std::string raw = head + "\r\n\r\n";
  http::request_parser<http::empty_body> parser;
  parser.eager(false);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(raw), ec);
  EXPECT_TRUE(!ec || ec == http::error::need_more) << ec.message();
  EXPECT_TRUE(parser.is_header_done()) << head;
  return CheckFraming(parser.get());
}

constexpr char kPost[] = "POST /v1/payments HTTP/1.1\r\nHost: x";

TEST(FramingTest, PlainRequestsPass) {
  EXPECT_EQ(Check("GET /healthz HTTP/1.1\r\nHost: x"), std::nullopt);
  EXPECT_EQ(Check(std::string(kPost) + "\r\nContent-Length: 5"), std::nullopt);
  EXPECT_EQ(Check("GET / HTTP/1.0"), std::nullopt);
}

TEST(FramingTest, ChunkedAloneIsTheOneTransferCoding) {
  EXPECT_EQ(Check(std::string(kPost) + "\r\nTransfer-Encoding: chunked"),
            std::nullopt);
  EXPECT_EQ(Check(std::string(kPost) + "\r\nTransfer-Encoding: Chunked"),
            std::nullopt);
  EXPECT_EQ(Check(std::string(kPost) + "\r\nTransfer-Encoding: , chunked ,"),
            std::nullopt);  // empty list elements mean nothing
}

TEST(FramingTest, OtherCodingsAreNotImplemented) {
  for (const char* coding : {"gzip", "identity", "gzip, chunked", "compress"}) {
    const auto fault =
        Check(std::string(kPost) + "\r\nTransfer-Encoding: " + coding);
    ASSERT_TRUE(fault.has_value()) << coding;
    EXPECT_EQ(fault->failure, HttpFailure::kTransferCodingNotImplemented)
        << coding;
    EXPECT_NE(fault->detail.find("only chunked"), std::string::npos);
  }
  // Also on a request without a body, and split over two fields.
  EXPECT_EQ(
      Check("GET /healthz HTTP/1.1\r\nTransfer-Encoding: identity")->failure,
      HttpFailure::kTransferCodingNotImplemented);
  EXPECT_EQ(Check(std::string(kPost) +
                  "\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked")
                ->failure,
            HttpFailure::kTransferCodingNotImplemented);
}

TEST(FramingTest, FaultyListsAreMalformed) {
  for (const char* value : {"", " ", ",", "chunked;x=1", "chun ked",
                            "chunked, chunked", "chunked, gzip"}) {
    const auto fault =
        Check(std::string(kPost) + "\r\nTransfer-Encoding: " + value);
    ASSERT_TRUE(fault.has_value()) << '"' << value << '"';
    EXPECT_EQ(fault->failure, HttpFailure::kMalformed) << value;
  }
}

TEST(FramingTest, TransferEncodingInHttp10IsMalformed) {
  const auto fault = Check(
      "POST /v1/payments HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked");
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->failure, HttpFailure::kMalformed);
  EXPECT_NE(fault->detail.find("HTTP/1.0"), std::string::npos);
}

}  // namespace
}  // namespace hashmesh::gateway
