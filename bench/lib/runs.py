"""One measured wrk run of a configuration (the gateway or nginx), with /proc
sampled around it, and what every run shares (CPU figures, process figures,
stopping, recording); the gRPC services alone are service_runs.py's. A mixin
of hashbench.Bench: it uses the run's args, logs, results, servers
(servers.Servers), progress() and save()."""

import json
import os
import re
import time

import metrics
from cli import MESH_CONFIGS, MTLS_OF, UPSTREAM_MODES
from figures import f_ratio, f_us, mb, run_label
from procfs import children_cpu_seconds, http, machine_busy_ticks, now
from processes import REPO, StartError, run_logged
from workload import lua_bodies, payment_request, payment_response

LUA = REPO / "bench/wrk/payments.lua"


class Runs:
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

    def new_run(self, kind, cfg, rounds, conns, seq, **extra):
        """A run's label, its log folder (created) and its record, not yet failed."""
        label = run_label(cfg, rounds, conns, seq)
        logdir = self.logs / label.replace(" ", "_")
        logdir.mkdir(parents=True, exist_ok=True)
        rec = {"kind": kind, "config": cfg, "rounds": rounds, "connections": conns, "seq": seq,
               "label": label, "duration_s": self.args.duration, "warmup_s": self.args.warmup,
               **extra, "failed": False, "fail_reasons": []}
        return label, logdir, rec

    def http_run(self, cfg, rounds, conns, seq=None):
        """One measured wrk run of mesh, mesh-mtls, mesh-unary, inproc or
        nginx; fresh processes each time."""
        a = self.args
        label, logdir, rec = self.new_run("wrk", cfg, rounds, conns, seq)
        started = []
        try:
            if cfg == "nginx":
                self.check_ports([a.nginx_port])
                started.append(self.start_nginx(logdir, self.floor_body))
                port = a.nginx_port
            elif cfg in MESH_CONFIGS:
                self.check_ports([a.gateway_port, a.engine_port, a.pgstub_port])
                tls = cfg in MTLS_OF
                started.append(self.start_pgstub(logdir, tls))
                started.append(self.start_engine(logdir, tls))
                started.append(self.start_gateway(logdir, cfg, rounds, started[:]))
                rec["upstream_mode"] = UPSTREAM_MODES[cfg]
                rec["upstream_tls"] = "mutual" if tls else "none"
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
            # /metrics is read outside the /proc samples: its own request
            # is not the run's CPU.
            stream = rec.get("upstream_mode") == "stream"
            samples0 = metrics.read(port) if stream else []
            before = self.sample(started)
            w = self.wrk(port, conns, a.duration, logdir / "wrk.log")
            after = self.sample(started)
            samples1 = metrics.read(port) if cfg != "nginx" else []
            secs = w["duration_us"] / 1e6
            lat = w["latency_us"]
            rec.update({
                "requests": w["requests"], "rps": round(w["requests"] / secs, 1),
                "latency_ms": {k: round(lat[k] / 1000, 3) for k in
                               ["min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max"]},
                "errors": w["errors"], "non2xx": w["errors"]["status"],
                "bytes_per_response": round(w["bytes"] / w["requests"], 1) if w["requests"] else None})
            per, rec["machine"] = self.cpu_figures(started, before, after, w["requests"])
            self.add_process_figures(rec, started, per)
            if stream:
                # Over the measured run only, like every other figure of it.
                rec["upstream_streams"] = metrics.stream_figures(samples0, samples1)
            if cfg != "nginx":
                self.check_status_counts(rec, metrics.status_counts(samples1), w["requests"])
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

    def check_status_counts(self, rec, counts, requests):
        """The gateway's own count of /v1/payments answers (first payment,
        warm-up and run): any non-2xx fails the run, and so does a count
        below wrk's, which means /metrics was not read right."""
        rec["gateway_status_counts"] = counts
        bad = sum(n for code, n in counts.items() if not code.startswith("2"))
        if bad:
            rec["fail_reasons"].append(f"gateway /metrics counted {bad} non-2xx answers "
                                       f"(warm-up included): {counts}")
        if sum(counts.values()) < requests:
            rec["fail_reasons"].append(f"gateway /metrics counted {sum(counts.values())} "
                                       f"/v1/payments answers, wrk {requests}: cannot check "
                                       f"the gateway's non-2xx count")

    def hash_cost(self):
        """CPU microseconds of one payment's digest per --rounds value (the
        engine's Hasher, hash_bench): work no HTTP or gRPC floor includes."""
        self.begin("hash cost: hash_bench, one payment digest per --rounds")
        rounds = "|".join(str(r) for r in self.args.rounds)
        argv = [str(self.bins()["hash_bench"]), f"--benchmark_filter=^BM_PaymentDigest/sha256/({rounds})$",
                "--benchmark_format=json", "--benchmark_min_time=0.3"]
        code, out = run_logged(argv, self.logs / "hash_bench.log", 120, stderr_to_log=True)
        try:
            found = json.loads(out.decode(errors="replace"))["benchmarks"]
        except (ValueError, KeyError):
            print(f"    hash_bench failed (exit {code}); see logs/hash_bench.log", flush=True)
            return
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}
        self.results["hash_us"] = {b["name"].rsplit("/", 1)[1]: round(b["cpu_time"] * scale[b["time_unit"]], 2)
                                   for b in found}
        self.save()

    def add_process_figures(self, rec, started, per):
        """Each process's CPU figures and its RSS and peak RSS now; their sums."""
        procs = rec["processes"]
        for p in started:
            procs[p.name].update(per[p.name])
            procs[p.name]["rss_after_kb"] = p.status_kb("VmRSS")
            procs[p.name]["hwm_kb"] = p.status_kb("VmHWM")
        rec["sum"] = {"rss_idle_kb": sum(v["rss_idle_kb"] for v in procs.values()),
                      "hwm_kb": sum(v["hwm_kb"] for v in procs.values()),
                      "cpu_us_per_req": round(sum(v["cpu_us_per_req"] or 0
                                                  for v in procs.values()), 2)}

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
                  f"{cpu:.1f} us CPU/req, peak RSS {mb(rec['sum']['hwm_kb']):.1f} MB, "
                  f"other load {rec['machine']['foreign_busy_cores']} cores"
                  + stream_note(rec) + self.mtls_note(rec), flush=True)

    def mtls_note(self, rec):
        """An mTLS run against the latest run of its plaintext twin with the
        same rounds and connections in this invocation, for the progress line."""
        plain = MTLS_OF.get(rec["config"])
        twin = next((r for r in reversed(self.results["runs"])
                     if (r["config"], r["rounds"], r["connections"])
                     == (plain, rec["rounds"], rec["connections"]) and r.get("rps")), None)
        if twin is None:
            return ""
        cpu, cpu0 = rec["sum"]["cpu_us_per_req"], twin["sum"]["cpu_us_per_req"]
        return (f"; {100 * rec['rps'] / twin['rps']:.1f}% of {twin['label']}'s req/s, "
                f"CPU {f_us(cpu0)} -> {f_us(cpu)} us/req ({cpu - cpu0:+.1f})")


def stream_note(rec):
    """Items per message of a stream run, for the progress line."""
    if rec.get("upstream_mode") != "stream":
        return ""
    st = rec.get("upstream_streams")
    if st is None:
        return "; items per message: not in the gateway's /metrics"
    return "; items per message " + ", ".join(
        f"{u} {f_ratio(st[u]['items_per_message'])} (resent {st[u]['items_resent']})"
        for u in metrics.UPSTREAMS)
