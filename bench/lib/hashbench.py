#!/usr/bin/env python3
"""hashbench: the one-command hashmesh benchmark behind bench/run.sh (issue 6).

Builds the release preset, starts each configuration on 127.0.0.1, measures it
with wrk (or hashmesh-loadgen for the engine and pgstub alone), samples every
process's memory and CPU from /proc, times a clean and an incremental build,
counts lines of code, and writes bench/results/<timestamp>/{results.json,
report.md, chart.png, logs/}. Python 3 standard library only.

Run `bench/run.sh --help`; how to read the report: bench/README.md.
"""

import datetime
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (bench/lib/report.py)
from builds import BuildSteps, previous_clean_build_s  # noqa: E402
from cli import (GATEWAY_CONFIGS, LOADGEN_CONFIGS, MESH_CONFIGS, MTLS_OF,  # noqa: E402
                 OPEN_LOOP_CONFIGS, STREAM_CONFIGS, parse_args)
from figures import run_label  # noqa: E402
from procfs import clk_tck, fmt_dur, now  # noqa: E402
from processes import REPO, Procs, enable_parent_death_signal  # noqa: E402
from runs import Runs  # noqa: E402
from servers import Servers  # noqa: E402
from service_runs import ServiceRuns  # noqa: E402
from workload import floor_body  # noqa: E402

SCHEMA = "hashmesh-bench/1"


