// Regional rules the banner follows: Korea asks per item, never bundled; opt-out regimes
// offer "Do Not Sell or Share". The region comes from headers the server trusts (a CDN sets
// them in production; here the test adds them to the banner's API requests).
import { test, expect, Page } from "@playwright/test";
import { GppModel } from "@iabgpp/cmpapi";
import AxeBuilder from "@axe-core/playwright";
import { acknowledged, banner, demoUrl, history, screenshot } from "../fixtures/assent";

async function visitFrom(page: Page, country: string, region?: string) {
  await page.route("**/v1/sites/**", (route) =>
    route.continue({
      headers: { ...route.request().headers(), "x-test-country": country, ...(region ? { "x-test-region": region } : {}) },
    }),
  );
}

test("in Korea every purpose is its own yes/no, nothing is bundled and nothing is pre-selected", async ({ page }) => {
  await visitFrom(page, "KR");
  await page.goto(demoUrl());
  await expect(banner(page, "per-item")).toBeVisible();
  await expect(banner(page, "accept-all")).toHaveCount(0);
  for (const p of ["functional", "analytics", "advertising"]) {
    await expect(banner(page, `agree-${p}`)).not.toBeChecked();
    await expect(banner(page, `disagree-${p}`)).not.toBeChecked();
    await expect(banner(page, `item-${p}`)).toContainText("You may refuse");
  }
  const axe = await new AxeBuilder({ page }).include("#assent-host").analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await screenshot(page, "per-item-korea");
  await banner(page, "agree-analytics").check();
  await banner(page, "disagree-advertising").check();
  await banner(page, "confirm-items").click();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events[0]).toMatchObject({ method: "save", jurisdiction: "KR", regime: "opt_in" });
  expect(h.events[0].decisions).toEqual({ advertising: "denied", analytics: "granted", functional: "denied" });
});

test("a Californian gets a Do Not Sell or Share entry point that opts out and is signalled to ad tech", async ({ page }) => {
  await visitFrom(page, "US", "CA");
  await page.goto(demoUrl());
  await expect(banner(page, "do-not-sell")).toBeVisible();
  await banner(page, "do-not-sell").click();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events[0]).toMatchObject({ jurisdiction: "US-CA", regime: "opt_out", decisions: { advertising: "denied" } });
  const gpp = await page.evaluate(
    () => new Promise<any>((ok) => (window as any).__gpp("ping", (d: any) => ok(d))),
  );
  expect(new GppModel(gpp.gppString).getFieldValue("usnat", "SaleOptOut")).toBe(1);
});

test("a European gets the opt-in banner without a Do Not Sell link", async ({ page }) => {
  await visitFrom(page, "FR");
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "do-not-sell")).toHaveCount(0);
  await banner(page, "reject-all").click();
  const s = await acknowledged(page);
  expect((await history(s.subject_id, s.subject_token)).events[0]).toMatchObject({ jurisdiction: "FR", regime: "opt_in" });
});

for (const where of [
  { name: "Californian", country: "US", region: "CA", jurisdiction: "US-CA", regime: "opt_out", bannerForced: false },
  { name: "German", country: "DE", region: undefined, jurisdiction: "DE", regime: "opt_in", bannerForced: true },
]) {
  test(`a ${where.name} visitor with Sec-GPC and navigator.globalPrivacyControl is honored per its regime`, async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
    });
    await page.route("**/v1/sites/**", (route) =>
      route.continue({
        headers: {
          ...route.request().headers(),
          "sec-gpc": "1",
          "x-test-country": where.country,
          ...(where.region ? { "x-test-region": where.region } : {}),
        },
      }),
    );
    await page.goto(demoUrl());
    if (where.bannerForced) await expect(banner(page, "banner")).toBeVisible();
    else await expect(banner(page, "privacy-choices")).toBeVisible();
    await expect(banner(page, where.bannerForced ? "gpc-honored" : "privacy-choices")).toBeVisible();
    const s = await acknowledged(page);
    const h = await history(s.subject_id, s.subject_token);
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({
      method: "gpc",
      gpc: true,
      signal_source: "js",
      jurisdiction: where.jurisdiction,
      regime: where.regime,
      decisions: { advertising: "denied" },
    });
    const update = await page.evaluate(() =>
      ((window as any).dataLayer as ArrayLike<unknown>[])
        .map((e) => Array.from(e))
        .filter((e) => e[0] === "consent" && e[1] === "update")
        .pop(),
    );
    expect((update as any)[2].ad_storage).toBe("denied");
    const gpp = await page.evaluate(() => new Promise<any>((ok) => (window as any).__gpp("ping", (d: any) => ok(d))));
    if (where.regime === "opt_out") {
      const usnat = new GppModel(gpp.gppString);
      expect(usnat.getFieldValue("usnat", "Gpc")).toBe(true);
      expect(usnat.getFieldValue("usnat", "SaleOptOut")).toBe(1);
    } else {
      expect(gpp.applicableSections).toEqual([-1]);
    }
  });
}
