// Test vectors for Assent's GPP encoders (`shared/src/signals/gpp/`), made by IAB Tech Lab's
// reference library `@iabgpp/cmpapi` and never by Assent's own code: for usnat and every US
// state section, varied field values, the section string the library encodes and the full
// GPP string, plus strings that carry several sections at once.
//
// `node e2e/gpp/vectors.mjs` rewrites the fixture; `tests/gpp-strings.spec.ts` checks that the
// committed fixture is what the installed library writes today.
import * as iab from "@iabgpp/cmpapi";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURE = fileURLToPath(new URL("../../shared/tests/fixtures/gpp-state-vectors.json", import.meta.url));

/** usnat (id 7) and the state sections (8 to 27), in id order. */
const SECTIONS = [...iab.Sections.SECTION_ID_NAME_MAP.entries()]
  .filter(([id]) => id >= 7)
  .sort(([a], [b]) => a - b)
  .map(([, name]) => name);

/** The library's section classes by name (`UsCa.NAME` is "usca"). */
const CLASSES = new Map(
  Object.values(iab)
    .filter((c) => typeof c === "function" && typeof c.NAME === "string" && typeof c.ID === "number")
    .map((c) => [c.NAME, c]),
);

/** Fields whose value the section fixes (its version, a subsection's type). */
const FIXED = new Set(["Version", "MspaVersion", "GpcSegmentType"]);

/** A section's layout as the library defines it: core fields, then the optional subsection. */
function layout(name) {
  const [core, sub] = new (CLASSES.get(name))().segments;
  return {
    core: core.getFieldNames(),
    sub: sub ? sub.getFieldNames() : [],
    // The flag saying whether the subsection is written (`GpcSegmentIncluded`, …).
    flag: sub ? [...sub.fields.getAll().keys()].find((k) => k.endsWith("Included")) : null,
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so the vectors never change by chance. */
function random(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

/** A value the library accepts for `field`, of the shape of its default `value`. */
function pick(rand, field, value) {
  if (Array.isArray(value)) return value.map(() => rand(3));
  if (typeof value === "boolean") return rand(2) === 1;
  // Covered or not, never "not applicable" (the library refuses 0 there).
  if (field === "MspaCoveredTransaction") return 1 + rand(2);
  return rand(3);
}

/** Writes `fields` (and whether the subsection is written) into `model`'s section `name`. */
function apply(model, name, fields, included) {
  const { flag } = layout(name);
  if (flag) model.setFieldValue(name, flag, included);
  for (const [field, value] of Object.entries(fields)) {
    if (!FIXED.has(field)) model.setFieldValue(name, field, value);
  }
}

/** What the library reads back from `gpp` for section `name`, in its field order; the
 *  subsection's fields only where it is written, its fixed type left out. */
function decoded(gpp, name) {
  const model = new iab.GppModel(gpp);
  const { sub, flag } = layout(name);
  const included = flag !== null && model.getFieldValue(name, flag) === true;
  const fields = {};
  for (const [field, value] of Object.entries(model.getSection(name))) {
    if (field === "GpcSegmentType" || (sub.includes(field) && !included)) continue;
    fields[field] = value;
  }
  return fields;
}

/** One vector: the library's defaults when `seed` is 0, random values otherwise. */
function vector(name, seed, included) {
  const { core, sub } = layout(name);
  const defaults = new (CLASSES.get(name))().toObj();
  const rand = random(seed * 1000 + SECTIONS.indexOf(name));
  const fields = {};
  for (const field of [...core, ...(included ? sub : [])]) {
    fields[field] = seed === 0 ? defaults[field] : pick(rand, field, defaults[field]);
  }
  const model = new iab.GppModel();
  apply(model, name, fields, included);
  const gpp = model.encode();
  return {
    name,
    id: CLASSES.get(name).ID,
    fields: decoded(gpp, name),
    section: model.encodeSection(name),
    gpp,
  };
}

/** Every vector: per section its defaults without a subsection, then three random sets
 *  (the subsection written in the last two); and strings of several sections, each naming
 *  the vectors it carries by their index in `sections`. */
export function vectors() {
  const sections = SECTIONS.flatMap((name) => [
    vector(name, 0, false),
    vector(name, 1, false),
    vector(name, 2, true),
    vector(name, 3, true),
  ]);
  // Each section's third vector: random values, its subsection written.
  const third = (name) => sections.findIndex((v) => v.name === name) + 2;
  const strings = [
    SECTIONS,
    ["usnat", "usca"],
    ["usva", "usut", "usri"],
    ["usnat", "usco", "usct", "usfl", "usmd", "usin"],
  ].map((names) => {
    const model = new iab.GppModel();
    const picked = names.map(third);
    for (const i of picked) apply(model, sections[i].name, sections[i].fields, true);
    return { vectors: picked, gpp: model.encode() };
  });
  const { version } = JSON.parse(readFileSync(new URL("../node_modules/@iabgpp/cmpapi/package.json", import.meta.url), "utf8"));
  return { library: `@iabgpp/cmpapi ${version}`, sections, strings };
}

/** The fixture's text: one vector per line, so a change shows as the lines it touches. */
export function render(v = vectors()) {
  const lines = (items) => items.map((item) => `    ${JSON.stringify(item)}`).join(",\n");
  return [
    "{",
    `  "library": ${JSON.stringify(v.library)},`,
    '  "sections": [',
    lines(v.sections),
    "  ],",
    '  "strings": [',
    lines(v.strings),
    "  ]",
    "}",
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(FIXTURE, render());
  console.log(`wrote ${FIXTURE}`);
}
