#!/usr/bin/env python3
"""Unit tests of bench/lib's report: targets, the floor-derived estimates and
the rendered report, from a real `bench/run.sh --quick` results.json.

The fixture is the 2026-12-02 quick run (Intel Xeon), whose mesh made one
gRPC call per item (there were no batch streams yet): it is the mesh-unary
run here. The mesh run, with its batch-stream figures, is from a quick run
of 2026-12-03 (AMD EPYC): ratios across the two are arithmetic to check, not
a measurement.

STREAMS_FIXTURE is a quick run of pgstub and the gRPC floor alone
(`--configs pgstub,grpcfloor`, 2026-12-03, AMD EPYC, noisy), whose lookups
also ran as items of GetAccountStream: natural batching and 16 per message.

MTLS_FIXTURE is a quick run of the mesh in plaintext and over mutual TLS
(`--configs mesh,mesh-mtls --repeat 3 --duration 10`, 2026-12-08, AMD EPYC;
other programs took about 0.2 cores during the first pass): three passes,
each mesh then mesh-mtls."""

import copy
import json
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench/lib"))
import hops  # noqa: E402
import metrics  # noqa: E402
import report  # noqa: E402
import targets  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "testdata/quick_results.json"
STREAMS_FIXTURE = Path(__file__).resolve().parent / "testdata/quick_results_streams.json"
MTLS_FIXTURE = Path(__file__).resolve().parent / "testdata/quick_results_mtls.json"


NON2XX_12 = ("issue 12: non-2xx = 0 in every mesh, mesh-unary and inproc run (wrk and the "
             "gateway's /metrics)")
STREAM_VS_UNARY = "issue 12: mesh (streams) / mesh-unary (unary calls), r100 c256; for comparison"
MTLS_85 = "issue 14: mesh-mtls r100 c256 req/s >= 85% of mesh's (same run)"

# The gateway's /metrics before and after a measured run (abridged).
METRICS_BEFORE = """\
# TYPE hashmesh_http_requests_total counter
hashmesh_http_requests_total{route="/v1/payments",code="201"} 10
hashmesh_upstream_stream_opens_total{upstream="store"} 2
hashmesh_upstream_stream_opens_total{upstream="engine"} 2
hashmesh_upstream_items_resent_total{upstream="store"} 0
hashmesh_upstream_items_resent_total{upstream="engine"} 0
hashmesh_upstream_items_per_message_bucket{upstream="store",le="+Inf"} 10
hashmesh_upstream_items_per_message_sum{upstream="store"} 40.000000
hashmesh_upstream_items_per_message_count{upstream="store"} 10
hashmesh_upstream_items_per_message_sum{upstream="engine"} 40.000000
hashmesh_upstream_items_per_message_count{upstream="engine"} 10
"""
METRICS_AFTER = """\
hashmesh_http_requests_total{route="/v1/payments",code="201"} 1010
hashmesh_http_requests_total{route="/v1/payments",code="503"} 1
hashmesh_http_requests_total{route="/metrics",code="200"} 2
hashmesh_upstream_stream_opens_total{upstream="store"} 2
hashmesh_upstream_stream_opens_total{upstream="engine"} 2
hashmesh_upstream_items_resent_total{upstream="store"} 3
hashmesh_upstream_items_resent_total{upstream="engine"} 0
hashmesh_upstream_items_per_message_bucket{upstream="store",le="+Inf"} 135
hashmesh_upstream_items_per_message_sum{upstream="store"} 1040.000000
hashmesh_upstream_items_per_message_count{upstream="store"} 135
hashmesh_upstream_items_per_message_sum{upstream="engine"} 1040.000000
hashmesh_upstream_items_per_message_count{upstream="engine"} 210
"""


def run(res, config):
    return next(r for r in res["runs"] if r["config"] == config)


