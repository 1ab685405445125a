// Renders a kustomization with `kubectl kustomize` and parses the YAML stream.
"use strict";

const { spawnSync } = require("child_process");

const YAML = require("yaml");

// kustomize v5 (kubectl >= 1.27) warns about the fields kustomize v2.0.3
// (kubectl 1.20, Debian 12) needs; those warnings, and only those, are expected.
const EXPECTED_WARNINGS = [
  /^# Warning: 'bases' is deprecated\./,
  /^# Warning: 'patchesStrategicMerge' is deprecated\./,
];

function kubectlVersion(kubectl) {
  const r = spawnSync(kubectl, ["version", "--client"], { encoding: "utf8" });
  if (r.error) {
    throw new Error(
      `cannot run '${kubectl}' (${r.error.code}): install kubectl, e.g. ` +
        "`apt-get install kubernetes-client` on Debian 12, or set KUBECTL");
  }
  const text = `${r.stdout}`;
  const m = text.match(/GitVersion:"(v[^"]+)"/) || text.match(/Client Version: (v\S+)/);
  return m ? m[1] : text.split("\n")[0];
}

// Kustomize components (`components:`, kind Component, as in
// deploy/k8s/components/mtls) need kustomize v3.7+: kubectl 1.21 or later.
// Debian 12's kubectl 1.20 (kustomize v2.0.3) renders everything else.
function kubectlRendersComponents(kubectl) {
  const m = /^v(\d+)\.(\d+)/.exec(kubectlVersion(kubectl));
  return !m || Number(m[1]) > 1 || Number(m[2]) >= 21;
}

// Parses a multi-document YAML stream strictly (duplicate keys are errors).
function parseStream(text, origin) {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${origin}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  return objects;
}

// Returns {objects, yaml, warnings} for one kustomization directory.
function render(kubectl, dir) {
  const r = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${kubectl} kustomize ${dir}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${kubectl} kustomize ${dir} failed:\n${r.stderr}`);
  const warnings = r.stderr.split("\n").filter((l) => l.trim() !== "");
  const unexpected = warnings.filter((w) => !EXPECTED_WARNINGS.some((re) => re.test(w)));
  if (unexpected.length) {
    throw new Error(`${kubectl} kustomize ${dir}: unexpected output on stderr:\n${unexpected.join("\n")}`);
  }
  return { objects: parseStream(r.stdout, dir), yaml: r.stdout, warnings };
}

module.exports = { render, parseStream, kubectlVersion, kubectlRendersComponents };
