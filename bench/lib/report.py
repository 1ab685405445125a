#!/usr/bin/env python3
"""Turns a bench/results/<ts>/results.json into report.md and chart.png.

    python3 bench/lib/report.py bench/results/<ts>/results.json   # rewrites the report

Python 3 standard library + gnuplot. How to read the report: bench/README.md.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

# The article's table (2-vCPU machine, its own code; for scale only).
ARTICLE = {
    "Go (Fiber)": ["85,000", "4.5 ms", "12.0 ms", "25 MB", "240 MB", "0.8 s", "120"],
    "Rust (Axum)": ["102,000", "3.8 ms", "4.2 ms", "4 MB", "45 MB", "6.5 s", "145"],
}
HEADLINE_ROUNDS = 100
HEADLINE_CONNS = 256

# Targets of issue 6 (benchmark, not tests), all at rounds=100, 256 connections.
MB = 1e6  # memory is reported in MB = 10^6 bytes (/proc gives KiB)


NOISY_CORES = 0.25  # a run with more CPU used by other programs is marked noisy


def run_label(cfg, rounds, conns, seq=None):
    base = f"{cfg} c{conns}" if cfg in ("nginx", "pgstub") else f"{cfg} r{rounds} c{conns}"
    return base if seq is None else f"{base} #{seq}"


def noisy(r):
    other = (r.get("machine") or {}).get("foreign_busy_cores")
    return other is not None and other > NOISY_CORES


def mb(kb):
    return None if kb is None else kb * 1024 / MB


def f_mb(kb):
    return "n/a" if kb is None else f"{mb(kb):.1f} MB"


def f_ms(v):
    return "n/a" if v is None else (f"{v:.2f} ms" if v < 100 else f"{v:.0f} ms")


def f_int(v):
    return "n/a" if v is None else f"{v:,.0f}"


def f_us(v):
    return "n/a" if v is None else f"{v:.1f}"


def f_pct(v):
    return "n/a" if v is None else f"{100 * v:.0f}%"


def find(res, cfg, rounds, conns):
    """The best run of a configuration: a measured one that did not fail, with
    the most requests/s (several with --repeat, and the floor runs twice)."""
    runs = [r for r in res["runs"] if r["config"] == cfg and r["connections"] == conns
            and (rounds is None or r["rounds"] == rounds)]
    if not runs:
        return None
    return max(runs, key=lambda r: (r.get("rps") is not None, not r.get("failed"), r.get("rps") or 0))


def best_runs(res, kind):
    keys = []
    for r in res["runs"]:
        k = (r["config"], r["rounds"], r["connections"])
        if r["kind"] == kind and k not in keys:
            keys.append(k)
    return [find(res, *k) for k in keys]


def floor_rps(res, conns):
    r = find(res, "nginx", None, conns)
    return r.get("rps") if r else None


def fraction(res, r):
    fl = floor_rps(res, r["connections"])
    return (r["rps"] / fl) if (fl and r.get("rps") is not None) else None


def proc(r, name, key):
    return ((r or {}).get("processes") or {}).get(name, {}).get(key)


def loc_lines(res, name):
    for g in (res.get("loc") or {}).get("groups", []):
        if g["name"] == name:
            return g["lines"]
    return None


def compile_cell(res):
    clean = (res.get("build") or {}).get("clean")
    if not clean:
        return "not timed"
    inc = clean.get("incremental_s")
    return f"{clean['total_s']:.0f} s clean, {inc:.1f} s incr." if inc is not None else f"{clean['total_s']:.0f} s clean"


# ----------------------------------------------------------------------------
# targets

def targets(res):
    out = []
    R, C = HEADLINE_ROUNDS, HEADLINE_CONNS
    inproc, mesh = find(res, "inproc", R, C), find(res, "mesh", R, C)
    fl = floor_rps(res, C)

    def add(name, measured, ok):
        out.append({"target": name, "measured": measured,
                    "verdict": "n/a" if ok is None else ("PASS" if ok else "MISS")})

    for cfg, r, need in (("inproc", inproc, 0.5), ("mesh", mesh, 0.3)):
        frac = r["rps"] / fl if (r and r.get("rps") and fl) else None
        add(f"{cfg} r{R} c{C} >= {need:.0%} of the nginx floor's req/s",
            f"{f_int(r.get('rps') if r else None)} / {f_int(fl)} = {f_pct(frac)}",
            None if frac is None else frac >= need)
    runs = [r for r in res["runs"] if r["config"] != "nginx"]
    bad = [r["label"] for r in runs if r.get("non2xx") or r.get("failed")]
    add("non-2xx (and failed calls) = 0 in every run",
        "0" if not bad else "failed: " + ", ".join(bad),
        None if not runs else not bad)
    for cfg, r in (("mesh", mesh), ("inproc", inproc)):
        lat = (r or {}).get("latency_ms")
        ratio = lat["p99"] / lat["p50"] if lat and lat.get("p50") else None
        add(f"{cfg} r{R} c{C}: p99 <= 1.5 x p50",
            "n/a" if ratio is None else f"p99 {lat['p99']:.2f} ms / p50 {lat['p50']:.2f} ms = {ratio:.2f}x",
            None if ratio is None else ratio <= 1.5)
    for cfg, r in (("inproc", inproc), ("mesh", mesh)):
        idle = proc(r, "gateway", "rss_idle_kb")
        add(f"gateway ({cfg}) RSS idle < 10 MB", f_mb(idle), None if idle is None else mb(idle) < 10)
    for cfg, r in (("inproc", inproc), ("mesh", mesh)):
        hwm = proc(r, "gateway", "hwm_kb")
        add(f"gateway ({cfg} r{R} c{C}) RSS under load (VmHWM) < 37 MB", f_mb(hwm),
            None if hwm is None else mb(hwm) < 37)
    for name in ("engine", "pgstub"):
        idle = proc(mesh, name, "rss_idle_kb")
        add(f"{name} RSS idle < 10 MB", f_mb(idle), None if idle is None else mb(idle) < 10)
    g = proc(inproc, "gateway", "cpu_us_per_req")
    add(f"inproc r{R} c{C}: gateway CPU < 12 us/request", "n/a" if g is None else f"{g:.1f} us",
        None if g is None else g < 12)
    s = (mesh or {}).get("sum", {}).get("cpu_us_per_req") if mesh and mesh.get("rps") else None
    parts = "" if s is None else " (" + " + ".join(
        f"{n} {proc(mesh, n, 'cpu_us_per_req'):.1f}" for n in ("gateway", "engine", "pgstub")) + ")"
    add(f"mesh r{R} c{C}: CPU < 40 us/request over the three processes",
        "n/a" if s is None else f"{s:.1f} us{parts}", None if s is None else s < 40)
    return out


# ----------------------------------------------------------------------------
# markdown

def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def article_table(res, conns, with_article):
    cols = [r for r in best_runs(res, "wrk") if r["connections"] == conns and r["config"] != "nginx"
            and r.get("rps") is not None]
    cols.sort(key=lambda r: (r["config"] != "mesh", r["rounds"]))
    floor = find(res, "nginx", None, conns)
    if not cols and not floor:
        return None
    header = [f"wrk -t{res['settings']['wrk_threads']} -c{conns}"]
    header += [f"hashmesh {r['config']} (rounds {r['rounds']})" for r in cols]
    if floor and floor.get("rps"):
        header.append("nginx floor")
    if with_article:
        header += [f"article: {k}" for k in ARTICLE]
    logic = loc_lines(res, "payment business logic")
    gw = loc_lines(res, "gateway (all of gateway/)")
    rows = []
    names = ["requests/s", "fraction of the nginx floor", "average latency", "p99 latency",
             "memory idle", "memory under load", "compile time", "lines of code"]
    for i, name in enumerate(names):
        row = [name]
        for r in cols:
            if name == "requests/s":
                row.append(f_int(r["rps"]) + (" **FAILED**" if r.get("failed") else "")
                           + (" (noisy)" if noisy(r) else ""))
            elif name == "fraction of the nginx floor":
                row.append(f_pct(fraction(res, r)))
            elif name == "average latency":
                row.append(f_ms(r["latency_ms"]["mean"]))
            elif name == "p99 latency":
                row.append(f_ms(r["latency_ms"]["p99"]))
            elif name == "memory idle":
                row.append(f_mb(r["sum"]["rss_idle_kb"]))
            elif name == "memory under load":
                row.append(f_mb(r["sum"]["hwm_kb"]))
            elif name == "compile time":
                row.append(compile_cell(res))
            else:
                row.append(f"{logic} (gateway {gw})" if logic is not None else "n/a")
        if floor and floor.get("rps"):
            row.append({"requests/s": f_int(floor["rps"]) + (" (noisy)" if noisy(floor) else ""),
                        "fraction of the nginx floor": "100%",
                        "average latency": f_ms(floor["latency_ms"]["mean"]),
                        "p99 latency": f_ms(floor["latency_ms"]["p99"]),
                        "memory idle": f_mb(floor["sum"]["rss_idle_kb"]),
                        "memory under load": f_mb(floor["sum"]["hwm_kb"])}.get(name, "-"))
        if with_article:
            for vals in ARTICLE.values():
                row.append("-" if name == "fraction of the nginx floor" else
                           vals[[0, None, 1, 2, 3, 4, 5, 6][i]])
        rows.append(row)
    return table(header, rows)


def status_cell(res, r):
    parts = ["**FAILED**" if r.get("failed") else "ok"]
    if noisy(r):
        parts.append(f"noisy: other programs used {r['machine']['foreign_busy_cores']} cores")
    same = [x for x in res["runs"] if (x["config"], x["rounds"], x["connections"])
            == (r["config"], r["rounds"], r["connections"])]
    if len(same) > 1 and find(res, r["config"], r["rounds"], r["connections"]) is r:
        parts.append("best, used above")
    return "; ".join(parts)


def runs_table(res):
    rows = []
    for r in res["runs"]:
        if r["kind"] != "wrk":
            continue
        lat = r.get("latency_ms")
        if not lat:
            rows.append([r["label"], "**FAILED**"] + ["n/a"] * 9)
            continue
        rows.append([
            r["label"], f_int(r["rps"]),
            f_pct(fraction(res, r)),
            f_ms(lat["mean"]), f_ms(lat["p50"]), f_ms(lat["p90"]), f_ms(lat["p99"]),
            f_ms(lat["max"]), f"{lat['p99'] / lat['p50']:.2f}x" if lat["p50"] else "n/a",
            f_int(r.get("non2xx")), status_cell(res, r)])
    return table(["run", "requests/s", "of floor", "average", "p50", "p90", "p99", "max",
                  "p99/p50", "non-2xx", "status"], rows)


def memory_table(res):
    rows = []
    for r in res["runs"]:
        if not r.get("processes") or r["kind"] != "wrk":
            continue
        row = [r["label"]]
        for n in ("gateway", "engine", "pgstub", "nginx"):
            p = r["processes"].get(n)
            row.append(f"{f_mb(p.get('rss_idle_kb'))} / {f_mb(p.get('hwm_kb'))}" if p else "-")
        s = r.get("sum", {})
        row.append(f"{f_mb(s.get('rss_idle_kb'))} / {f_mb(s.get('hwm_kb'))}")
        rows.append(row)
    return table(["run", "gateway idle / peak", "engine idle / peak", "pgstub idle / peak",
                  "nginx (master + workers) idle / peak", "sum idle / peak"], rows)


def idle_table(res):
    """Where the idle RSS is: anonymous pages (heap, stacks) vs mapped files
    (the binary and its shared libraries), per process, from the first run
    of each configuration."""
    rows, seen = [], set()
    for r in res["runs"]:
        for name, p in (r.get("processes") or {}).items():
            key = (r["config"], name)
            if key in seen or p.get("rss_idle_anon_kb") is None:
                continue
            seen.add(key)
            rows.append([f"{name} ({r['config']})", f_mb(p["rss_idle_kb"]), f_mb(p["rss_idle_anon_kb"]),
                         f_mb(p["rss_idle_file_kb"]), p.get("threads_idle", "n/a"),
                         (p.get("start_line") or "").replace("|", "\\|")])
    return table(["process", "RSS idle", "anonymous", "file-backed (binary + .so)", "threads",
                  "its start-up line"], rows)


def cpu_table(res):
    rows = []
    for r in res["runs"]:
        if r.get("rps") is None:
            continue
        p = r["processes"]
        m = r.get("machine", {})
        tool = "wrk" if r["kind"] == "wrk" else "loadgen"
        switches = " + ".join(f"{v['ctx_switches_per_req']:.1f}" for v in p.values()
                              if v.get("ctx_switches_per_req") is not None)
        rows.append([
            r["label"],
            f_us(p.get("gateway", {}).get("cpu_us_per_req")) if "gateway" in p else "-",
            f_us(p.get("engine", {}).get("cpu_us_per_req")) if "engine" in p else "-",
            f_us(p.get("pgstub", {}).get("cpu_us_per_req")) if "pgstub" in p else "-",
            f_us(p.get("nginx", {}).get("cpu_us_per_req")) if "nginx" in p else "-",
            f"**{f_us(r['sum']['cpu_us_per_req'])}**",
            f"{f_us(m.get('load_tool_us_per_req'))} ({tool})",
            f"{m.get('servers_busy_cores')} + {m.get('load_tool_busy_cores')} + "
            f"{m.get('softirq_cores', 'n/a')} + {m.get('foreign_busy_cores')}",
            switches or "n/a"])
    return table(["run", "gateway", "engine", "pgstub", "nginx", "servers' sum", "load tool",
                  "busy cores: servers + load tool + softirq + other", "context switches per request"], rows)


def hop_table(res):
    rows = []
    for m in best_runs(res, "wrk"):
        if m["config"] != "mesh" or m.get("rps") is None:
            continue
        i = find(res, "inproc", m["rounds"], m["connections"])
        if not i or i.get("rps") is None:
            continue
        cm, ci = m["sum"]["cpu_us_per_req"], i["sum"]["cpu_us_per_req"]
        rows.append([
            f"r{m['rounds']} c{m['connections']}", f_int(i["rps"]), f_int(m["rps"]),
            f_pct(m["rps"] / i["rps"]) if i["rps"] else "n/a",
            f"{m['latency_ms']['p50'] - i['latency_ms']['p50']:+.2f} ms",
            f"{m['latency_ms']['p99'] - i['latency_ms']['p99']:+.2f} ms",
            f"{f_us(ci)} -> {f_us(cm)} ({cm - ci:+.1f})",
            f"{f_mb(i['sum']['hwm_kb'])} -> {f_mb(m['sum']['hwm_kb'])}"])
    return table(["rounds, connections", "inproc req/s", "mesh req/s", "mesh / inproc",
                  "p50 added by the hops", "p99 added by the hops",
                  "CPU us/request inproc -> mesh (the hops)", "peak memory inproc -> mesh"], rows)


def services_table(res):
    rows = []
    for r in res["runs"]:
        if r["kind"] != "loadgen":
            continue
        lat = r.get("latency_ms")
        if not lat:
            rows.append([r["label"], "**FAILED**"] + ["n/a"] * 8)
            continue
        name = r["config"]
        p = r["processes"][name]
        rows.append([r["label"], f_int(r["rps"]), f_ms(lat["mean"]), f_ms(lat["p50"]),
                     f_ms(lat["p99"]), f_ms(lat["max"]), f_us(p.get("cpu_us_per_req")),
                     f"{f_mb(p.get('rss_idle_kb'))} / {f_mb(p.get('hwm_kb'))}",
                     f_int(r.get("non2xx")) + (" **FAILED**" if r.get("failed") else "")
                     + (" (noisy)" if noisy(r) else "")])
    return table(["run (hashmesh-loadgen)", "calls/s", "average", "p50", "p99", "max",
                  "server CPU us/call", "RSS idle / peak", "failed calls"], rows)


def build_section(res):
    b = res.get("build") or {}
    lines = []
    rel = b.get("release")
    if rel:
        lines.append(f"- release preset in `{rel['dir']}` (as found, incremental): configure "
                     f"{rel['configure_s']:.1f} s, build {rel['build_s']:.1f} s")
    c = b.get("clean")
    if c:
        lines.append(f"- **clean build of the whole project** (every target: services, gateway, "
                     f"tests, benchmarks; `-j{c['jobs']}` in `{c['dir']}`): configure "
                     f"{c['configure_s']:.1f} s + build {c['build_s']:.1f} s = **{c['total_s']:.1f} s**")
        if c.get("incremental_s") is not None:
            lines.append(f"- **incremental rebuild** after changing `{c['incremental_source']}` "
                         f"(its object removed, as a touch would do): hashmesh-gateway "
                         f"**{c['incremental_s']:.1f} s**; every target that links it "
                         f"{c['incremental_all_s']:.1f} s")
    elif b.get("clean_error"):
        lines.append(f"- clean build timing failed: {b['clean_error'][:300]}")
    else:
        lines.append("- clean/incremental build not timed (`--quick` or `--no-build-timing`)")
    return "\n".join(lines)


def loc_section(res):
    loc = res.get("loc")
    if not loc:
        return "not counted"
    rows = [[g["name"], g["files"], f"**{g['lines']}**", "`" + g["command"].replace("|", "\\|") + "`"] for g in loc["groups"]]
    return (f"Lines = {loc['definition']}; run the command from the repository root.\n\n"
            + table(["what", "files", "lines", "command"], rows))


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
            "for the mesh; nginx master + workers); idle = VmRSS after start-up, under load = "
            "VmHWM (peak RSS) after the warm-up and measured run. Compile time = the whole "
            "project, clean, and the gateway after changing one source. Lines of code = payment "
            "business logic (gateway/payment/ + gateway/payment_handler.cc), all of gateway/ in "
            "brackets. The article's columns are its figures on its own 2-vCPU machine, for "
            "scale only.", ""]
    if res["runs"]:
        chart = "chart.png"
        out += [f"![throughput and p99 per configuration]({chart})", ""]
    out += ["## Targets (issue 6; benchmark, not tests)", "",
            table(["target", "measured", "verdict"],
                  [[t["target"], t["measured"], f"**{t['verdict']}**"] for t in targets(res)]), ""]
    out += ["## Every run (wrk)", "", runs_table(res), "",
            "## The price of the gRPC hops: mesh vs inproc", "", hop_table(res), "",
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
            "## The engine and pgstub alone (hashmesh-loadgen, closed loop)", "",
            services_table(res), "",
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


# ----------------------------------------------------------------------------
# chart

def chart(res, outdir):
    runs = [r for r in best_runs(res, "wrk") if r.get("rps") is not None]
    if not runs or not shutil.which("gnuplot"):
        return None
    color = {"mesh": 1, "inproc": 2, "nginx": 3}
    runs.sort(key=lambda r: (r["connections"], ["nginx", "inproc", "mesh"].index(r["config"]),
                             r["rounds"] or 0))
    lines = ["# label rps p99_ms color"]
    for r in runs:
        label = run_label(r["config"], r["rounds"], r["connections"])
        lines.append(f"\"{label}\" {r['rps']:.1f} {r['latency_ms']['p99']:.3f} "
                     f"{color[r['config']]}")
    (outdir / "chart.dat").write_text("\n".join(lines) + "\n")
    m = res["machine"]
    title = (f"hashmesh: throughput (bars) and p99 latency (dots) per configuration - "
             f"{m['cpu_model']}, {m['cores']} cores, wrk -t{res['settings']['wrk_threads']}, "
             f"{res['started'][:10]}")
    gp = f"""set terminal pngcairo size 1400,720 font ",10" noenhanced
