// Fuzzes the gateway's HTTP request path: bytes, as a stream of possibly
// several pipelined requests, through Beast's parser configured as a Session
// configures it, the framing checks and the Router (with in-process
// upstreams), one request after another as a connection reads them.
//
// Properties: every request the router gets is framed as SPEC.md's
// "Framing" allows (checked here independently of CheckFraming), every reply
// is a status the gateway may send with a JSON body, a refusal ends the
// connection, and the same bytes give the same replies however the peer
// splits them into reads.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/http/framing.h"
#include "gateway/http/request_parser.h"
#include "gateway/routes/router.h"
#include "gateway/upstream/inproc_sources.h"
#include "services/common/boost_string_view.h"
#include "services/engine/hasher.h"
#include "services/pgstub/accounts_table.h"
#include "tests/fuzz/fuzz_check.h"

namespace hashmesh::gateway {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// The peer: hands the input out in reads of at most `chunk` bytes (the
// Session reads 4096 at a time), then end of stream, as a client that sends
// everything and half-closes. A SyncReadStream for Beast's read functions.
class InputStream {
 public:
  InputStream(absl::string_view input, size_t chunk)
      : input_(input), chunk_(chunk) {}

  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    if (input_.empty()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    const size_t n = boost::asio::buffer_copy(
        buffers,
        boost::asio::buffer(input_.data(), std::min(chunk_, input_.size())));
    input_.remove_prefix(n);
    return n;
  }
  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    const size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  bool exhausted() const { return input_.empty(); }

 private:
  absl::string_view input_;
  const size_t chunk_;
};

// The accounts and digests of the monolith, answered inline: the payment
// flow runs to its reply within Handle. 1000 accounts keep start-up quick;
// a higher id is an unknown account (404), also a path worth covering.
class TableAccounts final : public AccountSource {
 public:
  void Lookup(const std::string& account_id, absl::Time /*deadline*/,
              AccountCallback done) override {
    absl::StatusOr<pgstub::Account> row = table_.Lookup(account_id);
    if (!row.ok()) {
      std::move(done)(row.status());
      return;
    }
    std::move(done)(AccountFromRow(*std::move(row)));
  }

 private:
  pgstub::AccountsTable table_{1000};
};

class HasherDigests final : public DigestSource {
 public:
  HasherDigests() : hasher_(*engine::Hasher::Create()) {}
  void Sha256Hex(std::string data, uint32_t rounds, absl::Time /*deadline*/,
                 DigestCallback done) override {
    absl::StatusOr<std::string> digest =
        hasher_->Digest(engine::HashAlgorithm::kSha256, rounds, data);
    if (!digest.ok()) {
      std::move(done)(digest.status());
      return;
    }
    std::move(done)(absl::BytesToHexString(*digest));
  }

