// Validates Kubernetes objects offline against the Kubernetes 1.33.0 OpenAPI
// schemas that the pinned kubernetes-models package (4.5.1) was generated from.
//
// Two passes, because the OpenAPI schemas allow any extra property (the API
// server drops unknown fields silently, or warns with --validate=strict):
//  1. types, enums, required fields, formats: the package's own precompiled
//     JSON-schema validators (ajv), one per kind;
//  2. unknown fields: every property must be declared by the same schemas.
//     The package ships those declarations as TypeScript interfaces (.d.ts,
//     generated from the same OpenAPI document); they are parsed with the
//     TypeScript compiler into a field index and every object is walked
//     against it, so a misspelt or misplaced field (`readinessprobe`, a
//     `sleep` under the container instead of under preStop) is an error.
"use strict";

const fs = require("fs");
const path = require("path");

const ts = require("typescript");

// The API versions served by every Kubernetes release the manifests target
// (1.30 and later; the package also carries long-removed ones such as
// autoscaling/v2beta2 and policy/v1beta1, which are rejected here).
const SERVED_KINDS = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Service": "kubernetes-models/v1/Service",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
};

const SCHEMA_KUBERNETES_VERSION = "1.33.0";

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function listDts(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") listDts(p, out);
    } else if (entry.name.endsWith(".d.ts")) {
      out.push(p);
    }
  }
  return out;
}

// A type, reduced to what the unknown-field walk needs:
//   {kind: "ref", name}  {kind: "object", props}  {kind: "array", of}
//   {kind: "map", of}  {kind: "leaf"}
function describeType(node, file) {
  if (!node) return { kind: "leaf" };
  switch (node.kind) {
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText(file);
      if (name === "Array" && node.typeArguments?.length === 1) {
        return { kind: "array", of: describeType(node.typeArguments[0], file) };
      }
      return { kind: "ref", name };
    }
    case ts.SyntaxKind.ArrayType:
      return { kind: "array", of: describeType(node.elementType, file) };
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((m) => m.kind === ts.SyntaxKind.IndexSignature);
      if (index && node.members.length === 1) return { kind: "map", of: describeType(index.type, file) };
      if (node.members.every((m) => ts.isPropertySignature(m))) {
        return { kind: "object", props: propsOf(node.members, file) };
      }
      throw new Error(`${file.fileName}: unexpected type literal ${node.getText(file)}`);
    }
    case ts.SyntaxKind.UnionType:
    case ts.SyntaxKind.LiteralType:
    case ts.SyntaxKind.StringKeyword:
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.IndexedAccessType:
      return { kind: "leaf" };
    default:
      throw new Error(`${file.fileName}: unexpected type ${ts.SyntaxKind[node.kind]}: ${node.getText(file)}`);
  }
}

function propsOf(members, file) {
  const props = new Map();
  for (const member of members) {
    if (!ts.isPropertySignature(member)) continue;
    props.set(member.name.text ?? member.name.getText(file), describeType(member.type, file));
  }
  return props;
}

// Builds {interfaces: Map<exportedName, {props: Map<field, type>}>, leaves: Set<name>}
// from every declaration file of kubernetes-models and its apimachinery package.
function buildFieldIndex() {
  const interfaces = new Map();
  const leaves = new Set(); // type aliases such as IntOrString, Quantity, Time
  const files = [
    ...listDts(packageDir("kubernetes-models")),
    ...listDts(packageDir("@kubernetes-models/apimachinery")),
  ];
  for (const fileName of files) {
    const file = ts.createSourceFile(fileName, fs.readFileSync(fileName, "utf8"), ts.ScriptTarget.Latest, true);
    const local = new Map(); // local interface name -> props
    const localAliases = new Set();
    const exportsAs = []; // [localName, exportedName]
    for (const stmt of file.statements) {
      if (ts.isInterfaceDeclaration(stmt)) {
        local.set(stmt.name.text, propsOf(stmt.members, file));
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        localAliases.add(stmt.name.text);
      } else if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
        for (const el of stmt.exportClause.elements) {
          exportsAs.push([(el.propertyName ?? el.name).text, el.name.text]);
        }
      }
    }
    for (const [localName, exported] of exportsAs) {
      if (local.has(localName)) interfaces.set(exported, { props: local.get(localName) });
      else if (localAliases.has(localName)) leaves.add(exported);
    }
  }
  if (interfaces.size < 500) {
    throw new Error(`field index: only ${interfaces.size} interfaces found; kubernetes-models layout changed?`);
  }
  return { interfaces, leaves };
}

let index = null;
function fieldIndex() {
  if (!index) index = buildFieldIndex();
  return index;
}

function interfaceNameFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const groupPart = group === "core" ? "Core" : group.split(".")[0].replace(/^./, (c) => c.toUpperCase());
  const versionPart = version.replace(/^./, (c) => c.toUpperCase());
  return `IIoK8sApi${groupPart}${versionPart}${kind}`;
}

function walk(value, type, where, errors) {
  if (value === null || value === undefined) return;
  const { interfaces, leaves } = fieldIndex();
  switch (type.kind) {
    case "leaf":
      return;
    case "array":
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.of, `${where}[${i}]`, errors));
      return; // wrong types are pass 1's business
    case "map":
      if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walk(v, type.of, `${where}.${k}`, errors);
      }
      return;
    case "ref": {
      if (leaves.has(type.name)) return;
      const iface = interfaces.get(type.name);
      if (!iface) throw new Error(`field index: no declaration for ${type.name} (at ${where})`);
      walkProps(value, iface.props, type.name.replace(/^IIoK8s/, ""), where, errors);
      return;
    }
    case "object":
      walkProps(value, type.props, "inline object", where, errors);
      return;
    default:
      throw new Error(`unexpected type ${JSON.stringify(type)}`);
  }
}

function walkProps(value, props, typeName, where, errors) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const fieldType = props.get(k);
    if (!fieldType) {
      errors.push(`${where}.${k}: unknown field (not in ${typeName})`);
    } else {
      walk(v, fieldType, `${where}.${k}`, errors);
    }
  }
}

// Returns a list of error strings (empty: valid) for one object.
function validateObject(obj) {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return ["not an object"];
  const id = `${obj.apiVersion}/${obj.kind}`;
  const modulePath = SERVED_KINDS[id];
  if (!modulePath) {
    return [`apiVersion/kind ${id} is not one of the APIs the manifests may use: ${Object.keys(SERVED_KINDS).join(", ")}`];
  }
  const errors = [];
  const Model = require(modulePath)[obj.kind];
  try {
    new Model(obj).validate();
  } catch (e) {
    // ajv's messages: "data/spec/replicas must be integer, data/... must be ..."
    errors.push(...String(e.message).split(/, (?=data)/).map((m) => `schema: ${m.trim()}`));
  }
  walk(obj, { kind: "ref", name: interfaceNameFor(obj.apiVersion, obj.kind) }, obj.kind, errors);
  return errors;
}

module.exports = { validateObject, SERVED_KINDS, SCHEMA_KUBERNETES_VERSION, fieldIndex };
