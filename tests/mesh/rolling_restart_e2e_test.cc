// Engine replicas restarted under load behind a stream-mode gateway (issue
// 12): a rolling restart with SIGTERM loses no payment, a SIGKILL loses at
// most the payments in flight at the kill, and a restarted replica gets items
// again as the other replica's --max_connection_age moves the gateway's
// streams.
//
// Which replica hashed an item: the engine exposes no metrics, and the
// gateway counts items per upstream, not per backend, so each engine runs
// with --log_level=debug and logs one "hash sha256 rounds=100 ... (stream
// item N)" line per item; a reader thread per engine counts those lines (and
// keeps the pipe from filling up).
//
// No sleep orders anything: every step waits for an event (a process
// exiting, a replica's item count growing, the load's success count
// growing), with bounds that only end a broken run, so sanitizer builds
// simply take longer.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

constexpr char kHashed[] = "hash sha256 rounds=100";

// Client threads of the load: each has one payment in flight at a time, so
// at most this many are in flight at any moment.
constexpr int kClients = 4;
// Payments that must succeed with one replica down before it is started
// again, so that every step happens under load.
constexpr int64_t kPaymentsPerStep = 100;
// Ends a broken run; never reached by a working one, however slow.
constexpr absl::Duration kBound = absl::Seconds(60);

// One engine replica: the process, and a thread that reads its output and
// counts the items it hashed. ChildProcess is not thread-safe: while the
// reader runs, only it touches the process (Signal only calls kill()).
class Replica {
 public:
  static absl::StatusOr<std::unique_ptr<Replica>> Start(int port) {
    // Short connection ages make the gateway's long-lived streams move
    // between replicas: after one is restarted, the other's connection ages
    // out and the streams reopen over round_robin, some on the restarted one.
    auto service =
        StartEngine(port, {"--log_level=debug", "--max_connection_age=500ms",
                           "--max_connection_age_grace=200ms"});
    if (!service.ok()) return service.status();
    return std::unique_ptr<Replica>(new Replica(*std::move(service)));
  }

  ~Replica() {
    if (reader_.joinable()) {
      service_.process->Signal(SIGKILL);
      reader_.join();
    }
  }

  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  int port() const { return service_.port; }
  int64_t hashed() const { return hashed_.load(); }

  void Signal(int signal_number) const {
    service_.process->Signal(signal_number);
  }

  // Waits until the process has exited (its output ended) and returns the
  // exit code (128+N when killed by signal N).
  absl::StatusOr<int> WaitForExit() {
    if (!Eventually([this] { return eof_.load(); }, kBound)) {
      return absl::DeadlineExceededError("the engine did not exit");
    }
    reader_.join();
    return service_.process->Wait(kBound);
  }

  std::string output() const { return service_.process->output(); }

 private:
  explicit Replica(Service service) : service_(std::move(service)) {
    reader_ = std::thread([this] { Read(); });
  }

  // Each WaitForLine returns the next line with kHashed, or fails at its
  // timeout; a failure before the timeout is the end of the output (EOF).
  void Read() {
    constexpr absl::Duration kPoll = absl::Milliseconds(50);
    while (true) {
      const absl::Time deadline = absl::Now() + kPoll;
      if (service_.process->WaitForLine(kHashed, kPoll).ok()) {
        hashed_.fetch_add(1);
      } else if (absl::Now() < deadline) {
        eof_ = true;
        return;
      }
    }
  }

  Service service_;
  std::atomic<int64_t> hashed_{0};
  std::atomic<bool> eof_{false};
  std::thread reader_;
};

// One payment of the load: when it was sent and answered, and how.
struct Payment {
  absl::Time start;
  absl::Time end;
  int status = 0;    // 0: no HTTP response (connection error)
  std::string body;  // of a response other than 201
};

// kClients threads, each posting payments one after another on its own
// keep-alive connection (a new one after a connection error) until Stop().
class Load {
 public:
  explicit Load(int port) {
    for (int i = 0; i < kClients; ++i) {
      workers_.emplace_back([this, port] { Run(port); });
    }
  }
  ~Load() { Stop(); }

  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void Stop() {
    stop_ = true;
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
  }

  int64_t created() const { return created_.load(); }

  // Waits until `n` more payments have been created than at the call.
  bool WaitForMore(int64_t n) const {
    const int64_t target = created() + n;
    return Eventually([&] { return created() >= target; }, kBound);
  }

