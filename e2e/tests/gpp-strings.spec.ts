// The GPP vectors Assent's Rust tests check against (shared/tests/fixtures/gpp-state-vectors.json)
// are what IAB's reference library `@iabgpp/cmpapi` writes: made again here, on the Node side
// only (no page, no server), they must equal the committed file byte for byte. After a library
// update that changes them, `node e2e/gpp/vectors.mjs` rewrites the file and the Rust tests
// say whether Assent's encoders still agree.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";

test("the committed GPP vectors are what IAB's library writes today", async () => {
  const { FIXTURE, render } = await import("../gpp/vectors.mjs");
  expect(readFileSync(FIXTURE, "utf8")).toBe(render());
});

test("the vectors cover usnat and every US state section IAB's library knows", async () => {
  const { vectors } = await import("../gpp/vectors.mjs");
  const { Sections } = await import("@iabgpp/cmpapi");
  const ids = [...Sections.SECTION_ID_NAME_MAP.keys()].filter((id: number) => id >= 7).sort((a: number, b: number) => a - b);
  const covered = [...new Set(vectors().sections.map((v: { id: number }) => v.id))];
  expect(covered).toEqual(ids);
  expect(ids).toEqual(Array.from({ length: 21 }, (_, i) => 7 + i));
});

// The same for the EU TCF section (shared/tests/fixtures/gpp-tcfeuv2-vectors.json, made by
// `node e2e/gpp/tcfeuv2.mjs`, checked by shared/tests/gpp_tcfeuv2_vectors.rs).
test("the committed tcfeuv2 vectors are what IAB's library writes today", async () => {
  const { FIXTURE, render } = await import("../gpp/tcfeuv2.mjs");
  expect(readFileSync(FIXTURE, "utf8")).toBe(render());
});
