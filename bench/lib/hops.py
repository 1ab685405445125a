"""The per-item cost of a gRPC hop, unary calls vs batch streams (issue 12):
pgstub and the gRPC floor alone under hashmesh-loadgen, their lookups as
unary GetAccount calls and as items of GetAccountStream."""

from figures import f_int, f_ms, f_ratio, f_us, noisy, table


def hop_us(run, server_us):
    """Server + load tool CPU per item: one hop, both sides."""
    client = (run.get("machine") or {}).get("load_tool_us_per_req")
    return None if server_us is None or client is None else server_us + client


def carried_as(s):
    streams = s.get("streams")
    on = f" ({streams} streams)" if streams else ""
    if s.get("batching") == "natural":
        return f"GetAccountStream, natural batching{on}"
    return f"GetAccountStream, {s.get('name')}{on}"


def hop_items_table(res):
    """One row per way of carrying the lookups, per pgstub and floor run:
    items/s, latency, items per message and CPU per item on each side."""
    rows = []
    for r in res["runs"]:
        if r["kind"] != "loadgen" or not r.get("stream_runs") or not r.get("latency_ms"):
            continue
        unary_server = ((r.get("processes") or {}).get(r["config"]) or {}).get("cpu_us_per_req")
        unary_hop = hop_us(r, unary_server)
        variants = [("unary GetAccount calls", r, unary_server, "1 / 1")]
        for s in r["stream_runs"]:
            if not s.get("latency_ms"):
                continue
            per_msg = (f"{f_ratio(s.get('items_per_message'))} / "
                       f"{f_ratio(s.get('results_per_message'))}")
            variants.append((carried_as(s), s, s.get("server_cpu_us_per_item"), per_msg))
        for name, run, server_us, per_msg in variants:
            hop = hop_us(run, server_us)
            rows.append([
                r["label"], name,
                f_int(run["rps"]) + (" (noisy)" if noisy(run) else ""),
                f_ms(run["latency_ms"]["p50"]), f_ms(run["latency_ms"]["p99"]), per_msg,
                f_us(server_us), f_us((run.get("machine") or {}).get("load_tool_us_per_req")),
                f"**{f_us(hop)}**",
                f"{hop / unary_hop:.2f}x" if hop is not None and unary_hop else "n/a",
                f_int(run.get("non2xx"))])
    if not rows:
        return "no stream run (`--configs ...,pgstub,grpcfloor` with `--stream-items` > 0)"
    return table(["run (hashmesh-loadgen)", "carried as", "items/s", "p50", "p99",
                  "items per message, sent / answered", "server CPU us/item",
                  "load tool CPU us/item", "hop, both sides, us/item", "vs unary",
                  "failed items"], rows)
