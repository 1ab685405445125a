"""Readings of /proc and of 127.0.0.1 ports that bench/lib's runs are made of."""

import os
import resource
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request


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


def tls_open(port, ca_file, cert_file, key_file):
    """True once a TLS handshake with 127.0.0.1:port succeeds the way the
    gateway dials: the server's certificate verified against ca_file for
    127.0.0.1, a client certificate presented, HTTP/2 by ALPN. (A bare TCP
    connect says nothing of the certificates. With TLS 1.3 the server checks
    the client's certificate after the client's side of the handshake is
    done: the gateway's /readyz, which calls both upstreams' health service
    over its own TLS channels, is what proves the whole.)"""
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.load_cert_chain(cert_file, key_file)
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return t.selected_alpn_protocol() == "h2"


def http(method, url, body=None, headers=None, timeout=3):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