 private:
  std::unique_ptr<engine::Hasher> hasher_;
};

// What one connection needs, built once per process.
struct Gateway {
  HttpLimits limits;  // the gateway's defaults
  TableAccounts accounts;
  HasherDigests digests;
  // One round: the digest's cost is the engine fuzzer's business.
  PaymentProcessor payments{&accounts, &digests, 1, absl::Seconds(1)};
  ReadyCheck ready{nullptr, nullptr};  // in-process upstreams: always ready
  RouteMetrics route_metrics;
  UpstreamMetrics upstream_metrics;
  ConnectionStats connection_stats;
  Router router{{.payments = &payments,
                 .ready = &ready,
                 .route_metrics = &route_metrics,
                 .upstream_metrics = &upstream_metrics,
                 .connection_stats = &connection_stats,
                 .max_body_bytes = limits.max_body_bytes}};
};

// SPEC.md's framing rules, written out again from the SPEC rather than taken
// from CheckFraming: a request the router sees must satisfy all of them.
void CheckFramedAsSpecSays(const RequestParser::value_type& message,
                           size_t max_body_bytes) {
  FUZZ_CHECK(message.body().size() <= max_body_bytes);
  std::vector<std::string> codings;
  auto [te, te_end] = message.equal_range(http::field::transfer_encoding);
  for (; te != te_end; ++te) {
    for (absl::string_view c : absl::StrSplit(ToAbsl(te->value()), ',')) {
      c = absl::StripAsciiWhitespace(c);
      if (!c.empty()) codings.push_back(absl::AsciiStrToLower(c));
    }
  }
  const size_t lengths = message.count(http::field::content_length);
  if (message.count(http::field::transfer_encoding) > 0) {
    FUZZ_CHECK(message.version() == 11);
    FUZZ_CHECK(codings.size() == 1 && codings[0] == "chunked");
    FUZZ_CHECK(lengths == 0);
    return;
  }
  if (lengths > 0) {
    // Several values (fields or a list, RFC 9110 section 8.6) are allowed
    // only when they are the same: each must be the body's length.
    auto [cl, cl_end] = message.equal_range(http::field::content_length);
    for (; cl != cl_end; ++cl) {
      for (absl::string_view v : absl::StrSplit(ToAbsl(cl->value()), ',')) {
        v = absl::StripAsciiWhitespace(v);
        uint64_t value = 0;
        FUZZ_CHECK(!v.empty() && absl::ascii_isdigit(v[0]) &&
                   absl::SimpleAtoi(v, &value));
        FUZZ_CHECK(value == message.body().size());
      }
    }
  } else {
    FUZZ_CHECK(message.body().empty());  // no framing: no body
  }
}

// A reply the gateway may send: a known status, JSON unless it is /metrics,
// an Allow header with every 405.
void CheckReply(const Reply& reply) {
  static constexpr int kStatuses[] = {200, 201, 400, 403, 404, 405, 413,
                                      415, 422, 431, 501, 502, 503, 504};
  FUZZ_CHECK(std::find(std::begin(kStatuses), std::end(kStatuses),
                       reply.status) != std::end(kStatuses));
  FUZZ_CHECK((reply.status == 405) == (reply.allow != nullptr));
  if (std::strcmp(reply.content_type, "application/json") == 0) {
    boost::json::error_code ec;
    boost::json::parse(reply.body, ec);
    FUZZ_CHECK(!ec);
  }
}

Reply Answer(absl::FunctionRef<void(ReplyCallback)> ask) {
  std::optional<Reply> reply;
  ask([&reply](Reply r) { reply = std::move(r); });
  FUZZ_CHECK(reply.has_value());  // every upstream here answers inline
  CheckReply(*reply);
  return *std::move(reply);
}

// What a client sees of one connection.
struct Transcript {
  std::string dispatched;      // a line per request answered (/metrics'
                               // counters left out: they count every run)
  std::optional<int> refused;  // the status of the refusal that closed it
  std::string detail;          // why, for the report of a mismatch only
};

// The same bytes must be read as the same requests however they arrive,
// and a refusal must not depend on it either, with one exception that is
// Beast's and harmless: a malformed start line is parsed at once when the
// whole header is there, but once Beast has had to wait for more it waits
// for the header's end before parsing again. A header that is both
// malformed and endless is then refused as too large (431) or, at the
// peer's end of stream, closed without a reply, instead of 400. In every
// case nothing is dispatched and the connection closes. The same holds for a
// malformed chunk extension (found by the fuzzer: an unterminated quoted
// string): read whole, the chunk header is refused as a bad extension (400);
// read a byte at a time, Beast may first refuse the chunk as over the body
// limit (413, or the route's 404: routing comes first). Either way the
// request is refused before any of its body is used and the connection
// closes. And where the unterminated quote runs to the end of the input,
// read whole Beast waits for the quote to close (no reply: the peer ended
// inside the request) while a byte at a time it refuses the chunk as over
// the body limit (found by the fuzzer too). Hence the rule: with the same
// requests dispatched, a refusal against no reply at all is the same for a
// client (nothing after the unfinished request was acted on), and so are two
// different refusals when the fault is in a chunk header.
bool SameForClient(const Transcript& a, const Transcript& b) {
  if (a.dispatched != b.dispatched) return false;
  if (a.refused == b.refused) return true;
  if (!a.refused || !b.refused) return true;
  if (absl::StrContains(a.detail, "chunk") ||
      absl::StrContains(b.detail, "chunk")) {
    return true;
  }
  auto found_late = [](int status) { return status == 400 || status == 431; };
  return found_late(*a.refused) && found_late(*b.refused);
}

// One connection's life, as Session runs it: read a header, check its
// framing, read the body, dispatch, keep alive or stop.
Transcript Serve(Gateway& gw, absl::string_view input, size_t chunk) {
  InputStream stream(input, chunk);
  beast::flat_buffer buffer;
  Transcript transcript;
  while (buffer.size() > 0 || !stream.exhausted()) {
    RequestParser parser;
    ConfigureRequestParser(gw.limits, &parser);
    beast::error_code ec;
    const size_t header_bytes = http::read_header(stream, buffer, parser, ec);
    if (!ec) ec = CheckHeaderSize(header_bytes, gw.limits);
    std::optional<FramingFault> fault;
    if (!ec) fault = CheckFraming(parser.get());
    if (!ec && !fault && !parser.is_done()) {
      http::read(stream, buffer, parser, ec);
    }
    if (ec || fault) {
      const std::optional<HttpFailure> failure =
          fault ? fault->failure : ReadFailure(ec);
      if (!failure) break;  // the client went away mid-request: no reply
      const bool have_header =
          *failure != HttpFailure::kHeaderTooLarge && parser.is_header_done();
      const HttpRequest request =
          have_header ? MakeHttpRequest(parser.get(), false, absl::Now())
                      : HttpRequest{};
      const Reply reply = Answer([&](ReplyCallback done) {
        gw.router.Refuse(*failure, have_header ? &request : nullptr, "",
                         std::move(done));
      });
      transcript.refused = reply.status;
      transcript.detail = fault ? fault->detail : ec.message();
      break;  // a refusal closes: no byte after it is read as a request
    }
    CheckFramedAsSpecSays(parser.get(), gw.limits.max_body_bytes);
    const Reply reply = Answer([&](ReplyCallback done) {
      gw.router.Handle(MakeHttpRequest(parser.get(), true, absl::Now()),
                       std::move(done));
    });
    const bool metrics = reply.content_type[0] != 'a';
    absl::StrAppend(&transcript.dispatched, reply.status, " ",
                    ToAbsl(parser.get().target()), " ",
                    parser.get().body().size(), " ", metrics ? "" : reply.body,
                    "\n");
    if (!parser.get().keep_alive()) break;
  }
  return transcript;
}

}  // namespace
}  // namespace hashmesh::gateway

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* gateway = new hashmesh::gateway::Gateway;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  using hashmesh::gateway::Serve;
  using hashmesh::gateway::Transcript;
  const Transcript whole = Serve(*gateway, input, 4096);
  // Reads of a size the input picks: split headers, split chunk sizes, a
  // request boundary in the middle of a read. Tiny reads are the costly
  // ones (Beast resumes its parse per read): mostly a few bytes, sometimes
  // more, coprime sizes so that splits fall everywhere.
  static constexpr size_t kChunks[] = {1, 2, 3, 5, 7, 13, 61, 509};
  const size_t chunk = kChunks[size > 0 ? data[size - 1] % 8 : 0];
  const Transcript split = Serve(*gateway, input, chunk);
  if (!hashmesh::gateway::SameForClient(whole, split)) {
    std::fprintf(stderr,
                 "reads of 4096 bytes:\n%srefused %d (%s)\n"
                 "reads of %zu bytes:\n%srefused %d (%s)\n",
                 whole.dispatched.c_str(), whole.refused.value_or(0),
                 whole.detail.c_str(), chunk, split.dispatched.c_str(),
                 split.refused.value_or(0), split.detail.c_str());
    std::abort();
  }
  return 0;
}
