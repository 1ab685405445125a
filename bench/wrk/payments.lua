-- wrk script: POST valid payments spread over many accounts (SPEC.md's table).
-- Accounts with i % 97 == 13 are frozen and i % 4 picks the currency, so the
-- script skips the frozen ones and sends each account's own currency; amounts
-- are 100..999 cents, below every balance. Every request should get 201.
--
-- Usage: wrk -t2 -c256 -d30s --latency -s bench/wrk/payments.lua http://127.0.0.1:8080
--   ACCOUNTS=N   match a gateway/pgstub started with --accounts=N (default 100000)
--   WRK_JSON=1   at the end, also print one line "WRK_JSON {...}" with the
--                summary and latency percentiles in microseconds (bench/run.sh
--                parses it)
--
-- There is deliberately no response() function: defining one makes wrk parse
-- and hand every response to Lua, which costs throughput. Non-2xx answers are
-- counted by wrk itself ("Non-2xx or 3xx responses", summary.errors.status,
-- which wrk 4.1 increments for status > 399); bench/run.sh also cross-checks
-- the gateway's own per-status counters on /metrics.
local accounts = tonumber(os.getenv("ACCOUNTS") or "100000")
local currencies = {"USD", "EUR", "GBP", "JPY"}
local bodies = {}
local count = 0

-- A fixed set of bodies, built once per thread: request() must stay cheap.
for n = 0, 4095 do
  local i = (n * 7919 + 17) % accounts
  if i % 97 ~= 13 then
    count = count + 1
    bodies[count] = string.format(
      '{"account_id":"acc-%06d","amount_cents":%d,"currency":"%s",' ..
      '"merchant":"corner-cafe","memo":"bench"}',
      i, 100 + (n % 900), currencies[(i % 4) + 1])
  end
end

-- Each thread starts at its own offset, so two threads do not send the same
-- account at the same moment.
local thread_index = 0
function setup(thread)
  thread:set("offset", thread_index * 1009)
  thread_index = thread_index + 1
end

local next_body = 0
function init(args)
  next_body = (tonumber(offset) or 0) % count
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  next_body = next_body % count + 1
  return wrk.format(nil, "/v1/payments", nil, bodies[next_body])
end

function done(summary, latency, requests)
  if os.getenv("WRK_JSON") == nil then return end
  local e = summary.errors
  local parts = {
    string.format('"duration_us":%d', summary.duration),
    string.format('"requests":%d', summary.requests),
    string.format('"bytes":%d', summary.bytes),
    string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
                  e.connect, e.read, e.write, e.status, e.timeout),
    string.format('"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
                  '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d}',
                  latency.min, latency.mean, latency.stdev, latency.max,
                  latency:percentile(50), latency:percentile(75),
                  latency:percentile(90), latency:percentile(99),
                  latency:percentile(99.9)),
  }
  io.write("WRK_JSON {" .. table.concat(parts, ",") .. "}\n")
end
