// The TC strings Assent's TCF layer writes for Accept all, Reject all, an objection and the
// notice's publisher restrictions (shared/src/tcf_choice.rs, committed in
// shared/tests/fixtures/tcf-choices.json, which the Rust suite holds the writer to) must read
// back, with IAB's own decoder (@iabtechlabtcf/core), as the values Assent meant. Node only.
import { test, expect } from "@playwright/test";
import { TCString } from "@iabtechlabtcf/core";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decoded } from "../fixtures/tcf";

const fixture = JSON.parse(readFileSync(join(__dirname, "../../shared/tests/fixtures/tcf-choices.json"), "utf8"));

for (const choice of fixture.choices) {
  test(`IAB's decoder reads the ${choice.name} string as Assent wrote it`, () => {
    const tc = TCString.decode(choice.tcString);
    const restrictions = tc.publisherRestrictions
      .getRestrictions()
      .map((r) => ({
        purposeId: r.purposeId,
        restrictionType: r.restrictionType,
        vendors: tc.publisherRestrictions.getVendors(r).sort((a, b) => a - b),
      }))
      .sort((a, b) => a.purposeId - b.purposeId);
    expect({
      name: choice.name,
      tcString: choice.tcString,
      consentLanguage: String(tc.consentLanguage).toUpperCase(),
      publisherCountryCode: tc.publisherCountryCode,
      isServiceSpecific: tc.isServiceSpecific,
      ...decoded(choice.tcString),
      publisherRestrictions: restrictions,
    }).toEqual(choice);
  });
}
