"""The figures of a results.json as the report shows them: which run counts
for a configuration, the floor, and the formatting of MB, ms, us and %."""

# The article's table (2-vCPU machine, its own code; for scale only).
ARTICLE = {
    "Go (Fiber)": ["85,000", "4.5 ms", "12.0 ms", "25 MB", "240 MB", "0.8 s", "120"],
    "Rust (Axum)": ["102,000", "3.8 ms", "4.2 ms", "4 MB", "45 MB", "6.5 s", "145"],
}
# The targets and the article's table are read at rounds=100, 256 connections.
HEADLINE_ROUNDS = 100
HEADLINE_CONNS = 256

MB = 1e6  # memory is reported in MB = 10^6 bytes (/proc gives KiB)

NOISY_CORES = 0.25  # a run with more CPU used by other programs is marked noisy


def run_label(cfg, rounds, conns, seq=None):
    base = f"{cfg} c{conns}" if rounds is None else f"{cfg} r{rounds} c{conns}"
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


def f_ratio(v):
    return "n/a" if v is None else f"{v:.2f}"


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


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
