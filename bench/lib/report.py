#!/usr/bin/env python3
"""Turns a bench/results/<ts>/results.json into report.md and chart.png.

    python3 bench/lib/report.py bench/results/<ts>/results.json   # rewrites the report

Python 3 standard library + gnuplot. How to read the report: bench/README.md.
"""

import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from chart import chart  # noqa: E402
from figures import HEADLINE_CONNS, NOISY_CORES, table  # noqa: E402
from hops import hop_items_table  # noqa: E402
from tables import (article_table, build_section, cpu_table, floor_section,  # noqa: E402
                    hop_table, idle_table, loc_section, memory_table, mtls_table, runs_table,
                    services_table, stream_table)
from targets import bounds, targets  # noqa: E402


def render(res):
    m = res["machine"]
    s = res["settings"]
    status = ("**FAILED** runs: " + ", ".join(res.get("failed_runs", []))
              if res.get("failed") else "all runs ok (no non-2xx, no socket errors)")
    if "failed" not in res:
        status = "incomplete (interrupted?)"
    out = [f"# hashmesh benchmark, {res['started'][:10]}",
           "",
           f"- machine: {m['cpu_model']}, {m['cores']} cores ({m['usable_cores']} usable), "
           f"{m['memory_gb']} GB, SHA-NI {'yes' if m.get('sha_ni') else 'no'}; {m['os']}, "
           f"kernel {m['kernel']}; {m['compiler']}",
           f"- load average before the run: {' '.join(m['loadavg_before'])} "
           f"(`uptime`: {m['uptime_before']}); after: {' '.join(m.get('loadavg_after') or ['n/a'])}",
           f"- command: `{res['command']}`; started {res['started']}, took "
           f"{res.get('elapsed_s', 0) / 60:.1f} min; commit {m['git_commit']}"
           f"{' (with uncommitted changes)' if m.get('git_dirty') else ''}",
           f"- load: {m['wrk']}, `-t{s['wrk_threads']}`, {s['warmup']} s warm-up then "
           f"{s['duration']} s measured per run, every process restarted per run; "
           f"wrk runs on the same {m['usable_cores']} cores as the servers",
           f"- status: {status}",
           f"- a run is marked *noisy* when other programs used more than {NOISY_CORES} of the "
           f"{m['usable_cores']} cores during it (/proc/stat minus the servers and the load tool); "
           f"the nginx floor runs at the start and at the end, and with `--repeat N` every "
           f"configuration runs N times, interleaved: the tables use each one's best run",
           ""]
    conns = sorted({r["connections"] for r in res["runs"] if r["kind"] == "wrk"},
                   key=lambda c: (c != HEADLINE_CONNS, -c))
    for c in conns:
        t = article_table(res, c, with_article=(c == HEADLINE_CONNS))
        if t:
            out += [f"## The article's table, {c} connections", "", t, ""]
    out += ["Memory = the sum over the configuration's processes (gateway; + engine + pgstub "
            "for mesh, mesh-mtls and mesh-unary; nginx master + workers); idle = VmRSS after start-up, under load = "
            "VmHWM (peak RSS) after the warm-up and measured run. Compile time = the whole "
            "project, clean, and the gateway after changing one source. Lines of code = payment "
            "business logic (gateway/payment/), all of gateway/ in "
            "brackets. The article's columns are its figures on its own 2-vCPU machine, for "
            "scale only.", ""]
    if res["runs"]:
        chart = "chart.png"
        out += [f"![throughput and p99 per configuration]({chart})", ""]
    out += ["## Targets (issues 3, 6, 12 and 14; benchmark, not tests)", "",
            "*Best possible here* estimates what the floors allow any implementation on this "
            "machine (see the gRPC floor below): a target well beyond it cannot be met here, "
            "whatever the code does. Issue 12's compare the mesh (batch streams) with inproc "
            "in the same run, mesh-unary's figures in brackets; issue 14's the mesh over "
            "mutual TLS with the same mesh in plaintext.", "",
            table(["target", "measured", "best possible here", "verdict"],
                  [[t["target"], t["measured"], t["best_possible_here"],
                    f"**{t['verdict']}**" if t["verdict"] != "-" else "-"]
                   for t in targets(res)]), ""]
    out += ["## Every run (wrk)", "", runs_table(res), "",
            "## The price of the gRPC hops: mesh, mesh-mtls and mesh-unary vs inproc", "",
            hop_table(res), "",
            "## The price of mutual TLS: mesh-mtls vs mesh (issue 14)", "",
            "The same processes and flags, with TLS 1.3 and client certificates between the "
            "gateway and both upstreams (development certificates, scripts/dev_certs.sh, in "
            "the run's `certs/`). The gateway's connections (`--upstream_channels` per "
            "upstream) and their batch streams open at start-up, so each handshake is paid "
            "once per connection, before the warm-up: the measured run pays for encrypting "
            "and decrypting the stream messages on both sides, and that is the CPU per "
            "request added (per process: the gateway as client, the engine and pgstub as "
            "servers).", "",
            mtls_table(res), "",
            "## Batch streams (mesh, `--upstream_mode=stream`)", "",
            "What the gateway's streams carried over each measured run: the difference of its "
            "/metrics before and after (`hashmesh_upstream_items_per_message` _sum / _count, "
            "`_items_resent_total`, `_stream_opens_total`). One item is one lookup (store) or "
            "one digest (engine); mesh-unary makes one gRPC call per item instead.", "",
            stream_table(res), "",
            "## Memory per process (MB = 10^6 bytes; idle VmRSS / peak VmHWM)", "", memory_table(res), "",
            "Idle RSS split (from /proc/PID/status RssAnon / RssFile):", "", idle_table(res), "",
            "## CPU microseconds per request, per process", "",
            "utime+stime from /proc/PID/stat over the measured run (all threads; nginx: master "
            "+ workers) divided by the requests completed. The load tool's own CPU and the "
            "machine's busy cores (/proc/stat) show how much of the 2 cores wrk took, how much "
            "went to network softirq work (the loopback receive path, in no process's figures, "
            "nginx's neither) and whether anything else ran meanwhile ('other'). Context switches per request "
            "(voluntary + involuntary, all threads, /proc/PID/task/*/status; per process in the "
            "order of the columns) count the thread hand-offs.", "",
            cpu_table(res), "",
            "## The engine, pgstub and the gRPC floor alone (hashmesh-loadgen)", "",
            services_table(res), "",
            "## A hop per item: unary calls vs batch streams (hashmesh-loadgen)", "",
            "The same lookups, closed loop with the same items in flight, carried as unary "
            "`GetAccount` calls and as items of `GetAccountStream`: natural batching (items that "
            "become ready while a write is in flight go out together) and fixed batches (each "
            "stream writes a message of N items and waits for all their results). CPU per item "
            "= the process's utime+stime over the measured run / items; the load tool's is "
            "hashmesh-loadgen's own, so server + load tool is one hop, both sides. Against the "
            "gRPC floor it is gRPC's own cost per item; against pgstub, with its 2 ms timer "
            "and table. Latency runs from an item being handed to its stream to its result.", "",
            hop_items_table(res), "",
            "## What the floors allow here", "",
            "The nginx floor is the least an HTTP exchange costs on this machine; "
            "`hashmesh-grpc-floor` (GetAccount answered at once with a fixed row on the "
            "completion-queue API, one queue and thread per core: nothing but gRPC's own work) "
            "with the load tool's CPU per call is about the least a gRPC hop costs. What they "
            "imply for each configuration is an estimate (the load tools' CPU per request moves "
            "by some 15% between runs), not a strict bound.", "",
            floor_section(res, bounds(res)), "",
            "## Build", "", build_section(res), "",
            "## Lines of code", "", loc_section(res), "",
            "## Notes", "",
            f"- The nginx floor answers `POST /v1/payments` with a fixed, real payment response "
            f"of {s.get('floor_body_bytes')} bytes (the mean of the script's payments at rounds 100 "
            f"is {s.get('payment_response_mean_bytes')}); nginx adds `Server`, `Date` and "
            f"`Connection` headers the gateway does not send, so the floor carries slightly more "
            f"bytes per response.",
            "- Non-2xx: wrk's own count (status > 399) per measured run, plus the gateway's "
            "/metrics per-status counters over warm-up and run; the first payment of every run is "
            "also compared byte for byte with SPEC.md before the warm-up.",
            "- Raw output of every process and wrk run: `logs/` next to this report; all figures: "
            "`results.json`.",
            ""]
    return "\n".join(out)


def write_all(results_path, outdir):
    res = json.loads(Path(results_path).read_text())
    outdir = Path(outdir)
    chart(res, outdir)
    md = render(res)
    (outdir / "report.md").write_text(md + "\n")
    res["targets"] = targets(res)
    Path(results_path).write_text(json.dumps(res, indent=2) + "\n")
    return md


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py bench/results/<ts>/results.json")
    p = Path(sys.argv[1])
    print(write_all(p, p.parent))
