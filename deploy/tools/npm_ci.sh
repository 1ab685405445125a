#!/usr/bin/env bash
# Installs the deploy checks' npm packages, exactly as pinned in
# deploy/package-lock.json, into deploy/node_modules (`npm ci`, no install
# scripts). Does nothing when they are already installed from this lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node npm; do
  command -v "$tool" >/dev/null || {
    echo "npm_ci.sh: $tool not found (Debian 12: apt-get install nodejs npm)" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
((major >= 18)) || { echo "npm_ci.sh: node >= 18 needed, found $(node --version)" >&2; exit 1; }
stamp=node_modules/.hashmesh-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
echo "npm_ci.sh: installed $(node -p 'Object.keys(require("./package.json").dependencies).map(d => d + "@" + require("./node_modules/" + d + "/package.json").version).join(" ")')"
