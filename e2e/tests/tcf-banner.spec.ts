// The banner's IAB TCF layer (issue 14, item 3) on the demo's TCF page (`/tcf`, site
// `demo-tcf`), in real Chromium against a real server whose Global Vendor List comes from a
// loopback server holding the test fixture. An EU visitor sees the first layer name the
// purposes, special features and vendor count; Accept all, Reject all and a choice made in
// the second layer (with the keyboard, through the vendor search) each send a TC string the
// ledger accepts and IAB's decoder (@iabtechlabtcf/core) reads back as that choice, and
// `__tcfapi` hands vendors the same string. A visitor outside the GDPR gets no TCF layer.
import { test, expect, Page, Request } from "@playwright/test";
import { createServer, Server as Http } from "node:http";
import { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { banner, screenshot, visitFrom, wasmRequests } from "../fixtures/assent";
import { axe } from "../fixtures/dashboard";
import { Server, startServer } from "../fixtures/global-setup";
import { decoded } from "../fixtures/tcf";

const fixtures = join(__dirname, "../../shared/tests/fixtures");
const listJson = readFileSync(join(fixtures, "gvl-v3.json"), "utf8");
const frJson = readFileSync(join(fixtures, "gvl-v3-purposes-fr.json"), "utf8");
const list = JSON.parse(listJson);
/** The demo TCF site's vendors (server/src/routes/demo_tcf.rs): all the fixture's live ones. */
type Vendor = {
  id: number;
  name: string;
  purposes: number[];
  legIntPurposes: number[];
  flexiblePurposes: number[];
  specialFeatures: number[];
  deletedDate?: string;
};
const vendors: Vendor[] = (Object.values(list.vendors) as Vendor[]).filter((v) => !v.deletedDate);
const LI_PURPOSES = [2, 7, 8, 9, 10, 11];
const union = (f: (v: Vendor) => number[]) => [...new Set(vendors.flatMap(f))].sort((a, b) => a - b);
const usedPurposes = union((v) => [...v.purposes, ...v.legIntPurposes, ...v.flexiblePurposes]);
const usedSpecialFeatures = union((v) => v.specialFeatures);
const consentPurposes = union((v) => [...v.purposes, ...v.flexiblePurposes]).filter(
  (p) => list.purposes[p].consentable !== false,
);
const liPurposes = union((v) => v.legIntPurposes).filter((p) => LI_PURPOSES.includes(p));
const asksConsent = vendors
  .filter((v) => v.purposes.length + v.flexiblePurposes.length + v.specialFeatures.length > 0)
  .map((v) => v.id);
const claimsLi = vendors.filter((v) => v.legIntPurposes.some((p) => LI_PURPOSES.includes(p))).map((v) => v.id);
const CMP_ID = 4095;

let gvl: Http;
let server: Server;
test.beforeAll(async () => {
  gvl = createServer((req, res) => {
    const body = req.url === "/vendor-list.json" ? listJson : req.url === "/purposes-fr.json" ? frJson : null;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(body ?? "");
  });
  await new Promise<void>((ok) => gvl.listen(0, "127.0.0.1", ok));
  server = await startServer({
    ASSENT_REGION_HEADER: "x-test-country",
    ASSENT_SUBDIVISION_HEADER: "x-test-region",
    ASSENT_TCF_CMP_ID: String(CMP_ID),
    ASSENT_TCF_GVL_URL: `http://127.0.0.1:${(gvl.address() as AddressInfo).port}/`,
    ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS: "1",
  });
  // The refresher fetches at start: wait until the site's list is served.
  await expect
    .poll(async () => (await fetch(`${server.api}/v1/sites/demo-tcf/gvl`)).status, { timeout: 20_000 })
    .toBe(200);
});
test.afterAll(async () => {
  server?.child.kill("SIGTERM");
  await new Promise((ok) => gvl?.close(ok));
});

/** Opens the demo's TCF page as a visitor from `country`, the first layer on screen. */
async function open(page: Page, country: string) {
  await visitFrom(page, country);
  await page.goto(`${server.demo}/tcf`);
}

/** The TC string of the next recorded choice, once the ledger accepted it (201). */
async function recorded(page: Page, act: () => Promise<void>): Promise<string> {
  const sent = page.waitForRequest((r: Request) => r.method() === "POST" && r.url().endsWith("/consents"));
  await act();
  const request = await sent;
  const response = await request.response();
  expect(response?.status(), await response?.text()).toBe(201);
  const tc = request.postDataJSON().tcf?.tc_string;
  expect(typeof tc, "the event carries a TC string").toBe("string");
  return tc;
}

/** The TC string `__tcfapi` hands a vendor's listener, with the event it came with. */
function tcfapiString(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ tcString: string; eventStatus: string; gdprApplies: boolean }>((ok) =>
        (window as any).__tcfapi("addEventListener", 2, (d: any, success: boolean) => {
          if (success && d.eventStatus !== "cmpuishown") ok(d);
        }),
      ),
  );
}

