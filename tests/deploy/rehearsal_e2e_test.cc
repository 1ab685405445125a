// The Kubernetes topology rehearsed without Kubernetes, as
// deploy/local/rehearse.sh starts it: pgstub, two engine replicas and the
// gateway, each with the flagfile its pods get from the ConfigMap
// (deploy/k8s/base/flags/*.flags). Overrides, in both places: --listen and
// the gateway's --admin_listen on 127.0.0.1 (pods listen on 0.0.0.0 in their
// own network namespace; port 0 here, so two gateways can run at once), the
// gateway's targets as ipv4:A,B (what DNS would return for the headless
// Services; the flagfile's round_robin and retry policy stay), and
// --log_level=debug on the engines, which then log one "hash sha256
// rounds=100" line per Hash call: that is how the tests count calls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/mesh/mesh_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

namespace hashmesh::testing {
namespace {

constexpr char kPayment[] =
    R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
    R"("merchant":"corner-cafe","memo":"latte"})";
constexpr char kHashLine[] = "hash sha256 rounds=100";

std::string Flagfile(const std::string& service) {
  return absl::StrCat("--flagfile=", HASHMESH_FLAGS_DIR, "/", service,
                      ".flags");
}

int CountOccurrences(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The time of the first --log_format=json line whose message contains
// `needle` ({"ts":"2026-01-02T03:04:05.123456Z",...}).
absl::StatusOr<absl::Time> LogTime(const std::string& output,
                                   const std::string& needle) {
  const size_t at = output.find(needle);
  if (at == std::string::npos) {
    return absl::NotFoundError(absl::StrCat("no log line with ", needle));
  }
  const size_t line = output.rfind('\n', at) + 1;  // npos + 1 == 0
  const size_t ts = output.find("\"ts\":\"", line);
  if (ts == std::string::npos || ts > at) {
    return absl::NotFoundError("log line without \"ts\"");
  }
  const size_t begin = ts + 6;
  const std::string text =
      output.substr(begin, output.find('"', begin) - begin);
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(text, ": ", error));
  }
  return time;
}

// Keeps reading a child's output so that a child logging every call never
// blocks on a full pipe. ChildProcess is not thread-safe: read output() only
// while the drainer is stopped.
class Drainer {
 public:
  explicit Drainer(ChildProcess* process) : process_(process) { Start(); }
  ~Drainer() { Stop(); }

  void Start() {
    stop_ = false;
    thread_ = std::thread([this] {
      while (!stop_) {
        const absl::Time begin = absl::Now();
        (void)process_->WaitForLine("\x01", absl::Milliseconds(50));
        // After EOF WaitForLine returns at once; do not spin.
        if (absl::Now() - begin < absl::Milliseconds(10)) {
          absl::SleepFor(absl::Milliseconds(20));
        }
      }
    });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  ChildProcess* process_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One HTTP request of the load: when it was sent and answered, and how.
struct Request {
  absl::Time start;
  absl::Time end;
  int status = 0;    // 0: no HTTP response (connection error)
  std::string body;  // of a response other than 201
};

// `threads` clients, each sending payments one after another on its own
// keep-alive connection (a new one after a connection error), until Stop().
class Load {
 public:
  explicit Load(int port, int threads) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this, port] { Run(port); });
    }
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<Request> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  // Requests sent after `time` and answered 201.
  int SucceededSince(absl::Time time) {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(std::count_if(
        requests_.begin(), requests_.end(),
        [&](const Request& r) { return r.start > time && r.status == 201; }));
  }

 private:
  void Run(int port) {
    std::unique_ptr<HttpClient> client;
    while (!stop_) {
      Request r;
      r.start = absl::Now();
      if (client == nullptr) {
        auto c = HttpClient::Connect(port);
        if (c.ok()) client = std::make_unique<HttpClient>(*std::move(c));
      }
      if (client != nullptr) {
        auto response = client->Send("POST", "/v1/payments", kPayment);
        if (response.ok()) {
          r.status = response->status;
          if (r.status != 201) r.body = response->body;
          if (!response->keep_alive) client.reset();
        } else {
          client.reset();
        }
      }
      r.end = absl::Now();
      absl::MutexLock lock(&mu_);
      requests_.push_back(r);
    }
  }

  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
  absl::Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
};

// GET /readyz on a fresh connection: the status, or 0 without a response.
int Readyz(int port) {
  auto client = HttpClient::Connect(port);
  if (!client.ok()) return 0;
  auto r = client->Send("GET", "/readyz", "");
  return r.ok() ? r->status : 0;
}

class RehearsalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pgstub = StartPgstub({Flagfile("pgstub"), "--listen=127.0.0.1:0"});
    ASSERT_TRUE(pgstub.ok()) << pgstub.status();
    pgstub_ = *std::move(pgstub);
    for (Service* engine : {&engine_a_, &engine_b_}) {
      auto started = StartEngine(
          0, {Flagfile("engine"), "--listen=127.0.0.1:0", "--log_level=debug"});
      ASSERT_TRUE(started.ok()) << started.status();
      *engine = *std::move(started);
    }
    drain_a_ = std::make_unique<Drainer>(engine_a_.process.get());
    drain_b_ = std::make_unique<Drainer>(engine_b_.process.get());
    auto gateway = StartGateway(absl::StrCat("ipv4:", Local(pgstub_.port)),
                                absl::StrCat("ipv4:", Local(engine_a_.port),
                                             ",", Local(engine_b_.port)),
                                {Flagfile("gateway"), "--listen=127.0.0.1:0",
                                 "--admin_listen=127.0.0.1:0"});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    ASSERT_TRUE(Eventually([&] { return Readyz(gateway_.port) == 200; }))
        << "the gateway never became ready";
  }

  void TearDown() override {
    if (drain_a_) drain_a_->Stop();
    if (drain_b_) drain_b_->Stop();
    for (Service* s : {&gateway_, &engine_a_, &engine_b_, &pgstub_}) {
      if (s->process != nullptr) (void)Stop(*s);
    }
  }

  // Hash calls each engine has logged so far.
  std::pair<int, int> HashCalls() {
    drain_a_->Stop();
    drain_b_->Stop();
    std::pair<int, int> counts{
        CountOccurrences(engine_a_.process->output(), kHashLine),
        CountOccurrences(engine_b_.process->output(), kHashLine)};
    drain_a_->Start();
    drain_b_->Start();
    return counts;
  }

  // Runs a stream of payments, stops engine A with `signal_number` once the
  // stream is flowing, keeps it going until kAfterStop payments sent after
  // the stop have succeeded (conditions, not times: a loaded CI machine under
  // TSan may manage only a few payments a second), and checks what was lost.
  //
  // What is counted: every HTTP request of the stream, with the time it was
  // sent and the time its response (or connection error) arrived. A request
  // is "in flight at the stop" if it was outstanding when the signal call
  // began or when the stop ended; for SIGTERM the stop lasts until the engine
  // logs that it starts draining (per client at most two: one outstanding at
  // each end; requests sent and answered within the stop do not count, as
  // engine A still served normally until its end). Asserted:
  // every request that did not get 201 was in flight at the stop, and every
  // request sent after the stop got 201 (from engine B, the only one left).
  //
  // Observed: SIGKILL loses nothing (the dead connection fails its calls with
  // UNAVAILABLE, which the gateway's retry policy sends to engine B). SIGTERM:
  // gRPC 1.51's Server::Shutdown cancels calls that arrived but were not yet
  // matched to a handler with CANCELLED (grpc/grpc#41785); the policy retries
  // CANCELLED too (grpc_channels.cc), but a call whose attempts run out is
  // lost, so the test allows losses among the calls in flight at the stop.
  void StopOneEngineUnderLoad(int signal_number, bool graceful) {
    constexpr int kClients = 4;
    constexpr int kBeforeStop = 4 * kClients;
    constexpr int kAfterStop = 50;
    const auto [a_before, b_before] = HashCalls();
    const absl::Time load_start = absl::Now();
    Load load(gateway_.port, kClients);
    ASSERT_TRUE(Eventually([&] {
      return load.SucceededSince(load_start) >= kBeforeStop;
    })) << "the stream never got going";
    // The gateway opens its streams once its engine channel is ready; when
    // engine A's connection was not yet up then, round_robin placed every
    // stream on B (seen about once in six runs on a loaded 2-core machine),
    // and stopping A would test nothing: the precondition is checked, not
    // assumed, and such a run is reported as skipped.
    const int a_start = a_before;  // a structured binding: not capturable
    if (!Eventually([&] { return HashCalls().first > a_start; },
                    absl::Seconds(5))) {
      load.Stop();
      GTEST_SKIP() << "all of the gateway's streams went to engine B";
    }
    const absl::Time stop_begin = absl::Now();
    engine_a_.process->Signal(signal_number);
    absl::Time stop_end = absl::Now();

    // Engine A goes (SIGKILL: 137; SIGTERM: drained, exit 0) while the
    // stream runs on.
    drain_a_->Stop();
    auto exit_code = engine_a_.process->Wait(absl::Seconds(30));
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, graceful ? 0 : 128 + SIGKILL);
    const std::string a_output = engine_a_.process->output();
    engine_a_.process.reset();
    drain_a_.reset();
    if (graceful) {
      // SIGTERM takes effect when the engine's signal thread starts the
      // drain, a moment after kill() returned: the stop ends there.
      auto drain_start = LogTime(a_output, "draining:");
      ASSERT_TRUE(drain_start.ok()) << drain_start.status();
      stop_end = std::max(stop_end, *drain_start);
    }
    EXPECT_TRUE(
        Eventually([&] { return load.SucceededSince(stop_end) >= kAfterStop; },
                   absl::Seconds(60)))
        << "the stream stalled after the stop";
    load.Stop();

    const std::vector<Request> requests = load.requests();
    int failed = 0;
    int failed_outside_window = 0;
    int in_flight_at_stop = 0;
    int after_stop = 0;
    int after_stop_ok = 0;
    for (const Request& r : requests) {
      // A request sent and answered within the stop was over before the
      // engine died or began to drain: not in flight, and it must succeed.
      // Per client that leaves at most two: the one outstanding when the
      // stop began and the one outstanding when it ended, however long the
      // stop (on a loaded machine the engine's signal thread can take longer
      // to run than a few payments take).
      const bool within_stop = r.start >= stop_begin && r.end <= stop_end;
      const bool in_flight =
          r.start < stop_end && r.end > stop_begin && !within_stop;
      in_flight_at_stop += in_flight;
      if (r.status != 201) {
        ++failed;
        failed_outside_window += !in_flight;
        std::cout << "not 201: " << r.status << " " << r.body << " (sent "
                  << absl::FormatDuration(r.start - stop_begin)
                  << " after the signal, answered after "
                  << absl::FormatDuration(r.end - r.start) << ")\n";
      }
      if (r.start > stop_end) {
        ++after_stop;
        after_stop_ok += r.status == 201;
      }
    }
    RecordProperty("requests", static_cast<int>(requests.size()));
    RecordProperty("failed", failed);
    RecordProperty("in_flight_at_stop", in_flight_at_stop);
    std::cout << "stream: " << requests.size() << " requests, "
              << in_flight_at_stop << " in flight at the stop ("
              << absl::FormatDuration(stop_end - stop_begin) << "), " << failed
              << " not 201, " << after_stop << " sent after the stop\n";

    EXPECT_LE(in_flight_at_stop, 2 * kClients);
    EXPECT_EQ(failed_outside_window, 0)
        << "requests failed that were not in flight when the engine stopped";
    EXPECT_GE(after_stop_ok, kAfterStop);
    EXPECT_EQ(after_stop_ok, after_stop);

    // Everything after the stop was hashed by engine B.
    const int a_total = CountOccurrences(a_output, kHashLine);
    drain_b_->Stop();
    const int b_total =
        CountOccurrences(engine_b_.process->output(), kHashLine);
    drain_b_->Start();
    EXPECT_GT(a_total, a_before) << "engine A got none of the stream";
    EXPECT_GE(b_total - b_before, after_stop_ok);

    // And the gateway stays ready on one engine.
    EXPECT_TRUE(Eventually([&] { return Readyz(gateway_.port) == 200; }));
  }

  Service pgstub_;
  Service engine_a_;
  Service engine_b_;
  Service gateway_;
  std::unique_ptr<Drainer> drain_a_;
  std::unique_ptr<Drainer> drain_b_;
};

