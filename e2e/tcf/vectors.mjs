// TC string test vectors made by IAB's own library, @iabtechlabtcf/core: for each input below,
// the string IAB's encoder writes. Assent's Rust encoder must write the same string and its
// decoder must read the input back (shared/tests/tcf_iab_vectors.rs); tests/tcf-strings.spec.ts
// checks that the committed fixture is still what the installed library makes.
//
//   node tcf/vectors.mjs        (in e2e/) rewrites shared/tests/fixtures/tcf-vectors.json
//
// IAB's encoder needs a Global Vendor List: it drops signals for vendors the list lacks, and
// merges publisher-restriction ranges across ids the list lacks. The list here is made up and
// built in memory (no network): vendors 1 to 1200 but for a few gaps, each declaring what the
// restrictions below need.
import { GVL, PurposeRestriction, TCModel, TCString } from "@iabtechlabtcf/core";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURE = fileURLToPath(new URL("../../shared/tests/fixtures/tcf-vectors.json", import.meta.url));

/** Ids missing from the made-up GVL, so that restriction ranges bridge them. */
const GVL_GAPS = new Set([13, 14, 99, 100, 500, 501, 502, 999, 1150]);
const GVL_MAX = 1200;
const gvlVendorIds = () => range(1, GVL_MAX).filter((id) => !GVL_GAPS.has(id));

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function vendorList(vendorListVersion, tcfPolicyVersion) {
  const named = (ids) => Object.fromEntries(ids.map((id) => [id, { id, name: `item ${id}`, description: "" }]));
  const vendors = Object.fromEntries(
    gvlVendorIds().map((id) => [
      id,
      {
        id,
        name: `vendor ${id}`,
        // Purpose 2 is flexible from legitimate interest, 7 from consent: restrictions of each
        // type are then accepted (IAB's model silently drops the others).
        purposes: [1, 3, 4, 7],
        legIntPurposes: [2, 8],
        flexiblePurposes: [2, 7],
        specialPurposes: [1],
        features: [1],
        specialFeatures: [1],
        policyUrl: "https://vendor.example/privacy",
        cookieMaxAgeSeconds: 0,
        usesCookies: false,
        usesNonCookieAccess: false,
      },
    ]),
  );
  return {
    gvlSpecificationVersion: 3,
    vendorListVersion,
    tcfPolicyVersion,
    lastUpdated: "2026-01-01T00:00:00Z",
    purposes: named(range(1, 11)),
    specialPurposes: named(range(1, 3)),
    features: named(range(1, 3)),
    specialFeatures: named(range(1, 2)),
    stacks: {},
    dataCategories: {},
    vendors,
  };
}

/** Every GVL vendor id from `from` to `to` that `keep` accepts. */
const gvlIn = (from, to, keep = () => true) => gvlVendorIds().filter((id) => id >= from && id <= to && keep(id));

const NOT_ALLOWED = 0;
const REQUIRE_CONSENT = 1;
const REQUIRE_LI = 2;

// 2026-03-02T10:00:00.5Z and 2026-03-05T08:30:00Z, in deciseconds.
const CREATED = 17724456005;
const UPDATED = 17726994000;

/** 5, 15, …, 95: ten ids none next to another, all in the GVL. */
const TEN_SINGLES = range(0, 9).map((i) => 5 + 10 * i);

const base = {
  created: CREATED,
  lastUpdated: UPDATED,
  cmpId: 300,
  cmpVersion: 7,
  consentScreen: 1,
  consentLanguage: "EN",
  vendorListVersion: 140,
  tcfPolicyVersion: 5,
  isServiceSpecific: true,
  useNonStandardTexts: false,
  specialFeatureOptIns: [],
  purposesConsent: [],
  purposesLITransparency: [],
  purposeOneTreatment: false,
  publisherCC: "AA",
  vendorConsents: [],
  vendorLegitimateInterests: [],
  pubRestrictions: [],
  disclosedVendors: [],
  publisherTC: {
    pubPurposesConsent: [],
    pubPurposesLITransparency: [],
    numCustomPurposes: 0,
    customPurposesConsent: [],
    customPurposesLITransparency: [],
  },
};