test("an EU visitor's first layer names the purposes, special features and vendor count, axe clean", async ({ page }) => {
  await open(page, "FR");
  const layer = banner(page, "tcf-first-layer");
  await expect(layer).toBeVisible();
  await expect(banner(page, "tcf-intro")).toContainText(`${vendors.length} partners`);
  for (const p of usedPurposes) await expect(banner(page, `tcf-purpose-${p}`)).toContainText(list.purposes[p].name);
  for (const f of usedSpecialFeatures)
    await expect(banner(page, `tcf-special-feature-${f}`)).toContainText(list.specialFeatures[f].name);
  await expect(banner(page, "tcf-legitimate-interest")).toBeVisible();
  // A purpose's description is a click (or Enter) away.
  const first = banner(page, `tcf-purpose-${usedPurposes[0]}`);
  await first.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(first).toContainText(list.purposes[usedPurposes[0]].description);
  expect(await axe(page)).toEqual([]);
  await screenshot(page, "tcf-first-layer");
  // On a phone the buttons stay on screen: the long text scrolls above them.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const b of ["accept-all", "reject-all", "customize"]) await expect(banner(page, b)).toBeInViewport({ ratio: 1 });
  await screenshot(page, "tcf-first-layer-phone");
  await page.setViewportSize({ width: 1280, height: 720 });
  // The vendor list is one step away: the second layer opens on the partners' search.
  await banner(page, "tcf-show-vendors").click();
  await expect(banner(page, "tcf-vendor-search")).toBeFocused();
  await expect(banner(page, "tcf-vendors").locator("li")).toHaveCount(vendors.length);
});

test("Accept all sends a TC string IAB's decoder reads as consent to what the vendors ask, and __tcfapi serves it", async ({ page }) => {
  await open(page, "DE");
  await expect(banner(page, "tcf-first-layer")).toBeVisible();
  const tc = await recorded(page, () => banner(page, "accept-all").click());
  expect(decoded(tc)).toEqual({
    cmpId: CMP_ID,
    purposeConsents: consentPurposes,
    purposeLegitimateInterests: liPurposes,
    specialFeatureOptins: usedSpecialFeatures,
    vendorConsents: asksConsent,
    vendorLegitimateInterests: claimsLi,
    vendorsDisclosed: vendors.map((v) => v.id).sort((a, b) => a - b),
  });
  const served = await tcfapiString(page);
  expect(served.tcString).toBe(tc);
  expect(served.gdprApplies).toBe(true);
  // The next page view answers from storage: no banner, the same string.
  await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith("assent.v1.demo-tcf.queue.")));
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  const again = await tcfapiString(page);
  expect(again).toMatchObject({ tcString: tc, eventStatus: "tcloaded" });
});

test("Reject all sends no consent and objects to every legitimate interest", async ({ page }) => {
  await open(page, "IT");
  await expect(banner(page, "tcf-first-layer")).toBeVisible();
  const tc = await recorded(page, () => banner(page, "reject-all").click());
  expect(decoded(tc)).toMatchObject({
    purposeConsents: [],
    purposeLegitimateInterests: [],
    specialFeatureOptins: [],
    vendorConsents: [],
    vendorLegitimateInterests: [],
    vendorsDisclosed: vendors.map((v) => v.id).sort((a, b) => a - b),
  });
});