  std::vector<Payment> payments() const {
    absl::MutexLock lock(&mu_);
    return payments_;
  }

 private:
  void Run(int port) {
    std::unique_ptr<HttpClient> client;
    while (!stop_) {
      Payment p;
      p.start = absl::Now();
      if (client == nullptr) {
        auto c = HttpClient::Connect(port);
        if (c.ok()) client = std::make_unique<HttpClient>(*std::move(c));
      }
      if (client != nullptr) {
        auto response = client->Send("POST", "/v1/payments", kExamplePayment);
        if (response.ok()) {
          p.status = response->status;
          if (p.status != 201) p.body = response->body;
          if (!response->keep_alive) client.reset();
        } else {
          client.reset();
        }
      }
      p.end = absl::Now();
      if (p.status == 201) created_.fetch_add(1);
      absl::MutexLock lock(&mu_);
      payments_.push_back(std::move(p));
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int64_t> created_{0};
  std::vector<std::thread> workers_;
  mutable absl::Mutex mu_;
  std::vector<Payment> payments_ ABSL_GUARDED_BY(mu_);
};

// The value of one series in the gateway's /metrics (0 when not written).
double Metric(int port, absl::string_view series) {
  auto client = HttpClient::Connect(port);
  if (!client.ok()) return -1;
  auto metrics = client->Send("GET", "/metrics", "");
  if (!metrics.ok()) return -1;
  const std::string text = absl::StrCat("\n", metrics->body);
  const std::string prefix = absl::StrCat("\n", series, " ");
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return 0;
  const size_t begin = at + prefix.size();
  double value = -1;
  (void)absl::SimpleAtod(text.substr(begin, text.find('\n', begin) - begin),
                         &value);
  return value;
}

void Print(const Payment& p, absl::Time origin, absl::string_view origin_name) {
  std::cout << "not 201: " << p.status << " " << p.body << " (sent "
            << absl::FormatDuration(p.start - origin) << " after "
            << origin_name << ", answered in "
            << absl::FormatDuration(p.end - p.start) << ")\n";
}

// pgstub, engine replicas A and B, and a stream-mode gateway with two
// streams per upstream over round_robin across both replicas.
class RollingRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pgstub = StartPgstub();
    ASSERT_TRUE(pgstub.ok()) << pgstub.status();
    pgstub_ = *std::move(pgstub);
    for (std::unique_ptr<Replica>* replica : {&a_, &b_}) {
      auto started = Replica::Start(0);
      ASSERT_TRUE(started.ok()) << started.status();
      *replica = *std::move(started);
    }
    auto gateway = StartGateway(
        Local(pgstub_.port),
        absl::StrCat("ipv4:", Local(a_->port()), ",", Local(b_->port())),
        {"--upstream_mode=stream", "--upstream_streams=2",
         // One line per stream that ends: what a failure report shows.
         "--log_level=debug"});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    ASSERT_TRUE(WaitUntilReady(gateway_.port));
  }

  // What the gateway did with its engine streams: how often it opened one
  // (reopens included) and how many items it sent again after their stream
  // ended unanswered.
  void PrintStreamFigures() const {
    std::cout
        << "gateway: "
        << Metric(gateway_.port,
                  R"(hashmesh_upstream_stream_opens_total{upstream="engine"})")
        << " engine stream opens, "
        << Metric(gateway_.port,
                  R"(hashmesh_upstream_items_resent_total{upstream="engine"})")
        << " engine items resent\n";
  }

  void TearDown() override {
    for (Service* s : {&gateway_, &pgstub_}) {
      if (s->process != nullptr) {
        EXPECT_EQ(*Stop(*s), 0);
      }
    }
    if (HasFailure() && gateway_.process != nullptr) {
      std::cout << "gateway output:\n" << gateway_.process->output();
    }
  }

  // Waits until `replica` has hashed items beyond `before`.
  static bool Serves(const Replica& replica, int64_t before) {
    return Eventually([&] { return replica.hashed() > before; }, kBound);
  }

