// What IAB's own library, @iabtechlabtcf/core, reads from Assent's Global Vendor List fixture
// (shared/tests/fixtures/gvl-v3.json, a made-up list in the version 3 format): the list's
// fields, each vendor's declarations, the vendors it keeps for a site (`narrowVendorsTo`), and
// TC strings its encoder writes on that narrowed list. Assent's Rust tests
// (shared/tests/gvl_iab.rs) hold the GVL parser and `VendorList::for_site` to what IAB reads,
// and Assent's TC string decoder to what IAB writes from it. Nothing here comes from Assent's
// own code.
//
//   node tcf/gvl.mjs        (in e2e/) rewrites shared/tests/fixtures/gvl-v3-iab.json
//
// tests/tcf-gvl.spec.ts checks that the committed file is what the installed library makes.
import { GVL, TCModel, TCString } from "@iabtechlabtcf/core";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const GVL_FIXTURE = fileURLToPath(new URL("../../shared/tests/fixtures/gvl-v3.json", import.meta.url));
export const FIXTURE = fileURLToPath(new URL("../../shared/tests/fixtures/gvl-v3-iab.json", import.meta.url));

/** The vendor ids a made-up site declares: 40 has left the framework, 999 is not on the list. */
export const SITE = [2, 8, 15, 40, 46, 77, 755, 999, 1126];

// 2026-03-02T10:00:00.5Z and 2026-03-05T08:30:00Z, in deciseconds.
const CREATED = 17724456005;
const UPDATED = 17726994000;

const ids = (map) => Object.keys(map).map(Number).sort((a, b) => a - b);
const sorted = (list) => [...list].sort((a, b) => a - b);

/** A fresh GVL from the fixture (IAB's class caches by version, so each call parses anew). */
function load() {
  GVL.emptyCache();
  GVL.emptyLanguageCache();
  return new GVL(JSON.parse(readFileSync(GVL_FIXTURE, "utf8")));
}

/** The fields of the list as IAB's GVL class holds them after reading the JSON. */
function read(gvl) {
  const vendor = (v) => ({
    name: v.name,
    purposes: sorted(v.purposes),
    legIntPurposes: sorted(v.legIntPurposes),
    flexiblePurposes: sorted(v.flexiblePurposes),
    specialPurposes: sorted(v.specialPurposes),
    features: sorted(v.features),
    specialFeatures: sorted(v.specialFeatures),
    dataDeclaration: sorted(v.dataDeclaration ?? []),
    urlLanguages: (v.urls ?? []).map((u) => u.langId),
    usesCookies: v.usesCookies,
    cookieMaxAgeSeconds: v.cookieMaxAgeSeconds,
    usesNonCookieAccess: v.usesNonCookieAccess,
  });
  const json = gvl.getJson();
  return {
    gvlSpecificationVersion: gvl.gvlSpecificationVersion,
    vendorListVersion: gvl.vendorListVersion,
    tcfPolicyVersion: gvl.tcfPolicyVersion,
    lastUpdated: gvl.lastUpdated.toISOString(),
    purposes: Object.fromEntries(ids(gvl.purposes).map((id) => [id, gvl.purposes[id].name])),
    specialPurposes: ids(gvl.specialPurposes),
    features: ids(gvl.features),
    specialFeatures: ids(gvl.specialFeatures),
    stacks: Object.fromEntries(ids(gvl.stacks).map((id) => [id, { purposes: gvl.stacks[id].purposes, specialFeatures: gvl.stacks[id].specialFeatures }])),
    dataCategories: ids(gvl.dataCategories),
    // Every vendor of the file, deleted ones included (`getJson` returns the full list) …
    allVendors: Object.fromEntries(ids(json.vendors).map((id) => [id, vendor(json.vendors[id])])),
    // … and the vendors IAB's class offers for use: the deleted ones left out.
    activeVendors: ids(gvl.vendors),
    // Who may be asked for consent / legitimate interest for each purpose, by IAB's maps.
    consentByPurpose: Object.fromEntries(ids(gvl.purposes).map((p) => [p, ids(gvl.getVendorsWithConsentPurpose(p))])),
    legIntByPurpose: Object.fromEntries(ids(gvl.purposes).map((p) => [p, ids(gvl.getVendorsWithLegIntPurpose(p))])),
  };
}

/** A service-specific TC string IAB encodes on the GVL narrowed to the site; `choose` sets
 *  the user's choices through TCModel's GVL-driven helpers. */
function encode(gvl, choose) {
  const tc = new TCModel(gvl);
  tc.cmpId = 300;
  tc.cmpVersion = 2;
  tc.consentScreen = 1;
  tc.isServiceSpecific = true;
  tc.publisherCountryCode = "FR";
  tc.created = new Date(CREATED * 100);
  tc.lastUpdated = new Date(UPDATED * 100);
  tc.setAllVendorsDisclosed();
  choose(tc);
  return TCString.encode(tc);
}

export function build() {
  const gvl = load();
  const list = read(gvl);
  gvl.narrowVendorsTo(SITE);
  const { version } = JSON.parse(readFileSync(new URL("../node_modules/@iabtechlabtcf/core/package.json", import.meta.url), "utf8"));
  return {
    library: `@iabtechlabtcf/core ${version}`,
    list,
    site: { declared: SITE, kept: ids(gvl.vendors) },
    strings: {
      // Accept all: every purpose, special feature, vendor consent and legitimate interest.
      acceptAll: encode(gvl, (tc) => tc.setAll()),
      // Reject all: no consent; legitimate interests stand (the user objected to none).
      rejectAll: encode(gvl, (tc) => {
        tc.setAllVendorLegitimateInterests();
        tc.setAllPurposeLegitimateInterests();
      }),
    },
  };
}

/** The fixture's text: one line per list of ids. */
export const render = (fixture = build()) =>
  JSON.stringify(fixture, null, 1).replace(/\[[\d,\s]*\]/g, (list) => list.replace(/\s+/g, "")) + "\n";

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(FIXTURE, render());
  console.log(`wrote ${FIXTURE}`);
}