test("the second layer, by keyboard: a searched vendor's consent, one purpose, one objection, saved as chosen", async ({ page }) => {
  await open(page, "ES");
  await banner(page, "customize").click();
  const prefs = banner(page, "tcf-preferences");
  await expect(prefs).toBeVisible();
  // Nothing is pre-ticked for consent; legitimate interest stands until objected to.
  for (const p of consentPurposes) await expect(banner(page, `tcf-consent-purpose-${p}`)).not.toBeChecked();
  for (const p of liPurposes) await expect(banner(page, `tcf-li-purpose-${p}`)).toBeChecked();
  for (const p of usedPurposes) await expect(banner(page, `tcf-purpose-${p}`)).toBeVisible();
  const vendor = vendors.find((v) => asksConsent.includes(v.id) && claimsLi.includes(v.id)) ?? vendors[0];
  const word = vendor.name.split(" ")[0];
  await banner(page, "tcf-vendor-search").focus();
  await page.keyboard.type(word);
  const rows = banner(page, "tcf-vendors").locator("li");
  const matching = vendors.filter((v) => v.name.toLowerCase().includes(word.toLowerCase()));
  await expect(rows.locator(":visible").first()).toBeVisible();
  await expect(banner(page, "tcf-vendors").locator("li:not([hidden])")).toHaveCount(matching.length);
  // Tab from the search reaches the vendor's row: its details, then its switches.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(banner(page, `tcf-consent-vendor-${vendor.id}`)).toBeFocused();
  await page.keyboard.press("Space");
  await expect(banner(page, `tcf-consent-vendor-${vendor.id}`)).toBeChecked();
  const liSwitch = banner(page, `tcf-li-vendor-${vendor.id}`);
  if (claimsLi.includes(vendor.id)) {
    await page.keyboard.press("Tab");
    await expect(liSwitch).toBeFocused();
    await page.keyboard.press("Space");
    await expect(liSwitch).not.toBeChecked();
  }
  const purpose = consentPurposes[0];
  await banner(page, `tcf-consent-purpose-${purpose}`).check();
  // A search that finds nothing says so.
  await banner(page, "tcf-vendor-search").fill("no vendor is called this");
  await expect(banner(page, "tcf-no-match")).not.toBeEmpty();
  await expect(banner(page, "tcf-vendors").locator("li:not([hidden])")).toHaveCount(0);
  expect(await axe(page)).toEqual([]);
  await screenshot(page, "tcf-preferences");
  const tc = await recorded(page, () => banner(page, "save").click());
  const read = decoded(tc);
  expect(read.purposeConsents).toEqual([purpose]);
  expect(read.vendorConsents).toEqual([vendor.id]);
  expect(read.specialFeatureOptins).toEqual([]);
  expect(read.purposeLegitimateInterests).toEqual(liPurposes);
  expect(read.vendorLegitimateInterests).toEqual(claimsLi.filter((id) => id !== vendor.id));
  // Reopened, the second layer shows what was saved.
  await banner(page, "privacy-choices").click();
  await expect(banner(page, `tcf-consent-vendor-${vendor.id}`)).toBeChecked();
  await expect(banner(page, `tcf-consent-purpose-${purpose}`)).toBeChecked();
  if (claimsLi.includes(vendor.id)) await expect(liSwitch).not.toBeChecked();
});

test("the second layer shows a vendor's retention, data, storage and pages", async ({ page }) => {
  await open(page, "FR");
  await banner(page, "customize").click();
  const full = list.vendors[String(vendors[0].id)];
  const row = banner(page, `tcf-vendor-${full.id}`);
  await row.locator("summary").click();
  const facts = row.locator("dl");
  if (full.dataRetention?.stdRetention !== undefined)
    await expect(facts).toContainText(`${full.dataRetention.stdRetention} days`);
  for (const c of full.dataDeclaration ?? []) await expect(facts).toContainText(list.dataCategories[c].name);
  await expect(row.getByRole("link").first()).toHaveAttribute("href", full.urls[0].privacy);
});

test("a visitor outside the GDPR gets no TCF layer, __tcfapi says the GDPR does not apply, and later pages need no banner", async ({ page }) => {
  await open(page, "JP");
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "tcf-first-layer")).toHaveCount(0);
  const served = await tcfapiString(page);
  expect(served.gdprApplies).toBe(false);
  expect(served.tcString ?? "").toBe("");
  const sent = page.waitForRequest((r: Request) => r.method() === "POST" && r.url().endsWith("/consents"));
  await banner(page, "accept-all").click();
  expect((await sent).postDataJSON().tcf, "no TC string outside the GDPR").toBeUndefined();
  // Acknowledged: nothing left in the queue (a queued event would make the loader load the
  // banner to send it).
  await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith("assent.v1.demo-tcf.queue.")));
  const wasm = wasmRequests(page);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  expect(await tcfapiString(page)).toMatchObject({ gdprApplies: false, eventStatus: "tcloaded" });
  expect(wasm, "the loader answers from storage").toEqual([]);
});

test("a choice made before the site used TCF is asked again, so vendors get a TC string", async ({ page }) => {
  await open(page, "NL");
  await expect(banner(page, "tcf-first-layer")).toBeVisible();
  await recorded(page, () => banner(page, "reject-all").click());
  // As a choice stored before TCF was on: no TCData beside it.
  await page.evaluate(() => {
    const key = "assent.v1.demo-tcf";
    const s = JSON.parse(localStorage.getItem(key)!);
    delete s.tcf;
    localStorage.setItem(key, JSON.stringify(s));
  });
  await page.reload();
  await expect(banner(page, "tcf-first-layer")).toBeVisible();
  const tc = await recorded(page, () => banner(page, "accept-all").click());
  expect(decoded(tc).vendorConsents).toEqual(asksConsent);
});

