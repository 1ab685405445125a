// Session and SessionRegistry on one io_context over loopback: a drain
// reaches every connection, including one accepted as the drain began.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "gateway/http/connection_stats.h"
#include "gateway/http/handler.h"
#include "gateway/http/http_limits.h"
#include "gateway/http/session.h"
#include "gateway/http/session_registry.h"

namespace hashmesh::gateway {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Holds each request's callback until the test answers it.
class HoldingHandler : public HttpHandler {
 public:
  void Handle(const HttpRequest& /*request*/, ReplyCallback done) override {
    held_.emplace(std::move(done));
  }
  void Refuse(HttpFailure /*failure*/, const HttpRequest* /*request*/,
              absl::string_view /*detail*/, ReplyCallback done) override {
    std::move(done)(Reply{.status = 400, .body = "{}", .close = true});
  }
  bool holding() const { return held_.has_value(); }
  void Answer() {
    ReplyCallback done = std::move(*held_);
    held_.reset();
    std::move(done)(Reply{.status = 200, .body = R"({"ok":true})"});
  }

 private:
  std::optional<ReplyCallback> held_;
};

class SessionDrainTest : public ::testing::Test {
 protected:
  SessionDrainTest()
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  // A connected client, and a Session (not yet started) on the server side.
  std::shared_ptr<Session> Connect() {
    client_.connect(acceptor_.local_endpoint());
    return std::make_shared<Session>(acceptor_.accept(), &handler_, &stats_,
                                     &limits_, &registry_);
  }

  // Runs the io_context until `done` or a generous deadline (a hang must
  // fail the test, not the suite).
  template <typename Pred>
  bool RunUntil(Pred done) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(10));
      io_.restart();
    }
    return done();
  }

  // Reads from the client until the server closes; what was read.
  std::optional<std::string> ReadUntilClose() {
    std::string data;
    bool closed = false;
    asio::async_read(client_, asio::dynamic_buffer(data),
                     [&](boost::system::error_code, size_t) { closed = true; });
    if (!RunUntil([&] { return closed; })) {
      client_.cancel();
      RunUntil([&] { return closed; });
      return std::nullopt;
    }
    return data;
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket client_{io_};
  HoldingHandler handler_;
  ConnectionStats stats_;
  HttpLimits limits_;
  SessionRegistry registry_;
};

constexpr char kRequest[] = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

// A connection the listener accepted just before its stop ran, started after
// ShutdownAll took the list: it must close at once, not idle for
// idle_timeout (60 s) past the drain.
TEST_F(SessionDrainTest, SessionStartedAfterTheDrainBeganClosesAtOnce) {
  std::shared_ptr<Session> session = Connect();
  registry_.ShutdownAll();
  session->Start(/*reject=*/false);
  session.reset();
  const std::optional<std::string> read = ReadUntilClose();
  ASSERT_TRUE(read.has_value()) << "the connection was left open";
  EXPECT_EQ(*read, "");
  EXPECT_TRUE(RunUntil([&] { return stats_.open() == 0; }));
}

// The control: an idle session started before the drain serves requests and
// closes when the drain reaches it.
TEST_F(SessionDrainTest, IdleSessionClosesWhenTheDrainReachesIt) {
  std::shared_ptr<Session> session = Connect();
  session->Start(/*reject=*/false);
  session.reset();
  asio::write(client_, asio::buffer(kRequest, sizeof(kRequest) - 1));
  ASSERT_TRUE(RunUntil([&] { return handler_.holding(); }));
  handler_.Answer();
  std::string reply;
  bool replied = false;
  asio::async_read_until(
      client_, asio::dynamic_buffer(reply), "{\"ok\":true}",
      [&](boost::system::error_code, size_t) { replied = true; });
  ASSERT_TRUE(RunUntil([&] { return replied; }));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_EQ(stats_.open(), 1);

  registry_.ShutdownAll();
  const std::optional<std::string> rest = ReadUntilClose();
  ASSERT_TRUE(rest.has_value()) << "the drain left an idle connection open";
  EXPECT_TRUE(RunUntil([&] { return stats_.open() == 0; }));
}

// A session busy with a request when the drain begins answers it, with
// Connection: close, and then closes.
TEST_F(SessionDrainTest, BusySessionAnswersThenCloses) {
  std::shared_ptr<Session> session = Connect();
  session->Start(/*reject=*/false);
  session.reset();
  asio::write(client_, asio::buffer(kRequest, sizeof(kRequest) - 1));
  ASSERT_TRUE(RunUntil([&] { return handler_.holding(); }));
  // Done sending: the server's linger after its closing reply ends at once.
  client_.shutdown(tcp::socket::shutdown_send);
  registry_.ShutdownAll();
  handler_.Answer();
  const std::optional<std::string> reply = ReadUntilClose();
  ASSERT_TRUE(reply.has_value())
      << "the connection stayed open after its reply";
  EXPECT_EQ(reply->rfind("HTTP/1.1 200", 0), 0u) << *reply;
  EXPECT_NE(reply->find("Connection: close\r\n"), std::string::npos) << *reply;
  EXPECT_TRUE(RunUntil([&] { return stats_.open() == 0; }));
}

}  // namespace
}  // namespace hashmesh::gateway