// round_robin over both engines: with one unary call per hash, sequential
// payments alternate between them. (Batch streams are long-lived: they spread
// over the engines as they open and as the engines' --max_connection_age
// moves them; MeshFailureTest.TwoEnginesBehindOneIpv4TargetBothServe shows
// that, and the two tests below show that stopping an engine loses nothing
// in stream mode, the default.)
TEST_F(RehearsalTest, CallsReachBothEngines) {
  constexpr int kPayments = 200;
  auto unary = StartGateway(
      absl::StrCat("ipv4:", Local(pgstub_.port)),
      absl::StrCat("ipv4:", Local(engine_a_.port), ",", Local(engine_b_.port)),
      {Flagfile("gateway"), "--listen=127.0.0.1:0",
       "--admin_listen=127.0.0.1:0", "--upstream_mode=unary"});
  ASSERT_TRUE(unary.ok()) << unary.status();
  ASSERT_TRUE(Eventually([&] { return Readyz(unary->port) == 200; }));
  auto client = HttpClient::Connect(unary->port);
  ASSERT_TRUE(client.ok()) << client.status();
  const auto [a_before, b_before] = HashCalls();
  for (int i = 0; i < kPayments; ++i) {
    auto response = client->Send("POST", "/v1/payments", kPayment);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 201) << response->body;
  }
  const auto [a, b] = HashCalls();
  std::cout << "engine A: " << a - a_before
            << " calls, engine B: " << b - b_before << " calls\n";
  // Every payment is exactly one Hash call (nothing failed, nothing retried).
  EXPECT_EQ((a - a_before) + (b - b_before), kPayments);
  EXPECT_GE(a - a_before, kPayments / 4);
  EXPECT_GE(b - b_before, kPayments / 4);
  EXPECT_EQ(*Stop(*unary), 0);
}

// A crash: the gateway's retry policy moves new calls, and calls that failed
// on the dead connection, to engine B.
TEST_F(RehearsalTest, KillingOneEngineLosesOnlyCallsInFlight) {
  StopOneEngineUnderLoad(SIGKILL, /*graceful=*/false);
}

// A rollout or scale-down: the engine drains (GOAWAY, in-flight calls finish).
TEST_F(RehearsalTest, StoppingOneEngineGracefullyLosesOnlyCallsInFlight) {
  StopOneEngineUnderLoad(SIGTERM, /*graceful=*/true);
}

}  // namespace
}  // namespace hashmesh::testing
