"""The report's tables, one function each, from a results.json."""

from cli import GATEWAY_CONFIGS, MESH_CONFIGS, MTLS_OF
from figures import (ARTICLE, HEADLINE_CONNS, HEADLINE_ROUNDS, best_runs, compile_cell,
                     f_int, f_mb, f_ms, f_pct, f_ratio, f_us, find, fraction, loc_lines, noisy,
                     proc, table)
from metrics import UPSTREAMS


def article_table(res, conns, with_article):
    cols = [r for r in best_runs(res, "wrk") if r["connections"] == conns and r["config"] != "nginx"
            and r.get("rps") is not None]
    cols.sort(key=lambda r: (GATEWAY_CONFIGS.index(r["config"]), r["rounds"]))
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


CPU_COLUMNS = ("gateway", "engine", "pgstub", "grpcfloor", "nginx")


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
        rows.append([r["label"]]
                    + [f_us(p[n].get("cpu_us_per_req")) if n in p else "-" for n in CPU_COLUMNS]
                    + [f"**{f_us(r['sum']['cpu_us_per_req'])}**",
                       f"{f_us(m.get('load_tool_us_per_req'))} ({tool})",
                       f"{m.get('servers_busy_cores')} + {m.get('load_tool_busy_cores')} + "
                       f"{m.get('softirq_cores', 'n/a')} + {m.get('foreign_busy_cores')}",
                       switches or "n/a"])
    return table(["run", "gateway", "engine", "pgstub", "grpc floor", "nginx", "servers' sum",
                  "load tool", "busy cores: servers + load tool + softirq + other",
                  "context switches per request"], rows)


def items_cell(r):
    """A mesh run's items per message, store / engine (batch streams only)."""
    mode = r.get("upstream_mode")  # absent in results older than issue 12
    if mode != "stream":
        return "- (a call each)" if mode == "unary" else "-"
    st = r.get("upstream_streams")
    if not st:
        return "not in /metrics"
    return " / ".join(f_ratio(st[u]["items_per_message"]) for u in UPSTREAMS)


def hop_table(res):
    """Each mesh (streams, then unary calls) against inproc at the same
    rounds and connections."""
    rows = []
    meshes = [r for r in best_runs(res, "wrk") if r["config"] in MESH_CONFIGS]
    meshes.sort(key=lambda r: (r["rounds"], r["connections"], MESH_CONFIGS.index(r["config"])))
    for m in meshes:
        i = find(res, "inproc", m["rounds"], m["connections"])
        if m.get("rps") is None or not i or i.get("rps") is None:
            continue
        cm, ci = m["sum"]["cpu_us_per_req"], i["sum"]["cpu_us_per_req"]
        rows.append([
            f"r{m['rounds']} c{m['connections']}", m["config"], f_int(i["rps"]), f_int(m["rps"]),
            f_pct(m["rps"] / i["rps"]) if i["rps"] else "n/a",
            f"{m['latency_ms']['p50'] - i['latency_ms']['p50']:+.2f} ms",
            f"{m['latency_ms']['p99'] - i['latency_ms']['p99']:+.2f} ms",
            f"{f_us(ci)} -> {f_us(cm)} ({cm - ci:+.1f})",
            f"{f_mb(i['sum']['hwm_kb'])} -> {f_mb(m['sum']['hwm_kb'])}",
            items_cell(m)])
    return table(["rounds, connections", "mesh", "inproc req/s", "mesh req/s", "mesh / inproc",
                  "p50 added by the hops", "p99 added by the hops",
                  "CPU us/request inproc -> mesh (the hops)", "peak memory inproc -> mesh",
                  "items per message, store / engine"], rows)


def mtls_pairs(res):
    """(plaintext run, mTLS run) of every mTLS configuration and each rounds
    and connections it ran at, best runs of this invocation, both measured."""
    pairs = []
    for m in best_runs(res, "wrk"):
        if m["config"] not in MTLS_OF or m.get("rps") is None:
            continue
        p = find(res, MTLS_OF[m["config"]], m["rounds"], m["connections"])
        if p and p.get("rps") is not None:
            pairs.append((p, m))
    pairs.sort(key=lambda pm: (pm[1]["rounds"], pm[1]["connections"], pm[1]["config"]))
    return pairs


