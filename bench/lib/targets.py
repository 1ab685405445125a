"""Issue 6's targets (benchmark, not tests), each with its measured figure and
a verdict."""

from figures import (HEADLINE_CONNS, HEADLINE_ROUNDS, f_int, f_mb, f_pct, find, floor_rps,
                     mb, proc)


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
