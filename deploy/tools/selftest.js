#!/usr/bin/env node
// Negative tests of deploy/tools/check.js: every check must reject what it is
// there to reject, or a passing check.js proves nothing.
//  1. deploy/tests/invalid/*.yaml: deliberately broken manifests (unknown or
//     misplaced fields, wrong types, bad enums, a removed API); each must fail
//     schema validation with the message(s) of its "# expect:" lines.
//  2. The dev and prod renders, each mutated in one way (a ClusterIP gRPC
//     Service, a missing probe, a root user, a misspelt flag, an open
//     NetworkPolicy, ...), and the dev render with the mtls component (a probe
//     left on the TLS port, a subPath certificate mount, a world-readable
//     key, a gateway without its client certificate, ...): each mutation must
//     make the invariants fail with the expected message, and the unmutated
//     renders must pass.
//  3. deploy/k8s/components/mtls/cert-manager.yaml, mutated the same way.
//  4. The Dockerfile and .dockerignore, mutated the same way.
//
//   node deploy/tools/selftest.js [--bin-dir build/release] [--kubectl PATH]
//   (or --engine-bin/--pgstub-bin/--gateway-bin PATH instead of --bin-dir)
"use strict";

const fs = require("fs");
const path = require("path");

const YAML = require("yaml");

const { render, parseStream, kubectlVersion, kubectlRendersComponents } = require("./lib/render");
const { validateObject } = require("./lib/schema");
const { checkRender, checkCertManager } = require("./lib/invariants");
const { helpfull, flagfileParses } = require("./lib/flags");
const { checkDockerfile } = require("./lib/dockerfile");

const ROOT = path.resolve(__dirname, "../..");

function parseArgs(argv) {
  const opts = { kubectl: process.env.KUBECTL || "kubectl", binDir: path.join(ROOT, "build/release"), bins: {} };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--kubectl") opts.kubectl = value();
    else if (flag === "--bin-dir") opts.binDir = path.resolve(value());
    else if (/^--(engine|pgstub|gateway)-bin$/.test(flag)) opts.bins[`hashmesh-${flag.slice(2, -4)}`] = path.resolve(value());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const rel = { "hashmesh-engine": "services/engine", "hashmesh-pgstub": "services/pgstub", "hashmesh-gateway": "gateway" };
  for (const [bin, dir] of Object.entries(rel)) opts.bins[bin] ||= path.join(opts.binDir, dir, bin);
  return opts;
}

const clone = (x) => JSON.parse(JSON.stringify(x));
const find = (objs, kind, name) => {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`mutation target ${kind}/${name} not in the render`);
  return o;
};
const container = (objs, name) => find(objs, "Deployment", name).spec.template.spec.containers[0];
const configMap = (objs, name) => objs.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith(`${name}-flags`));
function editFlags(objs, name, edit) {
  const cm = configMap(objs, name);
  const key = Object.keys(cm.data)[0];
  cm.data[key] = edit(cm.data[key]);
}
// The args after --flagfile (the mtls component's TLS flags), edited as text.
function editArgs(objs, name, edit) {
  const c = container(objs, name);
  c.args = [c.args[0], ...edit(c.args.slice(1).join("\n")).split("\n").filter((a) => a !== "")];
}
const volume = (objs, deployment, name) => find(objs, "Deployment", deployment).spec.template.spec.volumes.find((v) => v.name === name);
const mount = (objs, deployment, name) => container(objs, deployment).volumeMounts.find((m) => m.name === name);

