// Test vectors for GPP's EU TCF section (id 2, `tcfeuv2`; shared/src/signals/gpp/tcfeuv2.rs),
// made by IAB Tech Lab's reference library `@iabgpp/cmpapi` and never by Assent's own code:
// for each input below, the fields the library reads back from its own string, the section
// and the full GPP string it writes; and GPP strings carrying tcfeuv2 with usnat. Assent's
// encoder must write the same text and its decoder must read the same fields
// (shared/tests/gpp_tcfeuv2_vectors.rs).
//
//   node gpp/tcfeuv2.mjs        (in e2e/) rewrites shared/tests/fixtures/gpp-tcfeuv2-vectors.json
//
// tests/gpp-strings.spec.ts checks that the committed file is what the installed library writes.
//
// Fields are written here in a readable form: dates in deciseconds since the epoch (the
// string's unit), bit fields as the ids whose bit is set, restrictions as
// {purposeId, restrictionType, vendorIds}. The library ties Created and LastUpdated together
// (setting one sets both), so each vector has one date.
import * as iab from "@iabgpp/cmpapi";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURE = fileURLToPath(new URL("../../shared/tests/fixtures/gpp-tcfeuv2-vectors.json", import.meta.url));

const SECTION = iab.TcfEuV2.NAME;
/** Fields holding a fixed-width bit field, and their width. */
const BITFIELDS = { SpecialFeatureOptins: 12, PurposeConsents: 24, PurposeLegitimateInterests: 24, PublisherConsents: 24, PublisherLegitimateInterests: 24 };
/** Bit fields as wide as NumCustomPurposes. */
const CUSTOM = ["PublisherCustomConsents", "PublisherCustomLegitimateInterests"];
/** Fields the section fixes: its version and the segment types. */
const FIXED = new Set(["Version", "PublisherPurposesSegmentType", "VendorsAllowedSegmentType", "VendorsDisclosedSegmentType"]);

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const DATE = 17724456005; // 2026-03-02T10:00:00.5Z

const INPUTS = [
  { name: "the library's defaults" },
  {
    name: "every purpose and special feature, dense vendors as bit fields",
    CmpId: 300,
    CmpVersion: 12,
    ConsentScreen: 3,
    VendorListVersion: 141,
    SpecialFeatureOptins: [1, 2],
    PurposeConsents: range(1, 11),
    PurposeLegitimateInterests: [2, 7, 8, 9, 10, 11],
    VendorConsents: range(1, 300).filter((id) => id % 3 !== 0),
    VendorLegitimateInterests: range(1, 1200).filter((id) => id % 2 === 0),
    VendorsDisclosed: range(1, 1200).filter((id) => id % 7 !== 0),
  },
  {
    name: "sparse vendors up to 1200 as ranges",
    CmpId: 300,
    VendorListVersion: 141,
    PurposeConsents: [1, 3, 4],
    VendorConsents: [2, 50, 600, 1200],
    VendorLegitimateInterests: [3, 1199],
    VendorsDisclosed: [2, 3, 50, 600, 1199, 1200],
  },
  {
    name: "one vendor: 29 is written as a range (12 + 17 bits), 28 as a bit field",
    CmpId: 300,
    VendorConsents: [29],
    VendorLegitimateInterests: [28],
    // One range, 12 + 33 bits, against a bit field of 45.
    VendorsDisclosed: range(1, 45),
  },
  {
    name: "publisher restrictions of each type, their vendors as runs",
    CmpId: 300,
    VendorListVersion: 141,
    PurposeConsents: [1, 2, 7],
    VendorConsents: [12, 15, 700],
    VendorsDisclosed: [1, 2, 3, 12, 15, 16, 17, 40, 700, 1100, 1101],
    PublisherRestrictions: [
      { purposeId: 1, restrictionType: 0, vendorIds: [12, 15, 16, 17, 40] },
      { purposeId: 2, restrictionType: 1, vendorIds: [1, 2, 3, 700] },
      { purposeId: 7, restrictionType: 2, vendorIds: [98, 101, 1100, 1101] },
    ],
  },
  {
    name: "publisher purposes with custom purposes, purpose one treatment, non-standard stacks, FR, DE",
    CmpId: 300,
    ConsentLanguage: "FR",
    PublisherCountryCode: "DE",
    PurposeOneTreatment: true,
    UseNonStandardStacks: true,
    PurposeConsents: [2, 3],
    PurposeLegitimateInterests: [2],
    VendorConsents: [8, 9],
    VendorsDisclosed: [8, 9, 10],
    PublisherConsents: [1, 2, 3, 10],
    PublisherLegitimateInterests: [2, 7, 24],
    NumCustomPurposes: 5,
    PublisherCustomConsents: [1, 3, 5],
    PublisherCustomLegitimateInterests: [2],
  },
  {
    name: "largest field values, policy version 4",
    date: 2 ** 36 - 1,
    CmpId: 4095,
    CmpVersion: 4095,
    ConsentScreen: 63,
    VendorListVersion: 4095,
    PolicyVersion: 4,
    ConsentLanguage: "PT",
    PublisherCountryCode: "ZZ",
    SpecialFeatureOptins: range(1, 12),
    PurposeConsents: range(1, 24),
    PurposeLegitimateInterests: [2, 7, 8, 9, 10, 11, 12, 24],
    VendorConsents: [65535],
    VendorsDisclosed: [1, 65535],
    PublisherConsents: range(1, 24),
    PublisherLegitimateInterests: range(1, 24),
    NumCustomPurposes: 63,
    PublisherCustomConsents: range(1, 63),
    PublisherCustomLegitimateInterests: [63],
  },
];

