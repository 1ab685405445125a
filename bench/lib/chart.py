"""chart.png (gnuplot): throughput and p99 per configuration."""

import shutil
import subprocess
import sys

from figures import best_runs, run_label


def chart(res, outdir):
    runs = [r for r in best_runs(res, "wrk") if r.get("rps") is not None]
    if not runs or not shutil.which("gnuplot"):
        return None
    # gnuplot linetypes below; the two meshes in two blues, side by side,
    # mesh-mtls in purple beside mesh.
    color = {"mesh": 1, "inproc": 2, "nginx": 3, "mesh-unary": 4, "mesh-mtls": 5}
    order = ["nginx", "inproc", "mesh", "mesh-mtls", "mesh-unary"]
    runs.sort(key=lambda r: (r["connections"], order.index(r["config"]), r["rounds"] or 0))
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
set linetype 4 lc rgb '#66ccee'
set linetype 5 lc rgb '#aa3377'
plot '{outdir / "chart.dat"}' using 0:2:4:xtic(1) with boxes lc variable notitle, \\
     '' using 0:2:(sprintf("%.0fk", $2/1000)) with labels offset 0,0.7 notitle, \\
     '' using 0:3 axes x1y2 with points pt 7 ps 1.6 lc rgb '#cc3311' title 'p99 (ms)', \\
     NaN with boxes lt 1 title 'mesh (streams)', NaN with boxes lt 5 title 'mesh-mtls', \\
     NaN with boxes lt 4 title 'mesh-unary', \\
     NaN with boxes lt 2 title 'inproc', NaN with boxes lt 3 title 'nginx floor'
"""
    (outdir / "chart.gp").write_text(gp)
    p = subprocess.run(["gnuplot", str(outdir / "chart.gp")], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"gnuplot failed: {p.stderr[-500:]}", file=sys.stderr)
        return None
    return outdir / "chart.png"
