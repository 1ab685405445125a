"""The build steps of a run: the release build, the timed clean and
incremental builds, and the lines-of-code count. A mixin of hashbench.Bench:
it uses the run's args, logs, results, begin(), progress() and save()."""

import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from procfs import fmt_dur, now
from processes import REPO, child_setup

# The gateway source whose object is rebuilt for the incremental build time.
INCREMENTAL_SOURCE = "gateway/payment/payment_processor.cc"

# Lines of code: non-blank lines that are not // comment lines. The shell
# command below is what is run (and printed in the report), so anyone can
# rerun it by hand from the repository root.
LOC_COUNT = "cat {files} | grep -v '^[[:space:]]*$' | grep -cv '^[[:space:]]*//'"
LOC_GROUPS = [
    ("payment business logic", "gateway/payment/*.cc gateway/payment/*.h"),
    ("gateway (all of gateway/)", "$(find gateway -name '*.cc' -o -name '*.h')"),
    ("engine service", "services/engine/*.cc services/engine/*.h"),
    ("pgstub service", "services/pgstub/*.cc services/pgstub/*.h"),
    ("services/common (shared by both)", "services/common/*.cc services/common/*.h"),
    ("protos", "$(find protos -name '*.proto')"),
]


class BuildSteps:
    def run_logged(self, argv, log_name, label, timeout):
        """Runs argv with output to logs/<log_name>; heartbeat with ninja's [x/y]."""
        log_path = self.logs / log_name
        with open(log_path, "ab") as log:
            log.write(("$ " + shlex.join(argv) + "\n").encode())
            log.flush()
            start = now()
            p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                 stdin=subprocess.DEVNULL, preexec_fn=child_setup)
            last_beat = start
            try:
                while p.poll() is None:
                    time.sleep(0.5)
                    if now() - start > timeout:
                        p.kill()
                        p.wait()
                        raise RuntimeError(f"{label}: timed out after {timeout} s (log {log_path})")
                    if now() - last_beat >= 20:
                        last_beat = now()
                        m = re.findall(rb"\[(\d+)/(\d+)\]", log_path.read_bytes()[-4000:])
                        where = f" [{m[-1][0].decode()}/{m[-1][1].decode()}]" if m else ""
                        self.progress(f"{label}: {fmt_dur(now() - start)}{where}")
            except BaseException:
                if p.poll() is None:
                    p.terminate()
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
                raise
            elapsed = now() - start
        if p.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
            raise RuntimeError(f"{label} failed (exit {p.returncode}); log {log_path}:\n{tail}")
        return elapsed

    def build(self):
        a = self.args
        self.begin(f"build: release preset into {a.build_dir}")
        configure = ["cmake", "--preset", "release"]
        if Path(a.build_dir).resolve() != (REPO / "build/release").resolve():
            configure += ["-B", a.build_dir]
        t_conf = self.run_logged(configure, "build-release.log", "configure", 1800)
        t_build = self.run_logged(["cmake", "--build", a.build_dir, "-j", str(a.jobs)],
                                  "build-release.log", "build", 7200)
        self.results["build"]["release"] = {
            "dir": a.build_dir, "configure_s": round(t_conf, 2), "build_s": round(t_build, 2),
            "note": "as found (incremental); the clean build is timed separately"}
        self.save()

    def build_timing(self):
        a = self.args
        d = a.clean_build_dir
        self.begin(f"build timing: clean build of the whole project in {d}")
        shutil.rmtree(REPO / d, ignore_errors=True)
        t_conf = self.run_logged(["cmake", "--preset", "release", "-B", d],
                                 "build-clean.log", "clean configure", 1800)
        t_build = self.run_logged(["cmake", "--build", d, "-j", str(a.jobs)],
                                  "build-clean.log", "clean build", 7200)
        # Incremental: drop the object of one gateway source (what touching the
        # file does to ninja, without changing the shared tree's timestamps),
        # then rebuild the gateway binary, then everything that depends on it.
        objs = list((REPO / d).rglob(Path(INCREMENTAL_SOURCE).name + ".o"))
        objs = [o for o in objs if "gateway" in str(o)]
        inc = {}
        if len(objs) == 1:
            for target in ["hashmesh-gateway", "all"]:
                objs[0].unlink()
                argv = ["cmake", "--build", d, "-j", str(a.jobs)]
                if target != "all":
                    argv += ["--target", target]
                inc[target] = round(self.run_logged(argv, "build-incremental.log",
                                                    f"incremental build ({target})", 1800), 2)
        self.results["build"]["clean"] = {
            "dir": d, "jobs": a.jobs, "configure_s": round(t_conf, 2), "build_s": round(t_build, 2),
            "total_s": round(t_conf + t_build, 2),
            "incremental_source": INCREMENTAL_SOURCE,
            "incremental_s": inc.get("hashmesh-gateway"),
            "incremental_all_s": inc.get("all"),
            "note": ("clean = configure + build of every target (services, gateway, tests, "
                     "benchmarks); incremental = the object of "
                     f"{INCREMENTAL_SOURCE} removed, then rebuild of hashmesh-gateway "
                     "(incremental_s) and of all targets (incremental_all_s)")}
        self.save()

    # --- lines of code ----------------------------------------------------------

    def loc(self):
        self.begin("lines of code")
        rows = []
        for name, files in LOC_GROUPS:
            cmd = LOC_COUNT.format(files=files)
            out = subprocess.run(["bash", "-c", cmd], cwd=REPO, capture_output=True, text=True)
            nfiles = subprocess.run(["bash", "-c", f"ls {files} | wc -l"], cwd=REPO,
                                    capture_output=True, text=True).stdout.strip()
            try:
                lines = int(out.stdout.strip())
            except ValueError:
                lines = None
            rows.append({"name": name, "files": int(nfiles or 0), "lines": lines, "command": cmd})
        self.results["loc"] = {
            "definition": "non-blank lines that are not // comment lines (*.cc and *.h)",
            "groups": rows}
        self.save()


def previous_clean_build_s():
    best = None
    for f in sorted((REPO / "bench/results").glob("*/results.json")):
        try:
            clean = json.loads(f.read_text()).get("build", {}).get("clean") or {}
            if clean.get("total_s"):
                best = clean["total_s"] + (clean.get("incremental_s") or 0) + (clean.get("incremental_all_s") or 0)
        except (OSError, ValueError):
            pass
    return best
