// The properties the hashmesh manifests promise (deploy/README.md), checked
// on rendered objects. Each check returns messages; an empty list means ok.
"use strict";

const { parseFlagfile, parseDuration } = require("./flags");


const NAMESPACE = "hashmesh";
const PART_OF = "hashmesh";

// Container name -> what runs in it. `peakRssMiB`: the highest VmHWM measured
// with deploy/local/rehearse.sh --measure (1000 concurrent connections, see
// deploy/README.md); memory limits must leave at least 2x that.
const SERVICES = {
  pgstub: { binary: "hashmesh-pgstub", protocol: "grpc", peakRssMiB: 54, health: true },
  engine: { binary: "hashmesh-engine", protocol: "grpc", peakRssMiB: 30, health: true },
  gateway: { binary: "hashmesh-gateway", protocol: "http", peakRssMiB: 60, admin: true },
};
// `admin: true`: may have a containerPort named admin, where --admin_listen
// serves /metrics (and /healthz, /readyz) apart from the public port.
const ADMIN = "admin";
// `health: true`: may have a containerPort named health, where --health_listen
// serves grpc.health.v1 alone in plaintext, for kubelet's gRPC probes (which
// cannot speak TLS) when the grpc port serves TLS (deploy/k8s/components/mtls).
const HEALTH = "health";
// The namespace Prometheus scrapes from, as the NetworkPolicy
// gateway-ingress-admin selects it (deploy/k8s/base/networkpolicies.yaml).
// Changing that selector means changing these labels too: CI asserts that a
// pod in this namespace reaches the admin port and nothing else does.
const MONITORING_NAMESPACE = "monitoring";
const MONITORING_NAMESPACE_LABELS = { "kubernetes.io/metadata.name": MONITORING_NAMESPACE };
const APP_PROTOCOL = { grpc: "kubernetes.io/h2c", http: "http" };
// A grpc port that serves TLS: HTTP/2 over TLS is the IANA service "https";
// Kubernetes defines no h2-over-TLS name (only kubernetes.io/h2c, ws, wss).
const APP_PROTOCOL_TLS = "https";
// The only flags that may follow the --flagfile arg: the ones the mtls
// component appends (deploy/k8s/components/mtls). Everything else lives in the
// flagfile, which the local rehearsal and the tests read too.
const ARG_FLAGS = new Set(["tls_cert_file", "tls_key_file", "tls_client_ca_file", "tls_refresh_interval", "health_listen",
  "upstream_tls_ca_file", "upstream_tls_cert_file", "upstream_tls_key_file", "upstream_tls_server_name", "upstream_tls_refresh_interval"]);
// TLS file flags -> the key of a kubernetes.io/tls Secret (as cert-manager
// writes it) each must read.
const TLS_FILE_FLAGS = {
  tls_cert_file: "tls.crt", tls_key_file: "tls.key", tls_client_ca_file: "ca.crt",
  upstream_tls_cert_file: "tls.crt", upstream_tls_key_file: "tls.key", upstream_tls_ca_file: "ca.crt",
};
const TLS_KEY_FLAGS = ["tls_key_file", "upstream_tls_key_file"];
const UPSTREAM_TARGETS = { engine_target: "engine", store_target: "pgstub" };

function labelsMatch(selector, labels) {
  return Object.entries(selector || {}).every(([k, v]) => (labels || {})[k] === v);
}

function selectorLabels(selector, where, errors) {
  if (!selector) return {};
  if (selector.matchExpressions?.length) errors.push(`${where}: matchExpressions not supported by these checks`);
  return selector.matchLabels || {};
}

// Kubernetes quantities: "1", "500m", "2.5" (CPU); "128Mi", "1Gi", "100M" (memory).
function cpuCores(q) {
  const s = String(q);
  return s.endsWith("m") ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
function memoryMiB(q) {
  const m = String(q).match(/^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/);
  if (!m) return NaN;
  const f = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1 << 20, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20 };
  return Number(m[1]) * (m[2] ? f[m[2]] : 1 / 2 ** 20);
}

function imageParts(image) {
  // [registry/]repo[:tag][@digest]
  const [nameTag, digest] = image.split("@");
  const slash = nameTag.lastIndexOf("/");
  const colon = nameTag.lastIndexOf(":");
  const hasTag = colon > slash;
  const name = hasTag ? nameTag.slice(0, colon) : nameTag;
  const first = name.split("/")[0];
  const registry = name.includes("/") && /[.:]/.test(first) || first === "localhost" ? first : "";
  return { name, tag: hasTag ? nameTag.slice(colon + 1) : "", digest: digest || "", registry, base: name.split("/").pop() };
}

function resolvePort(port, container) {
  const ports = container.ports || [];
  const p = typeof port === "number" ? ports.find((c) => c.containerPort === port) : ports.find((c) => c.name === port);
  return p || null;
}

// ---------------------------------------------------------------------------

function checkNamespace(objects, errors) {
  const nss = objects.filter((o) => o.kind === "Namespace");
  if (nss.length !== 1 || nss[0].metadata.name !== NAMESPACE) {
    errors.push(`Namespace: exactly one, named ${NAMESPACE}, expected (found ${nss.map((n) => n.metadata.name)})`);
  } else if (nss[0].metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") {
    errors.push(`Namespace/${NAMESPACE}: label pod-security.kubernetes.io/enforce=restricted missing`);
  }
  for (const o of objects) {
    if (o.kind !== "Namespace" && o.metadata?.namespace !== NAMESPACE) {
      errors.push(`${o.kind}/${o.metadata?.name}: namespace '${o.metadata?.namespace}', expected ${NAMESPACE}`);
    }
  }
}

// The flags a container gets: --flagfile=<mountPath>/<key> -> the ConfigMap
// key, then the args after it (only ARG_FLAGS), which override it.
// Returns {text, flags, fileFlags, argFlags, cm, key}: `flags` in the order
// the binary reads them (flagValue takes the last), `text` all of them as
// one flagfile.
function containerFlags(d, c, objects, errors) {
  const where = `Deployment/${d.metadata.name} container ${c.name}`;
  const args = c.args || [];
  if (c.command) errors.push(`${where}: sets command; the image's ENTRYPOINT runs the binary`);
  const flagfileArgs = args.filter((a) => a.startsWith("--flagfile="));
  if (flagfileArgs.length !== 1 || !args[0].startsWith("--flagfile=")) {
    errors.push(`${where}: args must be exactly one --flagfile=... (all flags live in the ConfigMap), first, got ${JSON.stringify(args)}`);
    return null;
  }
  const argFlags = [];
  args.slice(1).forEach((a, i) => {
    const m = /^--([A-Za-z0-9_]+)=(.*)$/s.exec(a);
    if (!m) {
      errors.push(`${where}: args[${i + 1}] ${JSON.stringify(a)} is not --flag=value`);
    } else if (!ARG_FLAGS.has(m[1])) {
      errors.push(`${where}: args[${i + 1}] --${m[1]} is none of the TLS flags that may follow --flagfile (${[...ARG_FLAGS].join(", ")}); ` +
        "every other flag belongs in the flagfile");
    } else {
      argFlags.push({ name: m[1], value: m[2], arg: i + 1 });
    }
  });
  const file = flagfileArgs[0].slice("--flagfile=".length);
  const mount = (c.volumeMounts || []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
  if (!mount) {
    errors.push(`${where}: ${file} is not under any volumeMount`);
    return null;
  }
  if (mount.readOnly !== true) errors.push(`${where}: volumeMount ${mount.name} must be readOnly`);
  const key = file.slice(mount.mountPath.replace(/\/$/, "").length + 1);
  const volume = (d.spec.template.spec.volumes || []).find((v) => v.name === mount.name);
  if (!volume?.configMap) {
    errors.push(`${where}: volume ${mount.name} is not a ConfigMap`);
    return null;
  }
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name);
  if (!cm) {
    errors.push(`${where}: ConfigMap ${volume.configMap.name} not in the render`);
    return null;
  }
  const text = cm.data?.[key];
  if (text === undefined) {
    errors.push(`${where}: ConfigMap ${cm.metadata.name} has no key ${key}`);
    return null;
  }
  let fileFlags;
  try {
    fileFlags = parseFlagfile(text, `ConfigMap/${cm.metadata.name}:${key}`);
  } catch (e) {
    errors.push(e.message);
    return null;
  }
  const argText = argFlags.map((f) => `--${f.name}=${f.value}\n`).join("");
  return { text: argText ? `${text.replace(/\n?$/, "\n")}${argText}` : text, flags: [...fileFlags, ...argFlags],
    fileFlags, argFlags, cm: cm.metadata.name, key };
}

