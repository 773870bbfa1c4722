// Consents do not last for ever: past its lifetime (365 days by default) a consent is recorded
// as expired and asked for again; a refusal is respected for six months, then asked again.
import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, demoUrl, history } from "../fixtures/assent";

/** Moves every decision of the stored choice `days` into the past, as if time had passed. */
async function age(page: Page, days: number) {
  await page.evaluate((days) => {
    const key = "assent.v1.demo";
    const s = JSON.parse(localStorage.getItem(key)!);
    const then = new Date(Date.now() - days * 86_400_000).toISOString();
    for (const k of Object.keys(s.decided_at)) s.decided_at[k] = then;
    s.updated_at = then;
    s.recheck_at = Date.now() - 1000;
    localStorage.setItem(key, JSON.stringify(s));
  }, days);
}

test("an expired consent is recorded as expired by the system and asked for again", async ({ page }) => {
  await page.goto(demoUrl());
  await banner(page, "accept-all").click();
  await acknowledged(page);
  await age(page, 400);

  await page.reload();
  await expect(banner(page, "banner")).toBeVisible();
  let s = await acknowledged(page);
  let h = await history(s.subject_id, s.subject_token);
  expect(h.events.map((e) => [e.method, e.source])).toEqual([
    ["accept_all", "banner"],
    ["expire", "system"],
  ]);
  expect(h.events[1].decisions).toEqual({ advertising: "denied", analytics: "denied", functional: "denied" });
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);

  await banner(page, "accept-all").click();
  s = await acknowledged(page);
  h = await history(s.subject_id, s.subject_token);
  expect(h.events.map((e) => e.method)).toEqual(["accept_all", "expire", "accept_all"]);
});

test("a refusal is respected for six months, then asked for again without a new event", async ({ page }) => {
  await page.goto(demoUrl());
  await banner(page, "reject-all").click();
  const first = await acknowledged(page);
  await age(page, 90);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);

  await age(page, 200);
  await page.reload();
  await expect(banner(page, "banner")).toBeVisible();
  expect((await history(first.subject_id, first.subject_token)).events).toHaveLength(1);
});

test("a consent stored without any date gets one when first seen, so it still expires", async ({ page }) => {
  await page.goto(demoUrl());
  await banner(page, "accept-all").click();
  await acknowledged(page);
  // As a choice kept before dates were, or edited by hand: no date anywhere, recheck due.
  await page.evaluate(() => {
    const key = "assent.v1.demo";
    const s = JSON.parse(localStorage.getItem(key)!);
    delete s.decided_at;
    delete s.updated_at;
    s.recheck_at = Date.now() - 1000;
    localStorage.setItem(key, JSON.stringify(s));
  });
  const before = Date.now();
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect
    .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem("assent.v1.demo")!).decided_at ?? {}))
    .toHaveProperty("analytics");
  const s = await page.evaluate(() => JSON.parse(localStorage.getItem("assent.v1.demo")!));
  for (const at of Object.values(s.decided_at) as string[]) expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000);
  expect(s.recheck_at, "the loader loads the banner again when it expires").toBeGreaterThan(Date.now());
  // Its lifetime then runs out like any other.
  await age(page, 400);
  await page.reload();
  await expect(banner(page, "banner")).toBeVisible();
});
