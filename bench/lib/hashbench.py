#!/usr/bin/env python3
"""hashbench: the one-command hashmesh benchmark behind bench/run.sh (issue 6).

Builds the release preset, starts each configuration on 127.0.0.1, measures it
with wrk (or hashmesh-loadgen for the engine and pgstub alone), samples every
process's memory and CPU from /proc, times a clean and an incremental build,
counts lines of code, and writes bench/results/<timestamp>/{results.json,
report.md, chart.png, logs/}. Python 3 standard library only.

Run `bench/run.sh --help`; how to read the report: bench/README.md.
"""

import argparse
import ctypes
import datetime
import hashlib
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (bench/lib/report.py)

REPO = Path(__file__).resolve().parents[2]
LUA = REPO / "bench/wrk/payments.lua"
NGINX_TEMPLATE = REPO / "bench/nginx/floor.conf.in"
SCHEMA = "hashmesh-bench/1"

# The gateway source whose object is rebuilt for the incremental build time.
INCREMENTAL_SOURCE = "gateway/payment_handler.cc"

# Lines of code: non-blank lines that are not // comment lines. The shell
# command below is what is run (and printed in the report), so anyone can
# rerun it by hand from the repository root.
LOC_COUNT = "cat {files} | grep -v '^[[:space:]]*$' | grep -cv '^[[:space:]]*//'"
LOC_GROUPS = [
    ("payment business logic", "gateway/payment/*.cc gateway/payment/*.h gateway/payment_handler.cc"),
    ("gateway (all of gateway/)", "$(find gateway -name '*.cc' -o -name '*.h')"),
    ("engine service", "services/engine/*.cc services/engine/*.h"),
    ("pgstub service", "services/pgstub/*.cc services/pgstub/*.h"),
    ("services/common (shared by both)", "services/common/*.cc services/common/*.h"),
    ("protos", "$(find protos -name '*.proto')"),
]


# ----------------------------------------------------------------------------
# small helpers

def now():
    return time.monotonic()


