"""bench/run.sh's command line."""

import argparse
import datetime
import os
import re
import shutil
import textwrap

from processes import REPO

# Every configuration bench/run.sh knows, by what measures it: wrk against
# the gateway (which also needs the digest's cost, hash_bench) or nginx, or
# hashmesh-loadgen against a gRPC service alone, the last two also in open
# loop at --pgstub-rate. The mesh runs in both of the gateway's
# --upstream_mode values, in the same run, so that what the batch streams
# (issue 12) buy is read side by side with the calls they replaced.
UPSTREAM_MODES = {"mesh": "stream", "mesh-unary": "unary"}
# A configuration run again with mutual TLS between the gateway and both
# upstreams (issue 14): the same processes and flags as its plaintext twin,
# plus the certificates (scripts/dev_certs.sh, made in the run's folder), so
# that what encryption costs per payment reads beside it.
MTLS_OF = {"mesh-mtls": "mesh"}
UPSTREAM_MODES.update({cfg: UPSTREAM_MODES[plain] for cfg, plain in MTLS_OF.items()})
# Each mTLS configuration right after its plaintext twin in a pass.
MESH_CONFIGS = ("mesh", "mesh-mtls", "mesh-unary")
assert set(MESH_CONFIGS) == set(UPSTREAM_MODES)
GATEWAY_CONFIGS = MESH_CONFIGS + ("inproc",)
LOADGEN_CONFIGS = ("engine", "pgstub", "grpcfloor")
OPEN_LOOP_CONFIGS = ("pgstub", "grpcfloor")
# pgstub and the gRPC floor alone also carry their lookups as items of
# GetAccountStream (issue 12), so that a hop's cost per item reads unary vs
# batch streams side by side: natural batching, then fixed batches of
# --stream-items items per message.
STREAM_CONFIGS = ("pgstub", "grpcfloor")
CONFIGS = GATEWAY_CONFIGS + ("nginx",) + LOADGEN_CONFIGS


class DefaultsFormatter(argparse.HelpFormatter):
    """Shows defaults, except the ones that --quick decides (None)."""

    def _get_help_string(self, action):
        h = action.help
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in h:
            h += " (default: %(default)s)"
        return h

    def _split_lines(self, text, width):
        # Whole words only: a configuration name (mesh-unary) is not cut at
        # its hyphen.
        return textwrap.wrap(re.sub(r"\s+", " ", text).strip(), width, break_on_hyphens=False)


def csv_ints(s):
    return [int(x) for x in s.split(",") if x.strip()]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="The hashmesh benchmark (issue 6): builds the release preset, runs wrk "
                    "against the mesh (batch streams, the same over mutual TLS, and unary "
                    "calls), the in-process gateway "
                    "and an nginx floor, the engine, "
                    "pgstub and a gRPC floor alone with hashmesh-loadgen, times the build, counts lines of "
                    "code, and writes bench/results/<timestamp>/{results.json,report.md,chart.png}. "
                    "How to read it: bench/README.md.",
        formatter_class=DefaultsFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run under a minute: rounds 100, 256 connections, 3 s runs after "
                         "1 s warm-ups, no build timing (explicit flags still win)")
    ap.add_argument("--configs", default=None,
                    help=f"comma list of {','.join(CONFIGS)} (mesh: --upstream_mode=stream, "
                         f"mesh-mtls: the same mesh with mutual TLS to both upstreams, "
                         f"mesh-unary: the same mesh with --upstream_mode=unary) [default: all]")
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
    ap.add_argument("--upstream-channels", type=int, default=2, help="gateway --upstream_channels (mesh, mesh-unary)")
    ap.add_argument("--loadgen-channels", type=int, default=2, help="hashmesh-loadgen --channels for the "
                    "engine/pgstub alone runs (2 = what the gateway opens)")
    for name in ("gateway", "engine", "pgstub"):
        ap.add_argument(f"--{name}-args", default="", metavar="ARGS",
                        help=f"extra flags for hashmesh-{name}, for experiments "
                             f"(e.g. --gateway-args='--upstream_max_attempts=1')")
    ap.add_argument("--gateway-port", type=int, default=18080, help="gateway port on 127.0.0.1")
    ap.add_argument("--engine-port", type=int, default=15051, help="engine port on 127.0.0.1")
    ap.add_argument("--pgstub-port", type=int, default=15052, help="pgstub port on 127.0.0.1")
    ap.add_argument("--grpcfloor-port", type=int, default=15053,
                    help="hashmesh-grpc-floor port on 127.0.0.1")
    ap.add_argument("--nginx-port", type=int, default=18081, help="nginx port on 127.0.0.1")
    ap.add_argument("--pgstub-rate", type=int, default=25000,
                    help="pgstub and the gRPC floor alone also run open loop at this many "
                         "calls/s (issue 3's tail target: half of its 50,000/s); 0 = closed "
                         "loop only")
    ap.add_argument("--stream-items", type=int, default=16,
                    help="pgstub and the gRPC floor alone also run GetAccountStream with natural "
                         "batching and with this many items per message (each --connections value "
                         "a multiple of it), for the per-item cost of a hop; 0 = no stream runs")
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
    a.configs = (a.configs or ",".join(CONFIGS)).split(",")
    bad = set(a.configs) - set(CONFIGS)
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
    if a.stream_items < 0 or a.stream_items > 65536:
        ap.error("--stream-items must be 0 (no stream runs) to 65536")
    if a.stream_items and any(c % a.stream_items or c < a.loadgen_channels for c in a.connections):
        ap.error(f"every --connections value must be a multiple of --stream-items "
                 f"({a.stream_items}) and at least --loadgen-channels")
    try:
        a.cores = len(os.sched_getaffinity(0))
    except AttributeError:
        a.cores = os.cpu_count()
    a.nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin") or "nginx"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    a.out = a.out or str(REPO / "bench/results" / stamp)
    a.build_dir = os.path.relpath(REPO / a.build_dir, REPO) if not os.path.isabs(a.build_dir) else a.build_dir
    return a
