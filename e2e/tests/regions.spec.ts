// Regional rules the banner follows: Korea asks per item, never bundled; opt-out regimes
// offer "Do Not Sell or Share", and a US visitor's GPP string carries their state's own
// section. The region comes from headers the server trusts (a CDN sets them in production;
// here the test adds them to the banner's API requests).
import { test, expect } from "@playwright/test";
import { GppModel, Sections } from "@iabgpp/cmpapi";
import AxeBuilder from "@axe-core/playwright";
import { acknowledged, banner, demoUrl, gpp, history, screenshot, usp, visitFrom, wasmRequests } from "../fixtures/assent";

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
  const ping = (await gpp(page, "ping")).v;
  expect(new GppModel(ping.gppString).getFieldValue("usca", "SaleOptOut")).toBe(1);
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
    const ping = (await gpp(page, "ping")).v;
    if (where.regime === "opt_out") {
      const usca = new GppModel(ping.gppString);
      expect(usca.getFieldValue("usca", "Gpc")).toBe(true);
      expect(usca.getFieldValue("usca", "SaleOptOut")).toBe(1);
    } else {
      expect(ping.applicableSections).toEqual([-1]);
    }
  });
}

/** Every section IAB's library knows from usnat on, as the ping's `supportedAPIs` names them. */
const US_SECTIONS = [...Sections.SECTION_ID_NAME_MAP.entries()]
  .filter(([id]: [number, string]) => id >= 7)
  .sort(([a]: [number, string], [b]: [number, string]) => a - b)
  .map(([id, name]: [number, string]) => `${id}:${name}`);

/** US states with a section of their own: its id and name, whether it has a GPC subsection, and
 * where its SensitiveDataProcessing list puts precise geolocation (index from 0). */
const STATES = [
  { region: "CA", id: 8, name: "usca", gpc: true, location: 2 },
  { region: "VA", id: 9, name: "usva", gpc: false, location: 7 },
  // The newer layout (MSPA fields first, sensitive-data consents in a subsection).
  { region: "KY", id: 26, name: "usky", gpc: false, location: 7 },
];
const CHOICES = [
  { choice: "Accept all", click: "accept-all", gpc: false, saleOptOut: 2, usPrivacy: "1YN-" },
  { choice: "Reject all", click: "reject-all", gpc: false, saleOptOut: 1, usPrivacy: "1YY-" },
  { choice: "GPC", click: null, gpc: true, saleOptOut: 1, usPrivacy: "1YY-" },
];

for (const state of STATES) {
  for (const c of CHOICES) {
    test(`a visitor from US-${state.region} choosing ${c.choice} gets ${state.name} (section ${state.id}) saying so`, async ({ page }) => {
      if (c.gpc) {
        await page.addInitScript(() => {
          Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
        });
      }
      await visitFrom(page, "US", state.region);
      await page.goto(demoUrl());
      if (c.click) await banner(page, c.click).click();
      const s = await acknowledged(page);
      expect((await history(s.subject_id, s.subject_token)).events[0]).toMatchObject({
        jurisdiction: `US-${state.region}`,
        regime: "opt_out",
      });

      const ping = (await gpp(page, "ping")).v;
      expect(ping).toMatchObject({ signalStatus: "ready", applicableSections: [state.id], sectionList: [state.id] });
      expect(ping.supportedAPIs).toEqual(US_SECTIONS);
      const iab = new GppModel(ping.gppString);
      expect(iab.getSectionIds()).toEqual([state.id]);
      expect(iab.getFieldValue(state.name, "SaleOptOutNotice")).toBe(1);
      expect(iab.getFieldValue(state.name, "SaleOptOut")).toBe(c.saleOptOut);
      for (const optOut of ["SharingOptOut", "TargetedAdvertisingOptOut"]) {
        if (iab.hasField(state.name, optOut)) expect(iab.getFieldValue(state.name, optOut), optOut).toBe(c.saleOptOut);
      }
      // Precise location is never part of Accept all: refused (1) in every case.
      expect(iab.getFieldValue(state.name, "SensitiveDataProcessing")[state.location]).toBe(1);
      expect(iab.hasField(state.name, "Gpc")).toBe(state.gpc);
      if (state.gpc) {
        expect(iab.getFieldValue(state.name, "GpcSegmentIncluded")).toBe(true);
        expect(iab.getFieldValue(state.name, "Gpc")).toBe(c.gpc);
      }

      // The API's answers are the fields the string carries.
      const fields = ping.parsedSections[state.name][0];
      expect(Object.keys(ping.parsedSections)).toEqual([state.name]);
      for (const [field, value] of Object.entries(fields)) {
        expect(iab.getFieldValue(state.name, field), field).toEqual(value);
      }
      expect((await gpp(page, "getSection", state.name)).v).toEqual([fields]);
      expect(await gpp(page, "getField", `${state.name}.SaleOptOut`)).toEqual({ v: c.saleOptOut, s: true });
      expect((await gpp(page, "hasSection", state.name)).v).toBe(true);
      expect((await gpp(page, "hasSection", "usnat")).v).toBe(false);
      expect(await gpp(page, "getField", "usnat.SaleOptOut")).toEqual({ v: null, s: false });
      expect(await usp(page)).toBe(c.usPrivacy);
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("assent.v1.demo")!).signals);
      expect(stored).toMatchObject({ section_id: state.id, section_name: state.name, gpp_string: ping.gppString });
    });
  }
}

test("a returning Virginian's __gpp answers with usva from storage, without the banner, until a new choice", async ({ page }) => {
  await visitFrom(page, "US", "VA");
  await page.goto(demoUrl());
  await banner(page, "reject-all").click();
  await acknowledged(page);
  const first = (await gpp(page, "ping")).v;

  const wasm = wasmRequests(page);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  const ping = (await gpp(page, "ping")).v;
  expect(ping).toMatchObject({
    signalStatus: "ready",
    applicableSections: [9],
    sectionList: [9],
    gppString: first.gppString,
    parsedSections: first.parsedSections,
  });
  expect(new GppModel(ping.gppString).getFieldValue("usva", "SaleOptOut")).toBe(1);
  expect(await gpp(page, "getField", "usva.TargetedAdvertisingOptOut")).toEqual({ v: 1, s: true });
  expect((await gpp(page, "hasSection", 9)).v).toBe(true);
  expect((await gpp(page, "getSection", "usva")).v).toEqual(first.parsedSections.usva);
  expect(await usp(page)).toBe("1YY-");
  expect(wasm).toEqual([]);

  // Listeners hear the next choice, made in the banner the button loads, with its section.
  await page.evaluate(() => {
    (window as any).__events = [];
    (window as any).__gpp("addEventListener", (e: any) => (window as any).__events.push(e));
  });
  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-advertising").check();
  await banner(page, "save").click();
  await acknowledged(page);
  const events = await page.evaluate(() => (window as any).__events);
  expect(events[0]).toMatchObject({ eventName: "listenerRegistered", pingData: { applicableSections: [9] } });
  const last = events.filter((e: any) => e.eventName === "signalStatus").pop();
  expect(last.pingData.parsedSections.usva[0].SaleOptOut).toBe(2);
  expect(new GppModel(last.pingData.gppString).getFieldValue("usva", "SaleOptOut")).toBe(2);
});