/** Ids to a bit field of `width`. */
const bits = (ids, width) => range(1, width).map((id) => ids.includes(id));
/** A bit field to the ids whose bit is set. */
const setIds = (field) => field.flatMap((bit, i) => (bit ? [i + 1] : []));

/** Writes `input` into `model`'s tcfeuv2 section, the date last (any change resets it). */
function apply(model, { name, date = DATE, ...input }) {
  for (const [field, value] of Object.entries(input)) {
    let v = value;
    if (field in BITFIELDS) v = bits(value, BITFIELDS[field]);
    if (CUSTOM.includes(field)) v = bits(value, input.NumCustomPurposes);
    if (field === "PublisherRestrictions") v = value.map((r) => new iab.RangeEntry(r.purposeId, r.restrictionType, r.vendorIds));
    model.setFieldValue(SECTION, field, v);
  }
  model.setFieldValue(SECTION, "Created", new Date(date * 100));
  return model;
}

/** The tcfeuv2 fields the library reads from `gpp`, in the readable form. */
function decoded(gpp) {
  const fields = {};
  for (const [field, value] of Object.entries(new iab.GppModel(gpp).getSection(SECTION))) {
    if (FIXED.has(field) || field === "VendorsAllowed") continue;
    if (value instanceof Date) fields[field] = Math.round(value.getTime() / 100);
    else if (field in BITFIELDS || CUSTOM.includes(field)) fields[field] = setIds(value);
    else if (field === "PublisherRestrictions")
      fields[field] = value.map((r) => ({ purposeId: r.getKey(), restrictionType: r.getType(), vendorIds: r.getIds() }));
    else fields[field] = value;
  }
  return fields;
}

/** usnat beside tcfeuv2: an opt-out of sale, sharing and targeted advertising with GPC. */
const USNAT = { SaleOptOutNotice: 1, SharingOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1, SaleOptOut: 1, SharingOptOut: 1, TargetedAdvertisingOptOut: 1, MspaCoveredTransaction: 2, GpcSegmentIncluded: true, Gpc: true };

export function vectors() {
  const sections = INPUTS.map((input) => {
    const model = apply(new iab.GppModel(), input);
    const gpp = model.encode();
    const fields = decoded(gpp);
    for (const [field, value] of Object.entries(input)) {
      if (field !== "name" && field !== "date" && JSON.stringify(fields[field]) !== JSON.stringify(value)) {
        throw new Error(`${input.name}: the library reads ${field} back as ${JSON.stringify(fields[field])}`);
      }
    }
    return { name: input.name, fields, section: model.encodeSection(SECTION), gpp };
  });
  const withUsnat = [2, 4, 5].map((i) => {
    const model = apply(new iab.GppModel(), INPUTS[i]);
    for (const [field, value] of Object.entries(USNAT)) model.setFieldValue("usnat", field, value);
    const { GpcSegmentType, ...usnat } = new iab.GppModel(model.encode()).getSection("usnat");
    return { vector: i, usnat, usnatSection: model.encodeSection("usnat"), gpp: model.encode() };
  });
  const { version } = JSON.parse(readFileSync(new URL("../node_modules/@iabgpp/cmpapi/package.json", import.meta.url), "utf8"));
  return { library: `@iabgpp/cmpapi ${version}`, sections, withUsnat };
}

/** The fixture's text: one vector per line. */
export function render(v = vectors()) {
  const lines = (items) => items.map((item) => `    ${JSON.stringify(item)}`).join(",\n");
  return ["{", `  "library": ${JSON.stringify(v.library)},`, '  "sections": [', lines(v.sections), "  ],", '  "withUsnat": [', lines(v.withUsnat), "  ]", "}", ""].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(FIXTURE, render());
  console.log(`wrote ${FIXTURE}`);
}