function flagValue(flags, name, defaults) {
  const set = flags.filter((f) => f.name === name);
  return set.length ? set[set.length - 1].value : defaults.get(name);
}

// A duration flag in seconds; NaN (and an error) when it does not parse.
function durationFlag(flags, name, defaults, where, errors) {
  try {
    return parseDuration(flagValue(flags, name, defaults));
  } catch (e) {
    errors.push(`${where}: --${name}: ${e.message}`);
    return NaN;
  }
}

function checkFlags(d, c, service, cf, ctx, objects, errors) {
  const where = `Deployment/${d.metadata.name} container ${c.name} (ConfigMap ${cf.cm})`;
  const known = ctx.helpfull[service.binary];
  if (!known) {
    errors.push(`${where}: no --helpfull listing for ${service.binary}`);
    return;
  }
  const seen = new Set();
  for (const f of cf.fileFlags) {
    if (!known.has(f.name)) errors.push(`${where}: line ${f.line}: --${f.name} is not a flag of ${service.binary}`);
    if (seen.has(f.name)) errors.push(`${where}: line ${f.line}: --${f.name} set twice`);
    if (["flagfile", "fromenv", "tryfromenv", "undefok"].includes(f.name)) {
      errors.push(`${where}: line ${f.line}: --${f.name} does not belong in a flagfile`);
    }
    seen.add(f.name);
  }
  // Args after the flagfile override it (absl reads left to right).
  const seenArgs = new Set();
  for (const f of cf.argFlags) {
    if (!known.has(f.name)) errors.push(`${where}: args[${f.arg}]: --${f.name} is not a flag of ${service.binary}`);
    if (seenArgs.has(f.name)) errors.push(`${where}: args[${f.arg}]: --${f.name} set twice`);
    seenArgs.add(f.name);
  }
  if (ctx.flagfileParses) {
    const r = ctx.flagfileParses(service.binary, cf.text);
    if (!r.ok) errors.push(`${where}: ${service.binary} rejects the flagfile: ${r.output.split("\n").pop()}`);
  }

  // The listen address: all interfaces (probes and peers use the pod IP), on
  // the containerPort, which is also the binary's default port.
  const listen = flagValue(cf.flags, "listen", known);
  const portName = service.protocol;
  const cport = (c.ports || []).find((p) => p.name === portName);
  const [host, port] = [listen.slice(0, listen.lastIndexOf(":")), Number(listen.slice(listen.lastIndexOf(":") + 1))];
  if (host !== "0.0.0.0") errors.push(`${where}: --listen=${listen} must listen on 0.0.0.0`);
  if (!cport) {
    errors.push(`Deployment/${d.metadata.name} container ${c.name}: no containerPort named ${portName}`);
  } else if (cport.containerPort !== port) {
    errors.push(`${where}: --listen port ${port} != containerPort ${portName} ${cport.containerPort}`);
  }
  const defaultListen = known.get("listen");
  const defaultPort = Number(defaultListen.slice(defaultListen.lastIndexOf(":") + 1));
  if (cport && cport.containerPort !== defaultPort) {
    errors.push(`${where}: containerPort ${cport.containerPort} != ${service.binary}'s default port ${defaultPort}`);
  }

  // Threads follow the CPU limit (cgroup quota): 0 = automatic.
  for (const t of ["worker_threads", "threads"]) {
    if (known.has(t) && Number(flagValue(cf.flags, t, known)) !== 0) {
      errors.push(`${where}: --${t} must be 0 (derive from the CPU limit)`);
    }
  }
  if (flagValue(cf.flags, "log_format", known) !== "json") errors.push(`${where}: --log_format=json expected`);

  // Graceful termination: preStop sleep + drain fit in the grace period.
  const drain = durationFlag(cf.flags, "drain_timeout", known, where, errors);
  const sleep = c.lifecycle?.preStop?.sleep?.seconds;
  const grace = d.spec.template.spec.terminationGracePeriodSeconds;
  if (typeof sleep !== "number" || sleep < 1) {
    errors.push(`Deployment/${d.metadata.name} container ${c.name}: lifecycle.preStop.sleep.seconds >= 1 expected`);
  } else if (!(grace > sleep + drain)) {
    errors.push(`Deployment/${d.metadata.name}: terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${sleep}s + --drain_timeout ${drain}s`);
  }

  if (service.protocol === "grpc") {
    // Connections are recycled so clients re-resolve and reach new pods.
    const age = durationFlag(cf.flags, "max_connection_age", known, where, errors);
    if (!cf.flags.some((f) => f.name === "max_connection_age") || !(age > 0 && age <= 600)) {
      errors.push(`${where}: --max_connection_age must be set explicitly, at most 10m (got ${age}s)`);
    }
    if (!cf.flags.some((f) => f.name === "max_connection_age_grace")) {
      errors.push(`${where}: --max_connection_age_grace must be set explicitly`);
    }
    // Client keepalive never faster than what the server accepts.
    const minPing = durationFlag(cf.flags, "min_client_ping_interval", known, where, errors);
    if (ctx.gatewayKeepaliveSeconds !== undefined && ctx.gatewayKeepaliveSeconds < minPing) {
      errors.push(`${where}: --min_client_ping_interval ${minPing}s exceeds the gateway's client keepalive ${ctx.gatewayKeepaliveSeconds}s: too_many_pings`);
    }
  }
}