/** The inputs: each names what it covers. IAB's encoder writes a Publisher TC segment exactly
 * when the string is service-specific, so global inputs have none. */
export const INPUTS = [
  { name: "empty service-specific string", ...base },
  { name: "empty global string", ...base, isServiceSpecific: false, publisherTC: null },
  {
    name: "every purpose, both special features, dense vendor consents and LI as bit fields",
    ...base,
    cmpVersion: 12,
    consentScreen: 3,
    specialFeatureOptIns: [1, 2],
    purposesConsent: range(1, 11),
    purposesLITransparency: [2, 7, 8, 9, 10, 11],
    vendorConsents: gvlIn(1, 300, (id) => id % 3 !== 0),
    vendorLegitimateInterests: gvlIn(1, 1200, (id) => id % 2 === 0),
    disclosedVendors: gvlIn(1, 1200),
  },
  {
    name: "sparse vendors up to 1200 as ranges",
    ...base,
    purposesConsent: [1, 3, 4],
    vendorConsents: [2, 50, 600, 1200],
    vendorLegitimateInterests: [3, 1199],
    disclosedVendors: [2, 3, 50, 600, 1199, 1200],
  },
  {
    name: "long runs of vendors as ranges, global",
    ...base,
    isServiceSpecific: false,
    publisherTC: null,
    purposesConsent: [1, 2, 3],
    vendorConsents: gvlIn(600, 1100),
    vendorLegitimateInterests: gvlIn(1, 400),
    disclosedVendors: gvlIn(1, 1200),
  },
  {
    name: "vendor 45 alone is a bit field (ranges need a max id past 45)",
    ...base,
    vendorConsents: [45],
    vendorLegitimateInterests: [45],
    disclosedVendors: [45],
  },
  {
    name: "vendor 46 alone is a range",
    ...base,
    vendorConsents: [46],
    vendorLegitimateInterests: [46],
    disclosedVendors: [46],
  },
  // IAB's encoder picks ranges when its estimate of their size, made before the last id and
  // counting 16 bits for a single id (17 are written), is below the bit field's size.
  {
    name: "ten single ids then a last one: IAB's size estimate decides the encoding",
    ...base,
    // Estimate 29 + 10 × 16 = 189 < 17 + 190: ranges, though they take 216 bits to the field's 207.
    vendorConsents: [...TEN_SINGLES, 190],
    // Estimate 189, not below 17 + 172: a bit field.
    vendorLegitimateInterests: [...TEN_SINGLES, 172],
    // Estimate 189 < 17 + 173: ranges.
    disclosedVendors: [...TEN_SINGLES, 173],
  },
  {
    name: "publisher restrictions of each type, ranges bridging ids missing from the GVL",
    ...base,
    purposesConsent: [1, 2, 7],
    vendorConsents: [12, 15, 700],
    disclosedVendors: [1, 2, 3, 12, 15, 16, 17, 40, 700, 1100, 1101],
    pubRestrictions: [
      { purposeId: 1, restrictionType: NOT_ALLOWED, vendorIds: [12, 15, 16, 17, 40] },
      { purposeId: 2, restrictionType: REQUIRE_CONSENT, vendorIds: [1, 2, 3, 700] },
      { purposeId: 7, restrictionType: REQUIRE_LI, vendorIds: [98, 101, 1100, 1101] },
      { purposeId: 3, restrictionType: NOT_ALLOWED, vendorIds: [1199] },
    ],
  },
  {
    name: "publisher TC with custom purposes, purpose one treatment, non-standard texts, DE, FR",
    ...base,
    consentLanguage: "FR",
    publisherCC: "DE",
    purposeOneTreatment: true,
    useNonStandardTexts: true,
    purposesConsent: [2, 3],
    purposesLITransparency: [2],
    vendorConsents: [8, 9],
    disclosedVendors: [8, 9, 10],
    publisherTC: {
      pubPurposesConsent: [1, 2, 3, 10],
      pubPurposesLITransparency: [2, 7, 24],
      numCustomPurposes: 5,
      customPurposesConsent: [1, 3, 5],
      customPurposesLITransparency: [2],
    },
  },
  {
    name: "largest field values, policy version 4",
    ...base,
    created: 2 ** 36 - 1,
    lastUpdated: 2 ** 36 - 1,
    cmpId: 4095,
    cmpVersion: 4095,
    consentScreen: 63,
    vendorListVersion: 4095,
    tcfPolicyVersion: 4,
    consentLanguage: "PT",
    publisherCC: "ZZ",
    specialFeatureOptIns: range(1, 12),
    purposesConsent: range(1, 24),
    purposesLITransparency: [2, 7, 8, 9, 10, 11, 12, 24],
    vendorConsents: [1200],
    disclosedVendors: [1, 1200],
    publisherTC: {
      pubPurposesConsent: range(1, 24),
      pubPurposesLITransparency: range(1, 24),
      numCustomPurposes: 63,
      customPurposesConsent: range(1, 63),
      customPurposesLITransparency: [63],
    },
  },
];

