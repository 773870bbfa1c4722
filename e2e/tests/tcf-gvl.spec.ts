// IAB's own GVL class (@iabtechlabtcf/core) must read Assent's Global Vendor List fixture
// (shared/tests/fixtures/gvl-v3.json) as a version 3 list, and what it reads, keeps for a site
// and encodes on it must be what the committed shared/tests/fixtures/gvl-v3-iab.json says: the
// Rust tests (shared/tests/gvl_iab.rs) hold Assent's parser, site list and decoder to that
// file. Node only: no page and no server. After a deliberate library upgrade or a fixture
// change: `node tcf/gvl.mjs`.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";

test("IAB's GVL class loads the fixture as a version 3 list", async () => {
  const { GVL_FIXTURE } = await import("../tcf/gvl.mjs");
  const { GVL } = await import("@iabtechlabtcf/core");
  const gvl = new GVL(JSON.parse(readFileSync(GVL_FIXTURE, "utf8")));
  expect(gvl.isReady).toBe(true);
  expect(gvl.gvlSpecificationVersion).toBe(3);
  expect(Object.keys(gvl.purposes)).toHaveLength(11);
  expect(Object.keys(gvl.specialPurposes)).toHaveLength(2);
  expect(Object.keys(gvl.features)).toHaveLength(3);
  expect(Object.keys(gvl.specialFeatures)).toHaveLength(2);
  expect(Object.keys(gvl.dataCategories)).toHaveLength(11);
  // Eleven vendors in the file, one of them deleted.
  expect(Object.keys(gvl.getJson().vendors)).toHaveLength(11);
  expect(Object.keys(gvl.vendors)).toHaveLength(10);
});

test("the committed reading of the GVL fixture is what IAB's installed library makes", async () => {
  const { FIXTURE, render } = await import("../tcf/gvl.mjs");
  expect(readFileSync(FIXTURE, "utf8")).toBe(render());
});