// The gateway's upstream targets: dns:/// names of headless Services in this
// render whose port is the upstream's gRPC port, balanced round_robin.
function checkGatewayTargets(d, c, cf, ctx, objects, errors) {
  const known = ctx.helpfull[SERVICES.gateway.binary];
  const where = `Deployment/${d.metadata.name} (ConfigMap ${cf.cm})`;
  for (const [flag, upstream] of Object.entries(UPSTREAM_TARGETS)) {
    const target = flagValue(cf.flags, flag, known);
    const m = /^dns:\/\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(target || "");
    if (!m) {
      errors.push(`${where}: --${flag}=${target}: expected dns:///<service>.<namespace>.svc.cluster.local:<port>`);
      continue;
    }
    const [, svcName, ns, port] = m;
    if (ns !== NAMESPACE) errors.push(`${where}: --${flag} points to namespace ${ns}, not ${NAMESPACE}`);
    const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === svcName);
    if (!svc) {
      errors.push(`${where}: --${flag}: no Service ${svcName}`);
      continue;
    }
    if (svc.spec.clusterIP !== "None") errors.push(`${where}: --${flag}: Service ${svcName} is not headless`);
    const sp = (svc.spec.ports || []).find((p) => p.port === Number(port));
    if (!sp || sp.name !== "grpc") errors.push(`${where}: --${flag}: Service ${svcName} has no grpc port ${port}`);
    const upstreamDeployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === upstream);
    if (upstreamDeployment && !labelsMatch(svc.spec.selector, upstreamDeployment.spec.template.metadata.labels)) {
      errors.push(`${where}: --${flag}: Service ${svcName} does not select the ${upstream} pods`);
    }
  }
  if (Number(flagValue(cf.flags, "upstream_max_attempts", known)) < 2) {
    errors.push(`${where}: --upstream_max_attempts must be >= 2 (retry UNAVAILABLE on another pod)`);
  }
  // Calls on a connection closed for its age must be able to finish.
  const timeout = durationFlag(cf.flags, "upstream_timeout", known, where, errors);
  for (const upstream of Object.values(UPSTREAM_TARGETS)) {
    const u = objects.find((o) => o.kind === "Deployment" && o.metadata.name === upstream);
    const uc = u?.spec.template.spec.containers[0];
    const ucf = uc && containerFlags(u, uc, objects, []);
    if (ucf) {
      const grace = durationFlag(ucf.flags, "max_connection_age_grace", ctx.helpfull[SERVICES[upstream].binary], where, errors);
      if (grace < timeout) {
        errors.push(`${where}: ${upstream} --max_connection_age_grace ${grace}s < gateway --upstream_timeout ${timeout}s`);
      }
    }
  }
}

// --admin_listen: /metrics (with /healthz, /readyz) on its own port, which
// the NetworkPolicies open to the monitoring namespace only, and the public
// port answers 404 for /metrics. Its port is the containerPort named admin; the
// pods' prometheus.io annotations point at wherever /metrics is served.
function checkAdminPort(d, c, service, cf, ctx, errors) {
  const known = ctx.helpfull[service.binary];
  const where = `Deployment/${d.metadata.name} container ${c.name} (ConfigMap ${cf.cm})`;
  const adminListen = flagValue(cf.flags, "admin_listen", known) || "";
  const adminPort = (c.ports || []).find((p) => p.name === ADMIN);
  const httpPort = (c.ports || []).find((p) => p.name === service.protocol);
  let metricsPort = httpPort;
  if (adminListen) {
    const i = adminListen.lastIndexOf(":");
    const [host, port] = [adminListen.slice(0, i), Number(adminListen.slice(i + 1))];
    // Prometheus scrapes the pod IP.
    if (host !== "0.0.0.0") errors.push(`${where}: --admin_listen=${adminListen} must listen on 0.0.0.0`);
    if (!adminPort) {
      errors.push(`${where}: --admin_listen is set but there is no containerPort named ${ADMIN}`);
    } else if (adminPort.containerPort !== port) {
      errors.push(`${where}: --admin_listen port ${port} != containerPort ${ADMIN} ${adminPort.containerPort}`);
    }
    if (httpPort && httpPort.containerPort === port) errors.push(`${where}: --admin_listen port ${port} is the ${httpPort.name} port`);
    metricsPort = adminPort;
  } else if (adminPort) {
    errors.push(`${where}: containerPort ${ADMIN} ${adminPort.containerPort} without --admin_listen: nothing listens on it`);
  }
  const ann = d.spec.template.metadata.annotations || {};
  const pw = `Deployment/${d.metadata.name}: pod annotation`;
  if (ann["prometheus.io/scrape"] !== "true") errors.push(`${pw} prometheus.io/scrape must be "true"`);
  if (ann["prometheus.io/path"] !== "/metrics") errors.push(`${pw} prometheus.io/path must be /metrics`);
  if (metricsPort && ann["prometheus.io/port"] !== String(metricsPort.containerPort)) {
    errors.push(`${pw} prometheus.io/port ${ann["prometheus.io/port"]} != containerPort ${metricsPort.name} ${metricsPort.containerPort}, ` +
      `where /metrics is served (${adminListen ? "--admin_listen" : "no --admin_listen: the public port"})`);
  }
}

// --health_listen: grpc.health.v1 alone, in plaintext, on the containerPort
// named health; required when the grpc port serves TLS (the probes use it).
function checkHealthPort(d, c, service, cf, ctx, errors) {
  const known = ctx.helpfull[service.binary];
  const where = `Deployment/${d.metadata.name} container ${c.name}`;
  const healthListen = flagValue(cf.flags, "health_listen", known) || "";
  const healthPort = (c.ports || []).find((p) => p.name === HEALTH);
  const grpcPort = (c.ports || []).find((p) => p.name === service.protocol);
  if (healthListen) {
    const i = healthListen.lastIndexOf(":");
    const [host, port] = [healthListen.slice(0, i), Number(healthListen.slice(i + 1))];
    // Kubelet probes the pod IP.
    if (host !== "0.0.0.0") errors.push(`${where}: --health_listen=${healthListen} must listen on 0.0.0.0`);
    if (!healthPort) {
      errors.push(`${where}: --health_listen is set but there is no containerPort named ${HEALTH}`);
    } else if (healthPort.containerPort !== port) {
      errors.push(`${where}: --health_listen port ${port} != containerPort ${HEALTH} ${healthPort.containerPort}`);
    }
    if (grpcPort && grpcPort.containerPort === port) errors.push(`${where}: --health_listen port ${port} is the grpc port`);
  } else if (healthPort) {
    errors.push(`${where}: containerPort ${HEALTH} ${healthPort.containerPort} without --health_listen: nothing listens on it`);
  }
  if (serverTls(cf, known) && !healthListen) {
    errors.push(`${where}: serves TLS (--tls_cert_file) without --health_listen: kubelet's gRPC probes speak plaintext only`);
  }
}

const flagSet = (cf, name, known) => !!flagValue(cf.flags, name, known);
const serverTls = (cf, known) => flagSet(cf, "tls_cert_file", known);