def verdicts(res):
    return {t["target"]: t for t in targets.targets(res)}


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.res = json.loads(FIXTURE.read_text())

    def test_floor_estimates_from_the_fixture(self):
        # By hand from the fixture: the floor server 24.04 + the load tool
        # 27.18 us per call; nginx 5.95 us per request in its best run
        # (150,714.5 req/s), the digest 9.3 us, wrk 11.26 us and the gateway
        # 22.85 us per request in the inproc run; 2 cores.
        b = targets.bounds(self.res)
        self.assertAlmostEqual(b["hop"]["hop_us"], 51.22)
        self.assertAlmostEqual(b["grpc_calls_per_s"], 2e6 / 51.22)  # 39,047
        self.assertAlmostEqual(b["inproc_cpu_us"], 15.25)
        self.assertAlmostEqual(b["inproc_rps"], 2e6 / 26.51)  # 75,443
        self.assertAlmostEqual(b["inproc_fraction"], 2e6 / 26.51 / 150714.5)
        self.assertAlmostEqual(b["mesh_cpu_us"], 125.29)
        self.assertAlmostEqual(b["mesh_rps"], 2e6 / 136.55)  # 14,647

    def test_estimates_appear_beside_their_targets(self):
        v = verdicts(self.res)
        self.assertEqual(v["mesh r100 c256 >= 30% of the nginx floor's req/s"]
                         ["best_possible_here"], "about 10% (14,647 req/s) with unary calls")
        self.assertEqual(v["pgstub c256 (issue 3): >= 50,000 lookups/s, closed loop"]
                         ["best_possible_here"], "about 39,047 calls/s")
        self.assertEqual(v["mesh r100 c256: CPU < 40 us/request over the three processes"]
                         ["best_possible_here"], "about 125 us with unary calls")

    def test_verdicts_compare_the_measured_figure_with_the_target(self):
        v = verdicts(self.res)
        pgstub = "pgstub c256 (issue 3): >= 50,000 lookups/s, closed loop"
        self.assertEqual(v[pgstub]["verdict"], "MISS")  # 34,871 in the fixture
        run(self.res, "pgstub")["rps"] = 50000.0
        self.assertEqual(verdicts(self.res)[pgstub]["verdict"], "PASS")
        hwm = "gateway (inproc r100 c256) RSS under load (VmHWM) < 37 MB"
        self.assertEqual(v[hwm]["verdict"], "PASS")
        run(self.res, "inproc")["processes"]["gateway"]["hwm_kb"] = 40 * 1000 * 1000 // 1024
        self.assertEqual(verdicts(self.res)[hwm]["verdict"], "MISS")

    def test_open_loop_tail_target_reads_the_open_loop_p99(self):
        name = "pgstub (issue 3): p99 < 3 ms, open loop at 25,000 calls/s"
        o = run(self.res, "pgstub")["open_loop"]
        o["latency_ms"]["p99"] = 2.9
        self.assertEqual(verdicts(self.res)[name]["verdict"], "PASS")
        o["latency_ms"]["p99"] = 3.1
        self.assertEqual(verdicts(self.res)[name]["verdict"], "MISS")

    def test_without_a_floor_run_there_is_no_grpc_estimate(self):
        self.res["runs"] = [r for r in self.res["runs"] if r["config"] != "grpcfloor"]
        b = targets.bounds(self.res)
        self.assertNotIn("hop", b)
        self.assertNotIn("mesh_cpu_us", b)
        self.assertIn("inproc_cpu_us", b)  # nginx and the digest suffice
        best = {t["target"]: t["best_possible_here"] for t in targets.targets(self.res)}
        self.assertEqual(best["pgstub c256 (issue 3): >= 50,000 lookups/s, closed loop"], "-")
        self.assertIn("the gRPC floor | not run", report.render(self.res))

    def test_a_failed_run_fails_the_non_2xx_target(self):
        run(self.res, "engine")["non2xx"] = 3
        v = verdicts(self.res)["non-2xx (and failed calls) = 0 in every run"]
        self.assertEqual(v["verdict"], "MISS")
        self.assertIn("engine r100 c256", v["measured"])

    def test_the_report_has_every_section_and_both_loops(self):
        md = report.render(self.res)
        for heading in ("## The article's table, 256 connections",
                        "## Targets (issues 3, 6, 12 and 14",
                        "## Every run (wrk)", "## The price of the gRPC hops",
                        "## What the floors allow here", "## Lines of code"):
            self.assertIn(heading, md)
        self.assertIn("pgstub c256, open loop at 25,000/s", md)
        self.assertIn("grpcfloor c256, closed loop", md)
        # The open loop's own peak (55,028 KiB) beside the closed loop's
        # (36,108 KiB): the closed loop is read before calls pile up.
        self.assertIn("| 22.0 MB / 37.0 MB | 0 |", md)
        self.assertIn("| 22.0 MB / 56.3 MB | 0 |", md)

    def test_issue_12_targets_compare_the_stream_mesh_with_inproc(self):
        # By hand from the fixture, r100 c256: mesh 16,480.1 req/s, 88.52 us
        # per request, p99 28.93 ms; inproc 47,440.8, 22.85 us, 9.017 ms;
        # mesh-unary 11,034.2, 162.56 us, 40.267 ms.
        v = verdicts(self.res)
        rps = v["issue 12: mesh r100 c256 req/s >= 60% of inproc's"]
        self.assertEqual(rps["measured"], "mesh 16,480 / inproc 47,441 = 34.7% "
                                          "(mesh-unary 11,034 = 23.3%)")
        self.assertEqual(rps["verdict"], "MISS")
        cpu = v["issue 12: mesh r100 c256 CPU per request, three processes, <= 1.7 x inproc's"]
        self.assertEqual(cpu["measured"], "mesh 88.5 us / inproc 22.9 us = 3.87x "
                                          "(mesh-unary 162.6 us = 7.11x)")
        self.assertEqual(cpu["verdict"], "MISS")
        p99 = v["issue 12: mesh r100 c256 p99 <= 1.5 x inproc's p99"]
        self.assertEqual(p99["measured"], "mesh 28.93 ms / inproc 9.02 ms = 3.21x "
                                          "(mesh-unary 40.27 ms = 4.47x)")
        self.assertEqual(p99["verdict"], "MISS")
        ok = v[NON2XX_12]
        self.assertEqual((ok["measured"], ok["verdict"]), ("0 in 3 runs", "PASS"))
        cmp = v[STREAM_VS_UNARY]
        self.assertEqual(cmp["measured"], "req/s 16,480 / 11,034 = 1.49x; "
                                          "CPU per request 88.5 / 162.6 us = 0.54x")
        self.assertEqual(cmp["verdict"], "-")

    def test_issue_12_verdicts_turn_at_their_limits(self):
        mesh = run(self.res, "mesh")

        def verdict(prefix):
            return next(t["verdict"] for t in targets.targets(self.res)
                        if t["target"].startswith("issue 12: mesh r100 c256 " + prefix))
        # 60% of inproc's 47,440.8 req/s is 28,464.48.
        mesh["rps"] = 28465.0
        self.assertEqual(verdict("req/s"), "PASS")
        mesh["rps"] = 28464.0
        self.assertEqual(verdict("req/s"), "MISS")
        # 1.7 x inproc's 22.85 us is 38.845 us.
        mesh["sum"]["cpu_us_per_req"] = 38.84
        self.assertEqual(verdict("CPU"), "PASS")
        mesh["sum"]["cpu_us_per_req"] = 38.85
        self.assertEqual(verdict("CPU"), "MISS")
        # 1.5 x inproc's 9.017 ms is 13.5255 ms.
        mesh["latency_ms"]["p99"] = 13.52
        self.assertEqual(verdict("p99"), "PASS")
        mesh["latency_ms"]["p99"] = 13.53
        self.assertEqual(verdict("p99"), "MISS")

    def test_issue_12_non_2xx_counts_the_gateways_own_count_too(self):
        # wrk saw 1 (measured run), the gateway counted 2 (warm-up included):
        # the larger, since the two overlap.
        unary = run(self.res, "mesh-unary")
        unary["non2xx"] = 1
        unary["gateway_status_counts"] = {"201": 100, "503": 2}
        v = verdicts(self.res)[NON2XX_12]
        self.assertEqual((v["measured"], v["verdict"]), ("mesh-unary r100 c256: 2", "MISS"))

    def test_without_mesh_unary_issue_12_has_no_comparison(self):
        self.res["runs"] = [r for r in self.res["runs"] if r["config"] != "mesh-unary"]
        v = verdicts(self.res)
        self.assertEqual(v["issue 12: mesh r100 c256 req/s >= 60% of inproc's"]["measured"],
                         "mesh 16,480 / inproc 47,441 = 34.7%")
        self.assertEqual(v[STREAM_VS_UNARY]["measured"], "n/a (`--configs ...,mesh,mesh-unary`)")

    def test_the_report_shows_items_per_message_for_the_stream_mesh(self):
        md = report.render(self.res)
        self.assertIn("| r100 c256 | mesh | 47,441 | 16,480 | 35% |", md)
        self.assertIn("| 19.5 MB -> 65.7 MB | 8.53 / 5.80 |", md)
        self.assertIn("| r100 c256 | mesh-unary | 47,441 | 11,034 | 23% |", md)
        self.assertIn("| 19.5 MB -> 89.1 MB | - (a call each) |", md)
        self.assertIn("| mesh r100 c256 | 16,480 | 50,483 / 5,918 = **8.53** | "
                      "50,483 / 8,703 = **5.80** | 0 / 0 | 0 / 0 |", md)
        self.assertIn("hashmesh mesh-unary (rounds 100)", md)

    def test_stream_figures_are_the_difference_over_the_run(self):
        before = metrics.parse(METRICS_BEFORE)
        after = metrics.parse(METRICS_AFTER)
        # store: (1040 - 40) items / (135 - 10) messages = 8.0; engine:
        # 1000 / 200 = 5.0; 3 store items resent, no stream opened.
        self.assertEqual(metrics.stream_figures(before, after), {
            "store": {"items": 1000, "messages": 125, "items_per_message": 8.0,
                      "items_resent": 3, "stream_opens": 0},
            "engine": {"items": 1000, "messages": 200, "items_per_message": 5.0,
                       "items_resent": 0, "stream_opens": 0}})
        # The payments route only, by its path label.
        self.assertEqual(metrics.status_counts(after), {"201": 1010, "503": 1})
        # A gateway without the stream series: no figures, not zeros.
        self.assertIsNone(metrics.stream_figures(before, metrics.parse(
            'hashmesh_http_requests_total{route="/v1/payments",code="201"} 1010\n')))

    def test_write_all_writes_the_report_and_the_targets_without_gnuplot(self):
        with tempfile.TemporaryDirectory() as d:
            results = Path(d) / "results.json"
            results.write_text(json.dumps(copy.deepcopy(self.res)))
            path = os.environ.get("PATH", "")
            os.environ["PATH"] = d  # no gnuplot: the chart is skipped
            try:
                report.write_all(results, d)
            finally:
                os.environ["PATH"] = path
            self.assertTrue((Path(d) / "report.md").read_text().startswith("# hashmesh benchmark"))
            self.assertEqual(len(json.loads(results.read_text())["targets"]),
                             len(targets.targets(self.res)))


