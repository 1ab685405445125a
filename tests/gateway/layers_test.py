#!/usr/bin/env python3
"""Checks that the gateway's layers only look down (gateway/CMakeLists.txt).

Every #include of every file under gateway/ is checked against the layers
its own layer may use; the libraries make a wrong include fail to link,
and this says which include it was, also for header-only uses.

    python3 tests/gateway/layers_test.py REPO_ROOT
"""
import pathlib
import re
import sys

# layer -> the project include prefixes it may use (its own included).
ALLOWED = {
    "payment": ["gateway/payment/", "services/common/account_id.h",
                "services/common/boost_string_view.h",
                "services/common/json_escape.h"],
    "metrics": ["gateway/metrics/"],
    "upstream": ["gateway/upstream/", "gateway/payment/", "gateway/metrics/",
                 "services/", "hashmesh/", "grpc/"],
    "http": ["gateway/http/", "gateway/metrics/",
             "services/common/in_flight.h",
             "services/common/boost_string_view.h"],
    "routes": ["gateway/routes/", "gateway/http/", "gateway/payment/",
               "gateway/upstream/", "gateway/metrics/"],
    "top": ["gateway/", "services/", "hashmesh/", "grpc/"],
}
# System headers a layer must not use: what it must not know about.
FORBIDDEN_SYSTEM = {
    "payment": ["boost/asio", "boost/beast", "grpc"],
    "metrics": ["boost/asio", "boost/beast", "grpc"],
    "http": ["grpc"],
}
# Quoted includes with these prefixes are hashmesh's own (and its generated
# protos); any other quoted include (absl/...) is a third-party library.
PROJECT = ("gateway/", "services/", "tools/", "bench/", "tests/", "hashmesh/",
           "grpc/")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(relative):
    parts = relative.split("/")
    return parts[1] if len(parts) > 2 and parts[1] in ALLOWED else "top"


def violations(relative, text):
    """The includes of `text` (the file at `relative`) its layer may not use."""
    layer = layer_of(relative)
    found = []
    for kind, header in INCLUDE.findall(text):
        if kind == '"' and header.startswith(PROJECT):
            if not any(header.startswith(p) for p in ALLOWED[layer]):
                found.append(f"{relative}: {layer} may not include \"{header}\"")
        elif kind == "<" and any(header.startswith(p)
                                 for p in FORBIDDEN_SYSTEM.get(layer, [])):
            found.append(f"{relative}: {layer} may not include <{header}>")
    return found


def self_test():
    """The checker itself catches what it is for."""
    assert violations("gateway/payment/x.cc", '#include "gateway/http/a.h"')
    assert violations("gateway/http/x.h", '#include "gateway/payment/a.h"')
    assert violations("gateway/http/x.h", '#include "gateway/routes/a.h"')
    assert violations("gateway/upstream/x.h", '#include "gateway/routes/r.h"')
    assert violations("gateway/payment/x.h", "#include <boost/asio/post.hpp>")
    assert violations("gateway/payment/x.h", "#include <grpcpp/grpcpp.h>")
    assert violations("gateway/http/x.h", '#include "services/pgstub/t.h"')
    assert not violations("gateway/payment/x.h", '#include "absl/a.h"')
    assert not violations("gateway/routes/x.cc",
                          '#include "gateway/http/handler.h"')
    assert not violations("gateway/main.cc", '#include "gateway/routes/r.h"')


def main():
    self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    files = sorted(p for p in (root / "gateway").rglob("*")
                   if p.suffix in (".h", ".cc"))
    if len(files) < 20:
        print(f"layers_test: only {len(files)} files under {root}/gateway")
        return 1
    problems = []
    for path in files:
        problems += violations(str(path.relative_to(root)), path.read_text())
    for problem in problems:
        print(problem)
    print(f"layers_test: {len(files)} files, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