def each_pass(res, plain, m):
    """With --repeat: the mTLS run's req/s over its plaintext twin's in the
    same pass, pass by pass (the best runs above may come from different
    passes); "-" with one pass."""
    ratios = []
    for x in res["runs"]:
        if (x["config"], x["rounds"], x["connections"]) != (m["config"], m["rounds"], m["connections"]):
            continue
        y = next((y for y in res["runs"] if (y["config"], y["rounds"], y["connections"], y["seq"])
                  == (plain["config"], x["rounds"], x["connections"], x["seq"])), None)
        if x.get("rps") is not None and y and y.get("rps"):
            ratios.append(f"{100 * x['rps'] / y['rps']:.1f}%")
    return ", ".join(ratios) if len(ratios) > 1 else "-"


def mtls_table(res):
    """What mutual TLS to both upstreams costs (issue 14): each mTLS run
    against its plaintext twin at the same rounds and connections."""
    rows = []
    for p, m in mtls_pairs(res):
        cp, cm = p["sum"]["cpu_us_per_req"], m["sum"]["cpu_us_per_req"]

        def added(name):
            a, b = proc(p, name, "cpu_us_per_req"), proc(m, name, "cpu_us_per_req")
            return "n/a" if a is None or b is None else f"{b - a:+.1f}"
        sirq = [(r.get("machine") or {}).get("softirq_cores") for r in (p, m)]
        rows.append([
            f"r{m['rounds']} c{m['connections']}", f"{m['config']} vs {p['config']}",
            f_int(p["rps"]) + (" (noisy)" if noisy(p) else ""),
            f_int(m["rps"]) + (" (noisy)" if noisy(m) else ""),
            f"**{100 * m['rps'] / p['rps']:.1f}%**", each_pass(res, p, m),
            f"{m['latency_ms']['p50'] - p['latency_ms']['p50']:+.2f} ms",
            f"{m['latency_ms']['p99'] - p['latency_ms']['p99']:+.2f} ms",
            f"{f_us(cp)} -> {f_us(cm)} (**{cm - cp:+.1f}**)",
            " / ".join(added(n) for n in ("gateway", "engine", "pgstub")),
            " -> ".join("n/a" if x is None else f"{x:.2f}" for x in sirq),
            f"{f_mb(p['sum']['hwm_kb'])} -> {f_mb(m['sum']['hwm_kb'])}",
            f"{items_cell(p)} -> {items_cell(m)}"])
    if not rows:
        return "no mTLS run beside its plaintext twin (`--configs mesh,mesh-mtls`)"
    return table(["rounds, connections", "runs", "plaintext req/s", "mTLS req/s",
                  "mTLS / plaintext", "the same, pass by pass", "p50 added by TLS", "p99 added by TLS",
                  "CPU us/request, three processes, plaintext -> mTLS (TLS)",
                  "of which gateway / engine / pgstub", "softirq cores",
                  "peak memory", "items per message, store / engine"], rows)


def stream_table(res):
    """What the batch streams carried in every stream run, over its measured
    run (the gateway's /metrics before and after)."""
    rows = []
    for r in res["runs"]:
        if r.get("upstream_mode") != "stream" or r.get("rps") is None:
            continue
        st = r.get("upstream_streams")
        if not st:
            rows.append([r["label"], f_int(r["rps"]), "not in /metrics", "-", "-", "-"])
            continue
        rows.append([r["label"], f_int(r["rps"])]
                    + [f"{f_int(st[u]['items'])} / {f_int(st[u]['messages'])} = "
                       f"**{f_ratio(st[u]['items_per_message'])}**" for u in UPSTREAMS]
                    + [" / ".join(f_int(st[u][k]) for u in UPSTREAMS)
                       for k in ("items_resent", "stream_opens")])
    if not rows:
        return "no stream run (`--configs ...,mesh`)"
    return table(["run", "requests/s", "store: items / messages = per message",
                  "engine: items / messages = per message", "items resent, store / engine",
                  "streams opened, store / engine"], rows)


