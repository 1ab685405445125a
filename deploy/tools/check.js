#!/usr/bin/env node
// Offline checks of the hashmesh images and manifests (what CI runs):
//  1. renders deploy/k8s/base and the dev and prod overlays with
//     `kubectl kustomize` (Debian 12's kubectl 1.20 or any later one), and
//     both with the mtls component (overlays/dev-mtls, tests/prod-mtls;
//     kubectl 1.21 or later);
//  2. validates every rendered object against the Kubernetes 1.33 OpenAPI
//     schemas (types, enums, required fields) and rejects unknown fields;
//  3. checks the invariants of deploy/README.md on each render (headless gRPC
//     Services, probes, resources, security context, selectors, ports, the
//     ConfigMap flags against the binaries' own --helpfull, the gateway's
//     admin port and scrape annotations, NetworkPolicies, overlay
//     replicas/HPA/PDBs; with mtls: certificate files from whole-directory
//     Secret mounts, probes on the plaintext health port, the gateway's
//     client certificate), and components/mtls/cert-manager.yaml against it;
//  4. checks deploy/docker/Dockerfile and .dockerignore against the manifests.
//
//   node deploy/tools/check.js [--bin-dir build/release] [--kubectl PATH]
//        [--compare-kubectl PATH] [--out DIR]
//   (or --engine-bin/--pgstub-bin/--gateway-bin PATH instead of --bin-dir)
// Exit status 0 when everything holds; every failure is printed.
"use strict";

const fs = require("fs");
const path = require("path");

const { render, parseStream, kubectlVersion, kubectlRendersComponents } = require("./lib/render");
const { validateObject, SCHEMA_KUBERNETES_VERSION } = require("./lib/schema");
const { checkRender, checkCertManager, SERVICES } = require("./lib/invariants");
const { helpfull, flagfileParses } = require("./lib/flags");
const { checkDockerFiles } = require("./lib/dockerfile");

const ROOT = path.resolve(__dirname, "../..");
// "<overlay>+<component>": the overlay's invariants plus the component's.
const RENDERS = {
  base: "deploy/k8s/base", dev: "deploy/k8s/overlays/dev", prod: "deploy/k8s/overlays/prod",
  "dev+mtls": "deploy/k8s/overlays/dev-mtls", "prod+mtls": "deploy/tests/prod-mtls",
};
const CERT_MANAGER = "deploy/k8s/components/mtls/cert-manager.yaml";
const withComponents = (name) => name.includes("+");

function parseArgs(argv) {
  const opts = { kubectl: process.env.KUBECTL || "kubectl", binDir: path.join(ROOT, "build/release"), bins: {} };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--kubectl": opts.kubectl = value(); break;
      case "--compare-kubectl": opts.compareKubectl = value(); break;
      case "--bin-dir": opts.binDir = path.resolve(value()); break;
      case "--engine-bin": opts.bins["hashmesh-engine"] = path.resolve(value()); break;
      case "--pgstub-bin": opts.bins["hashmesh-pgstub"] = path.resolve(value()); break;
      case "--gateway-bin": opts.bins["hashmesh-gateway"] = path.resolve(value()); break;
      case "--out": opts.out = path.resolve(value()); break;
      case "-h": case "--help":
        console.log(fs.readFileSync(__filename, "utf8").split("\n").slice(1, 21).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
        process.exit(0);
      default:
        throw new Error(`unknown argument ${argv[i]} (see --help)`);
    }
  }
  const rel = { "hashmesh-engine": "services/engine", "hashmesh-pgstub": "services/pgstub", "hashmesh-gateway": "gateway" };
  for (const [bin, dir] of Object.entries(rel)) opts.bins[bin] ||= path.join(opts.binDir, dir, bin);
  return opts;
}

// The gateway's client keepalive interval, read from its source: the servers'
// --min_client_ping_interval must not exceed it.
function gatewayKeepaliveSeconds() {
  const file = path.join(ROOT, "gateway/upstream/grpc_channels.h");
  const m = fs.readFileSync(file, "utf8").match(/absl::Duration keepalive_time\s*=\s*absl::(Seconds|Minutes)\((\d+)\)/);
  if (!m) throw new Error(`${file}: no 'absl::Duration keepalive_time = absl::Seconds(N)'; update deploy/tools/check.js`);
  return Number(m[2]) * (m[1] === "Minutes" ? 60 : 1);
}