// Every certificate, key and CA file flag reads a file of a Secret mounted as
// a whole directory (kubelet updates those in place when the Secret changes,
// never a subPath mount), read-only, under the key a kubernetes.io/tls Secret
// gives it, readable by the service and the key by nobody else.
function checkTlsFiles(d, c, service, cf, ctx, errors) {
  const known = ctx.helpfull[service.binary];
  const where = `Deployment/${d.metadata.name} container ${c.name}`;
  const pod = d.spec.template.spec;
  const pairs = service.protocol === "grpc"
    ? [["tls_cert_file", "tls_key_file"], ["tls_key_file", "tls_cert_file"], ["tls_client_ca_file", "tls_cert_file"]]
    : [["upstream_tls_cert_file", "upstream_tls_key_file"], ["upstream_tls_key_file", "upstream_tls_cert_file"],
      ["upstream_tls_cert_file", "upstream_tls_ca_file"]];
  for (const [a, b] of pairs) {
    if (flagSet(cf, a, known) && !flagSet(cf, b, known)) errors.push(`${where}: --${a} without --${b}`);
  }
  for (const [flag, expectedKey] of Object.entries(TLS_FILE_FLAGS)) {
    if (!flagSet(cf, flag, known)) continue;
    const file = flagValue(cf.flags, flag, known);
    const fw = `${where}: --${flag}=${file}`;
    // A directory mount, or a file mounted by itself (subPath).
    const mount = (c.volumeMounts || []).find((m) => file === m.mountPath || file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
    if (!mount) {
      errors.push(`${fw} is not under any volumeMount`);
      continue;
    }
    if (mount.readOnly !== true) errors.push(`${fw}: volumeMount ${mount.name} must be readOnly`);
    if (mount.subPath || mount.subPathExpr) {
      errors.push(`${fw}: volumeMount ${mount.name} uses subPath, which kubelet never updates: a rotated certificate would not arrive`);
    }
    const volume = (pod.volumes || []).find((v) => v.name === mount.name);
    if (!volume?.secret) {
      errors.push(`${fw}: volume ${mount.name} is not a Secret`);
      continue;
    }
    const sec = volume.secret;
    if (sec.optional === true) errors.push(`${fw}: Secret ${sec.secretName} must not be optional`);
    // The file's path inside the volume.
    const inMount = file === mount.mountPath ? "" : file.slice(mount.mountPath.replace(/\/$/, "").length + 1);
    const rel = [mount.subPath, inMount].filter(Boolean).join("/");
    const item = (sec.items || []).find((it) => it.path === rel);
    if (sec.items && !item) {
      errors.push(`${fw}: Secret volume ${mount.name} lists items without ${rel}`);
      continue;
    }
    const key = item ? item.key : rel;
    if (key !== expectedKey) {
      errors.push(`${fw} reads key ${key} of Secret ${sec.secretName}; a kubernetes.io/tls Secret (cert-manager) holds it as ${expectedKey}`);
    }
    // Secret files are root-owned (root:fsGroup with an fsGroup); the process
    // is uid 65532.
    const mode = item?.mode ?? sec.defaultMode ?? 0o644;
    const fsGroup = pod.securityContext?.fsGroup;
    const octal = `0${mode.toString(8)}`;
    if (!(mode & 0o004) && !((mode & 0o040) && fsGroup !== undefined)) {
      errors.push(`${fw}: mode ${octal}${fsGroup === undefined ? " without an fsGroup" : ""}: ` +
        `the service (uid ${c.securityContext?.runAsUser}) cannot read it (Secret files are owned by root)`);
    }
    if (TLS_KEY_FLAGS.includes(flag) && mode & 0o007) {
      errors.push(`${fw}: private key readable by others (mode ${octal}); use defaultMode 0440 with an fsGroup`);
    }
  }
  for (const flag of ["tls_refresh_interval", "upstream_tls_refresh_interval"]) {
    if (!cf.flags.some((f) => f.name === flag)) continue;
    const t = durationFlag(cf.flags, flag, known, where, errors);
    // Kubelet updates a mounted Secret within about a minute; the services
    // should follow within minutes, not hours.
    if (!(t > 0 && t <= 600)) errors.push(`${where}: --${flag} must be positive and at most 10m (got ${t}s)`);
  }
}

// `tls`: the grpc port serves TLS, so kubelet's gRPC probe (plaintext, no
// client certificate) must use the health port (--health_listen).
function checkProbes(d, c, service, tls, errors) {
  const where = `Deployment/${d.metadata.name} container ${c.name}`;
  for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const p = c[kind];
    if (!p) {
      errors.push(`${where}: no ${kind}`);
      continue;
    }
    if (service.protocol === "grpc") {
      const target = p.grpc && resolvePort(p.grpc.port, c);
      if (!p.grpc) {
        errors.push(`${where}: ${kind} must be a native grpc probe (grpc.health.v1)`);
      } else if (tls && target?.name !== HEALTH) {
        errors.push(`${where}: ${kind} grpc.port ${p.grpc.port} is not the ${HEALTH} containerPort: ` +
          "the grpc port serves TLS, which kubelet's gRPC probe cannot speak");
      } else if (!target || (target.name !== "grpc" && target.name !== HEALTH)) {
        errors.push(`${where}: ${kind} grpc.port ${p.grpc.port} is not the grpc containerPort (or ${HEALTH})`);
      }
    } else {
      const expected = { startupProbe: "/healthz", readinessProbe: "/readyz", livenessProbe: "/healthz" }[kind];
      if (p.httpGet?.path !== expected) errors.push(`${where}: ${kind} must be httpGet ${expected}`);
      else if (!resolvePort(p.httpGet.port, c)) errors.push(`${where}: ${kind} port ${p.httpGet.port} is no containerPort`);
      // The public listener is what clients use: probe that one, not the admin port.
      else if (resolvePort(p.httpGet.port, c).name !== "http") errors.push(`${where}: ${kind} port ${p.httpGet.port} is not the http containerPort`);
    }
  }
}

function checkResources(d, c, service, errors) {
  const where = `Deployment/${d.metadata.name} container ${c.name}`;
  const r = c.resources || {};
  for (const res of ["cpu", "memory"]) {
    if (r.requests?.[res] === undefined) errors.push(`${where}: resources.requests.${res} missing`);
    if (r.limits?.[res] === undefined) errors.push(`${where}: resources.limits.${res} missing`);
  }
  if (r.limits?.cpu !== undefined) {
    const cores = cpuCores(r.limits.cpu);
    // The binaries size their thread pools from the quota (rounded up): an
    // integer limit is exactly the thread count and is never throttled by it.
    if (!Number.isInteger(cores) || cores < 1) errors.push(`${where}: limits.cpu ${r.limits.cpu} must be a whole number of CPUs`);
    if (r.requests?.cpu !== undefined && cpuCores(r.requests.cpu) > cores) errors.push(`${where}: requests.cpu above limits.cpu`);
  }
  if (r.limits?.memory !== undefined) {
    const limit = memoryMiB(r.limits.memory);
    if (!(limit >= 2 * service.peakRssMiB)) {
      errors.push(`${where}: limits.memory ${r.limits.memory} is below 2x the measured peak RSS (${service.peakRssMiB} MiB)`);
    }
    if (r.requests?.memory !== undefined && memoryMiB(r.requests.memory) > limit) errors.push(`${where}: requests.memory above limits.memory`);
  }
}

