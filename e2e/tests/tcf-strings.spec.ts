// The TC string vectors the Rust tests hold Assent's encoder and decoder to
// (shared/tests/fixtures/tcf-vectors.json) must be what IAB's reference library makes: this
// regenerates them in memory with the installed @iabtechlabtcf/core and compares. Node only:
// no page and no server. After a deliberate library upgrade: `node tcf/vectors.mjs`.
import { test, expect } from "@playwright/test";

test("the committed TC string vectors are what IAB's installed library makes", async () => {
  const { buildVectors, committedFixture } = await import("../tcf/vectors.mjs");
  expect(buildVectors()).toEqual(committedFixture());
});