def services_table(res):
    rows = []

    def row(label, r, lat, server_us, hwm_kb):
        p = r["processes"][r["config"]]
        return [label, f_int(r["rps"]), f_ms(lat["mean"]), f_ms(lat["p50"]), f_ms(lat["p99"]),
                f_ms(lat["p999"]), f_ms(lat["max"]), f_us(server_us),
                f_us(((r.get("machine") or {}).get("load_tool_us_per_req"))),
                f"{f_mb(p.get('rss_idle_kb'))} / {f_mb(hwm_kb)}",
                f_int(r.get("non2xx")) + (" **FAILED**" if r.get("failed") else "")
                + (" (noisy)" if noisy(r) else "")]

    for r in res["runs"]:
        if r["kind"] != "loadgen":
            continue
        lat = r.get("latency_ms")
        if not lat:
            rows.append([r["label"], "**FAILED**"] + ["n/a"] * 9)
            continue
        p = r["processes"][r["config"]]
        rows.append(row(r["label"] + ", closed loop", r, lat, p.get("cpu_us_per_req"),
                        p.get("hwm_kb")))
        o = r.get("open_loop")
        if o and o.get("latency_ms"):
            rows.append(row(f"{r['label']}, open loop at {f_int(o['rate'])}/s",
                            dict(r, rps=o["rps"], machine=o["machine"], non2xx=o["non2xx"]),
                            o["latency_ms"], o.get("server_cpu_us_per_call"), o.get("hwm_kb")))
    return table(["run (hashmesh-loadgen)", "calls/s", "average", "p50", "p99", "p99.9", "max",
                  "server CPU us/call", "load tool CPU us/call", "RSS idle / peak",
                  "failed calls"], rows)


def floor_section(res, bounds):
    """What the floors say this machine allows: for the in-process gateway
    (nginx's HTTP + the digest) and for a gRPC hop (the gRPC floor)."""
    b = bounds
    rows = []
    if b.get("inproc_cpu_us") is not None:
        rows += [[f"nginx's CPU per request + one payment's digest ({HEADLINE_ROUNDS} SHA-256 "
                  f"rounds, hash_bench: {b['digest_us']:.1f} us): the in-process gateway, about at least",
                  f"**{b['inproc_cpu_us']:.1f} us**"],
                 ["so inproc, with wrk on the same cores, about at most",
                  f"**{f_int(b['inproc_rps'])} req/s ({f_pct(b.get('inproc_fraction'))} of the "
                  f"nginx floor)**"]]
    if "hop" not in b:
        rows.append(["the gRPC floor", "not run (`--configs ...,grpcfloor`)"])
        return table(["", "figure"], rows)
    h = b["hop"]
    rows += [["the gRPC floor: server CPU per call (completion queue, fixed row)",
              f"{h['server_us']:.1f} us"],
             ["the load tool's CPU per call (hashmesh-loadgen, callback API)",
              f"{h['client_us']:.1f} us"],
             ["one hop, both sides", f"**{h['hop_us']:.1f} us**"],
             ["so about the most calls/s any gRPC service can show here under "
              "hashmesh-loadgen (cores / one hop)", f"**{f_int(b['grpc_calls_per_s'])}**"]]
    for name in ("pgstub", "engine"):
        r = find(res, name, HEADLINE_ROUNDS if name == "engine" else None, HEADLINE_CONNS)
        us = proc(r, name, "cpu_us_per_req")
        if us is not None:
            what = ("the callback API, the table, the 2 ms timer" if name == "pgstub"
                    else f"the callback API and {HEADLINE_ROUNDS} SHA-256 rounds")
            rows.append([f"{name}'s server CPU per call above the floor ({what})",
                         f"{us - h['server_us']:+.1f} us"])
    if b.get("mesh_cpu_us") is not None:
        rows += [["a mesh payment with unary calls (mesh-unary): the in-process gateway's work "
                  "+ two hops, about (batch streams share part of a hop among items)",
                  f"**{b['mesh_cpu_us']:.0f} us**"],
                 ["so mesh-unary, with wrk on the same cores, about at most",
                  f"**{f_int(b['mesh_rps'])} req/s ({f_pct(b.get('mesh_fraction'))} of the "
                  f"nginx floor)**"]]
    return table(["", "figure"], rows)


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
