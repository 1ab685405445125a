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

    def test_floor_estimates_follow_from_the_floor_and_inproc_runs(self):
        floor, inproc = run(self.res, "grpcfloor"), run(self.res, "inproc")
        hop = (floor["processes"]["grpcfloor"]["cpu_us_per_req"]
               + floor["machine"]["load_tool_us_per_req"])
        b = targets.bounds(self.res)
        self.assertAlmostEqual(b["hop"]["hop_us"], hop)
        self.assertAlmostEqual(b["grpc_calls_per_s"], 2 * 1e6 / hop)
        gateway = inproc["processes"]["gateway"]["cpu_us_per_req"]
        self.assertAlmostEqual(b["mesh_cpu_us"], gateway + 2 * hop)
        wrk = inproc["machine"]["load_tool_us_per_req"]
        self.assertAlmostEqual(b["mesh_rps"], 2 * 1e6 / (gateway + 2 * hop + wrk))

    def test_verdicts_compare_the_measured_figure_with_the_target(self):
        v = verdicts(self.res)
        pgstub = "pgstub c256 (issue 3): >= 50,000 lookups/s, closed loop"
        self.assertEqual(v[pgstub]["verdict"], "MISS")  # 31,082 in the fixture
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

    def test_without_a_floor_run_there_is_no_estimate(self):
        self.res["runs"] = [r for r in self.res["runs"] if r["config"] != "grpcfloor"]
        self.assertEqual(targets.bounds(self.res), {})
        self.assertTrue(all(t["best_possible_here"] == "-" for t in targets.targets(self.res)))
        self.assertIn("No grpcfloor run", report.render(self.res))

    def test_a_failed_run_fails_the_non_2xx_target(self):
        run(self.res, "engine")["non2xx"] = 3
        v = verdicts(self.res)["non-2xx (and failed calls) = 0 in every run"]
        self.assertEqual(v["verdict"], "MISS")
        self.assertIn("engine r100 c256", v["measured"])

    def test_the_report_has_every_section_and_both_loops(self):
        md = report.render(self.res)
        for heading in ("## The article's table, 256 connections", "## Targets (issues 3 and 6",
                        "## Every run (wrk)", "## The price of the gRPC hops",
                        "## What a gRPC hop costs here", "## Lines of code"):
            self.assertIn(heading, md)
        self.assertIn("pgstub c256, open loop at 25,000/s", md)
        self.assertIn("grpcfloor c256, closed loop", md)

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
