// Parse + validate + serialize of one payment (the gateway's per-request CPU
// work outside hashing), with Boost.JSON's basic_parser (what the gateway
// uses) against simdjson's parser when it is installed.
// Every candidate feeds the same PaymentFieldsCollector, validation and
// serializer, so only the parsing differs. Before benchmarking, each
// candidate's verdicts on a corpus of tricky bodies are compared with the
// gateway's and any disagreement is printed.
#include <benchmark/benchmark.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/payment/api_error.h"
#include "gateway/payment/payment.h"
#include "gateway/payment/payment_json.h"
#include "gateway/payment/payment_request.h"

#ifdef HASHMESH_HAVE_SIMDJSON
#include "bench/gateway/simdjson_payment.h"
#endif

namespace hashmesh::gateway::bench {
namespace {

using Reader = std::function<absl::Status(absl::string_view, PaymentFields*)>;

constexpr absl::string_view kDigest =
    "c823733de082fd1d99f4e82162fc46accac494e8abba139716a3cb843b508522";

// SPEC.md's example request.
const std::string& SmallBody() {
  static const std::string body =
      R"({"account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)"
      R"("merchant":"corner-cafe","memo":"latte"})";
  return body;
}

// About the largest valid payment: a 64-byte merchant and a 256-byte memo
// with escapes and multi-byte UTF-8, and unknown members to skip.
const std::string& LargeBody() {
  static const std::string body = absl::StrCat(
      R"({"client":{"id":"c-1","tags":["a","b",{"k":[1,2.5,null,true]}]},)",
      R"("account_id":"acc-000042","amount_cents":1299,"currency":"GBP",)",
      R"("merchant":"Zo\u00eb's \"caf\u00e9\" \\ )", std::string(41, 'm'),
      R"(","memo":")", std::string(200, 'x'), R"( \ud83d\ude00 \u00e9\u00e9 )",
      std::string(40, 'y'), R"(","idempotency_key":"0f8fad5b-d9cb-469f",)",
      R"("ts":1700000000123,"ratio":0.25})");
  return body;
}

Account ExampleAccount() {
  return {.currency = "GBP",
          .balance_cents = 432598,
          .frozen = false,
          .salt_hex = "bace429177cc7520dcfe34753b49bb97"};
}

// What the gateway does per payment, minus I/O and hashing.
bool ProcessPayment(const Reader& read, absl::string_view body,
                    const Account& account) {
  PaymentFields fields;
  if (!read(body, &fields).ok()) return false;
  absl::StatusOr<PaymentRequest> request =
      ValidatePaymentFields(std::move(fields));
  if (!request.ok() || !CheckAccount(*request, account).ok()) return false;
  std::string data = HashInput(*request, account.salt_hex);
  std::string response = PaymentResponseBody(*request, account, 100, kDigest);
  benchmark::DoNotOptimize(data);
  benchmark::DoNotOptimize(response);
  return true;
}