/** A TCModel holding `input`, on a GVL of the input's version, policy and language. */
function model(input) {
  const gvl = new GVL(vendorList(input.vendorListVersion, input.tcfPolicyVersion), {
    language: input.consentLanguage,
  });
  const tc = new TCModel(gvl);
  tc.created = new Date(input.created * 100);
  tc.lastUpdated = new Date(input.lastUpdated * 100);
  tc.cmpId = input.cmpId;
  tc.cmpVersion = input.cmpVersion;
  tc.consentScreen = input.consentScreen;
  tc.isServiceSpecific = input.isServiceSpecific;
  tc.useNonStandardTexts = input.useNonStandardTexts;
  tc.purposeOneTreatment = input.purposeOneTreatment;
  tc.publisherCountryCode = input.publisherCC;
  tc.specialFeatureOptins.set(input.specialFeatureOptIns);
  tc.purposeConsents.set(input.purposesConsent);
  tc.purposeLegitimateInterests.set(input.purposesLITransparency);
  tc.vendorConsents.set(input.vendorConsents);
  tc.vendorLegitimateInterests.set(input.vendorLegitimateInterests);
  tc.vendorsDisclosed.set(input.disclosedVendors);
  for (const r of input.pubRestrictions) {
    const restriction = new PurposeRestriction(r.purposeId, r.restrictionType);
    for (const id of r.vendorIds) tc.publisherRestrictions.add(id, restriction);
  }
  const pub = input.publisherTC;
  if (pub) {
    tc.publisherConsents.set(pub.pubPurposesConsent);
    tc.publisherLegitimateInterests.set(pub.pubPurposesLITransparency);
    tc.numCustomPurposes = pub.numCustomPurposes;
    tc.publisherCustomConsents.set(pub.customPurposesConsent);
    tc.publisherCustomLegitimateInterests.set(pub.customPurposesLITransparency);
  }
  return tc;
}

const ids = (vector) => Array.from(vector.values()).sort((a, b) => a - b);

/** What IAB's decoder reads from `encoded`, in the shape of an input (restriction vendor ids
 * narrowed to the GVL: a range may span ids the GVL lacks). */
