// The API reference page: fetches this server's /openapi.json and renders it. It builds
// the page with DOM calls and textContent only (never innerHTML), so nothing in the document
// can inject markup, and it runs under a CSP without 'unsafe-inline'.
"use strict";

const METHODS = ["get", "post", "put", "patch", "delete"];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

// A description's inline markup as the document uses it: `code`, **bold**, [text](url).
function rich(text) {
  const out = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of (text || "").matchAll(pattern)) {
    out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(el("code", {}, m[1]));
    else if (m[2] !== undefined) out.push(el("strong", {}, m[2]));
    else if (/^(https?:|\/|#)/.test(m[4])) out.push(el("a", { href: m[4] }, m[3]));
    else out.push(m[3]);
    last = m.index + m[0].length;
  }
  out.push((text || "").slice(last));
  return out;
}

function paragraphs(text) {
  return (text || "").split(/\n\s*\n/).filter((p) => p.trim()).map((p) => el("p", {}, rich(p.trim())));
}

const refName = (ref) => ref.split("/").pop();
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

// A schema as a short type expression, with named schemas linked to their section.
function typeOf(schema) {
  if (!schema) return ["any"];
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return [el("a", { href: "#schema-" + slug(name) }, name)];
  }
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (schema[key]) {
      const parts = schema[key].map(typeOf);
      const joiner = key === "allOf" ? " & " : " | ";
      return parts.flatMap((p, i) => (i ? [joiner, ...p] : p));
    }
  }
  let types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const nullable = types.includes("null");
  types = types.filter((t) => t !== "null");
  let out;
  if (types[0] === "array") out = [...typeOf(schema.items), "[]"];
  else if (types[0] === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object") {
    out = ["map of ", ...typeOf(schema.additionalProperties)];
  } else if (schema.enum) out = [schema.enum.map((v) => JSON.stringify(v)).join(" | ")];
  else if (types.length) out = [types.join(" | ") + (schema.format ? ` (${schema.format})` : "")];
  else out = ["any"];
  return nullable ? [...out, " | null"] : out;
}

function typeCell(schema) {
  return el("span", { class: "type" }, typeOf(schema));
}

// The properties of an object schema as a table (following allOf parts).
function propertiesTable(schema) {
  const props = [];
  const required = new Set();
  const collect = (s) => {
    if (!s) return;
    (s.allOf || []).forEach(collect);
    (s.required || []).forEach((r) => required.add(r));
    for (const [name, prop] of Object.entries(s.properties || {})) props.push([name, prop]);
  };
  collect(schema);
  if (!props.length) return null;
  return el("table", {},
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Type"), el("th", { scope: "col" }, "Description"))),
    el("tbody", {}, props.map(([name, prop]) => el("tr", {},
      el("td", {}, el("code", {}, name), required.has(name) ? el("span", { class: "req" }, " required") : null),
      el("td", {}, typeCell(prop)),
      el("td", {}, rich(prop.description || ""))))));
}

function securityText(op, spec) {
  const reqs = op.security;
  if (!reqs || !reqs.length) return ["None"];
  const schemes = (spec.components && spec.components.securitySchemes) || {};
  const alternatives = reqs.map((req) => {
    const names = Object.keys(req);
    if (!names.length) return ["none"];
    return names.flatMap((n, i) => [i ? " + " : "", el("a", { href: "#security-" + slug(n) }, n)]).filter((x) => x !== "");
  });
  const known = alternatives.length && reqs.every((r) => Object.keys(r).every((n) => n in schemes));
  return [...alternatives.flatMap((a, i) => (i ? [" or ", ...a] : a)), known ? "" : " (unknown scheme)"];
}