test("only a TCF site's pages download the banner with the TCF layer", async ({ page }) => {
  const plain = await (await fetch(`${server.api}/embed.js?site=demo`)).text();
  const tcf = await (await fetch(`${server.api}/embed.js?site=demo-tcf`)).text();
  // The banner's wasm the boot object names (the settings component's is named too, and the
  // plain banner's first-visit bundle: a TCF site's first layer is the banner's own).
  const wasms = (loader: string) => [...loader.matchAll(/"wasm":"([^"]+)"/g)].map((m) => m[1]);
  const wasmOf = (loader: string) => wasms(loader).find((u) => !u.includes("/settings/") && !u.includes("/first-visit/"))!;
  expect(wasmOf(plain)).toMatch(/^\/assets\/banner\//);
  expect(wasmOf(tcf)).toMatch(/^\/assets\/banner-tcf\//);
  expect(wasms(plain).some((u) => u.startsWith("/assets/first-visit/"))).toBe(true);
  expect(wasms(tcf).some((u) => u.startsWith("/assets/first-visit/"))).toBe(false);
  const sizes = await Promise.all(
    [wasmOf(plain), wasmOf(tcf)].map(async (path) => (await (await fetch(server.api + path)).arrayBuffer()).byteLength),
  );
  expect(sizes[1], "the TCF layer is only in the TCF build").toBeGreaterThan(sizes[0]);
  await visitFrom(page, "FR");
  const wasm = wasmRequests(page);
  await page.goto(`${server.demo}/`);
  await expect(banner(page, "banner")).toBeVisible();
  expect(wasm.length).toBeGreaterThan(0);
  expect(wasm.every((u) => u.includes("/assets/first-visit/") || u.includes("/assets/banner/")), wasm.join()).toBe(true);
  await expect(banner(page, "tcf-first-layer")).toHaveCount(0);
});

test("a choice made in another tab reaches this tab's vendors, the banner running here too", async ({ browser }) => {
  const context = await browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const p of [a, b]) await open(p, "FR");
  for (const p of [a, b]) await expect(banner(p, "tcf-first-layer")).toBeVisible();
  await b.evaluate(() => {
    (window as any).__heard = [];
    (window as any).__tcfapi("addEventListener", 2, (d: any) => (window as any).__heard.push([d.eventStatus, d.tcString]));
  });
  const tc = await recorded(a, () => banner(a, "reject-all").click());
  await expect
    .poll(() => b.evaluate(() => (window as any).__heard.filter((h: string[]) => h[0] === "useractioncomplete")))
    .toEqual([["useractioncomplete", tc]]);
  await context.close();
});

test("a stored TCData that is not one is never served: the banner asks again and writes a real one", async ({ page }) => {
  await open(page, "FR");
  await recorded(page, () => banner(page, "accept-all").click());
  await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith("assent.v1.demo-tcf.queue.")));
  for (const bad of ["x", 5, null, {}, [1, 2], { tcString: 5, gdprApplies: true }]) {
    await page.evaluate((bad) => {
      const s = JSON.parse(localStorage.getItem("assent.v1.demo-tcf")!);
      s.tcf = bad;
      localStorage.setItem("assent.v1.demo-tcf", JSON.stringify(s));
    }, bad);
    await page.reload();
    await expect(banner(page, "tcf-first-layer"), JSON.stringify(bad)).toBeVisible();
    const ping = await page.evaluate(() => new Promise<any>((ok) => (window as any).__tcfapi("ping", 2, ok)));
    expect(ping.cmpStatus, JSON.stringify(bad)).not.toBe("error");
    const tc = await recorded(page, () => banner(page, "accept-all").click());
    expect((await tcfapiString(page)).tcString).toBe(tc);
    await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith("assent.v1.demo-tcf.queue.")));
  }
});

test("without the site's vendor list the banner shows without its TCF layer and __tcfapi says error", async ({ page }) => {
  await visitFrom(page, "FR");
  await page.route("**/v1/sites/demo-tcf/gvl**", (route) => route.fulfill({ status: 503, body: "{}" }));
  await page.goto(`${server.demo}/tcf`);
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "tcf-first-layer")).toHaveCount(0);
  const answer = await page.evaluate(
    () =>
      new Promise<any>((ok) =>
        (window as any).__tcfapi("addEventListener", 2, (d: any, success: boolean) => ok({ status: d.cmpStatus, success })),
      ),
  );
  expect(answer).toEqual({ status: "error", success: false });
  const ping = await page.evaluate(() => new Promise<any>((ok) => (window as any).__tcfapi("ping", 2, ok)));
  expect(ping).toMatchObject({ cmpStatus: "error", cmpLoaded: false });
});