// Same objects from two kustomize versions, ignoring the generated ConfigMap
// name suffixes (their hash function differs between kustomize versions).
function normalized(yamlText) {
  return yamlText.replace(/(-flags)-[a-z0-9]{10}\b/g, "$1-HASH");
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const failures = [];
  const fail = (stage, errs) => {
    for (const e of errs) failures.push(`${stage}: ${e}`);
    console.log(`${errs.length ? "FAIL" : "ok  "} ${stage}${errs.length ? ` (${errs.length} problems)` : ""}`);
  };
  console.log(`node ${process.version}; kubectl ${kubectlVersion(opts.kubectl)} (${opts.kubectl}); ` +
    `schemas: Kubernetes ${SCHEMA_KUBERNETES_VERSION} (kubernetes-models ${require("kubernetes-models/package.json").version})`);

  const ctx = { helpfull: {}, gatewayKeepaliveSeconds: gatewayKeepaliveSeconds() };
  for (const [bin, p] of Object.entries(opts.bins)) {
    if (!fs.existsSync(p)) throw new Error(`${p} does not exist: build it, or pass --bin-dir / --${bin.replace("hashmesh-", "")}-bin`);
    ctx.helpfull[bin] = helpfull(p);
  }
  ctx.flagfileParses = (bin, text) => flagfileParses(opts.bins[bin], text);

  const renders = {};
  const componentsOk = kubectlRendersComponents(opts.kubectl);
  for (const [name, dir] of Object.entries(RENDERS)) {
    if (withComponents(name) && !componentsOk) {
      // Not skipped: a check that quietly stops running is a check that rots.
      fail(`${name}: render`, [`${dir} uses kustomize components, which kubectl ${kubectlVersion(opts.kubectl)} cannot render: ` +
        "pass --kubectl with kubectl 1.21 or later"]);
      continue;
    }
    const r = render(opts.kubectl, path.join(ROOT, dir));
    renders[name] = r;
    if (opts.out) {
      fs.mkdirSync(opts.out, { recursive: true });
      fs.writeFileSync(path.join(opts.out, `${name}.yaml`), r.yaml);
    }
    const kinds = {};
    for (const o of r.objects) kinds[o.kind] = (kinds[o.kind] || 0) + 1;
    console.log(`     ${name}: ${r.objects.length} objects (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ")})`);
    const schemaErrors = [];
    for (const o of r.objects) {
      for (const e of validateObject(o)) schemaErrors.push(`${o.kind}/${o.metadata?.name}: ${e}`);
    }
    fail(`${name}: schema (types, enums, required, unknown fields)`, schemaErrors);
    fail(`${name}: invariants`, checkRender(name, r.objects, ctx));
  }

  if (renders["dev+mtls"]) {
    const file = path.join(ROOT, CERT_MANAGER);
    fail(`${CERT_MANAGER} (Certificates for dev+mtls's Secrets)`,
      checkCertManager(parseStream(fs.readFileSync(file, "utf8"), file), renders["dev+mtls"].objects, ctx));
  }

  if (opts.compareKubectl) {
    const errs = [];
    const componentsToo = kubectlRendersComponents(opts.compareKubectl);
    for (const [name, dir] of Object.entries(RENDERS)) {
      if (!renders[name] || (withComponents(name) && !componentsToo)) {
        console.log(`     ${name}: not compared (${opts.compareKubectl} cannot render components)`);
        continue;
      }
      const other = render(opts.compareKubectl, path.join(ROOT, dir));
      if (normalized(other.yaml) !== normalized(renders[name].yaml)) {
        errs.push(`${name}: ${opts.compareKubectl} (${kubectlVersion(opts.compareKubectl)}) renders different objects`);
      }
    }
    fail(`same render with ${opts.compareKubectl}`, errs);
  }

  const base = renders.base.objects;
  const expect = { services: {} };
  for (const [name, s] of Object.entries(SERVICES)) {
    const d = base.find((o) => o.kind === "Deployment" && o.metadata.name === name);
    const c = d?.spec.template.spec.containers[0];
    // The public port (EXPOSE); the gateway's admin port is not exposed.
    expect.services[name] = { binary: s.binary, port: c?.ports?.find((p) => p.name === s.protocol)?.containerPort };
    expect.runAsUser = c?.securityContext?.runAsUser ?? d?.spec.template.spec.securityContext?.runAsUser;
    expect.runAsGroup = c?.securityContext?.runAsGroup ?? d?.spec.template.spec.securityContext?.runAsGroup;
  }
  fail("Dockerfile + .dockerignore", checkDockerFiles(path.join(ROOT, "deploy/docker/Dockerfile"), path.join(ROOT, ".dockerignore"), expect));

  if (failures.length) {
    console.log(`\n${failures.length} problems:`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log("all deploy checks passed");
}

try {
  main();
} catch (e) {
  console.error(`check.js: ${e.message}`);
  process.exit(2);
}