set output '{outdir / "chart.png"}'
set title "{title}"
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by -35 left nomirror
set ytics nomirror
set y2tics
set ylabel "requests/s (bars)"
set y2label "p99 latency, ms (dots)"
set yrange [0:*]
set y2range [0:*]
set xrange [-0.6:{len(runs) - 0.4}]
set grid ytics
set offsets 0, 0, graph 0.08, 0
set key above horizontal
set bmargin 8
set linetype 1 lc rgb '#4477aa'
set linetype 2 lc rgb '#228833'
set linetype 3 lc rgb '#999999'
plot '{outdir / "chart.dat"}' using 0:2:4:xtic(1) with boxes lc variable notitle, \\
     '' using 0:2:(sprintf("%.0fk", $2/1000)) with labels offset 0,0.7 notitle, \\
     '' using 0:3 axes x1y2 with points pt 7 ps 1.6 lc rgb '#cc3311' title 'p99 (ms)', \\
     NaN with boxes lt 1 title 'mesh', NaN with boxes lt 2 title 'inproc', \\
     NaN with boxes lt 3 title 'nginx floor'
"""
    (outdir / "chart.gp").write_text(gp)
    p = subprocess.run(["gnuplot", str(outdir / "chart.gp")], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"gnuplot failed: {p.stderr[-500:]}", file=sys.stderr)
        return None
    return outdir / "chart.png"


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