  // Stops `replica` with `signal_number` under load, checks its exit code,
  // waits for payments to succeed on the other replica alone, starts it again
  // on the same port (the gateway's target stays valid) and waits until it
  // hashes items again.
  void Restart(std::unique_ptr<Replica>& replica, int signal_number,
               int expected_exit, const Load& load) {
    const int port = replica->port();
    replica->Signal(signal_number);
    auto exit_code = replica->WaitForExit();
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, expected_exit) << replica->output();
    replica.reset();
    ASSERT_TRUE(load.WaitForMore(kPaymentsPerStep))
        << "payments stalled with one replica down";
    auto started = Replica::Start(port);
    ASSERT_TRUE(started.ok()) << started.status();
    replica = *std::move(started);
    ASSERT_TRUE(Serves(*replica, 0))
        << "the restarted replica on port " << port << " got no item";
  }

  Service pgstub_;
  std::unique_ptr<Replica> a_;
  std::unique_ptr<Replica> b_;
  Service gateway_;
};

// A rolling update: SIGTERM replica A, start it again, then the same for B,
// all under load. A draining replica answers the items it received and ends
// its streams; the gateway sends the rest again on the other replica.
// Asserted: every payment of the load got 201, and both replicas hash items
// before the restarts and again after them.
TEST_F(RollingRestartTest, SigtermOneReplicaAtATimeLosesNoPayment) {
  Load load(gateway_.port);
  ASSERT_TRUE(Serves(*a_, 0) && Serves(*b_, 0))
      << "both replicas should get items (A: " << a_->hashed()
      << ", B: " << b_->hashed() << ")";

  Restart(a_, SIGTERM, 0, load);
  Restart(b_, SIGTERM, 0, load);
  // Both serve again: B hashed items since its restart, and A still does.
  const int64_t a_after = a_->hashed();
  ASSERT_TRUE(Serves(*a_, a_after) && Serves(*b_, 0));
  load.Stop();
  PrintStreamFigures();

  const std::vector<Payment> payments = load.payments();
  const absl::Time origin = payments.empty() ? absl::Now() : payments[0].start;
  int failed = 0;
  for (const Payment& p : payments) {
    if (p.status == 201) continue;
    ++failed;
    Print(p, origin, "the load began");
  }
  std::cout << "rolling restart: " << payments.size() << " payments, " << failed
            << " not 201\n";
  RecordProperty("payments", static_cast<int>(payments.size()));
  EXPECT_EQ(failed, 0);
  EXPECT_GE(load.created(), 2 * kPaymentsPerStep);
}

// A crash: SIGKILL replica A under load. The payments in flight at the kill
// (at most one per client) may fail; every payment sent once the replica is
// gone gets 201, from B while A is down and from both after A is started
// again.
TEST_F(RollingRestartTest, SigkillLosesAtMostThePaymentsInFlight) {
  Load load(gateway_.port);
  ASSERT_TRUE(Serves(*a_, 0) && Serves(*b_, 0));

  const absl::Time kill = absl::Now();
  a_->Signal(SIGKILL);
  auto exit_code = a_->WaitForExit();
  // The kernel closed the replica's sockets before its output ended: from
  // here on the gateway's connection to it is broken.
  const absl::Time gone = absl::Now();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 128 + SIGKILL);
  const int port = a_->port();
  a_.reset();
  ASSERT_TRUE(load.WaitForMore(kPaymentsPerStep));
  auto started = Replica::Start(port);
  ASSERT_TRUE(started.ok()) << started.status();
  a_ = *std::move(started);
  const int64_t b_before = b_->hashed();
  ASSERT_TRUE(Serves(*a_, 0) && Serves(*b_, b_before))
      << "both replicas should serve after the restart";
  load.Stop();
  PrintStreamFigures();

  const std::vector<Payment> payments = load.payments();
  int failed = 0;
  int failed_after = 0;
  int in_flight = 0;
  int after = 0;
  for (const Payment& p : payments) {
    // Sent before the replica was gone and not answered before the kill.
    const bool at_kill = p.start < gone && p.end > kill;
    in_flight += at_kill;
    after += p.start >= gone;
    if (p.status == 201) continue;
    ++failed;
    failed_after += !at_kill;
    Print(p, kill, "the kill");
  }
  std::cout << "kill: " << payments.size() << " payments, " << in_flight
            << " in flight at the kill (" << absl::FormatDuration(gone - kill)
            << "), " << failed << " not 201, " << after << " sent after it\n";
  RecordProperty("payments", static_cast<int>(payments.size()));
  EXPECT_LE(failed, kClients);
  EXPECT_EQ(failed_after, 0) << "payments failed that were sent after the "
                                "replica was gone";
  EXPECT_GE(after, kPaymentsPerStep);
}

}  // namespace
}  // namespace hashmesh::testing