function checkSecurity(d, c, errors) {
  const where = `Deployment/${d.metadata.name}`;
  const pod = d.spec.template.spec;
  const psc = pod.securityContext || {};
  const csc = c.securityContext || {};
  const eff = (k) => (csc[k] !== undefined ? csc[k] : psc[k]);
  if (pod.automountServiceAccountToken !== false) errors.push(`${where}: automountServiceAccountToken must be false`);
  if (psc.runAsNonRoot !== true || csc.runAsNonRoot !== true) errors.push(`${where}: runAsNonRoot must be true (pod and container ${c.name})`);
  const uid = eff("runAsUser");
  if (!Number.isInteger(uid) || uid <= 0) errors.push(`${where}: container ${c.name}: runAsUser must be a numeric non-root uid`);
  if (!Number.isInteger(eff("runAsGroup")) || eff("runAsGroup") <= 0) errors.push(`${where}: container ${c.name}: runAsGroup must be a numeric non-root gid`);
  if (csc.allowPrivilegeEscalation !== false) errors.push(`${where}: container ${c.name}: allowPrivilegeEscalation must be false`);
  if (csc.readOnlyRootFilesystem !== true) errors.push(`${where}: container ${c.name}: readOnlyRootFilesystem must be true`);
  if (csc.privileged === true) errors.push(`${where}: container ${c.name}: privileged`);
  if (!(csc.capabilities?.drop || []).includes("ALL")) errors.push(`${where}: container ${c.name}: capabilities.drop must include ALL`);
  if ((csc.capabilities?.add || []).length) errors.push(`${where}: container ${c.name}: adds capabilities`);
  if (psc.seccompProfile?.type !== "RuntimeDefault" || csc.seccompProfile?.type !== "RuntimeDefault") {
    errors.push(`${where}: seccompProfile RuntimeDefault expected on pod and container ${c.name}`);
  }
  for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[k]) errors.push(`${where}: ${k}`);
}

function checkDeployment(d, objects, ctx, errors) {
  const where = `Deployment/${d.metadata.name}`;
  const spec = d.spec || {};
  const pod = spec.template?.spec || {};
  const podLabels = spec.template?.metadata?.labels || {};
  const sel = selectorLabels(spec.selector, `${where} selector`, errors);
  if (!Object.keys(sel).length || !labelsMatch(sel, podLabels)) errors.push(`${where}: selector does not match its pod template labels`);
  if (sel["app.kubernetes.io/version"] !== undefined) errors.push(`${where}: selector contains the version label (selectors are immutable)`);

  for (const [labels, what] of [[d.metadata.labels, "metadata"], [podLabels, "pod template"]]) {
    for (const k of ["name", "part-of", "component", "version"]) {
      if (!labels?.[`app.kubernetes.io/${k}`]) errors.push(`${where}: ${what} label app.kubernetes.io/${k} missing`);
    }
    if (labels?.["app.kubernetes.io/part-of"] !== PART_OF) errors.push(`${where}: ${what} label app.kubernetes.io/part-of must be ${PART_OF}`);
  }
  if (d.metadata.labels?.["app.kubernetes.io/version"] !== podLabels["app.kubernetes.io/version"]) {
    errors.push(`${where}: version labels of the Deployment and its pods differ`);
  }

  const strategy = spec.strategy || {};
  if (strategy.type !== "RollingUpdate" || String(strategy.rollingUpdate?.maxUnavailable) !== "0" ||
      String(strategy.rollingUpdate?.maxSurge) !== "1") {
    errors.push(`${where}: strategy must be RollingUpdate with maxUnavailable 0 and maxSurge 1`);
  }
  if (pod.enableServiceLinks !== false) errors.push(`${where}: enableServiceLinks must be false`);

  const spreads = pod.topologySpreadConstraints || [];
  const antiAffinity = pod.affinity?.podAntiAffinity;
  const spreadOk = spreads.some((t) => t.topologyKey && labelsMatch(selectorLabels(t.labelSelector, where, errors), podLabels) &&
    Object.keys(t.labelSelector?.matchLabels || {}).length);
  if (!spreadOk && !antiAffinity) errors.push(`${where}: no topologySpreadConstraints (or podAntiAffinity) over its own pods`);

  if ((pod.containers || []).length !== 1) errors.push(`${where}: exactly one container expected`);
  if ((pod.initContainers || []).length) errors.push(`${where}: initContainers are not covered by these checks`);
  for (const c of pod.containers || []) {
    const service = SERVICES[c.name];
    if (!service) {
      errors.push(`${where}: container ${c.name} is none of ${Object.keys(SERVICES)}`);
      continue;
    }
    const img = imageParts(c.image || "");
    if (!img.tag || img.tag === "latest") errors.push(`${where}: image ${c.image} must be pinned by a tag other than latest`);
    if (img.base !== c.name) errors.push(`${where}: image ${c.image} is not the ${c.name} image`);
    if (img.tag && img.tag !== podLabels["app.kubernetes.io/version"]) {
      errors.push(`${where}: image tag ${img.tag} != app.kubernetes.io/version ${podLabels["app.kubernetes.io/version"]}`);
    }
    if (c.imagePullPolicy === "Always") errors.push(`${where}: imagePullPolicy Always with pinned tags only slows starts`);
    if (podLabels["app.kubernetes.io/component"] !== c.name) errors.push(`${where}: component label is not ${c.name}`);
    if (podLabels["app.kubernetes.io/name"] !== service.binary) errors.push(`${where}: name label is not ${service.binary}`);
    for (const p of c.ports || []) {
      const extra = [...(service.admin ? [ADMIN] : []), ...(service.health ? [HEALTH] : [])];
      if (!["grpc", "http", ...extra].includes(p.name)) {
        errors.push(`${where}: containerPort ${p.containerPort} must be named grpc or http${extra.length ? ` (or ${extra.join(", ")})` : ""}`);
      }
    }
    const cf = containerFlags(d, c, objects, errors);
    const known = ctx.helpfull[service.binary];
    checkProbes(d, c, service, !!(cf && known && serverTls(cf, known)), errors);
    checkResources(d, c, service, errors);
    checkSecurity(d, c, errors);
    if (cf) {
      checkFlags(d, c, service, cf, ctx, objects, errors);
      if (c.name === "gateway") checkGatewayTargets(d, c, cf, ctx, objects, errors);
      if (service.admin) checkAdminPort(d, c, service, cf, ctx, errors);
      if (known && service.health) checkHealthPort(d, c, service, cf, ctx, errors);
      if (known) checkTlsFiles(d, c, service, cf, ctx, errors);
    }
  }
}

// Whether a Deployment's (single) container serves TLS on its grpc port.
function deploymentServesTls(d, objects, ctx) {
  const c = d.spec.template.spec.containers?.[0];
  const service = c && SERVICES[c.name];
  const known = service && ctx.helpfull[service.binary];
  const cf = known && service.protocol === "grpc" && containerFlags(d, c, objects, []);
  return !!(cf && serverTls(cf, known));
}