function operationView(path, method, op, spec) {
  const id = "op-" + (op.operationId || slug(method + path));
  const body = el("div", {});
  body.append(...paragraphs(op.description));
  body.append(el("p", { class: "auth" }, el("strong", {}, "Authentication: "), securityText(op, spec)));
  const params = op.parameters || [];
  if (params.length) {
    body.append(el("h4", {}, "Parameters"), el("table", {},
      el("thead", {}, el("tr", {}, ["Name", "In", "Type", "Description"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, params.map((p) => el("tr", {},
        el("td", {}, el("code", {}, p.name), p.required ? el("span", { class: "req" }, " required") : null),
        el("td", {}, p.in),
        el("td", {}, typeCell(p.schema)),
        el("td", {}, rich(p.description || "")))))));
  }
  if (op.requestBody) {
    body.append(el("h4", {}, "Request body"));
    for (const [type, media] of Object.entries(op.requestBody.content || {})) {
      body.append(el("p", {}, el("code", {}, type), " ", typeCell(media.schema)));
    }
  }
  body.append(el("h4", {}, "Responses"), el("table", {},
    el("thead", {}, el("tr", {}, ["Status", "Description", "Body"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, Object.entries(op.responses || {}).map(([status, resp]) => el("tr", {},
      el("td", { class: "status " + (status.startsWith("2") || status.startsWith("3") ? "ok" : "err") }, status),
      el("td", {}, rich(resp.description || "")),
      el("td", {}, Object.entries(resp.content || {}).map(([type, media]) =>
        el("div", {}, el("code", {}, type), " ", typeCell(media.schema)))))))));
  const details = el("details", { class: "op", id, "data-search": `${method} ${path} ${op.summary || ""}`.toLowerCase() },
    el("summary", {},
      el("span", { class: "method " + method }, method.toUpperCase()),
      el("span", { class: "path mono" }, path),
      el("span", { class: "summary" }, op.summary || "")),
    body);
  return details;
}

function render(spec) {
  const main = document.getElementById("main");
  const toc = document.getElementById("toc");
  main.replaceChildren();
  const tocList = el("ul", {});
  toc.replaceChildren(el("h2", {}, "Contents"), tocList);
  const addSection = (id, title) => {
    const section = el("section", { id, "aria-labelledby": id + "-title" }, el("h2", { id: id + "-title" }, title));
    main.append(section);
    tocList.append(el("li", {}, el("a", { href: "#" + id }, title)));
    return section;
  };

  const overview = addSection("overview", `${spec.info.title} ${spec.info.version}`);
  overview.append(...paragraphs(spec.info.description), el("p", {}, "OpenAPI ", el("code", {}, spec.openapi)));

  const schemes = (spec.components && spec.components.securitySchemes) || {};
  const security = addSection("security", "Authentication");
  security.append(el("table", {},
    el("thead", {}, el("tr", {}, ["Scheme", "Kind", "Description"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, Object.entries(schemes).map(([name, s]) => el("tr", { id: "security-" + slug(name) },
      el("td", {}, el("code", {}, name)),
      el("td", {}, s.type === "http" ? `HTTP ${s.scheme}` : `${s.type} in ${s.in}: ${s.name}`),
      el("td", {}, rich(s.description || "")))))));

  const tags = (spec.tags || []).map((t) => t.name);
  const byTag = new Map(tags.map((t) => [t, []]));
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationView(path, method, op, spec));
    }
  }
  for (const [tag, ops] of byTag) {
    if (!ops.length) continue;
    const info = (spec.tags || []).find((t) => t.name === tag);
    const section = addSection("tag-" + slug(tag), tag[0].toUpperCase() + tag.slice(1));
    section.classList.add("tag");
    if (info && info.description) section.append(...paragraphs(info.description));
    section.append(...ops);
  }

  const schemas = addSection("schemas", "Schemas");
  for (const [name, schema] of Object.entries((spec.components && spec.components.schemas) || {})) {
    const box = el("section", { class: "schema", id: "schema-" + slug(name), "aria-label": name }, el("h3", {}, name));
    box.append(...paragraphs(schema.description));
    box.append(propertiesTable(schema) || el("p", {}, typeCell(schema)));
    schemas.append(box);
  }
  openFromHash();
}

function applyFilter() {
  const words = document.getElementById("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const op of document.querySelectorAll("details.op")) {
    const match = words.every((w) => op.dataset.search.includes(w));
    op.hidden = !match;
    if (match) shown += 1;
  }
  for (const section of document.querySelectorAll("section.tag")) {
    section.hidden = !section.querySelector("details.op:not([hidden])");
    // The contents follow the filter: no link to a hidden section.
    const entry = document.querySelector(`#toc a[href="#${section.id}"]`);
    if (entry) entry.parentElement.hidden = section.hidden;
  }
  document.getElementById("filter-count").textContent = words.length
    ? `${shown} ${shown === 1 ? "endpoint" : "endpoints"}`
    : "";
}

// A link to an operation opens it and moves focus there.
function openFromHash() {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target && target.tagName === "DETAILS") {
    target.open = true;
    target.querySelector("summary").focus();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("filter").addEventListener("input", applyFilter);
  window.addEventListener("hashchange", openFromHash);
  fetch("/openapi.json", { headers: { Accept: "application/json" } })
    .then((res) => {
      if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
      return res.json();
    })
    .then(render)
    .catch((err) => {
      document.getElementById("loading").textContent = `Could not load the API description: ${err.message}`;
    });
});