def fmt_dur(seconds):
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def clk_tck():
    out = subprocess.run(["getconf", "CLK_TCK"], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def proc_cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the comm field: state(3) ... utime(14) stime(15); index 0 is state
    return int(fields[11]) + int(fields[12])


def proc_status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def proc_ctx_switches(pid):
    """Voluntary + involuntary context switches summed over the threads."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def proc_children(pid):
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def machine_busy_ticks():
    """(busy, total, softirq, steal) jiffies of all CPUs from /proc/stat.
    Softirq time (the loopback network's receive path, mostly) is not part of
    any process's utime+stime when the kernel accounts IRQ time separately;
    steal is time the hypervisor gave to another guest."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    idle = vals[3] + vals[4]
    total = sum(vals[:8])  # guest time is already inside user
    return total - idle, total, vals[6], vals[7]


def children_cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def port_free(port):
    """True unless something is bound to 127.0.0.1:port (TIME_WAIT leftovers
    of the previous run do not count: every server here sets SO_REUSEADDR)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def http(method, url, body=None, headers=None, timeout=3):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


_libc = None


def _child_setup():
    # The child gets SIGTERM if this script dies (even by SIGKILL), so no
    # benchmark process can outlive the run.
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# ----------------------------------------------------------------------------
# the workload, per SPEC.md (to give nginx a real-sized body and to check the
# mesh's first answer byte for byte)

def run_logged(argv, log_path, timeout, env=None, stderr_to_log=False):
    """Runs a load tool to completion, appending its command line and output
    to log_path; returns (exit code, stdout bytes). Killed if it overruns."""
    with open(log_path, "ab") as log:
        log.write(("$ " + shlex.join(argv) + "\n").encode())
        log.flush()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                             stderr=log if stderr_to_log else subprocess.STDOUT,
                             env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                             preexec_fn=_child_setup)
        try:
            out, _ = p.communicate(timeout=timeout)
        except BaseException:
            p.kill()
            p.wait()
            raise
        log.write(out)
    return p.returncode, out


def lua_bodies(accounts=100000):
    """The payments bench/wrk/payments.lua sends, in order."""
    cur = ["USD", "EUR", "GBP", "JPY"]
    out = []
    for n in range(4096):
        i = (n * 7919 + 17) % accounts
        if i % 97 != 13:
            out.append((i, 100 + (n % 900), cur[i % 4]))
    return out


def payment_request(i, amount, currency):
    return (f'{{"account_id":"acc-{i:06d}","amount_cents":{amount},"currency":"{currency}",'
            f'"merchant":"corner-cafe","memo":"bench"}}')


def payment_response(i, amount, currency, rounds):
    account = f"acc-{i:06d}"
    salt = hashlib.sha256(f"salt:{account}".encode()).digest()[:16].hex()
    d = f"{account}|{amount}|{currency}|corner-cafe|bench|{salt}".encode()
    for _ in range(rounds):
        d = hashlib.sha256(d).digest()
    digest = d.hex()
    balance = 100000 + (i * 7919) % 10000000
    return (f'{{"payment_id":"pay-{digest[:16]}","account_id":"{account}",'
            f'"amount_cents":{amount},"currency":"{currency}","merchant":"corner-cafe",'
            f'"status":"authorized","balance_after_cents":{balance - amount},'
            f'"algorithm":"sha256","rounds":{rounds},"digest":"{digest}"}}')


def floor_body(accounts, rounds):
    """A real payment response whose size is the mean size of the script's."""
    bodies = lua_bodies(accounts)
    # the size depends only on the digits of amount and balance_after
    sizes = [len(payment_response(i, a, c, 1)) - 1 + len(str(rounds)) for i, a, c in bodies]
    mean = sum(sizes) / len(sizes)
    target = round(mean)
    for (i, a, c), size in zip(bodies, sizes):
        if size == target:
            return payment_response(i, a, c, rounds), mean
    i, a, c = bodies[0]
    return payment_response(i, a, c, rounds), mean


# ----------------------------------------------------------------------------
# processes

class Proc:
    def __init__(self, name, argv, log_path):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.log.write(("$ " + shlex.join(self.argv) + "\n").encode())
        self.log.flush()
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                      stderr=subprocess.STDOUT, cwd=REPO,
                                      preexec_fn=_child_setup)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def log_text(self):
        try:
            return Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, n=15):
        return "\n".join(self.log_text().splitlines()[-n:])

    def pids(self):
        """This process and (for nginx) its workers."""
        return [self.pid] + proc_children(self.pid)

    def _sum(self, read):
        """read(pid) summed over pids(); a process that just exited counts 0."""
        total = 0
        for pid in self.pids():
            try:
                total += read(pid) or 0
            except OSError:
                pass
        return total

    def cpu_ticks(self):
        return self._sum(proc_cpu_ticks)

    def ctx_switches(self):
        return self._sum(proc_ctx_switches)

    def status_kb(self, key):
        return self._sum(lambda pid: proc_status_kb(pid, key))

    def idle_memory(self):
        """VmRSS after start-up, split into anonymous (heap, stacks) and file
        (mapped binaries and libraries) pages, and the thread count."""
        threads = self.status_kb("Threads")
        started = next((ln.split("] ", 1)[-1] for ln in self.log_text().splitlines()
                        if "serving on" in ln or "listening on" in ln), None)
        return {"pid": self.pid, "start_line": started, "rss_idle_kb": self.status_kb("VmRSS"),
                "rss_idle_anon_kb": self.status_kb("RssAnon"),
                "rss_idle_file_kb": self.status_kb("RssFile"), "threads_idle": threads}

    def stop(self, timeout=8):
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signal.SIGTERM)
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()
        return self.popen.returncode


