// Static checks of deploy/docker/Dockerfile and .dockerignore (no Docker
// engine is needed): what the images promise and what the manifests assume.
"use strict";

const fs = require("fs");

// -> [{instr, args, line}] with continuation lines joined and comments dropped.
function parseDockerfile(text) {
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue;
      line = line.replace(/\\\s*$/, " ") + lines[i].trim();
    }
    const m = line.trim().match(/^(\w+)\s+(.*)$/);
    if (m) out.push({ instr: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

function substitute(text, args) {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a || b] ?? `\${${a || b}}`);
}

// -> {stages: Map(name -> {from, instrs}), order, globalArgs}
function stagesOf(instrs) {
  const globalArgs = {};
  const stages = new Map();
  const order = [];
  let current = null;
  for (const ins of instrs) {
    if (ins.instr === "FROM") {
      const m = ins.args.match(/^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i);
      const name = m[2] || `stage${order.length}`;
      current = { name, from: substitute(m[1], globalArgs), instrs: [], line: ins.line };
      stages.set(name, current);
      order.push(name);
    } else if (!current) {
      if (ins.instr === "ARG") {
        const [k, v] = ins.args.split("=");
        globalArgs[k] = v;
      }
    } else {
      current.instrs.push(ins);
    }
  }
  return { stages, order, globalArgs };
}

// Follows FROM <stage> chains to find the effective USER of a stage.
function effectiveUser(stages, name) {
  for (let s = stages.get(name); s; s = stages.get(s.from)) {
    const users = s.instrs.filter((i) => i.instr === "USER");
    if (users.length) return users[users.length - 1].args;
  }
  return undefined;
}

// expect: {services: {name: {binary, port}}, runAsUser, runAsGroup}
function checkDockerfile(dockerfileText, dockerignoreText, expect) {
  const errors = [];
  const { stages, order } = stagesOf(parseDockerfile(dockerfileText));
  const stage = (n) => stages.get(n);
  const runs = (s) => (s?.instrs || []).filter((i) => i.instr === "RUN").map((i) => i.args);

  for (const name of order) {
    const s = stage(name);
    if (stages.has(s.from) || s.from === "scratch") continue;
    const m = s.from.match(/^([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/);
    if (!m || (!m[2] && !m[3])) errors.push(`Dockerfile:${s.line}: FROM ${s.from} must pin a tag`);
    else if (m[2] === "latest" || m[2]?.includes("${")) errors.push(`Dockerfile:${s.line}: FROM ${s.from}: pin a real tag, not latest or an unset ARG`);
  }
  const build = stage("build");
  const runtime = stage("runtime");
  const bookworm = /^debian:(12(\.\d+)?|bookworm(-\d{8})?)$/;
  if (!build || !bookworm.test(build.from)) errors.push(`Dockerfile: stage 'build' must be FROM debian:bookworm (Debian 12), got ${build?.from}`);
  if (!runtime || runtime.from !== "scratch") {
    errors.push(`Dockerfile: stage 'runtime' must be FROM scratch (only what build_stage.sh assembles), got ${runtime?.from}`);
  }
  if (!runs(build).some((r) => /(^|\s)scripts\/install_deps\.sh(\s|$)/.test(r) && !r.includes("--runtime"))) {
    errors.push("Dockerfile: the build stage must install dependencies with scripts/install_deps.sh");
  }
  if (!runs(build).some((r) => /deploy\/docker\/build_stage\.sh\b/.test(r))) {
    errors.push("Dockerfile: the build stage must run deploy/docker/build_stage.sh (the script CI runs)");
  }
  const copiesRootfs = (runtime?.instrs || []).some(
    (i) => i.instr === "COPY" && /--from=build\b/.test(i.args) && /\/stage\/rootfs\/?\s+\/$/.test(i.args));
  if (!copiesRootfs) errors.push("Dockerfile: the runtime stage must COPY --from=build /stage/rootfs/ / (the checked runtime tree)");
  // No RUN after FROM scratch (there is no shell to run it) nor in the service
  // targets: whatever the image holds is checked in build_stage.sh.
  for (const name of ["runtime", ...Object.keys(expect.services)]) {
    for (const r of (stage(name)?.instrs || []).filter((i) => i.instr === "RUN")) {
      errors.push(`Dockerfile:${r.line}: RUN in '${name}': the runtime image has no shell; add files in build_stage.sh`);
    }
  }
  for (const [svc, e] of Object.entries(expect.services)) {
    const s = stage(svc);
    if (!s) {
      errors.push(`Dockerfile: no target '${svc}'`);
      continue;
    }
    if (s.from !== "runtime") errors.push(`Dockerfile: target ${svc} must be FROM runtime`);
    const copies = s.instrs.filter((i) => i.instr === "COPY");
    if (!copies.some((c) => c.args.includes("--from=build") && c.args.includes(`/stage/bin/${e.binary}`))) {
      errors.push(`Dockerfile: target ${svc} must COPY --from=build /stage/bin/${e.binary}`);
    }
    const entry = s.instrs.filter((i) => i.instr === "ENTRYPOINT").pop();
    let argv = null;
    try {
      argv = entry && JSON.parse(entry.args);
    } catch {
      argv = null;
    }
    if (!Array.isArray(argv) || argv.length !== 1 || argv[0] !== `/usr/local/bin/${e.binary}`) {
      errors.push(`Dockerfile: target ${svc}: ENTRYPOINT must be the exec form ["/usr/local/bin/${e.binary}"] (no shell at run time)`);
    }
    for (const i of s.instrs.filter((x) => x.instr === "CMD")) {
      if (!i.args.startsWith("[")) errors.push(`Dockerfile: target ${svc}: CMD in shell form needs a shell`);
    }
    const exposed = s.instrs.filter((i) => i.instr === "EXPOSE").map((i) => Number(i.args.split("/")[0]));
    if (!exposed.includes(e.port)) errors.push(`Dockerfile: target ${svc} must EXPOSE ${e.port} (its containerPort)`);
    const user = effectiveUser(stages, svc);
    const um = /^(\d+):(\d+)$/.exec(user || "");
    if (!um || Number(um[1]) === 0) {
      errors.push(`Dockerfile: target ${svc} must run as a numeric non-root USER uid:gid, got ${user}`);
    } else if (Number(um[1]) !== expect.runAsUser || Number(um[2]) !== expect.runAsGroup) {
      errors.push(`Dockerfile: target ${svc} USER ${user} != the manifests' runAsUser:runAsGroup ${expect.runAsUser}:${expect.runAsGroup}`);
    }
  }
  for (const s of stages.values()) {
    for (const i of s.instrs.filter((x) => x.instr === "ADD")) errors.push(`Dockerfile:${i.line}: ADD; use COPY`);
  }

  const ignored = dockerignoreText.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const needed of ["build", "**/node_modules", ".git"]) {
    if (!ignored.includes(needed) && !ignored.includes(`${needed}/`)) errors.push(`.dockerignore: must exclude ${needed}`);
  }
  return errors;
}

function checkDockerFiles(dockerfilePath, dockerignorePath, expect) {
  return checkDockerfile(fs.readFileSync(dockerfilePath, "utf8"), fs.readFileSync(dockerignorePath, "utf8"), expect);
}

module.exports = { checkDockerfile, checkDockerFiles, parseDockerfile };