class Bench(BuildSteps, Servers, Runs, ServiceRuns):
    def __init__(self, args):
        self.args = args
        self.procs = Procs()
        self.t0 = now()
        self.steps = []  # (name, estimate_s)
        self.step_index = 0
        self.step_started = now()
        self.results = None
        self.out = Path(args.out)
        self.logs = self.out / "logs"
        self.bin = Path(args.build_dir)
        self.tck = clk_tck()
        self.failed = []
        self.certs = None  # servers.make_certs(), for the mTLS configurations

    # --- progress -------------------------------------------------------------

    def plan(self, steps):
        self.steps = steps

    def begin(self, name):
        self.step_index += 1
        self.step_started = now()
        self.progress(name)

    def left(self):
        cur = self.steps[self.step_index - 1][1] if self.step_index else 0
        in_cur = max(0, cur - (now() - self.step_started))
        rest = sum(est for _, est in self.steps[self.step_index:])
        return in_cur + rest

    def progress(self, detail):
        n = len(self.steps)
        print(f"[{self.step_index}/{n} | {fmt_dur(now() - self.t0)} elapsed, "
              f"~{fmt_dur(self.left())} left] {detail}", flush=True)

    # --- results --------------------------------------------------------------

    def save(self):
        self.results["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        self.results["elapsed_s"] = round(now() - self.t0, 1)
        tmp = self.out / "results.json.tmp"
        tmp.write_text(json.dumps(self.results, indent=2) + "\n")
        tmp.replace(self.out / "results.json")

    # --- the whole run ---------------------------------------------------------

    def machine_info(self):
        model = "unknown"
        try:
            for line in open("/proc/cpuinfo"):
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
            flags = next((ln for ln in open("/proc/cpuinfo") if ln.startswith("flags")), "")
        except OSError:
            flags = ""
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])

        def cmd(argv):
            try:
                return subprocess.run(argv, capture_output=True, text=True, cwd=REPO,
                                      timeout=10).stdout.strip()
            except (OSError, subprocess.TimeoutExpired):
                return ""
        return {
            "cpu_model": model, "cores": os.cpu_count(), "usable_cores": self.args.cores,
            "sha_ni": " sha_ni " in f" {flags.strip()} ", "memory_gb": round(mem_kb / 1e6, 1),
            "kernel": platform.release(), "os": cmd(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "uptime_before": cmd(["uptime"]), "loadavg_before": open("/proc/loadavg").read().split()[:3],
            "wrk": cmd(["wrk", "-v"]).splitlines()[0] if cmd(["wrk", "-v"]) else "",
            "nginx": subprocess.run([self.args.nginx, "-v"], capture_output=True, text=True).stderr.strip(),
            "compiler": cmd(["c++", "--version"]).splitlines()[0] if cmd(["c++", "--version"]) else "",
            "git_commit": cmd(["git", "rev-parse", "--short", "HEAD"]),
            "git_dirty": bool(cmd(["git", "status", "--porcelain", "--untracked-files=no"])),
            "clk_tck": self.tck,
        }

    def run(self):
        a = self.args
        self.out.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.results = {
            "schema": SCHEMA,
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": "bench/run.sh " + shlex.join(a.argv),
            "settings": {k: v for k, v in vars(a).items() if k not in ("argv",)},
            "machine": self.machine_info(), "build": {}, "runs": [], "loc": None}
        self.floor_body, mean = floor_body(a.accounts, 100)
        self.results["settings"]["floor_body_bytes"] = len(self.floor_body)
        self.results["settings"]["payment_response_mean_bytes"] = round(mean, 1)
        print(f"hashmesh benchmark -> {self.out}\n  machine: {self.results['machine']['cpu_model']}, "
              f"{self.results['machine']['cores']} cores; load average before: "
              f"{' '.join(self.results['machine']['loadavg_before'])}", flush=True)

        # The floor runs at the start of every pass and once more at the end:
        # on a shared machine one of them may be disturbed, and the report
        # takes the best. --repeat N runs every configuration N times,
        # interleaved, and the report takes each one's best run.
        per_run = 2 + a.settle + a.warmup + a.duration + 1.5
        floor = [("nginx", None, c) for c in a.connections] if "nginx" in a.configs else []
        one_pass = []
        for cfg in GATEWAY_CONFIGS:
            if cfg in a.configs:
                one_pass += [(cfg, r, c) for r in a.rounds for c in a.connections]
        if "engine" in a.configs:
            one_pass += [("engine", r, c) for r in a.rounds for c in a.connections]
        for cfg in OPEN_LOOP_CONFIGS:
            if cfg in a.configs:
                one_pass += [(cfg, None, c) for c in a.connections]
        plan = []
        for _ in range(a.repeat):
            plan += floor + one_pass
        if one_pass:
            plan += floor
        total = {}
        for key in plan:
            total[key] = total.get(key, 0) + 1
        seen, runs = {}, []
        for key in plan:
            seen[key] = seen.get(key, 0) + 1
            runs.append(key + (seen[key] if total[key] > 1 else None,))
        steps = []
        if not a.no_build:
            steps.append(("build", 15 if (Path(a.build_dir) / "build.ninja").exists() else 900))
        steps.append(("loc", 1))
        measure_hash = bool(set(GATEWAY_CONFIGS) & set(a.configs))
        if measure_hash:
            steps.append(("hash cost", 1 + len(a.rounds)))
        open_loop = a.warmup + a.duration + 1 if a.pgstub_rate > 0 else 0
        streams = 2 * (a.warmup + a.duration + 1) if a.stream_items else 0
        steps += [("run", per_run + (open_loop if cfg in OPEN_LOOP_CONFIGS else 0)
                   + (streams if cfg in STREAM_CONFIGS else 0))
                  for cfg, _, _, _ in runs]
        if a.build_timing:
            steps.append(("build-timing", previous_clean_build_s() or 900))
        self.plan(steps)

        if not a.no_build:
            self.build()
        need = {"gateway": set(GATEWAY_CONFIGS), "engine": {"engine", *MESH_CONFIGS},
                "pgstub": {"pgstub", *MESH_CONFIGS}, "grpcfloor": {"grpcfloor"},
                "loadgen": set(LOADGEN_CONFIGS), "hash_bench": set(GATEWAY_CONFIGS)}
        missing = [str(p) for k, p in self.bins().items()
                   if need[k] & set(a.configs) and not p.exists()]
        if missing:
            raise SystemExit(f"missing binaries: {missing} (build {a.build_dir} first)")
        if set(MTLS_OF) & set(a.configs):
            self.make_certs()
        self.loc()
        if measure_hash:
            self.hash_cost()
        for cfg, rounds, conns, seq in runs:
            self.begin(run_label(cfg, rounds, conns, seq))
            if cfg in LOADGEN_CONFIGS:
                self.service_run(cfg, rounds, conns, seq)
            else:
                self.http_run(cfg, rounds, conns, seq)
        if a.build_timing:
            try:
                self.build_timing()
            except RuntimeError as e:
                print(f"    build timing failed: {e}", flush=True)
                self.results["build"]["clean_error"] = str(e)
        self.step_index = len(self.steps)
        self.results["machine"]["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
        self.results["failed_runs"] = self.failed
        self.results["failed"] = bool(self.failed)
        self.save()
        print(f"[{fmt_dur(now() - self.t0)}] writing the report", flush=True)
        md = report.write_all(self.out / "results.json", self.out)
        print()
        print(md)
        print(f"results: {self.out}/results.json  report: {self.out}/report.md  "
              f"chart: {self.out}/chart.png  logs: {self.logs}")
        if self.failed:
            print(f"FAILED runs: {', '.join(self.failed)}", file=sys.stderr)
            return 1
        return 0


def main(argv):
    args = parse_args(argv)
    enable_parent_death_signal()
    bench = Bench(args)

    def on_signal(signum, _frame):
        print(f"\nsignal {signum}: stopping what this run started", file=sys.stderr, flush=True)
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        return bench.run()
    except KeyboardInterrupt:
        print("\ninterrupted; stopping what this run started", file=sys.stderr)
        return 130
    finally:
        bench.procs.stop_all()
        if bench.results is not None and (bench.out / "results.json").exists():
            try:
                bench.save()
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