class Procs:
    """Every process this run started; stop_all() is the trap."""

    def __init__(self):
        self.live = []

    def start(self, name, argv, log_path):
        p = Proc(name, argv, log_path)
        self.live.append(p)
        return p

    def stop_all(self):
        # reverse start order: the gateway before its upstreams
        while self.live:
            p = self.live.pop()
            try:
                p.stop()
            except Exception as e:  # keep stopping the others
                print(f"warning: stopping {p.name} (pid {p.pid}): {e}", file=sys.stderr)


class StartError(Exception):
    pass


def wait_until(what, check, procs, timeout=30):
    deadline = now() + timeout
    while now() < deadline:
        for p in procs:
            if not p.alive():
                raise StartError(f"{p.name} exited during start-up (status {p.popen.returncode}); "
                                 f"log {p.log_path}:\n{p.tail()}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise StartError(f"timed out after {timeout} s waiting for {what}")


# ----------------------------------------------------------------------------
# the benchmark

class Bench:
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

    # --- build ----------------------------------------------------------------

    def run_logged(self, argv, log_name, label, timeout):
        """Runs argv with output to logs/<log_name>; heartbeat with ninja's [x/y]."""
        log_path = self.logs / log_name
        with open(log_path, "ab") as log:
            log.write(("$ " + shlex.join(argv) + "\n").encode())
            log.flush()
            start = now()
            p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                 stdin=subprocess.DEVNULL, preexec_fn=_child_setup)
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

    # --- starting configurations ------------------------------------------------

    def bins(self):
        b = self.bin
        return {"gateway": b / "gateway/hashmesh-gateway",
                "engine": b / "services/engine/hashmesh-engine",
                "pgstub": b / "services/pgstub/hashmesh-pgstub",
                "loadgen": b / "bench/loadgen/hashmesh-loadgen"}

    def check_ports(self, ports):
        busy = [p for p in ports if not port_free(p)]
        if busy:
            raise StartError(f"port(s) {busy} on 127.0.0.1 are in use; pick others with "
                             "--gateway-port/--engine-port/--pgstub-port/--nginx-port")

    def start_engine(self, logdir):
        a = self.args
        p = self.procs.start("engine", [self.bins()["engine"], f"--listen=127.0.0.1:{a.engine_port}",
                                         "--drain_timeout=2s"] + shlex.split(a.engine_args),
                             logdir / "engine.log")
        wait_until("engine", lambda: "serving on" in p.log_text() and port_open(a.engine_port), [p])
        return p

    def start_pgstub(self, logdir):
        a = self.args
        p = self.procs.start("pgstub", [self.bins()["pgstub"], f"--listen=127.0.0.1:{a.pgstub_port}",
                                         f"--accounts={a.accounts}", "--drain_timeout=2s"]
                             + shlex.split(a.pgstub_args), logdir / "pgstub.log")
        wait_until("pgstub", lambda: "serving on" in p.log_text() and port_open(a.pgstub_port), [p])
        return p

    def start_gateway(self, logdir, mode, rounds, upstreams):
        a = self.args
        argv = [self.bins()["gateway"], f"--listen=127.0.0.1:{a.gateway_port}",
                f"--hash_rounds={rounds}", f"--accounts={a.accounts}", "--drain_timeout=2s"]
        if a.gateway_threads:
            argv.append(f"--threads={a.gateway_threads}")
        if mode == "inproc":
            argv += ["--store=inproc", "--engine=inproc"]
        else:
            argv += [f"--store_target=127.0.0.1:{a.pgstub_port}",
                     f"--engine_target=127.0.0.1:{a.engine_port}",
                     f"--upstream_channels={a.upstream_channels}"]
        argv += shlex.split(a.gateway_args)
        p = self.procs.start("gateway", argv, logdir / "gateway.log")
        url = f"http://127.0.0.1:{a.gateway_port}/readyz"
        wait_until("gateway /readyz", lambda: http("GET", url, timeout=1)[0] == 200, [p] + upstreams)
        return p

    def start_nginx(self, logdir, body):
        a = self.args
        prefix = logdir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        user_line = ""
        if os.geteuid() == 0:
            import grp
            import pwd
            pw = pwd.getpwuid(0)
            user_line = f"user {pw.pw_name} {grp.getgrgid(pw.pw_gid).gr_name};"
        conf = NGINX_TEMPLATE.read_text()
        for k, v in {"@USER_LINE@": user_line, "@WORKERS@": str(a.cores), "@PREFIX@": str(prefix),
                     "@PORT@": str(a.nginx_port), "@BODY@": body}.items():
            conf = conf.replace(k, v)
        (prefix / "nginx.conf").write_text(conf)
        p = self.procs.start("nginx", [a.nginx, "-p", str(prefix), "-e", str(prefix / "error.log"),
                                        "-c", str(prefix / "nginx.conf")], logdir / "nginx.log")
        wait_until("nginx", lambda: port_open(a.nginx_port) and len(p.pids()) > a.cores, [p])
        return p

    # --- measuring -------------------------------------------------------------

    def sample(self, procs):
        return ({p.name: (p.cpu_ticks(), p.ctx_switches()) for p in procs}, machine_busy_ticks(),
                children_cpu_seconds(), now())

    def cpu_figures(self, procs, before, after, calls):
        ticks0, (busy0, total0, sirq0, steal0), kids0, t0 = before
        ticks1, (busy1, total1, sirq1, steal1), kids1, t1 = after
        per = {}
        for p in procs:
            d = ticks1[p.name][0] - ticks0[p.name][0]
            cs = ticks1[p.name][1] - ticks0[p.name][1]
            per[p.name] = {"cpu_s": round(d / self.tck, 3),
                           "cpu_us_per_req": round(d / self.tck * 1e6 / calls, 2) if calls else None,
                           "ctx_switches_per_req": round(cs / calls, 2) if calls else None}
        wall = t1 - t0
        machine = (busy1 - busy0) / self.tck
        ours = sum(v["cpu_s"] for v in per.values())
        sirq = (sirq1 - sirq0) / self.tck
        tool = kids1 - kids0
        return per, {
            "wall_s": round(wall, 3),
            "machine_busy_cores": round(machine / wall, 2) if wall else None,
            "servers_busy_cores": round(ours / wall, 2) if wall else None,
            "load_tool_cpu_s": round(tool, 3),
            "load_tool_us_per_req": round(tool * 1e6 / calls, 2) if calls else None,
            "load_tool_busy_cores": round(tool / wall, 2) if wall else None,
            # network softirq work (in no process's utime+stime; mostly this run's
            # loopback traffic)
            "softirq_cores": round(sirq / wall, 2) if wall else None,
            # what else ran on the machine meanwhile (other users' builds, ...)
            "foreign_busy_cores": round(max(0.0, machine - ours - tool - sirq) / wall, 2) if wall else None,
            "steal_cores": round((steal1 - steal0) / self.tck / wall, 2) if wall else None,
        }

    def wrk(self, port, conns, seconds, log_path):
        a = self.args
        argv = ["wrk", f"-t{a.wrk_threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "5s",
                "--latency", "-s", str(LUA), f"http://127.0.0.1:{port}"]
        env = dict(os.environ, WRK_JSON="1", ACCOUNTS=str(a.accounts))
        code, out = run_logged(argv, log_path, seconds + 60, env=env)
        text = out.decode(errors="replace")
        m = re.search(r"^WRK_JSON (\{.*\})$", text, re.M)
        if code != 0 or not m:
            raise RuntimeError(f"wrk failed (exit {code}): {text[-800:]}")
        return json.loads(m.group(1))

    def loadgen(self, extra, conns, seconds, log_path):
        a = self.args
        argv = [self.bins()["loadgen"], f"--concurrency={conns}", f"--channels={a.loadgen_channels}",
                f"--duration={seconds}s", "--warmup=0s", "--json"] + extra
        code, out = run_logged([str(x) for x in argv], log_path, seconds + 60,
                               stderr_to_log=True)
        lines = [ln for ln in out.decode(errors="replace").splitlines() if ln.startswith("{")]
        if not lines:
            raise RuntimeError(f"hashmesh-loadgen failed (exit {code}); log {log_path}")
        return json.loads(lines[-1]), code

    def gateway_status_counts(self):
        """The gateway's own count of /v1/payments answers by status code."""
        status, body = http("GET", f"http://127.0.0.1:{self.args.gateway_port}/metrics")
        counts = {}
        if status == 200:
            for m in re.finditer(r'^hashmesh_http_requests_total\{route="payments",code="(\d+)"\} (\d+)$',
                                 body.decode(), re.M):
                counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
        return counts

    def check_first_payment(self, port, rounds):
        """One payment before the warm-up, compared byte for byte with SPEC.md."""
        i, amount, cur = lua_bodies(self.args.accounts)[0]
        status, body = http("POST", f"http://127.0.0.1:{port}/v1/payments",
                            payment_request(i, amount, cur).encode(),
                            {"Content-Type": "application/json"})
        expected = payment_response(i, amount, cur, rounds)
        if status == 201 and body.decode(errors="replace") == expected:
            return "ok", len(body)
        return f"got {status} {body[:200]!r}, expected 201 {expected}", len(body)

    def http_run(self, cfg, rounds, conns, seq=None):
        """One measured wrk run of mesh, inproc or nginx; fresh processes each time."""
        a = self.args
        label = report.run_label(cfg, rounds, conns, seq)
        logdir = self.logs / label.replace(" ", "_")
        logdir.mkdir(parents=True, exist_ok=True)
        rec = {"kind": "wrk", "config": cfg, "rounds": rounds, "connections": conns, "seq": seq,
               "label": label, "duration_s": a.duration, "warmup_s": a.warmup,
               "failed": False, "fail_reasons": []}
        started = []
        try:
            if cfg == "nginx":
                self.check_ports([a.nginx_port])
                started.append(self.start_nginx(logdir, self.floor_body))
                port = a.nginx_port
            elif cfg == "mesh":
                self.check_ports([a.gateway_port, a.engine_port, a.pgstub_port])
                started.append(self.start_pgstub(logdir))
                started.append(self.start_engine(logdir))
                started.append(self.start_gateway(logdir, "mesh", rounds, started[:]))
                port = a.gateway_port
            else:
                self.check_ports([a.gateway_port])
                started.append(self.start_gateway(logdir, "inproc", rounds, []))
                port = a.gateway_port
            time.sleep(a.settle)
            rec["processes"] = {p.name: p.idle_memory() for p in started}
            if cfg != "nginx":
                rec["response_check"], rec["response_bytes"] = self.check_first_payment(port, rounds)
                if rec["response_check"] != "ok":
                    rec["fail_reasons"].append("first payment differs from SPEC.md: "
                                               + rec["response_check"])
            else:
                rec["response_bytes"] = len(self.floor_body)
            self.progress(f"{label}: warm-up {a.warmup} s")
            self.wrk(port, conns, a.warmup, logdir / "wrk-warmup.log")
            self.progress(f"{label}: measuring {a.duration} s")
            before = self.sample(started)
            w = self.wrk(port, conns, a.duration, logdir / "wrk.log")
            after = self.sample(started)
            secs = w["duration_us"] / 1e6
            lat = w["latency_us"]
            rec.update({
                "requests": w["requests"], "rps": round(w["requests"] / secs, 1),
                "latency_ms": {k: round(lat[k] / 1000, 3) for k in
                               ["min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max"]},
                "errors": w["errors"], "non2xx": w["errors"]["status"],
                "bytes_per_response": round(w["bytes"] / w["requests"], 1) if w["requests"] else None})
            per, machine = self.cpu_figures(started, before, after, w["requests"])
            rec["machine"] = machine
            for p in started:
                rec["processes"][p.name].update(per[p.name])
                rec["processes"][p.name]["rss_after_kb"] = p.status_kb("VmRSS")
                rec["processes"][p.name]["hwm_kb"] = p.status_kb("VmHWM")
            rec["sum"] = {
                "rss_idle_kb": sum(v["rss_idle_kb"] for v in rec["processes"].values()),
                "hwm_kb": sum(v["hwm_kb"] for v in rec["processes"].values()),
                "cpu_us_per_req": round(sum(v["cpu_us_per_req"] or 0
                                            for v in rec["processes"].values()), 2)}
            if cfg != "nginx":
                counts = self.gateway_status_counts()
                rec["gateway_status_counts"] = counts
                bad = sum(n for code, n in counts.items() if not code.startswith("2"))
                if bad:
                    rec["fail_reasons"].append(f"gateway /metrics counted {bad} non-2xx answers "
                                               f"(warm-up included): {counts}")
            if rec["non2xx"]:
                rec["fail_reasons"].append(f"{rec['non2xx']} non-2xx responses")
            sock = {k: v for k, v in w["errors"].items() if k != "status" and v}
            if sock:
                rec["fail_reasons"].append(f"socket errors {sock}")
            if not w["requests"]:
                rec["fail_reasons"].append("no request completed")
        except (StartError, RuntimeError, OSError) as e:
            rec["fail_reasons"].append(str(e))
        finally:
            self.stop_started(started, rec)
        self.finish_run(rec)

    def service_run(self, cfg, rounds, conns, seq=None):
        """The engine alone or pgstub alone under hashmesh-loadgen."""
        a = self.args
        label = report.run_label(cfg, rounds, conns, seq)
        logdir = self.logs / label.replace(" ", "_")
        logdir.mkdir(parents=True, exist_ok=True)
        rec = {"kind": "loadgen", "config": cfg, "rounds": rounds, "connections": conns, "seq": seq,
               "label": label, "duration_s": a.duration, "warmup_s": a.warmup,
               "channels": a.loadgen_channels, "failed": False, "fail_reasons": []}
        started = []
        try:
            if cfg == "engine":
                self.check_ports([a.engine_port])
                started.append(self.start_engine(logdir))
                extra = [f"--target=127.0.0.1:{a.engine_port}",
                         "--method=hashmesh.engine.v1.HashEngine/Hash", f"--rounds={rounds}",
                         "--data_bytes=80"]
            else:
                self.check_ports([a.pgstub_port])
                started.append(self.start_pgstub(logdir))
                extra = [f"--target=127.0.0.1:{a.pgstub_port}",
                         "--method=hashmesh.pgstub.v1.AccountStore/GetAccount",
                         f"--accounts={a.accounts}"]
            time.sleep(a.settle)
            rec["processes"] = {p.name: p.idle_memory() for p in started}
            self.progress(f"{label}: warm-up {a.warmup} s")
            self.loadgen(extra, conns, a.warmup, logdir / "loadgen-warmup.log")
            self.progress(f"{label}: measuring {a.duration} s")
            before = self.sample(started)
            j, code = self.loadgen(extra, conns, a.duration, logdir / "loadgen.log")
            after = self.sample(started)
            lat = j["latency_ms"]
            rec.update({
                "requests": j["calls"], "ok": j["ok"], "rps": round(j["calls_per_s"], 1),
                "latency_ms": {"min": lat["min"], "mean": round(lat["mean"], 3),
                               "p50": lat["p50"], "p90": lat["p90"], "p99": lat["p99"],
                               "p999": lat["p999"], "max": lat["max"]},
                "errors": j["errors"], "non2xx": j["calls"] - j["ok"]})
            per, machine = self.cpu_figures(started, before, after, j["calls"])
            rec["machine"] = machine
            for p in started:
                rec["processes"][p.name].update(per[p.name])
                rec["processes"][p.name]["rss_after_kb"] = p.status_kb("VmRSS")
                rec["processes"][p.name]["hwm_kb"] = p.status_kb("VmHWM")
            rec["sum"] = {"rss_idle_kb": sum(v["rss_idle_kb"] for v in rec["processes"].values()),
                          "hwm_kb": sum(v["hwm_kb"] for v in rec["processes"].values()),
                          "cpu_us_per_req": round(sum(v["cpu_us_per_req"] or 0
                                                      for v in rec["processes"].values()), 2)}
            if rec["non2xx"]:
                rec["fail_reasons"].append(f"{rec['non2xx']} calls failed: {j['errors']}")
            if code != 0:
                rec["fail_reasons"].append(f"hashmesh-loadgen exit status {code}")
        except (StartError, RuntimeError, OSError) as e:
            rec["fail_reasons"].append(str(e))
        finally:
            self.stop_started(started, rec)
        self.finish_run(rec)

    def stop_started(self, started, rec):
        """SIGTERMs a run's processes, newest first; a non-zero exit fails the run."""
        for p in reversed(started):
            self.procs.live.remove(p)
            code = p.stop()
            if code not in (0, None):
                rec["fail_reasons"].append(f"{p.name} exited with status {code} on SIGTERM")

    def finish_run(self, rec):
        rec["failed"] = bool(rec["fail_reasons"])
        self.results["runs"].append(rec)
        self.save()
        if rec["failed"]:
            self.failed.append(rec["label"])
            print(f"    FAILED {rec['label']}: " + "; ".join(rec["fail_reasons"])[:2000], flush=True)
        else:
            lat = rec["latency_ms"]
            cpu = rec["sum"]["cpu_us_per_req"]
            print(f"    {rec['label']}: {rec['rps']:,.0f} req/s, avg {lat['mean']:.2f} ms, "
                  f"p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms, "
                  f"{cpu:.1f} us CPU/req, peak RSS {report.mb(rec['sum']['hwm_kb']):.1f} MB, "
                  f"other load {rec['machine']['foreign_busy_cores']} cores", flush=True)

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
        for cfg in ("mesh", "inproc"):
            if cfg in a.configs:
                one_pass += [(cfg, r, c) for r in a.rounds for c in a.connections]
        if "engine" in a.configs:
            one_pass += [("engine", r, c) for r in a.rounds for c in a.connections]
        if "pgstub" in a.configs:
            one_pass += [("pgstub", None, c) for c in a.connections]
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
        steps += [("run", per_run)] * len(runs)
        if a.build_timing:
            steps.append(("build-timing", previous_clean_build_s() or 900))
        self.plan(steps)

        if not a.no_build:
            self.build()
        need = {"gateway": {"mesh", "inproc"}, "engine": {"mesh", "engine"},
                "pgstub": {"mesh", "pgstub"}, "loadgen": {"engine", "pgstub"}}
        missing = [str(p) for k, p in self.bins().items()
                   if need[k] & set(a.configs) and not p.exists()]
        if missing:
            raise SystemExit(f"missing binaries: {missing} (build {a.build_dir} first)")
        self.loc()
        for cfg, rounds, conns, seq in runs:
            self.begin(report.run_label(cfg, rounds, conns, seq))
            if cfg in ("engine", "pgstub"):
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


