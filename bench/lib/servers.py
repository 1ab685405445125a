"""Starting each configuration's servers on 127.0.0.1. A mixin of
hashbench.Bench: it uses the run's args, procs and build directory."""

import os
import shlex

from cli import UPSTREAM_MODES
from procfs import http, port_free, port_open
from processes import REPO, StartError, wait_until

NGINX_TEMPLATE = REPO / "bench/nginx/floor.conf.in"


class Servers:
    def bins(self):
        b = self.bin
        return {"gateway": b / "gateway/hashmesh-gateway",
                "engine": b / "services/engine/hashmesh-engine",
                "pgstub": b / "services/pgstub/hashmesh-pgstub",
                "grpcfloor": b / "bench/grpcfloor/hashmesh-grpc-floor",
                "loadgen": b / "bench/loadgen/hashmesh-loadgen",
                "hash_bench": b / "bench/engine/hash_bench"}

    def check_ports(self, ports):
        busy = [p for p in ports if not port_free(p)]
        if busy:
            raise StartError(f"port(s) {busy} on 127.0.0.1 are in use; pick others with "
                             "--gateway-port/--engine-port/--pgstub-port/--grpcfloor-port/--nginx-port")

    def start_grpc_service(self, name, port, args, logdir):
        """hashmesh-engine, hashmesh-pgstub or hashmesh-grpc-floor on 127.0.0.1:port."""
        p = self.procs.start(name, [self.bins()[name], f"--listen=127.0.0.1:{port}",
                                    "--drain_timeout=2s"] + args, logdir / f"{name}.log")
        wait_until(name, lambda: "serving on" in p.log_text() and port_open(port), [p])
        return p

    def start_engine(self, logdir):
        a = self.args
        return self.start_grpc_service("engine", a.engine_port, shlex.split(a.engine_args), logdir)

    def start_pgstub(self, logdir):
        a = self.args
        return self.start_grpc_service("pgstub", a.pgstub_port,
                                       [f"--accounts={a.accounts}"] + shlex.split(a.pgstub_args),
                                       logdir)

    def start_grpcfloor(self, logdir):
        return self.start_grpc_service("grpcfloor", self.args.grpcfloor_port, [], logdir)

    def start_gateway(self, logdir, cfg, rounds, upstreams):
        """The gateway of cfg (cli.GATEWAY_CONFIGS), ready."""
        a = self.args
        argv = [self.bins()["gateway"], f"--listen=127.0.0.1:{a.gateway_port}",
                f"--hash_rounds={rounds}", f"--accounts={a.accounts}", "--drain_timeout=2s"]
        if a.gateway_threads:
            argv.append(f"--threads={a.gateway_threads}")
        if cfg == "inproc":
            argv += ["--store=inproc", "--engine=inproc"]
        else:
            # The mode explicitly, also for the default (stream): a run's
            # command line in its log says what it measured.
            argv += [f"--store_target=127.0.0.1:{a.pgstub_port}",
                     f"--engine_target=127.0.0.1:{a.engine_port}",
                     f"--upstream_channels={a.upstream_channels}",
                     f"--upstream_mode={UPSTREAM_MODES[cfg]}"]
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
