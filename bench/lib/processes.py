"""The processes a run starts: servers that live for a run (Proc, Procs) and
load tools run to completion (run_logged). Every child gets SIGTERM if the
benchmark itself dies."""

import ctypes
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from procfs import now, proc_children, proc_cpu_ticks, proc_ctx_switches, proc_status_kb

REPO = Path(__file__).resolve().parents[2]

_libc = None


def enable_parent_death_signal():
    """From now on every child this module starts gets SIGTERM when the
    benchmark dies, even by SIGKILL."""
    global _libc
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        _libc = None


def child_setup():
    # The child gets SIGTERM if this script dies (even by SIGKILL), so no
    # benchmark process can outlive the run.
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_logged(argv, log_path, timeout, env=None, stderr_to_log=False):
    """Runs a load tool to completion, appending its command line and output
    to log_path; returns (exit code, stdout bytes). Killed if it overruns."""
    with open(log_path, "ab") as log:
        log.write(("$ " + shlex.join(argv) + "\n").encode())
        log.flush()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                             stderr=log if stderr_to_log else subprocess.STDOUT,
                             env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                             preexec_fn=child_setup)
        try:
            out, _ = p.communicate(timeout=timeout)
        except BaseException:
            p.kill()
            p.wait()
            raise
        log.write(out)
    return p.returncode, out


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
                                      preexec_fn=child_setup)
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