class DefaultsFormatter(argparse.HelpFormatter):
    """Shows defaults, except the ones that --quick decides (None)."""

    def _get_help_string(self, action):
        h = action.help
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in h:
            h += " (default: %(default)s)"
        return h


def csv_ints(s):
    return [int(x) for x in s.split(",") if x.strip()]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="The hashmesh benchmark (issue 6): builds the release preset, runs wrk "
                    "against the mesh, the in-process gateway and an nginx floor, the engine "
                    "and pgstub alone with hashmesh-loadgen, times the build, counts lines of "
                    "code, and writes bench/results/<timestamp>/{results.json,report.md,chart.png}. "
                    "How to read it: bench/README.md.",
        formatter_class=DefaultsFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run under a minute: rounds 100, 256 connections, 3 s runs after "
                         "1 s warm-ups, no build timing (explicit flags still win)")
    ap.add_argument("--configs", default=None,
                    help="comma list of mesh,inproc,nginx,engine,pgstub [default: all]")
    ap.add_argument("--rounds", default=None, help="gateway --hash_rounds values [default: 1,100,1000]")
    ap.add_argument("--connections", default=None, help="wrk -c values (also loadgen concurrency) "
                    "[default: 64,256]")
    ap.add_argument("--duration", type=int, default=None, help="seconds measured per run [default: 10]")
    ap.add_argument("--warmup", type=int, default=None, help="seconds of warm-up load before each "
                    "measured run, same settings [default: 3]")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run every configuration this many times, interleaved; the report "
                         "uses each one's best run (the nginx floor always runs at the start "
                         "of every pass and once more at the end)")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds between ready and the idle RSS sample")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk -t")
    ap.add_argument("--accounts", type=int, default=100000, help="accounts (pgstub, inproc store, wrk script)")
    ap.add_argument("--gateway-threads", type=int, default=0, help="gateway --threads (0: its default, "
                    "one per CPU)")
    ap.add_argument("--upstream-channels", type=int, default=2, help="gateway --upstream_channels (mesh)")
    ap.add_argument("--loadgen-channels", type=int, default=2, help="hashmesh-loadgen --channels for the "
                    "engine/pgstub alone runs (2 = what the gateway opens)")
    for name in ("gateway", "engine", "pgstub"):
        ap.add_argument(f"--{name}-args", default="", metavar="ARGS",
                        help=f"extra flags for hashmesh-{name}, for experiments "
                             f"(e.g. --gateway-args='--upstream_max_attempts=1')")
    ap.add_argument("--gateway-port", type=int, default=18080, help="gateway port on 127.0.0.1")
    ap.add_argument("--engine-port", type=int, default=15051, help="engine port on 127.0.0.1")
    ap.add_argument("--pgstub-port", type=int, default=15052, help="pgstub port on 127.0.0.1")
    ap.add_argument("--nginx-port", type=int, default=18081, help="nginx port on 127.0.0.1")
    ap.add_argument("--build-dir", default="build/release",
                    help="where the binaries are built (cmake --preset release [-B DIR])")
    ap.add_argument("--no-build", action="store_true", help="use the binaries in --build-dir as they are")
    bt = ap.add_mutually_exclusive_group()
    bt.add_argument("--build-timing", dest="build_timing", action="store_true", default=None,
                    help="time a clean build of the whole project in --clean-build-dir and an "
                         "incremental rebuild [default: on, off with --quick]")
    bt.add_argument("--no-build-timing", dest="build_timing", action="store_false")
    ap.add_argument("--clean-build-dir", default="build/bench-clean",
                    help="scratch dir for the timed clean build (deleted and rebuilt)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="build parallelism (-j)")
    ap.add_argument("--out", default=None, help="results folder [default: bench/results/<timestamp>]")
    a = ap.parse_args(argv)
    a.argv = argv
    q = a.quick
    a.configs = (a.configs or "mesh,inproc,nginx,engine,pgstub").split(",")
    bad = set(a.configs) - {"mesh", "inproc", "nginx", "engine", "pgstub"}
    if bad:
        ap.error(f"unknown --configs {sorted(bad)}")
    a.rounds = csv_ints(a.rounds or ("100" if q else "1,100,1000"))
    a.connections = csv_ints(a.connections or ("256" if q else "64,256"))
    a.duration = a.duration or (3 if q else 10)
    a.warmup = a.warmup if a.warmup is not None else (1 if q else 3)
    if a.build_timing is None:
        a.build_timing = not q
    if a.quick:
        a.settle = min(a.settle, 0.5)
    if any(c < a.wrk_threads for c in a.connections):
        ap.error("every --connections value must be >= --wrk-threads")
    try:
        a.cores = len(os.sched_getaffinity(0))
    except AttributeError:
        a.cores = os.cpu_count()
    a.nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin") or "nginx"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    a.out = a.out or str(REPO / "bench/results" / stamp)
    a.build_dir = os.path.relpath(REPO / a.build_dir, REPO) if not os.path.isabs(a.build_dir) else a.build_dir
    return a


def main(argv):
    global _libc
    args = parse_args(argv)
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        _libc = None
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