function checkServices(objects, ctx, errors) {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  for (const name of Object.keys(SERVICES)) {
    if (!deployments.some((d) => d.metadata.name === name)) errors.push(`Deployment/${name} missing`);
    if (!objects.some((o) => o.kind === "Service" && o.metadata.name === name)) errors.push(`Service/${name} missing`);
  }
  for (const s of objects.filter((o) => o.kind === "Service")) {
    const where = `Service/${s.metadata.name}`;
    const selected = deployments.filter((d) => labelsMatch(s.spec.selector, d.spec.template.metadata.labels));
    if (!s.spec.selector || !Object.keys(s.spec.selector).length) {
      errors.push(`${where}: no selector`);
      continue;
    }
    if (selected.length !== 1) {
      errors.push(`${where}: selector ${JSON.stringify(s.spec.selector)} selects ${selected.length} Deployments' pods, expected 1`);
      continue;
    }
    const d = selected[0];
    const c = d.spec.template.spec.containers[0];
    for (const p of s.spec.ports || []) {
      // Prometheus scrapes every pod (a Service would pick one per scrape), and
      // a Service port would only widen who can name the admin port.
      const targeted = resolvePort(p.targetPort === undefined ? p.port : p.targetPort, c);
      if (p.name === ADMIN || targeted?.name === ADMIN) {
        errors.push(`${where}: port ${p.port} exposes the ${ADMIN} containerPort; it stays off the Service (Prometheus scrapes the pods)`);
        continue;
      }
      // Kubelet probes each pod directly; through a Service the plaintext
      // health port would only be easier to reach.
      if (p.name === HEALTH || targeted?.name === HEALTH) {
        errors.push(`${where}: port ${p.port} exposes the ${HEALTH} containerPort; it stays off the Service (kubelet probes the pods)`);
        continue;
      }
      if (!APP_PROTOCOL[p.name]) {
        errors.push(`${where}: port ${p.port} must be named grpc or http`);
        continue;
      }
      const appProtocol = p.name === "grpc" && deploymentServesTls(d, objects, ctx) ? APP_PROTOCOL_TLS : APP_PROTOCOL[p.name];
      if (p.appProtocol !== appProtocol) {
        errors.push(`${where}: port ${p.name} appProtocol must be ${appProtocol}` +
          `${appProtocol === APP_PROTOCOL_TLS ? " (the grpc port serves TLS: HTTP/2 over TLS)" : ""}`);
      }
      const target = p.targetPort === undefined ? p.port : p.targetPort;
      const cp = resolvePort(target, c);
      if (!cp) errors.push(`${where}: targetPort ${target} is no containerPort of Deployment/${d.metadata.name}`);
      else if (cp.name !== p.name) errors.push(`${where}: port ${p.name} targets containerPort ${cp.name}`);
      else if ((cp.protocol || "TCP") !== (p.protocol || "TCP")) errors.push(`${where}: port ${p.name} protocol differs from the containerPort's`);
      if (p.name === "grpc" && s.spec.clusterIP !== "None") {
        errors.push(`${where}: serves gRPC, so it must be headless (clusterIP: None) for client-side round_robin`);
      }
    }
    if (!labelsMatch({ "app.kubernetes.io/part-of": PART_OF }, s.metadata.labels)) errors.push(`${where}: part-of label missing`);
  }
}

// --- NetworkPolicy evaluation (the subset these manifests use) -------------

function peerMatches(peer, src, errors) {
  if (peer.ipBlock) return src.external === true;
  if (src.external) return false;
  const nsSel = peer.namespaceSelector;
  const nsOk = nsSel === undefined ? src.namespace === NAMESPACE : labelsMatch(selectorLabels(nsSel, "NetworkPolicy", errors), src.namespaceLabels);
  const podOk = peer.podSelector === undefined || labelsMatch(selectorLabels(peer.podSelector, "NetworkPolicy", errors), src.labels);
  return nsOk && podOk;
}

function portMatches(rulePorts, port, protocol, container) {
  if (!rulePorts || !rulePorts.length) return true;
  return rulePorts.some((p) => {
    if ((p.protocol || "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    const n = typeof p.port === "number" ? p.port : resolvePort(p.port, container || { ports: [] })?.containerPort;
    return n === port;
  });
}

// Is a connection from endpoint `src` to `dst` on port/protocol allowed?
// Endpoints: {labels, namespace, namespaceLabels, container?} or {external: true}.
function allowed(policies, src, dst, port, protocol, errors) {
  const direction = (ep, type) => policies.filter((np) =>
    ep.namespace === NAMESPACE && !ep.external &&
    (np.spec.policyTypes || ["Ingress"]).includes(type) &&
    labelsMatch(selectorLabels(np.spec.podSelector, "NetworkPolicy", errors), ep.labels));
  const egressPolicies = direction(src, "Egress");
  const egressOk = !egressPolicies.length || egressPolicies.some((np) => (np.spec.egress || []).some((rule) =>
    (!rule.to || rule.to.some((peer) => peerMatches(peer, dst, errors))) && portMatches(rule.ports, port, protocol, dst.container)));
  const ingressPolicies = direction(dst, "Ingress");
  const ingressOk = !ingressPolicies.length || ingressPolicies.some((np) => (np.spec.ingress || []).some((rule) =>
    (!rule.from || rule.from.some((peer) => peerMatches(peer, src, errors))) && portMatches(rule.ports, port, protocol, dst.container)));
  return egressOk && ingressOk;
}

function checkNetworkPolicies(objects, errors) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const nsLabels = { "kubernetes.io/metadata.name": NAMESPACE };
  const pods = {};
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    pods[d.metadata.name] = { labels: d.spec.template.metadata.labels, namespace: NAMESPACE, namespaceLabels: nsLabels,
      container: d.spec.template.spec.containers[0] };
  }
  if (!pods.gateway || !pods.engine || !pods.pgstub) return; // reported elsewhere
  const defaultDeny = policies.find((np) => Object.keys(np.spec.podSelector || {}).length === 0 &&
    ["Ingress", "Egress"].every((t) => (np.spec.policyTypes || []).includes(t)) && !np.spec.ingress && !np.spec.egress);
  if (!defaultDeny) errors.push("NetworkPolicy: no default deny (podSelector {}, policyTypes Ingress+Egress, no rules)");
  const outside = { external: true };
  const otherNsPod = { labels: { app: "client" }, namespace: "clients", namespaceLabels: { "kubernetes.io/metadata.name": "clients" } };
  const dns = { labels: { "k8s-app": "kube-dns" }, namespace: "kube-system", namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
    container: { ports: [{ containerPort: 53, protocol: "UDP" }, { containerPort: 53, protocol: "TCP" }] } };
  const port = (name) => pods[name].container.ports.find((p) => p.name === SERVICES[name].protocol)?.containerPort;
  const monitoring = { labels: { "app.kubernetes.io/name": "prometheus" }, namespace: MONITORING_NAMESPACE,
    namespaceLabels: MONITORING_NAMESPACE_LABELS };
  const expect = (what, ok, wanted) => { if (ok !== wanted) errors.push(`NetworkPolicy: ${what} is ${ok ? "allowed" : "denied"}, must be ${wanted ? "allowed" : "denied"}`); };
  expect("gateway -> engine:grpc", allowed(policies, pods.gateway, pods.engine, port("engine"), "TCP", errors), true);
  expect("gateway -> pgstub:grpc", allowed(policies, pods.gateway, pods.pgstub, port("pgstub"), "TCP", errors), true);
  expect("gateway -> DNS udp/53", allowed(policies, pods.gateway, dns, 53, "UDP", errors), true);
  expect("gateway -> DNS tcp/53", allowed(policies, pods.gateway, dns, 53, "TCP", errors), true);
  expect("outside -> gateway:http", allowed(policies, outside, pods.gateway, port("gateway"), "TCP", errors), true);
  expect("other namespace -> gateway:http", allowed(policies, otherNsPod, pods.gateway, port("gateway"), "TCP", errors), true);
  // The admin port (/metrics): from the monitoring namespace only. Without
  // one, 9090 stands for any port other than the public one.
  const admin = pods.gateway.container.ports.find((p) => p.name === ADMIN)?.containerPort;
  const adminWhat = admin === undefined ? "gateway:9090" : `gateway:${ADMIN} ${admin}`;
  if (admin !== undefined) {
    expect(`monitoring namespace -> ${adminWhat}`, allowed(policies, monitoring, pods.gateway, admin, "TCP", errors), true);
  }
  expect(`outside -> ${adminWhat}`, allowed(policies, outside, pods.gateway, admin ?? 9090, "TCP", errors), false);
  expect(`other namespace -> ${adminWhat}`, allowed(policies, otherNsPod, pods.gateway, admin ?? 9090, "TCP", errors), false);
  expect(`monitoring namespace -> gateway:http`, allowed(policies, monitoring, pods.gateway, port("gateway"), "TCP", errors), true);
  for (const up of ["engine", "pgstub"]) {
    expect(`outside -> ${up}:grpc`, allowed(policies, outside, pods[up], port(up), "TCP", errors), false);
    expect(`other namespace -> ${up}:grpc`, allowed(policies, otherNsPod, pods[up], port(up), "TCP", errors), false);
    expect(`monitoring namespace -> ${up}:grpc`, allowed(policies, monitoring, pods[up], port(up), "TCP", errors), false);
    expect(`${up} -> ${adminWhat}`, allowed(policies, pods[up], pods.gateway, admin ?? 9090, "TCP", errors), false);
    expect(`${up} -> DNS udp/53`, allowed(policies, pods[up], dns, 53, "UDP", errors), false);
    expect(`${up} -> outside:443`, allowed(policies, pods[up], outside, 443, "TCP", errors), false);
    expect(`${up} -> gateway:http`, allowed(policies, pods[up], pods.gateway, port("gateway"), "TCP", errors), false);
  }
  // The plaintext health port (--health_listen): kubelet only, from the node,
  // which NetworkPolicies do not filter; no pod reaches it, not even the
  // gateway (its readiness asks the grpc port, over TLS).
  for (const up of ["engine", "pgstub"]) {
    const health = pods[up].container.ports?.find((p) => p.name === HEALTH)?.containerPort;
    if (health === undefined) continue;
    const other = up === "engine" ? "pgstub" : "engine";
    for (const [who, src] of [["gateway", pods.gateway], [other, pods[other]], ["outside", outside],
      ["other namespace", otherNsPod], ["monitoring namespace", monitoring]]) {
      expect(`${who} -> ${up}:${HEALTH} ${health}`, allowed(policies, src, pods[up], health, "TCP", errors), false);
    }
  }
  expect("engine -> pgstub:grpc", allowed(policies, pods.engine, pods.pgstub, port("pgstub"), "TCP", errors), false);
  expect("pgstub -> engine:grpc", allowed(policies, pods.pgstub, pods.engine, port("engine"), "TCP", errors), false);
  expect("gateway -> outside:443", allowed(policies, pods.gateway, outside, 443, "TCP", errors), false);
}

