"""One measured hashmesh-loadgen run of a gRPC service alone (the engine,
pgstub, the gRPC floor): closed loop, open loop, and GetAccountStream's
items (issue 12), with /proc sampled around each. A mixin of
hashbench.Bench beside runs.Runs, whose sample, cpu_figures, new_run,
add_process_figures, stop_started and finish_run it uses."""

import json
import time

from cli import OPEN_LOOP_CONFIGS, STREAM_CONFIGS
from processes import StartError, run_logged

# The open loop's cap on calls in flight: per connection, what the services
# allow by default (--max_concurrent_streams), so none waits in the client.
OPEN_LOOP_STREAMS = 1000
GET_ACCOUNT_STREAM = "hashmesh.pgstub.v1.AccountStore/GetAccountStream"


class ServiceRuns:
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

    def service_target(self, cfg, rounds):
        """(port, start function, hashmesh-loadgen flags) of a gRPC service run alone."""
        a = self.args
        get_account = ["--method=hashmesh.pgstub.v1.AccountStore/GetAccount",
                       f"--accounts={a.accounts}"]
        return {
            "engine": (a.engine_port, self.start_engine,
                       ["--method=hashmesh.engine.v1.HashEngine/Hash", f"--rounds={rounds}",
                        "--data_bytes=80"]),
            "pgstub": (a.pgstub_port, self.start_pgstub, get_account),
            "grpcfloor": (a.grpcfloor_port, self.start_grpcfloor, get_account),
        }[cfg]

    def measure_loadgen(self, label, started, extra, conns, logdir, name):
        """Warm-up, then one measured hashmesh-loadgen run with /proc sampled
        around it; returns the figures and its exit status."""
        a = self.args
        self.progress(f"{label}: warm-up {a.warmup} s")
        self.loadgen(extra, conns, a.warmup, logdir / f"{name}-warmup.log")
        self.progress(f"{label}: measuring {a.duration} s")
        before = self.sample(started)
        j, code = self.loadgen(extra, conns, a.duration, logdir / f"{name}.log")
        after = self.sample(started)
        lat = j["latency_ms"]
        figures = {
            "requests": j["calls"], "ok": j["ok"], "rps": round(j["calls_per_s"], 1),
            "latency_ms": {"min": lat["min"], "mean": round(lat["mean"], 3),
                           "p50": lat["p50"], "p90": lat["p90"], "p99": lat["p99"],
                           "p999": lat["p999"], "max": lat["max"]},
            "errors": j["errors"], "non2xx": j["calls"] - j["ok"]}
        for key in ("batching", "streams", "items_per_message", "results_per_message"):
            if key in j:  # a hashmesh-loadgen older than issue 12 has none
                figures[key] = j[key]
        figures["per_process"], figures["machine"] = self.cpu_figures(started, before, after,
                                                                      j["calls"])
        return figures, code

    def service_run(self, cfg, rounds, conns, seq=None):
        """The engine, pgstub or the gRPC floor alone under hashmesh-loadgen:
        closed loop, and for pgstub and the floor also open loop at
        --pgstub-rate."""
        a = self.args
        label, logdir, rec = self.new_run("loadgen", cfg, rounds, conns, seq,
                                          channels=a.loadgen_channels)
        started = []
        try:
            port, start, flags = self.service_target(cfg, rounds)
            self.check_ports([port])
            started.append(start(logdir))
            extra = [f"--target=127.0.0.1:{port}"] + flags
            time.sleep(a.settle)
            rec["processes"] = {p.name: p.idle_memory() for p in started}
            j, code = self.measure_loadgen(label, started, extra, conns, logdir, "loadgen")
            per = j.pop("per_process")
            rec.update(j)
            self.add_process_figures(rec, started, per)
            if cfg in OPEN_LOOP_CONFIGS and a.pgstub_rate > 0:
                # Open loop: latency from each call's scheduled start, so a
                # server that falls behind shows it (issue 3's tail target;
                # the floor at the same rate shows what gRPC alone adds).
                o, ocode = self.measure_loadgen(
                    f"{label} open loop {a.pgstub_rate:,}/s", started,
                    extra + [f"--rate={a.pgstub_rate}"], OPEN_LOOP_STREAMS * a.loadgen_channels,
                    logdir, "loadgen-open")
                o["rate"] = a.pgstub_rate
                o["server_cpu_us_per_call"] = o.pop("per_process")[cfg]["cpu_us_per_req"]
                o["hwm_kb"] = started[0].status_kb("VmHWM")  # since start: both loops
                rec["open_loop"] = o
                if o["non2xx"] or ocode != 0:
                    rec["fail_reasons"].append(f"open loop: {o['non2xx']} calls failed "
                                               f"{o['errors']} (exit status {ocode})")
            if cfg in STREAM_CONFIGS and a.stream_items:
                self.stream_runs(rec, label, started, extra, conns, logdir)
            if rec["non2xx"]:
                rec["fail_reasons"].append(f"{rec['non2xx']} calls failed: {rec['errors']}")
            if code != 0:
                rec["fail_reasons"].append(f"hashmesh-loadgen exit status {code}")
        except (StartError, RuntimeError, OSError) as e:
            rec["fail_reasons"].append(str(e))
        finally:
            self.stop_started(started, rec)
        self.finish_run(rec)

    def stream_runs(self, rec, label, started, extra, conns, logdir):
        """The same lookups as items of GetAccountStream, closed loop with
        conns items in flight: natural batching over --loadgen-channels
        streams, then --stream-items items per message (conns / that many
        streams). In rec["stream_runs"], CPU per item."""
        cfg = rec["config"]
        k = self.args.stream_items
        rec["stream_runs"] = []
        for name, flags in (("natural", ["--items_per_message=0"]),
                            (f"{k} per message", [f"--items_per_message={k}"])):
            base = [f for f in extra if not f.startswith("--method=")]
            s, code = self.measure_loadgen(
                f"{label} GetAccountStream, {name}", started,
                base + [f"--method={GET_ACCOUNT_STREAM}"] + flags, conns, logdir,
                "loadgen-stream-" + name.split()[0])
            s["name"] = name
            s["server_cpu_us_per_item"] = s.pop("per_process")[cfg]["cpu_us_per_req"]
            rec["stream_runs"].append(s)
            if s["non2xx"] or code != 0:
                rec["fail_reasons"].append(f"GetAccountStream {name}: {s['non2xx']} items failed "
                                           f"{s['errors']} (exit status {code})")

