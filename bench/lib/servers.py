"""Starting each configuration's servers on 127.0.0.1. A mixin of
hashbench.Bench: it uses the run's args, procs and build directory."""

import os
import shlex

from cli import MTLS_OF, UPSTREAM_MODES
from procfs import http, port_free, port_open, tls_open
from processes import REPO, StartError, run_logged, wait_until

NGINX_TEMPLATE = REPO / "bench/nginx/floor.conf.in"
DEV_CERTS = REPO / "scripts/dev_certs.sh"


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

    def make_certs(self):
        """Development certificates for the mTLS configurations (cli.MTLS_OF):
        a new CA, the engine's and pgstub's server certificates and the
        gateway's client certificate, made by scripts/dev_certs.sh at run
        time in the run's own folder (certs/; the keys are 0600 and never in
        the tree: bench/results/ and *.key are ignored by git)."""
        d = self.out / "certs"
        log = self.logs / "dev_certs.log"
        code, _ = run_logged(["bash", str(DEV_CERTS), str(d), "--new-ca", "--days=2"], log, 60)
        if code != 0:
            raise SystemExit(f"scripts/dev_certs.sh failed (exit {code}); see {log}")
        self.certs = d
        self.results["tls"] = {"certs": str(d), "made_by": "scripts/dev_certs.sh (EC P-256, SHA-256)",
                               "client": "gateway.crt", "servers": ["engine.crt", "pgstub.crt"]}

    def server_tls_flags(self, name):
        """The engine's or pgstub's flags for mutual TLS: its own certificate,
        and client certificates required, chaining to the run's CA."""
        c = self.certs
        return [f"--tls_cert_file={c / name}.crt", f"--tls_key_file={c / name}.key",
                f"--tls_client_ca_file={c / 'ca.crt'}"]

    def gateway_tls_files(self):
        """The CA the upstreams' certificates chain to, the gateway's client
        certificate and its key."""
        c = self.certs
        return [c / "ca.crt", c / "gateway.crt", c / "gateway.key"]

    def start_grpc_service(self, name, port, args, logdir, tls=False):
        """hashmesh-engine, hashmesh-pgstub or hashmesh-grpc-floor on
        127.0.0.1:port; with tls, mutual TLS only (the port then refuses
        plaintext: readiness is a TLS handshake with the gateway's
        certificate)."""
        argv = [self.bins()[name], f"--listen=127.0.0.1:{port}", "--drain_timeout=2s"]
        if tls:
            argv += self.server_tls_flags(name)
        p = self.procs.start(name, argv + args, logdir / f"{name}.log")
        listening = ((lambda: tls_open(port, *self.gateway_tls_files())) if tls
                     else (lambda: port_open(port)))
        wait_until(name, lambda: "serving on" in p.log_text() and listening(), [p])
        return p

    def start_engine(self, logdir, tls=False):
        a = self.args
        return self.start_grpc_service("engine", a.engine_port, shlex.split(a.engine_args), logdir,
                                       tls)

    def start_pgstub(self, logdir, tls=False):
        a = self.args
        return self.start_grpc_service("pgstub", a.pgstub_port,
                                       [f"--accounts={a.accounts}"] + shlex.split(a.pgstub_args),
                                       logdir, tls)

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
            if cfg in MTLS_OF:
                # Its plaintext twin's flags and these: the certificates carry
                # 127.0.0.1, so no --upstream_tls_server_name.
                ca, cert, key = self.gateway_tls_files()
                argv += [f"--upstream_tls_ca_file={ca}", f"--upstream_tls_cert_file={cert}",
                         f"--upstream_tls_key_file={key}"]
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
