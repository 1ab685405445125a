#!/usr/bin/env python3
"""Unit tests of bench/lib's report: targets, the floor-derived estimates and
the rendered report, from a real `bench/run.sh --quick` results.json."""

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
import report  # noqa: E402
import targets  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "testdata/quick_results.json"


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
                         ["best_possible_here"], "about 10% (14,647 req/s)")
        self.assertEqual(v["pgstub c256 (issue 3): >= 50,000 lookups/s, closed loop"]
                         ["best_possible_here"], "about 39,047 calls/s")
        self.assertEqual(v["mesh r100 c256: CPU < 40 us/request over the three processes"]
                         ["best_possible_here"], "about 125 us")

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
        for heading in ("## The article's table, 256 connections", "## Targets (issues 3 and 6",
                        "## Every run (wrk)", "## The price of the gRPC hops",
                        "## What the floors allow here", "## Lines of code"):
            self.assertIn(heading, md)
        self.assertIn("pgstub c256, open loop at 25,000/s", md)
        self.assertIn("grpcfloor c256, closed loop", md)
        # The open loop's own peak (55,028 KiB) beside the closed loop's
        # (36,108 KiB): the closed loop is read before calls pile up.
        self.assertIn("| 22.0 MB / 37.0 MB | 0 |", md)
        self.assertIn("| 22.0 MB / 56.3 MB | 0 |", md)

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


if __name__ == "__main__":
    unittest.main()