class MtlsTest(unittest.TestCase):
    """Issue 14: mesh-mtls against plaintext mesh in the same run."""

    def setUp(self):
        self.res = json.loads(MTLS_FIXTURE.read_text())

    def test_the_target_compares_the_best_runs_of_each(self):
        # By hand from the fixture: mesh's best run is #1 (20,064.0 req/s,
        # 61.13 us per request), mesh-mtls's #3 (20,858.6, 73.09 us).
        v = verdicts(self.res)[MTLS_85]
        self.assertEqual(v["measured"], "mesh-mtls 20,859 / mesh 20,064 = 104.0%; CPU per "
                                        "request, three processes, 61.1 -> 73.1 us (+12.0)")
        self.assertEqual(v["verdict"], "PASS")

    def test_the_verdict_turns_at_85_percent(self):
        # 85% of mesh's 20,064.0 req/s is 17,054.4.
        for rps, verdict in ((17055.0, "PASS"), (17054.0, "MISS")):
            for r in self.res["runs"]:
                if r["config"] == "mesh-mtls":
                    r["rps"] = rps
            self.assertEqual(verdicts(self.res)[MTLS_85]["verdict"], verdict)

    def test_the_section_has_the_ratio_the_cpu_added_and_each_pass(self):
        md = report.render(self.res)
        self.assertIn("## The price of mutual TLS: mesh-mtls vs mesh (issue 14)", md)
        # Per pass: 18,180.9 / 20,064.0, 17,016.7 / 18,516.4, 20,858.6 /
        # 19,598.5; per process (best runs): gateway 42.07 - 35.16, engine
        # 15.7 - 13.9, pgstub 15.32 - 12.07.
        self.assertIn("| r100 c256 | mesh-mtls vs mesh | 20,064 | 20,859 | **104.0%** | "
                      "90.6%, 91.9%, 106.4% | -0.04 ms | -5.15 ms | 61.1 -> 73.1 (**+12.0**) | "
                      "+6.9 / +1.8 / +3.2 | 0.20 -> 0.25 | 66.2 MB -> 73.7 MB | "
                      "8.20 / 5.63 -> 8.70 / 6.00 |", md)
        self.assertIn("hashmesh mesh-mtls (rounds 100)", md)

    def test_one_pass_has_no_pass_by_pass_ratios(self):
        self.res["runs"] = [r for r in self.res["runs"] if r["seq"] == 3]
        row = next(ln for ln in report.render(self.res).splitlines()
                   if ln.startswith("| r100 c256 | mesh-mtls vs mesh"))
        self.assertIn("| **106.4%** | - |", row)

    def test_mesh_mtls_runs_are_not_issue_12_runs(self):
        # Issue 12's non-2xx target counts mesh, mesh-unary and inproc runs;
        # a failed mesh-mtls run fails the target of every run.
        mtls = run(self.res, "mesh-mtls")
        mtls["non2xx"] = 2
        v = verdicts(self.res)
        self.assertEqual(v[NON2XX_12]["measured"], "0 in 3 runs")
        self.assertEqual(v["non-2xx (and failed calls) = 0 in every run"]["verdict"], "MISS")

    def test_without_mesh_mtls_the_target_and_section_say_so(self):
        res = json.loads(FIXTURE.read_text())
        v = verdicts(res)[MTLS_85]
        self.assertEqual((v["measured"], v["verdict"]), ("n/a (`--configs mesh,mesh-mtls`)", "n/a"))
        self.assertIn("no mTLS run beside its plaintext twin", report.render(res))