void RunPayments(benchmark::State& state, const Reader& read,
                 const std::string& body) {
  const Account account = ExampleAccount();
  for (auto _ : state) {
    if (!ProcessPayment(read, body, account)) {
      state.SkipWithError("payment rejected");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(body.size()));
}

void RunParseOnly(benchmark::State& state, const Reader& read,
                  const std::string& body) {
  for (auto _ : state) {
    PaymentFields fields;
    absl::Status status = read(body, &fields);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(fields);
  }
}

Reader BoostJsonReader() { return ReadPaymentFields; }

#ifdef HASHMESH_HAVE_SIMDJSON
// One reader (simdjson's buffers) per benchmark run, as per thread in a server.
Reader SimdjsonReader() {
  auto reader = std::make_shared<SimdjsonPaymentReader>();
  return [reader](absl::string_view body, PaymentFields* fields) {
    return reader->Read(body, fields);
  };
}
#endif

std::vector<std::pair<std::string, Reader>> Candidates() {
  std::vector<std::pair<std::string, Reader>> candidates;
  candidates.emplace_back("BoostJsonSax", BoostJsonReader());
#ifdef HASHMESH_HAVE_SIMDJSON
  candidates.emplace_back("SimdjsonDom", SimdjsonReader());
#endif
  return candidates;
}

// Boost.JSON's DOM, for reference only: it cannot see duplicate keys (the
// last one silently wins) nor tell 1e3 from 1000-as-double by text.
void BM_ParseOnly_BoostJsonDomNotStrict(benchmark::State& state,
                                        const std::string* body) {
  unsigned char buffer[4096];
  for (auto _ : state) {
    boost::json::monotonic_resource resource(buffer, sizeof(buffer));
    boost::json::error_code ec;
    boost::json::value value = boost::json::parse(*body, ec, &resource);
    benchmark::DoNotOptimize(value);
  }
}

void BM_Serialize_Append(benchmark::State& state) {
  const PaymentRequest request{"acc-000042", 1299, "GBP", "corner-cafe",
                               "latte"};
  const Account account = ExampleAccount();
  for (auto _ : state) {
    std::string body = PaymentResponseBody(request, account, 100, kDigest);
    benchmark::DoNotOptimize(body);
  }
}

// The same body built as a Boost.JSON object and serialized.
void BM_Serialize_BoostJsonObject(benchmark::State& state) {
  const PaymentRequest request{"acc-000042", 1299, "GBP", "corner-cafe",
                               "latte"};
  const Account account = ExampleAccount();
  const std::string digest(kDigest.data(), kDigest.size());
  for (auto _ : state) {
    boost::json::object object;
    object.reserve(10);
    object.emplace("payment_id", "pay-" + digest.substr(0, 16));
    object.emplace("account_id", request.account_id);
    object.emplace("amount_cents", request.amount_cents);
    object.emplace("currency", request.currency);
    object.emplace("merchant", request.merchant);
    object.emplace("status", "authorized");
    object.emplace("balance_after_cents",
                   account.balance_cents - request.amount_cents);
    object.emplace("algorithm", "sha256");
    object.emplace("rounds", 100);
    object.emplace("digest", digest);
    std::string body = boost::json::serialize(object);
    benchmark::DoNotOptimize(body);
  }
}

std::string Verdict(const absl::Status& status) {
  if (status.ok()) return "ok";
  const HttpError error = ToHttpError(status);
  const std::string code(ErrorCodeName(error.code));
  return error.field.empty() ? code : code + "/" + error.field;
}

std::string Shown(absl::string_view body) {
  std::string out;
  for (unsigned char c : body.substr(0, 70)) {
    out += (c < 0x20 || c >= 0x7F) ? absl::StrCat("\\x", absl::Hex(c))
                                   : std::string(1, static_cast<char>(c));
  }
  return body.size() > 70 ? out + "..." : out;
}

std::vector<std::string> Corpus() {
  const std::string base = SmallBody().substr(0, SmallBody().size() - 1);
  auto with = [&base](absl::string_view raw) {
    return absl::StrCat(base, ",", raw, "}");
  };
  return {SmallBody(),
          LargeBody(),
          SmallBody() + " x",
          SmallBody() + "{}",
          SmallBody() + std::string(1, '\0'),
          "\xEF\xBB\xBF" + SmallBody(),
          "",
          " ",
          "[]",
          "\"s\"",
          "1",
          "null",
          with("\"x\":\"\xFF\""),
          with("\"\xC3\x28\":1"),
          with(R"("x":"\ud800")"),
          with(R"("x":"\udc00")"),
          with(R"("\udc00":1)"),
          with(R"("x":"\ud800\u0041")"),
          with(R"("x":"\ud83d\ude00")"),
          with("\"x\":1e400"),
          with("\"x\":-1e400"),
          with("\"x\":1e-400"),
          with("\"x\":1.7976931348623158e308"),
          with("\"x\":" + std::string(400, '9')),
          with(R"("memo":"dup")"),
          with(R"("\u006demo":"dup")"),
          with(R"("x":1,"x":2)"),
          with(R"("x":{"a":1,"a":2})"),
          with("\"x\":" + std::string(31, '[') + std::string(31, ']')),
          with("\"x\":" + std::string(32, '[') + std::string(32, ']')),
          with("\"x\":\"a\x07\""),
          with("\"x\":[1,]"),
          R"({"account_id":"acc-000042","amount_cents":99999999999999999999})",
          R"({"account_id":"acc-000042","amount_cents":9223372036854775808})",
          R"({"account_id":"acc-000042","amount_cents":-0})",
          R"({"account_id":"acc-000042","amount_cents":1e3})",
          R"({"account_id":"acc-000042","amount_cents":1299.0})",
          absl::StrCat(R"({"account_id":"acc-000042","amount_cents":1299,)",
                       R"("currency":"GBP","merchant":"a\u0085b"})")};
}

// Prints where a candidate's verdict differs from the gateway's reader.
void CheckAgreement() {
  const std::vector<std::string> corpus = Corpus();
  for (const auto& [name, read] : Candidates()) {
    int agreed = 0;
    for (const std::string& body : corpus) {
      PaymentFields reference_fields, fields;
      absl::Status reference = ReadPaymentFields(body, &reference_fields);
      absl::Status status = read(body, &fields);
      if (reference.ok()) {
        reference = ValidatePaymentFields(std::move(reference_fields)).status();
      }
      if (status.ok()) {
        status = ValidatePaymentFields(std::move(fields)).status();
      }
      if (Verdict(reference) == Verdict(status)) {
        ++agreed;
      } else {
        std::fprintf(stderr, "%s: %s -> %s (gateway: %s)\n", name.c_str(),
                     Shown(body).c_str(), Verdict(status).c_str(),
                     Verdict(reference).c_str());
      }
    }
    std::fprintf(stderr, "%s agrees with the gateway on %d of %zu bodies\n",
                 name.c_str(), agreed, corpus.size());
  }
}

void RegisterBenchmarks() {
  for (const auto& [name, read] : Candidates()) {
    for (const auto& [size, body] :
         {std::pair<const char*, const std::string*>{"small", &SmallBody()},
          {"large", &LargeBody()}}) {
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_Payment/", name, "/", size).c_str(),
          [read = read, body = body](benchmark::State& state) {
            RunPayments(state, read, *body);
          });
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_ParseOnly/", name, "/", size).c_str(),
          [read = read, body = body](benchmark::State& state) {
            RunParseOnly(state, read, *body);
          });
    }
  }
  benchmark::RegisterBenchmark("BM_ParseOnly/BoostJsonDomNotStrict/small",
                               BM_ParseOnly_BoostJsonDomNotStrict,
                               &SmallBody());
  benchmark::RegisterBenchmark("BM_ParseOnly/BoostJsonDomNotStrict/large",
                               BM_ParseOnly_BoostJsonDomNotStrict,
                               &LargeBody());
  benchmark::RegisterBenchmark("BM_Serialize/Append", BM_Serialize_Append);
  benchmark::RegisterBenchmark("BM_Serialize/BoostJsonObject",
                               BM_Serialize_BoostJsonObject);
}

}  // namespace
}  // namespace hashmesh::gateway::bench

int main(int argc, char** argv) {
  hashmesh::gateway::bench::CheckAgreement();
  hashmesh::gateway::bench::RegisterBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
