"""The gateway's /metrics (Prometheus text format 0.0.4): the one reader of its
samples, and what a run takes from them: the /v1/payments answers by status
code, and the batch streams' items per message (issue 12)."""

import re

from procfs import http

# `name{label="value",...} value`: the gateway writes no timestamps.
SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$', re.M)
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')

# The route label is the path (gateway/routes/); the old `route="payments"`
# matched nothing, so the non-2xx check below saw no answers at all.
PAYMENTS_ROUTE = "/v1/payments"
UPSTREAMS = ("store", "engine")


def parse(text):
    """Every sample: [(name, {label: value}, float value)]."""
    return [(m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3)))
            for m in SAMPLE.finditer(text)]


def read(port):
    """The gateway's samples now; [] when /metrics does not answer 200."""
    status, body = http("GET", f"http://127.0.0.1:{port}/metrics")
    return parse(body.decode(errors="replace")) if status == 200 else []


def value(samples, name, **labels):
    """The one sample of name whose labels include labels, or None."""
    return next((v for n, ls, v in samples
                 if n == name and all(ls.get(k) == x for k, x in labels.items())), None)


def status_counts(samples):
    """The gateway's count of /v1/payments answers by status code."""
    counts = {}
    for name, labels, v in samples:
        if name == "hashmesh_http_requests_total" and labels.get("route") == PAYMENTS_ROUTE:
            counts[labels["code"]] = counts.get(labels["code"], 0) + int(v)
    return counts


def stream_figures(before, after):
    """Per upstream, what the batch streams carried between two readings:
    items, messages, their ratio, items sent again and streams opened. None
    when /metrics has no such series (a gateway older than issue 12)."""
    out = {}
    for u in UPSTREAMS:
        def delta(name):
            a, b = value(after, name, upstream=u), value(before, name, upstream=u)
            return None if a is None or b is None else round(a - b)
        items = delta("hashmesh_upstream_items_per_message_sum")
        messages = delta("hashmesh_upstream_items_per_message_count")
        if items is None or messages is None:
            return None
        out[u] = {"items": items, "messages": messages,
                  "items_per_message": round(items / messages, 2) if messages else None,
                  "items_resent": delta("hashmesh_upstream_items_resent_total"),
                  "stream_opens": delta("hashmesh_upstream_stream_opens_total")}
    return out
