// A visitor in an opt-out regime (the second server resolves every request to opt_out),
// sending Global Privacy Control. Checks the ledger, the banner, and the ad-tech signals,
// decoding the GPP string with IAB's reference library.
import { test, expect } from "@playwright/test";
import { GppModel } from "@iabgpp/cmpapi";
import { acknowledged, banner, gpp, history, usp, visitFrom, wasmRequests } from "../fixtures/assent";

const demo = () => process.env.ASSENT_OPT_OUT_DEMO_URL!;
const api = () => process.env.ASSENT_OPT_OUT_API!;

test("GPC in an opt-out regime is the choice: recorded once, honored, no banner forced, and signalled to ad tech", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
  });
  await page.goto(demo());
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token, api());
  expect(h.events).toHaveLength(1);
  expect(h.events[0]).toMatchObject({ method: "gpc", source: "signal", gpc: true, signal_source: "js" });
  expect((h.events[0] as any).regime).toBe("opt_out");

  const ping = await gpp(page, "ping");
  expect(ping.v.applicableSections).toEqual([7]);
  expect(ping.v.signalStatus).toBe("ready");
  const decoded = new GppModel(ping.v.gppString);
  expect(decoded.getFieldValue("usnat", "SaleOptOut")).toBe(1);
  expect(decoded.getFieldValue("usnat", "SharingOptOut")).toBe(1);
  expect(decoded.getFieldValue("usnat", "TargetedAdvertisingOptOut")).toBe(1);
  expect(decoded.getFieldValue("usnat", "Gpc")).toBe(true);
  expect((await gpp(page, "getField", "usnat.SaleOptOut")).v).toBe(1);
  expect((await gpp(page, "hasSection", "usnat")).v).toBe(true);
  expect(await usp(page)).toBe("1YY-");

  await banner(page, "privacy-choices").click();
  await expect(banner(page, "gpc-honored")).toBeVisible();
  await expect(banner(page, "toggle-advertising")).not.toBeChecked();
});

test("without GPC the usnat section says the visitor did not opt out, until they do", async ({ page }) => {
  await page.goto(demo());
  await expect(banner(page, "banner")).toBeVisible();
  await banner(page, "accept-all").click();
  await acknowledged(page);
  let ping = await gpp(page, "ping");
  let decoded = new GppModel(ping.v.gppString);
  expect(decoded.getFieldValue("usnat", "SaleOptOut")).toBe(2);
  expect(decoded.getFieldValue("usnat", "Gpc")).toBe(false);

  const events: string[] = [];
  await page.exposeFunction("__gppEvent", (name: string) => events.push(name));
  await page.evaluate(() => (window as any).__gpp("addEventListener", (e: any) => (window as any).__gppEvent(e.eventName)));
  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-advertising").uncheck();
  await banner(page, "save").click();
  await acknowledged(page);
  ping = await gpp(page, "ping");
  decoded = new GppModel(ping.v.gppString);
  expect(decoded.getFieldValue("usnat", "SaleOptOut")).toBe(1);
  expect(events).toContain("signalStatus");
  expect(await usp(page)).toBe("1YY-");
});

test("before any choice an opt-out regime runs non-sensitive purposes by default, stores nothing, and offers the opt-out", async ({ page }) => {
  await page.goto(demo());
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "do-not-sell")).toBeVisible();
  // The blocked analytics script runs without a click; Consent Mode says so.
  await expect.poll(() => page.evaluate(() => (window as any).__demoAnalyticsLoaded)).toBe(true);
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
  const update = await page.evaluate(() =>
    ((window as any).dataLayer as ArrayLike<unknown>[]).map((e) => Array.from(e)).filter((e) => e[1] === "update").pop(),
  );
  expect((update as any)[2].analytics_storage).toBe("granted");
  // Tag managers hear why: the regime's defaults, not a choice.
  const events = await page.evaluate(() => (window as any).dataLayer.filter((e: any) => e.event === "assent_consent_update"));
  expect(events).toEqual([
    {
      event: "assent_consent_update",
      assent: { decisions: { advertising: "granted", analytics: "granted", functional: "granted" }, trigger: "opt_out_default" },
    },
  ]);
  expect(await page.evaluate(() => localStorage.getItem("assent.v1.demo"))).toBeNull();
  expect(new GppModel((await gpp(page, "ping")).v.gppString).getFieldValue("usnat", "SaleOptOut")).toBe(2);

  await banner(page, "do-not-sell").click();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token, api());
  expect(h.events).toHaveLength(1);
  expect(h.events[0].decisions).toEqual({ advertising: "denied" });
  expect(await page.evaluate(() => (window as any).assent.has("advertising"))).toBe(false);
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
  expect(new GppModel((await gpp(page, "ping")).v.gppString).getFieldValue("usnat", "SaleOptOut")).toBe(1);
});

// New York has no comprehensive privacy law and GPP no section for it: usnat. Florida has a
// section but is not opt-out by default (its law binds only the largest controllers): a site
// that runs it as opt-out writes usfl.
for (const where of [
  { region: "NY", id: 7, name: "usnat" },
  { region: "FL", id: 13, name: "usfl" },
]) {
  test(`a visitor from US-${where.region} on a site whose default regime is opt-out gets ${where.name}`, async ({ page }) => {
    await visitFrom(page, "US", where.region);
    await page.goto(demo());
    await banner(page, "reject-all").click();
    const s = await acknowledged(page);
    expect((await history(s.subject_id, s.subject_token, api())).events[0]).toMatchObject({
      jurisdiction: `US-${where.region}`,
      regime: "opt_out",
    });
    const ping = (await gpp(page, "ping")).v;
    expect(ping).toMatchObject({ applicableSections: [where.id], sectionList: [where.id] });
    const iab = new GppModel(ping.gppString);
    expect(iab.getSectionIds()).toEqual([where.id]);
    expect(iab.getFieldValue(where.name, "SaleOptOut")).toBe(1);
    expect(iab.getFieldValue(where.name, "TargetedAdvertisingOptOut")).toBe(1);
    expect(ping.parsedSections[where.name][0].SaleOptOut).toBe(1);
    expect(await usp(page)).toBe("1YY-");
  });
}

test("signals stored by a banner before state sections still answer, as usnat, without the banner", async ({ page }) => {
  await page.goto(demo());
  await banner(page, "reject-all").click();
  await acknowledged(page);
  // What that banner stored: usnat's fields under `usnat`, no section id or name.
  await page.evaluate(() => {
    const choice = JSON.parse(localStorage.getItem("assent.v1.demo")!);
    const { section, section_id, section_name, ...rest } = choice.signals;
    choice.signals = { ...rest, usnat: section };
    localStorage.setItem("assent.v1.demo", JSON.stringify(choice));
  });
  const wasm = wasmRequests(page);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  const ping = (await gpp(page, "ping")).v;
  expect(ping).toMatchObject({ applicableSections: [7], sectionList: [7] });
  expect(Object.keys(ping.parsedSections)).toEqual(["usnat"]);
  expect(ping.parsedSections.usnat[0].SaleOptOut).toBe(1);
  expect(await gpp(page, "getField", "usnat.SaleOptOut")).toEqual({ v: 1, s: true });
  expect((await gpp(page, "hasSection", "usnat")).v).toBe(true);
  expect(wasm).toEqual([]);
});