// --- overlays --------------------------------------------------------------

function checkOverlay(overlay, objects, errors) {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
  if (overlay === "dev") {
    for (const d of deployments) if (d.spec.replicas !== 1) errors.push(`Deployment/${d.metadata.name}: dev runs 1 replica, got ${d.spec.replicas}`);
    if (hpas.length) errors.push("dev: no HorizontalPodAutoscaler expected");
    for (const d of deployments) {
      const img = imageParts(d.spec.template.spec.containers[0].image);
      if (img.registry) errors.push(`Deployment/${d.metadata.name}: dev uses local image names, got ${img.name}`);
    }
  }
  if (overlay === "prod") {
    for (const d of deployments) {
      const img = imageParts(d.spec.template.spec.containers[0].image);
      if (!img.registry) errors.push(`Deployment/${d.metadata.name}: prod images come from a registry, got ${img.name}`);
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === d.metadata.name);
      const min = hpa ? hpa.spec.minReplicas : d.spec.replicas;
      if (hpa && d.spec.replicas !== undefined) {
        errors.push(`Deployment/${d.metadata.name}: has an HPA, so spec.replicas must be left out (kubectl apply would reset the HPA's count)`);
      }
      if (!(min >= 2)) errors.push(`Deployment/${d.metadata.name}: prod needs at least 2 replicas, got ${min}`);
      const podLabels = d.spec.template.metadata.labels;
      const pdb = pdbs.filter((p) => labelsMatch(selectorLabels(p.spec.selector, "PodDisruptionBudget", errors), podLabels) &&
        Object.keys(p.spec.selector?.matchLabels || {}).length);
      if (pdb.length !== 1) {
        errors.push(`Deployment/${d.metadata.name}: exactly one PodDisruptionBudget expected, got ${pdb.length}`);
      } else {
        const p = pdb[0].spec;
        const allows = p.maxUnavailable !== undefined ? Number(String(p.maxUnavailable).replace("%", "")) > 0
          : Number(p.minAvailable) < min;
        if (!allows) errors.push(`PodDisruptionBudget/${pdb[0].metadata.name}: would block every voluntary eviction`);
      }
    }
    const engineHpa = hpas.find((h) => h.spec.scaleTargetRef.name === "engine");
    if (!engineHpa) {
      errors.push("prod: no HorizontalPodAutoscaler for the engine");
    } else {
      const s = engineHpa.spec;
      if (s.scaleTargetRef.apiVersion !== "apps/v1" || s.scaleTargetRef.kind !== "Deployment") errors.push("HPA/engine: must target apps/v1 Deployment engine");
      if (!(s.maxReplicas > s.minReplicas)) errors.push("HPA/engine: maxReplicas must exceed minReplicas");
      if (!(s.metrics || []).some((m) => m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.type === "Utilization")) {
        errors.push("HPA/engine: must scale on CPU utilization");
      }
      const engine = deployments.find((d) => d.metadata.name === "engine");
      if (engine && !engine.spec.template.spec.containers[0].resources?.requests?.cpu) errors.push("HPA/engine: CPU utilization needs a CPU request");
    }
  }
}

// --- mutual TLS (deploy/k8s/components/mtls) ---------------------------------