function decodedAsInput(encoded) {
  const tc = TCString.decode(encoded);
  const known = new Set(gvlVendorIds());
  const segments = encoded.split(".").length;
  const hasPublisherTC = segments === 3;
  return {
    created: Math.round(tc.created.getTime() / 100),
    lastUpdated: Math.round(tc.lastUpdated.getTime() / 100),
    cmpId: tc.cmpId,
    cmpVersion: tc.cmpVersion,
    consentScreen: tc.consentScreen,
    consentLanguage: tc.consentLanguage,
    vendorListVersion: tc.vendorListVersion,
    tcfPolicyVersion: tc.policyVersion,
    isServiceSpecific: tc.isServiceSpecific,
    useNonStandardTexts: tc.useNonStandardTexts,
    specialFeatureOptIns: ids(tc.specialFeatureOptins),
    purposesConsent: ids(tc.purposeConsents),
    purposesLITransparency: ids(tc.purposeLegitimateInterests),
    purposeOneTreatment: tc.purposeOneTreatment,
    publisherCC: tc.publisherCountryCode,
    vendorConsents: ids(tc.vendorConsents),
    vendorLegitimateInterests: ids(tc.vendorLegitimateInterests),
    pubRestrictions: tc.publisherRestrictions.getRestrictions().map((r) => ({
      purposeId: r.purposeId,
      restrictionType: r.restrictionType,
      vendorIds: tc.publisherRestrictions.getVendors(r).filter((id) => known.has(id)),
    })),
    disclosedVendors: ids(tc.vendorsDisclosed),
    publisherTC: hasPublisherTC
      ? {
          pubPurposesConsent: ids(tc.publisherConsents),
          pubPurposesLITransparency: ids(tc.publisherLegitimateInterests),
          numCustomPurposes: tc.numCustomPurposes,
          customPurposesConsent: ids(tc.publisherCustomConsents),
          customPurposesLITransparency: ids(tc.publisherCustomLegitimateInterests),
        }
      : null,
  };
}

/** The IsRangeEncoding bit of each vendor section, read straight from the bits so the fixture
 * shows that both encodings occur (the core header is 213 bits, then MaxVendorId's 16). */
function rangeEncoded(encoded) {
  const tc = TCString.decode(encoded);
  const bits = (segment) =>
    [...segment].map((c) => GVL_BASE64.indexOf(c).toString(2).padStart(6, "0")).join("");
  const [core, disclosed] = encoded.split(".").map(bits);
  return {
    vendorConsents: core[213 + 16] === "1",
    vendorLegitimateInterests: core[213 + tc.vendorConsents.bitLength + 16] === "1",
    disclosedVendors: disclosed[3 + 16] === "1",
  };
}
const GVL_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Every input with IAB's string. Throws if IAB's decoder does not read the input back from
 * it (IAB's model would have changed the input, and the vector would test nothing). */
export function buildVectors() {
  const vectors = INPUTS.map(({ name, ...input }) => {
    const encoded = TCString.encode(model(input));
    const back = decodedAsInput(encoded);
    if (JSON.stringify(back) !== JSON.stringify(input)) {
      throw new Error(`${name}: IAB's decoder reads back ${JSON.stringify(back)}\nnot ${JSON.stringify(input)}`);
    }
    return { name, input, encoded, rangeEncoded: rangeEncoded(encoded) };
  });
  for (const section of ["vendorConsents", "vendorLegitimateInterests", "disclosedVendors"]) {
    for (const range of [true, false]) {
      if (!vectors.some((v) => v.rangeEncoded[section] === range)) {
        throw new Error(`no vector has ${section} ${range ? "range" : "bit field"} encoded`);
      }
    }
  }
  const { version } = JSON.parse(readFileSync(new URL("../node_modules/@iabtechlabtcf/core/package.json", import.meta.url), "utf8"));
  return {
    library: `@iabtechlabtcf/core ${version}`,
    gvl: { maxVendorId: GVL_MAX, missingVendorIds: [...GVL_GAPS] },
    vectors,
  };
}

/** The fixture as committed, for the spec to compare with. */
export const committedFixture = () => JSON.parse(readFileSync(FIXTURE, "utf8"));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fixture = buildVectors();
  // One line per list of ids keeps the file readable.
  const text = JSON.stringify(fixture, null, 1).replace(/\[[\d,\s]*\]/g, (list) => list.replace(/\s+/g, ""));
  writeFileSync(FIXTURE, text + "\n");
  console.log(`wrote ${fixture.vectors.length} vectors from ${fixture.library} to ${FIXTURE}`);
}
