// absl flags: flagfiles (what the ConfigMaps hold), the binaries' --helpfull
// listing (which flags exist, their defaults) and absl duration strings.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

// Parses an absl flagfile: one --name=value per line, '#' comments, blank lines.
// Returns [{name, value, line}] or throws on a line that is not a flag.
function parseFlagfile(text, origin) {
  const flags = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = line.match(/^--([A-Za-z0-9_]+)(?:=(.*))?$/);
    if (!m) throw new Error(`${origin}:${i + 1}: not a --flag=value line: ${raw}`);
    flags.push({ name: m[1], value: m[2] === undefined ? "true" : m[2], line: i + 1 });
  });
  return flags;
}

// Runs `binary --helpfull` and returns Map(flag name -> default value string).
function helpfull(binary) {
  const r = spawnSync(binary, ["--helpfull"], { encoding: "utf8" });
  if (r.error) throw new Error(`cannot run ${binary}: ${r.error.message}`);
  const text = `${r.stdout}${r.stderr}`;
  const flags = new Map();
  // Entries start with "    --name (" and run until the next entry or a blank line.
  const entries = text.split(/\n(?= {4}--[A-Za-z0-9_]+ \()/);
  for (const entry of entries) {
    const m = entry.match(/^\s*--([A-Za-z0-9_]+) \(/);
    if (!m) continue;
    const body = entry.split(/\n\s*\n/)[0].replace(/\s+/g, " ");
    const d = body.match(/; default: (.*?);\s*$/);
    flags.set(m[1], d ? d[1].replace(/^"(.*)"$/, "$1") : undefined);
  }
  if (!flags.has("flagfile") || flags.size < 8) {
    throw new Error(`${binary} --helpfull: could not parse the flag list (${flags.size} flags)`);
  }
  return flags;
}

// Runs `binary --flagfile=<text> --version`: absl parses (and type-checks)
// every flag before it handles --version, so exit 0 means the file parses.
function flagfileParses(binary, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hashmesh-flags-"));
  const file = path.join(dir, "flags");
  try {
    fs.writeFileSync(file, text);
    const r = spawnSync(binary, [`--flagfile=${file}`, "--version"], { encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// absl::Duration text ("10s", "2m", "1h30m", "250ms", "0", "inf") -> seconds.
function parseDuration(text) {
  if (text === "inf") return Infinity;
  if (text === "0") return 0;
  const units = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let rest = text;
  let total = 0;
  while (rest.length) {
    const m = rest.match(/^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/);
    if (!m) throw new Error(`not an absl duration: '${text}'`);
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

module.exports = { parseFlagfile, helpfull, flagfileParses, parseDuration };