// The gateway and its upstreams agree: it dials TLS exactly where they serve
// it, with a client certificate where they require one. `mtls`: the render
// includes the mtls component, so all of it must be mutual TLS; every other
// render stays plaintext.
function checkMeshTls(render, mtls, objects, ctx, errors) {
  const flagsOf = (name) => {
    const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
    const c = d?.spec.template.spec.containers?.[0];
    const known = ctx.helpfull[SERVICES[name].binary];
    const cf = c && known && containerFlags(d, c, objects, []);
    return cf ? { cf, known } : null;
  };
  const gw = flagsOf("gateway");
  if (!gw) return; // reported elsewhere
  const gwSet = (flag) => flagSet(gw.cf, flag, gw.known);
  const gwTls = ["upstream_tls_ca_file", "upstream_tls_cert_file", "upstream_tls_key_file"].some(gwSet);
  const gwCert = gwSet("upstream_tls_cert_file");
  const where = "Deployment/gateway";
  if (gwTls && !gwSet("upstream_tls_ca_file")) {
    errors.push(`${where}: dials its upstreams with TLS but without --upstream_tls_ca_file (the mesh's CA, not the system roots)`);
  }
  // One name for both upstreams, whose certificates carry different names.
  if (gwSet("upstream_tls_server_name")) {
    errors.push(`${where}: --upstream_tls_server_name applies to both upstreams; their certificates carry the Service names the targets use: leave it unset`);
  }
  if (mtls && !(gwTls && gwCert)) errors.push(`${render}: the gateway must dial its upstreams with mutual TLS (--upstream_tls_ca_file, --upstream_tls_cert_file, --upstream_tls_key_file)`);
  if (!mtls && gwTls) errors.push(`${render}: must stay plaintext (the mtls component turns TLS on), but the gateway dials TLS`);
  for (const up of Object.values(UPSTREAM_TARGETS)) {
    const u = flagsOf(up);
    if (!u) continue;
    const tls = serverTls(u.cf, u.known);
    const mutual = tls && flagSet(u.cf, "tls_client_ca_file", u.known);
    if (tls && !gwTls) errors.push(`Deployment/${up}: serves TLS, but the gateway dials it in plaintext (no --upstream_tls_* flags): every call would fail`);
    if (!tls && gwTls) errors.push(`Deployment/${up}: serves plaintext, but the gateway dials it with TLS: every call would fail`);
    if (mutual && !gwCert) errors.push(`Deployment/${up}: requires client certificates (--tls_client_ca_file), but the gateway has no --upstream_tls_cert_file`);
    if (mtls && !mutual) errors.push(`${render}: Deployment/${up} must serve mutual TLS (--tls_cert_file, --tls_key_file, --tls_client_ca_file)`);
    if (!mtls && tls) errors.push(`${render}: must stay plaintext (the mtls component turns TLS on), but Deployment/${up} serves TLS`);
  }
}

// deploy/k8s/components/mtls/cert-manager.yaml against a render with the mtls
// component: a Certificate writes each Secret the Deployments read their TLS
// files from, with the usage its service needs (server auth: engine, pgstub;
// client auth: the gateway), the upstreams' with the name the gateway
// verifies; all from one CA Issuer, whose CA Certificate the file defines.
function checkCertManager(certObjects, objects, ctx) {
  const errors = [];
  const ofKind = (kind) => certObjects.filter((o) => o.apiVersion === "cert-manager.io/v1" && o.kind === kind);
  for (const o of certObjects) {
    if (o.metadata?.namespace !== NAMESPACE) errors.push(`${o.kind}/${o.metadata?.name}: namespace '${o.metadata?.namespace}', expected ${NAMESPACE}`);
  }
  const certificates = ofKind("Certificate");
  const issuers = ofKind("Issuer");
  const gateway = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "gateway");
  const gwKnown = ctx.helpfull[SERVICES.gateway.binary];
  const gwFlags = gateway && containerFlags(gateway, gateway.spec.template.spec.containers[0], objects, []);
  const leafIssuers = new Set();
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    const c = d.spec.template.spec.containers[0];
    const service = SERVICES[c.name];
    const known = service && ctx.helpfull[service.binary];
    const cf = known && containerFlags(d, c, objects, []);
    if (!cf) continue;
    const certFlag = service.protocol === "grpc" ? "tls_cert_file" : "upstream_tls_cert_file";
    const file = flagSet(cf, certFlag, known) && flagValue(cf.flags, certFlag, known);
    const mount = file && (c.volumeMounts || []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
    const secretName = mount && d.spec.template.spec.volumes?.find((v) => v.name === mount.name)?.secret?.secretName;
    if (!secretName) continue; // no TLS, or reported by checkTlsFiles
    const cert = certificates.find((x) => x.spec?.secretName === secretName);
    if (!cert) {
      errors.push(`no Certificate writes Secret ${secretName} (Deployment/${d.metadata.name} --${certFlag})`);
      continue;
    }
    const where = `Certificate/${cert.metadata.name}`;
    const usages = cert.spec.usages || [];
    const usage = service.protocol === "grpc" ? "server auth" : "client auth";
    if (!usages.includes(usage)) errors.push(`${where}: usages must include "${usage}" (Deployment/${d.metadata.name}), got ${JSON.stringify(usages)}`);
    if (cert.spec.isCA) errors.push(`${where}: isCA on a service certificate`);
    leafIssuers.add(JSON.stringify([cert.spec.issuerRef?.kind || "Issuer", cert.spec.issuerRef?.name]));
    // The name the gateway dials is the name it verifies.
    for (const [flag, upstream] of Object.entries(UPSTREAM_TARGETS)) {
      if (upstream !== d.metadata.name || !gwFlags) continue;
      const host = /^dns:\/\/\/([^:/]+):\d+$/.exec(flagValue(gwFlags.flags, flag, gwKnown) || "")?.[1];
      if (host && !(cert.spec.dnsNames || []).includes(host)) {
        errors.push(`${where}: dnsNames lack ${host}, the name the gateway verifies (--${flag})`);
      }
    }
  }
  // Each Secret's ca.crt is its issuer's CA; the gateway verifies both
  // upstreams, and they verify it, with their own ca.crt: one CA for all.
  if (leafIssuers.size > 1) errors.push(`the service Certificates must share one issuer (each Secret's ca.crt is its issuer's CA), got ${[...leafIssuers].join(", ")}`);
  for (const ref of leafIssuers) {
    const [kind, name] = JSON.parse(ref);
    const issuer = kind === "Issuer" && issuers.find((i) => i.metadata.name === name);
    if (!issuer) {
      errors.push(`issuerRef ${kind}/${name}: no such Issuer in the file`);
    } else if (!issuer.spec?.ca?.secretName) {
      errors.push(`Issuer/${name}: must be a CA Issuer (spec.ca.secretName)`);
    } else if (!certificates.some((x) => x.spec?.isCA === true && x.spec.secretName === issuer.spec.ca.secretName)) {
      errors.push(`Issuer/${name}: no CA Certificate (isCA) writes its Secret ${issuer.spec.ca.secretName}`);
    }
  }
  return errors;
}

// Every invariant on one rendered kustomization: "base", "dev", "prod", or
// one of those with components, e.g. "dev+mtls" (the dev overlay's
// properties plus mutual TLS).
// ctx: {helpfull: {binary: Map}, flagfileParses?(binary, text), gatewayKeepaliveSeconds}
function checkRender(render, objects, ctx) {
  const errors = [];
  const [overlay, ...components] = render.split("+");
  checkNamespace(objects, errors);
  checkServices(objects, ctx, errors);
  for (const d of objects.filter((o) => o.kind === "Deployment")) checkDeployment(d, objects, ctx, errors);
  checkNetworkPolicies(objects, errors);
  checkMeshTls(render, components.includes("mtls"), objects, ctx, errors);
  checkOverlay(overlay, objects, errors);
  for (const sa of objects.filter((o) => o.kind === "ServiceAccount")) {
    if (sa.automountServiceAccountToken !== false) errors.push(`ServiceAccount/${sa.metadata.name}: automountServiceAccountToken must be false`);
  }
  return [...new Set(errors)];
}

module.exports = { checkRender, checkCertManager, SERVICES, NAMESPACE, MONITORING_NAMESPACE, imageParts };