// [render, description, mutate(objects), expected message substring]
const MUTATIONS = [
  ["dev", "engine Service with a cluster IP", (o) => { delete find(o, "Service", "engine").spec.clusterIP; }, "must be headless"],
  ["dev", "pgstub Service with a cluster IP", (o) => { find(o, "Service", "pgstub").spec.clusterIP = "10.0.0.10"; }, "must be headless"],
  ["dev", "engine without readinessProbe", (o) => { delete container(o, "engine").readinessProbe; }, "no readinessProbe"],
  ["dev", "gateway without livenessProbe", (o) => { delete container(o, "gateway").livenessProbe; }, "no livenessProbe"],
  ["dev", "pgstub without startupProbe", (o) => { delete container(o, "pgstub").startupProbe; }, "no startupProbe"],
  ["dev", "engine probed over TCP instead of gRPC", (o) => { container(o, "engine").livenessProbe = { tcpSocket: { port: 50051 } }; }, "native grpc probe"],
  ["dev", "engine gRPC probe on the wrong port", (o) => { container(o, "engine").readinessProbe.grpc.port = 50052; }, "is not the grpc containerPort"],
  ["dev", "gateway readiness on /healthz", (o) => { container(o, "gateway").readinessProbe.httpGet.path = "/healthz"; }, "httpGet /readyz"],
  ["dev", "engine without resource limits", (o) => { delete container(o, "engine").resources.limits; }, "resources.limits.cpu missing"],
  ["dev", "gateway with a fractional CPU limit", (o) => { container(o, "gateway").resources.limits.cpu = "1500m"; }, "whole number of CPUs"],
  ["dev", "pgstub memory limit below measured RSS", (o) => { container(o, "pgstub").resources.limits.memory = "64Mi"; container(o, "pgstub").resources.requests.memory = "64Mi"; }, "below 2x the measured peak RSS"],
  ["dev", "gateway with a writable root filesystem", (o) => { container(o, "gateway").securityContext.readOnlyRootFilesystem = false; }, "readOnlyRootFilesystem"],
  ["dev", "engine running as root", (o) => { container(o, "engine").securityContext.runAsUser = 0; }, "numeric non-root uid"],
  ["dev", "pgstub keeping its capabilities", (o) => { delete container(o, "pgstub").securityContext.capabilities; }, "capabilities.drop must include ALL"],
  ["dev", "engine allowing privilege escalation", (o) => { container(o, "engine").securityContext.allowPrivilegeEscalation = true; }, "allowPrivilegeEscalation"],
  ["dev", "gateway without seccomp", (o) => { delete find(o, "Deployment", "gateway").spec.template.spec.securityContext.seccompProfile; }, "seccompProfile RuntimeDefault"],
  ["dev", "engine mounting a service account token", (o) => { find(o, "Deployment", "engine").spec.template.spec.automountServiceAccountToken = true; }, "automountServiceAccountToken"],
  ["dev", "pgstub Service selecting nothing", (o) => { find(o, "Service", "pgstub").spec.selector["app.kubernetes.io/name"] = "pgstub"; }, "selects 0 Deployments"],
  ["dev", "gateway Service targetPort not a containerPort", (o) => { find(o, "Service", "gateway").spec.ports[0].targetPort = 9091; }, "targetPort 9091 is no containerPort"],
  ["dev", "engine Service port without appProtocol", (o) => { delete find(o, "Service", "engine").spec.ports[0].appProtocol; }, "appProtocol must be kubernetes.io/h2c"],
  ["dev", "engine containerPort renamed", (o) => { container(o, "engine").ports[0].name = "h2c"; }, "must be named grpc or http"],
  ["dev", "misspelt engine flag", (o) => editFlags(o, "engine", (t) => `${t}--max_conection_age=1m\n`), "--max_conection_age is not a flag of hashmesh-engine"],
  ["dev", "engine flag with a malformed value", (o) => editFlags(o, "engine", (t) => t.replace("--max_connection_age=2m", "--max_connection_age=2 minutes")), "rejects the flagfile"],
  ["dev", "engine --listen on another port than its containerPort", (o) => editFlags(o, "engine", (t) => t.replace("0.0.0.0:50051", "0.0.0.0:50061")), "--listen port 50061 != containerPort"],
  ["dev", "pgstub --listen on localhost", (o) => editFlags(o, "pgstub", (t) => t.replace("--listen=0.0.0.0:", "--listen=127.0.0.1:")), "must listen on 0.0.0.0"],
  ["dev", "engine without an explicit max connection age", (o) => editFlags(o, "engine", (t) => t.replace(/^--max_connection_age=.*$/m, "")), "--max_connection_age must be set explicitly"],
  ["dev", "server ping policy stricter than the gateway's keepalive", (o) => editFlags(o, "pgstub", (t) => t.replace("--min_client_ping_interval=10s", "--min_client_ping_interval=60s")), "too_many_pings"],
  ["dev", "engine with a fixed thread count", (o) => editFlags(o, "engine", (t) => t.replace("--worker_threads=0", "--worker_threads=8")), "--worker_threads must be 0"],
  ["dev", "gateway targeting a ClusterIP-style name", (o) => editFlags(o, "gateway", (t) => t.replace("dns:///engine.hashmesh.svc.cluster.local:50051", "engine:50051")), "--engine_target=engine:50051"],
  ["dev", "gateway targeting the gateway Service", (o) => editFlags(o, "gateway", (t) => t.replace("dns:///pgstub.hashmesh", "dns:///gateway.hashmesh")), "Service gateway is not headless"],
  ["dev", "gateway drain longer than the grace period allows", (o) => editFlags(o, "gateway", (t) => t.replace("--drain_timeout=10s", "--drain_timeout=30s")), "must exceed preStop sleep"],
  ["dev", "grace period shorter than preStop + drain", (o) => { find(o, "Deployment", "engine").spec.template.spec.terminationGracePeriodSeconds = 10; }, "must exceed preStop sleep"],
  ["dev", "no preStop sleep", (o) => { delete container(o, "pgstub").lifecycle; }, "preStop.sleep.seconds"],
  ["dev", "flags passed as args instead of the ConfigMap", (o) => { container(o, "engine").args.push("--log_level=debug"); }, "every other flag belongs in the flagfile"],
  ["dev", "rolling update that may take pods down", (o) => { find(o, "Deployment", "gateway").spec.strategy.rollingUpdate.maxUnavailable = 1; }, "maxUnavailable 0"],
  ["dev", "image tag latest", (o) => { container(o, "engine").image = "hashmesh/engine:latest"; }, "tag other than latest"],
  ["dev", "image without a tag", (o) => { container(o, "gateway").image = "hashmesh/gateway"; }, "must be pinned by a tag"],
  ["dev", "version label out of step with the image tag", (o) => { container(o, "pgstub").image = "hashmesh/pgstub:0.2.0"; }, "image tag 0.2.0 != app.kubernetes.io/version"],
  ["dev", "version label in a selector", (o) => { const d = find(o, "Deployment", "engine"); d.spec.selector.matchLabels["app.kubernetes.io/version"] = "0.1.0"; }, "selector contains the version label"],
  ["dev", "missing part-of label", (o) => { delete find(o, "Deployment", "gateway").spec.template.metadata.labels["app.kubernetes.io/component"]; }, "label app.kubernetes.io/component missing"],
  ["dev", "no topology spread", (o) => { delete find(o, "Deployment", "engine").spec.template.spec.topologySpreadConstraints; }, "no topologySpreadConstraints"],
  ["dev", "object outside the namespace", (o) => { find(o, "Service", "engine").metadata.namespace = "default"; }, "namespace 'default'"],
  ["dev", "namespace without the restricted pod security level", (o) => { delete find(o, "Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]; }, "pod-security.kubernetes.io/enforce=restricted"],
  ["dev", "two engine replicas in dev", (o) => { find(o, "Deployment", "engine").spec.replicas = 2; }, "dev runs 1 replica"],
  ["dev", "no default-deny NetworkPolicy", (o) => { o.splice(o.indexOf(find(o, "NetworkPolicy", "default-deny-all")), 1); }, "no default deny"],
  ["dev", "engine open to everyone", (o) => { o.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "open", namespace: "hashmesh" },
    spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "hashmesh-engine" } }, policyTypes: ["Ingress"], ingress: [{}] } }); }, "outside -> engine:grpc is allowed"],
  ["dev", "pgstub egress to the engine", (o) => { o.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "p2e", namespace: "hashmesh" },
    spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "hashmesh-pgstub" } }, policyTypes: ["Egress"], egress: [{}] } });
    find(o, "NetworkPolicy", "engine-ingress-from-gateway").spec.ingress[0].from.push({ podSelector: { matchLabels: { "app.kubernetes.io/name": "hashmesh-pgstub" } } }); }, "pgstub -> engine:grpc is allowed"],
  ["dev", "gateway without DNS egress", (o) => { o.splice(o.indexOf(find(o, "NetworkPolicy", "gateway-egress-dns")), 1); }, "gateway -> DNS udp/53 is denied"],
  ["dev", "gateway unreachable", (o) => { find(o, "NetworkPolicy", "gateway-ingress-http").spec.ingress[0].ports[0].port = 8081; }, "outside -> gateway:http is denied"],
  ["dev", "gateway --admin_listen on another port than its admin containerPort", (o) => editFlags(o, "gateway", (t) => t.replace("--admin_listen=0.0.0.0:9090", "--admin_listen=0.0.0.0:9091")), "--admin_listen port 9091 != containerPort admin 9090"],
  ["dev", "gateway admin containerPort moved", (o) => { container(o, "gateway").ports.find((p) => p.name === "admin").containerPort = 9100; }, "--admin_listen port 9090 != containerPort admin 9100"],
  ["dev", "gateway --admin_listen on localhost", (o) => editFlags(o, "gateway", (t) => t.replace("--admin_listen=0.0.0.0:", "--admin_listen=127.0.0.1:")), "--admin_listen=127.0.0.1:9090 must listen on 0.0.0.0"],
  ["dev", "gateway --admin_listen on the public port", (o) => editFlags(o, "gateway", (t) => t.replace("--admin_listen=0.0.0.0:9090", "--admin_listen=0.0.0.0:8080")), "--admin_listen port 8080 is the http port"],
  ["dev", "gateway admin containerPort without --admin_listen", (o) => editFlags(o, "gateway", (t) => t.replace(/^--admin_listen=.*$/m, "")), "without --admin_listen: nothing listens on it"],
  ["dev", "gateway --admin_listen without an admin containerPort", (o) => { const c = container(o, "gateway"); c.ports = c.ports.filter((p) => p.name !== "admin"); }, "no containerPort named admin"],
  ["dev", "scrape annotation on the public port", (o) => { find(o, "Deployment", "gateway").spec.template.metadata.annotations["prometheus.io/port"] = "8080"; }, "prometheus.io/port 8080 != containerPort admin 9090"],
  ["dev", "scrape annotation on the public port, no admin port", (o) => { editFlags(o, "gateway", (t) => t.replace(/^--admin_listen=.*$/m, "")); const c = container(o, "gateway"); c.ports = c.ports.filter((p) => p.name !== "admin"); }, "prometheus.io/port 9090 != containerPort http 8080"],
  ["dev", "gateway without scrape annotations", (o) => { delete find(o, "Deployment", "gateway").spec.template.metadata.annotations; }, "prometheus.io/scrape must be \"true\""],
  ["dev", "gateway readiness probe on the admin port", (o) => { container(o, "gateway").readinessProbe.httpGet.port = "admin"; }, "readinessProbe port admin is not the http containerPort"],
  ["dev", "engine with an admin port", (o) => { container(o, "engine").ports.push({ name: "admin", containerPort: 9090, protocol: "TCP" }); }, "containerPort 9090 must be named grpc or http"],
  ["dev", "admin port on the gateway Service", (o) => { find(o, "Service", "gateway").spec.ports.push({ name: "metrics", port: 9090, targetPort: "admin", protocol: "TCP" }); }, "exposes the admin containerPort"],
  ["dev", "admin port open to everyone", (o) => { delete find(o, "NetworkPolicy", "gateway-ingress-admin").spec.ingress[0].from; }, "outside -> gateway:admin 9090 is allowed"],
  ["dev", "admin port open to every namespace", (o) => { find(o, "NetworkPolicy", "gateway-ingress-admin").spec.ingress[0].from[0].namespaceSelector = {}; }, "other namespace -> gateway:admin 9090 is allowed"],
  ["dev", "admin port opened by the public policy", (o) => { find(o, "NetworkPolicy", "gateway-ingress-http").spec.ingress[0].ports.push({ protocol: "TCP", port: 9090 }); }, "outside -> gateway:admin 9090 is allowed"],
  ["dev", "public policy without a port list", (o) => { delete find(o, "NetworkPolicy", "gateway-ingress-http").spec.ingress[0].ports; }, "other namespace -> gateway:admin 9090 is allowed"],
  ["dev", "admin port for another namespace than monitoring", (o) => { find(o, "NetworkPolicy", "gateway-ingress-admin").spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"] = "prometheus"; }, "monitoring namespace -> gateway:admin 9090 is denied"],
  ["dev", "monitoring reaching the engine", (o) => { find(o, "NetworkPolicy", "engine-ingress-from-gateway").spec.ingress[0].from.push({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }); }, "monitoring namespace -> engine:grpc is allowed"],
  ["dev", "TLS in the default overlay", (o) => { container(o, "engine").args.push("--tls_cert_file=/etc/hashmesh/engine.flags", "--tls_key_file=/etc/hashmesh/engine.flags"); }, "dev: must stay plaintext"],
  // With the mtls component (deploy/k8s/components/mtls).
  ["dev+mtls", "engine readiness probe left on the TLS port", (o) => { container(o, "engine").readinessProbe.grpc.port = 50051; }, "readinessProbe grpc.port 50051 is not the health containerPort"],
  ["dev+mtls", "pgstub certificate files mounted with subPath", (o) => { const c = container(o, "pgstub");
    c.volumeMounts = c.volumeMounts.filter((m) => m.name !== "tls").concat(["tls.crt", "tls.key", "ca.crt"].map((f) =>
      ({ name: "tls", mountPath: `/etc/hashmesh-tls/${f}`, subPath: f, readOnly: true }))); }, "volumeMount tls uses subPath"],
  ["dev+mtls", "engine without --health_listen", (o) => editArgs(o, "engine", (t) => t.replace(/^--health_listen=.*$/m, "")), "serves TLS (--tls_cert_file) without --health_listen"],
  ["dev+mtls", "pgstub --health_listen on another port than its health containerPort", (o) => editArgs(o, "pgstub", (t) => t.replace("--health_listen=0.0.0.0:50061", "--health_listen=0.0.0.0:50062")), "--health_listen port 50062 != containerPort health 50061"],
  ["dev+mtls", "health port on the engine Service", (o) => { find(o, "Service", "engine").spec.ports.push({ name: "health", port: 50061, targetPort: "health", protocol: "TCP" }); }, "exposes the health containerPort"],
  ["dev+mtls", "engine Service still claiming h2c", (o) => { find(o, "Service", "engine").spec.ports[0].appProtocol = "kubernetes.io/h2c"; }, "appProtocol must be https"],
  ["dev+mtls", "health port open to everyone", (o) => { find(o, "NetworkPolicy", "engine-ingress-from-gateway").spec.ingress.push({ ports: [{ protocol: "TCP", port: 50061 }] }); }, "outside -> engine:health 50061 is allowed"],
  ["dev+mtls", "health port open to the gateway", (o) => { find(o, "NetworkPolicy", "pgstub-ingress-from-gateway").spec.ingress[0].ports.push({ protocol: "TCP", port: 50061 });
    find(o, "NetworkPolicy", "gateway-egress-upstreams").spec.egress[1].ports.push({ protocol: "TCP", port: 50061 }); }, "gateway -> pgstub:health 50061 is allowed"],
  ["dev+mtls", "gateway without its client certificate", (o) => editArgs(o, "gateway", (t) => t.replace(/^--upstream_tls_(cert|key)_file=.*$/gm, "")), "requires client certificates (--tls_client_ca_file), but the gateway has no --upstream_tls_cert_file"],
  ["dev+mtls", "pgstub in plaintext behind a TLS gateway", (o) => editArgs(o, "pgstub", (t) => t.replace(/^--tls_.*$/gm, "")), "Deployment/pgstub: serves plaintext, but the gateway dials it with TLS"],
  ["dev+mtls", "engine without a client CA (server-side TLS only)", (o) => editArgs(o, "engine", (t) => t.replace(/^--tls_client_ca_file=.*$/m, "")), "Deployment/engine must serve mutual TLS"],
  ["dev+mtls", "gateway with --upstream_tls_server_name", (o) => { container(o, "gateway").args.push("--upstream_tls_server_name=engine.hashmesh.svc.cluster.local"); }, "--upstream_tls_server_name applies to both upstreams"],
  ["dev+mtls", "certificate and key flags swapped", (o) => editArgs(o, "engine", (t) => t.replace("tls_cert_file=/etc/hashmesh-tls/tls.crt", "tls_cert_file=/etc/hashmesh-tls/tls.key")), "reads key tls.key of Secret hashmesh-engine-tls; a kubernetes.io/tls Secret (cert-manager) holds it as tls.crt"],
  ["dev+mtls", "CA file outside every mount", (o) => editArgs(o, "gateway", (t) => t.replace("/etc/hashmesh-tls/ca.crt", "/etc/ssl/hashmesh/ca.crt")), "--upstream_tls_ca_file=/etc/ssl/hashmesh/ca.crt is not under any volumeMount"],
  ["dev+mtls", "certificates from a ConfigMap", (o) => { const v = volume(o, "pgstub", "tls"); delete v.secret; v.configMap = { name: "pgstub-tls" }; }, "volume tls is not a Secret"],
  ["dev+mtls", "optional certificate Secret", (o) => { volume(o, "gateway", "tls").secret.optional = true; }, "Secret hashmesh-gateway-tls must not be optional"],
  ["dev+mtls", "writable certificate mount", (o) => { mount(o, "engine", "tls").readOnly = false; }, "volumeMount tls must be readOnly"],
  ["dev+mtls", "private key readable by everyone", (o) => { volume(o, "gateway", "tls").secret.defaultMode = 0o644; }, "private key readable by others (mode 0644)"],
  ["dev+mtls", "certificate files 0440 without an fsGroup", (o) => { delete find(o, "Deployment", "engine").spec.template.spec.securityContext.fsGroup; }, "mode 0440 without an fsGroup"],
  ["dev+mtls", "misspelt TLS flag", (o) => editArgs(o, "pgstub", (t) => t.replace("--tls_client_ca_file=", "--tls_client_ca_fle=")), "--tls_client_ca_fle is none of the TLS flags"],
  ["dev+mtls", "certificates re-read once a day", (o) => editArgs(o, "engine", (t) => t.replace("--tls_refresh_interval=1m", "--tls_refresh_interval=24h")), "--tls_refresh_interval must be positive and at most 10m"],
  ["prod", "gateway --admin_listen on another port than its admin containerPort", (o) => editFlags(o, "gateway", (t) => t.replace("--admin_listen=0.0.0.0:9090", "--admin_listen=0.0.0.0:9091")), "--admin_listen port 9091 != containerPort admin 9090"],
  ["prod", "engine replicas next to its HPA", (o) => { find(o, "Deployment", "engine").spec.replicas = 3; }, "spec.replicas must be left out"],
  ["prod", "no engine HPA", (o) => { o.splice(o.indexOf(find(o, "HorizontalPodAutoscaler", "engine")), 1); }, "no HorizontalPodAutoscaler for the engine"],
  ["prod", "HPA on memory", (o) => { find(o, "HorizontalPodAutoscaler", "engine").spec.metrics[0].resource.name = "memory"; }, "must scale on CPU utilization"],
  ["prod", "gateway without a PodDisruptionBudget", (o) => { o.splice(o.indexOf(find(o, "PodDisruptionBudget", "gateway")), 1); }, "exactly one PodDisruptionBudget"],
  ["prod", "PodDisruptionBudget that blocks every eviction", (o) => { const p = find(o, "PodDisruptionBudget", "pgstub").spec; delete p.maxUnavailable; p.minAvailable = 2; }, "would block every voluntary eviction"],
  ["prod", "a single gateway replica", (o) => { find(o, "Deployment", "gateway").spec.replicas = 1; }, "prod needs at least 2 replicas"],
  ["prod", "local image names in prod", (o) => { container(o, "engine").image = "hashmesh/engine:0.1.0"; }, "prod images come from a registry"],
];

// [description, mutate(cert-manager objects), expected message substring];
// checked against the dev render with the mtls component.
const CERT_MANAGER_MUTATIONS = [
  ["gateway Certificate for server auth", (o) => { find(o, "Certificate", "hashmesh-gateway").spec.usages = ["server auth", "digital signature"]; }, "usages must include \"client auth\""],
  ["engine Certificate without the name the gateway verifies", (o) => { const s = find(o, "Certificate", "hashmesh-engine").spec; s.dnsNames = s.dnsNames.filter((n) => !n.endsWith(".cluster.local")); }, "dnsNames lack engine.hashmesh.svc.cluster.local"],
  ["pgstub Certificate writing another Secret", (o) => { find(o, "Certificate", "hashmesh-pgstub").spec.secretName = "pgstub-tls"; }, "no Certificate writes Secret hashmesh-pgstub-tls"],
  ["gateway Certificate from the self-signed issuer", (o) => { find(o, "Certificate", "hashmesh-gateway").spec.issuerRef.name = "hashmesh-selfsigned"; }, "must share one issuer"],
];

const DOCKER_MUTATIONS = [
  ["shell-form ENTRYPOINT", (d) => d.replace('ENTRYPOINT ["/usr/local/bin/hashmesh-engine"]', "ENTRYPOINT /usr/local/bin/hashmesh-engine"), "exec form"],
  ["root user", (d) => d.replace(/^USER .*$/m, "USER root"), "numeric non-root USER"],
  ["USER other than the manifests' runAsUser", (d) => d.replace(/^USER .*$/m, "USER 1000:1000"), "!= the manifests' runAsUser"],
  ["unpinned base image", (d) => d.replace("FROM debian:${DEBIAN_RELEASE} AS build", "FROM debian:latest AS build"), "pin a real tag"],
  ["runtime on a distribution image", (d) => d.replace("FROM scratch AS runtime", "FROM debian:12.11-slim AS runtime"), "must be FROM scratch"],
  ["build stage not running build_stage.sh", (d) => d.replace(/^RUN deploy\/docker\/build_stage\.sh.*$/m, "RUN cmake --preset release && cmake --build --preset release"), "must run deploy/docker/build_stage.sh"],
  ["runtime stage without the checked tree", (d) => d.replace(/^COPY --from=build \/stage\/rootfs\/ \/$/m, "COPY --from=build /stage/bin/ /usr/local/bin/"), "must COPY --from=build /stage/rootfs/ /"],
  ["RUN in a service target", (d) => d.replace("EXPOSE 50051", "EXPOSE 50051\nRUN mkdir /data"), "RUN in 'engine'"],
  ["wrong EXPOSE", (d) => d.replace("EXPOSE 8080", "EXPOSE 80"), "must EXPOSE 8080"],
  ["missing target", (d) => d.replace("FROM runtime AS pgstub", "FROM runtime AS stub"), "no target 'pgstub'"],
];

function main() {
  const opts = parseArgs(process.argv.slice(2));
  let failures = 0;
  const report = (ok, what) => {
    if (!ok) failures++;
    console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  };

  // 1. Broken manifests.
  const dir = path.join(ROOT, "deploy/tests/invalid");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  if (files.length < 5) throw new Error(`${dir}: expected the broken-manifest fixtures`);
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    const expects = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1].trim());
    const errors = parseStream(text, f).flatMap((o) => validateObject(o));
    const missing = expects.filter((e) => !errors.some((err) => err.includes(e)));
    report(expects.length > 0 && missing.length === 0,
      `schema rejects ${f}${missing.length ? `: expected "${missing.join('", "')}", got ${JSON.stringify(errors)}` : ""}`);
  }

  // 2. Invariants on mutated renders.
  const ctx = { helpfull: {}, gatewayKeepaliveSeconds: 30 };
  for (const [bin, p] of Object.entries(opts.bins)) ctx.helpfull[bin] = helpfull(p);
  ctx.flagfileParses = (bin, text) => flagfileParses(opts.bins[bin], text);
  const renders = {
    dev: render(opts.kubectl, path.join(ROOT, "deploy/k8s/overlays/dev")).objects,
    prod: render(opts.kubectl, path.join(ROOT, "deploy/k8s/overlays/prod")).objects,
  };
  // Failed, not skipped, without component support (kubectl < 1.21).
  const componentsOk = kubectlRendersComponents(opts.kubectl);
  report(componentsOk, `kubectl ${kubectlVersion(opts.kubectl)} renders kustomize components (deploy/k8s/overlays/dev-mtls)` +
    `${componentsOk ? "" : ": the mtls tests cannot run; pass --kubectl with kubectl 1.21 or later"}`);
  if (componentsOk) renders["dev+mtls"] = render(opts.kubectl, path.join(ROOT, "deploy/k8s/overlays/dev-mtls")).objects;
  for (const [name, objects] of Object.entries(renders)) {
    const errors = checkRender(name, objects, ctx);
    report(errors.length === 0, `${name} render passes unmodified${errors.length ? `: ${errors.join("; ")}` : ""}`);
  }
  for (const [overlay, what, mutate, expected] of MUTATIONS) {
    if (!renders[overlay]) continue; // reported above
    const objects = clone(renders[overlay]);
    mutate(objects);
    const errors = checkRender(overlay, objects, ctx);
    const hit = errors.some((e) => e.includes(expected));
    report(hit, `invariants reject (${overlay}) ${what}${hit ? "" : `: expected "${expected}", got ${JSON.stringify(errors)}`}`);
  }

  // 3. cert-manager objects for the mtls component's Secrets.
  const certFile = path.join(ROOT, "deploy/k8s/components/mtls/cert-manager.yaml");
  const certObjects = parseStream(fs.readFileSync(certFile, "utf8"), certFile);
  const certErrors = componentsOk ? checkCertManager(certObjects, renders["dev+mtls"], ctx) : [];
  if (componentsOk) report(certErrors.length === 0, `cert-manager.yaml passes unmodified${certErrors.length ? `: ${certErrors.join("; ")}` : ""}`);
  for (const [what, mutate, expected] of componentsOk ? CERT_MANAGER_MUTATIONS : []) {
    const objects = clone(certObjects);
    mutate(objects);
    const errors = checkCertManager(objects, renders["dev+mtls"], ctx);
    const hit = errors.some((e) => e.includes(expected));
    report(hit, `cert-manager check rejects ${what}${hit ? "" : `: expected "${expected}", got ${JSON.stringify(errors)}`}`);
  }

  // 4. Dockerfile.
  const dockerfile = fs.readFileSync(path.join(ROOT, "deploy/docker/Dockerfile"), "utf8");
  const dockerignore = fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8");
  const expect = { runAsUser: 65532, runAsGroup: 65532, services: {
    pgstub: { binary: "hashmesh-pgstub", port: 50052 }, engine: { binary: "hashmesh-engine", port: 50051 },
    gateway: { binary: "hashmesh-gateway", port: 8080 } } };
  const base = checkDockerfile(dockerfile, dockerignore, expect);
  report(base.length === 0, `Dockerfile passes unmodified${base.length ? `: ${base.join("; ")}` : ""}`);
  for (const [what, mutate, expected] of DOCKER_MUTATIONS) {
    const mutated = mutate(dockerfile);
    if (mutated === dockerfile) throw new Error(`Dockerfile mutation '${what}' changed nothing`);
    const errors = checkDockerfile(mutated, dockerignore, expect);
    const hit = errors.some((e) => e.includes(expected));
    report(hit, `Dockerfile check rejects ${what}${hit ? "" : `: expected "${expected}", got ${JSON.stringify(errors)}`}`);
  }
  const ignoreErrors = checkDockerfile(dockerfile, dockerignore.replace(/^build$/m, ""), expect);
  report(ignoreErrors.some((e) => e.includes("must exclude build")), ".dockerignore check rejects a context with build trees");

  console.log(failures ? `\n${failures} negative tests FAILED` : "\nall negative tests passed");
  process.exit(failures ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.error(`selftest.js: ${e.stack}`);
  process.exit(2);
}