class HopItemsTest(unittest.TestCase):
    """The per-item cost of a hop: unary calls vs batch streams."""

    def setUp(self):
        self.res = json.loads(STREAMS_FIXTURE.read_text())

    def test_each_way_of_carrying_the_lookups_has_its_row(self):
        md = report.render(self.res)
        self.assertIn("## A hop per item: unary calls vs batch streams", md)
        # By hand from the fixture: the floor's unary row is 31.95 us server
        # + 36.11 us load tool = 68.06 us; 16 per message 3.11 + 2.44 = 5.55,
        # 5.55 / 68.06 = 0.08x; natural batching 1.5 + 1.2 = 2.7.
        self.assertIn("| grpcfloor c256 | unary GetAccount calls | 12,996 (noisy) | 18.22 ms | "
                      "45.88 ms | 1 / 1 | 31.9 | 36.1 | **68.1** | 1.00x | 0 |", md)
        self.assertIn("| grpcfloor c256 | GetAccountStream, natural batching (2 streams) | "
                      "363,433 (noisy) | 0.61 ms | 4.59 ms | 128.00 / 128.00 | 1.5 | 1.2 | "
                      "**2.7** | 0.04x | 0 |", md)
        self.assertIn("| grpcfloor c256 | GetAccountStream, 16 per message (16 streams) | "
                      "164,611 (noisy) | 1.14 ms | 6.91 ms | 16.00 / 16.00 | 3.1 | 2.4 | "
                      "**5.5** | 0.08x | 0 |", md)
        # pgstub answers as its timers fire: 16 items a message out, about 5
        # results a message back.
        self.assertIn("| pgstub c256 | GetAccountStream, 16 per message (16 streams) | "
                      "66,937 (noisy) | 3.18 ms | 8.59 ms | 16.00 / 5.11 | 9.5 | 6.5 | "
                      "**16.0** | 0.14x | 0 |", md)

    def test_without_stream_runs_the_section_says_so(self):
        md = report.render(json.loads(FIXTURE.read_text()))  # before issue 12
        self.assertIn("no stream run (`--configs ...,pgstub,grpcfloor`", md)

    def test_a_stream_run_without_figures_is_left_out(self):
        floor = run(self.res, "grpcfloor")
        floor["stream_runs"][0] = {"name": "natural", "fail_reasons": ["failed"]}
        rows = hops.hop_items_table(self.res).splitlines()
        self.assertEqual(len([r for r in rows if r.startswith("| grpcfloor")]), 2)

    def test_the_missing_figure_of_a_hop_is_not_made_up(self):
        floor = run(self.res, "grpcfloor")
        floor["stream_runs"][1]["machine"]["load_tool_us_per_req"] = None
        self.assertIn("| 3.1 | n/a | **n/a** | n/a | 0 |", hops.hop_items_table(self.res))


if __name__ == "__main__":
    unittest.main()
