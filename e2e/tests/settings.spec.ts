// The privacy-settings page (issue 10), as its users meet it: embedded in a site's own page
// (`<div data-assent-settings>` beside the usual script tag) and hosted by Assent at
// /sites/{site}/privacy, reached through a single-use link. The site runs on its own server
// (fixtures/site.ts) and embeds Assent from another origin, as a real site does.
import AxeBuilder from "@axe-core/playwright";
import { test, expect, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { acknowledged, banner, history, screenshot } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

let site: Site;
let settingsUrl: string;
let otherUrl: string;
test.beforeAll(async () => {
  site = await startSite();
  // A blocked analytics script that counts its runs, and the settings component.
  settingsUrl = site.page(
    "/account/privacy",
    `<script type="text/plain" data-category="analytics">window.__analyticsRuns = (window.__analyticsRuns || 0) + 1;</script>`,
    { body: `<main><h1>Your account</h1><div data-assent-settings></div></main>` },
  );
  otherUrl = site.page("/news", "");
});
test.afterAll(async () => {
  await site.close();
});

/** A locator inside the settings component's shadow root (Playwright pierces open roots). */
const settings = (page: Page, test: string) => page.locator(`[data-assent-settings] [data-test="${test}"]`);

const runs = (page: Page) => page.evaluate(() => (window as any).__analyticsRuns ?? 0);

/** Accepts everything in the banner on `url` and waits until the server has it. */
async function acceptAll(page: Page, url: string) {
  await page.goto(url);
  await banner(page, "accept-all").click();
  return acknowledged(page);
}

test("visitors of a page without the component download nothing of it", async ({ page }) => {
  const fetched: string[] = [];
  page.on("request", (r) => fetched.push(r.url()));
  await page.goto(otherUrl);
  await expect(banner(page, "accept-all")).toBeVisible();
  expect(fetched.filter((u) => u.includes("/assets/settings/"))).toEqual([]);
});

test("embedded: a withdrawal takes effect at once — recorded, the blocked script stops, the declared cookies and storage go", async ({ page }) => {
  const choice = await acceptAll(page, settingsUrl);
  await page.evaluate(() => {
    document.cookie = "_nwa_id=visitor-1; path=/";
    localStorage.setItem("nwa_last_visit", "today");
  });
  await page.reload();
  expect(await runs(page)).toBe(1);
  const toggle = settings(page, "settings-toggle-analytics");
  await expect(toggle).toBeChecked();
  // Where the decision came from, in words.
  await expect(settings(page, "set-by-analytics")).toContainText("the banner");

  await toggle.uncheck();
  await expect(settings(page, "settings-status")).toHaveText("Saved.");
  await expect(toggle).not.toBeChecked();
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  const last = events[events.length - 1];
  expect(last).toMatchObject({ method: "withdraw", source: "settings_page", decisions: { analytics: "denied" } });
  expect(await page.evaluate(() => document.cookie)).not.toContain("_nwa_id");
  expect(await page.evaluate(() => localStorage.getItem("nwa_last_visit"))).toBeNull();
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);
  // The next page view runs the site without it.
  await page.reload();
  await expect(settings(page, "settings-toggle-analytics")).not.toBeChecked();
  expect(await runs(page)).toBe(0);
  // The history shows the withdrawal first, and its receipt checks out in the browser.
  const newest = settings(page, "history").locator("li").first();
  await expect(newest).toContainText("Withdrew consent");
  await newest.locator('[data-test="verify"]').click();
  await expect(newest.locator('[data-test="verified"]')).toContainText("Verified");
  // The text shown at the time: its hash, recomputed in the browser, is the one recorded.
  await newest.locator("summary").first().click();
  await expect(newest.locator('[data-test="shown-text"]')).toHaveAttribute("data-hash-matches", "true");
  await screenshot(page, "settings-embedded");
});

test("embedded: objecting to a legitimate interest is recorded as object and can be taken back", async ({ page }) => {
  const choice = await acceptAll(page, settingsUrl);
  await page.reload();
  const object = settings(page, "settings-object-product_improvement");
  await expect(object).toHaveText("Object");
  await object.click();
  await expect(settings(page, "objected-product_improvement")).toBeVisible();
  await expect(object).toHaveText("Withdraw my objection");
  await object.click();
  await expect(settings(page, "objected-product_improvement")).toHaveCount(0);
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events.slice(-2).map((e) => [e.method, e.source, e.decisions.product_improvement])).toEqual([
    ["object", "settings_page", "denied"],
    ["save", "settings_page", "granted"],
  ]);
  // Contract purposes have no control, and say why.
  await expect(settings(page, "no-control-necessary")).toContainText("Needed to provide the service");

  // A copy of the records, as JSON and as CSV, each with every event.
  const [json] = await Promise.all([page.waitForEvent("download"), settings(page, "export-json").click()]);
  const exported = JSON.parse(readFileSync((await json.path())!, "utf8"));
  expect(exported.events.map((e: any) => e.method)).toEqual(events.map((e) => e.method));
  const [csv] = await Promise.all([page.waitForEvent("download"), settings(page, "export-csv").click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  expect(readFileSync((await csv.path())!, "utf8")).toContain("object");
});

test("embedded: an erasure in one tab leaves nothing granted in the site's other tabs", async ({ context }) => {
  const here = await context.newPage();
  const there = await context.newPage();
  await acceptAll(here, settingsUrl);
  await there.goto(otherUrl);
  await expect.poll(() => there.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
  await here.reload();
  await settings(here, "erase").click();
  await settings(here, "erase-confirm").click();
  await expect(settings(here, "erased")).toBeVisible();
  // The other tab hears it: nothing granted, no choice, and the banner asks again.
  await expect.poll(() => there.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);
  expect(await there.evaluate(() => (window as any).assent.get())).toBeNull();
  await expect(banner(there, "accept-all")).toBeVisible();
});

test("embedded: erasure forgets the visitor on this device and the banner asks again", async ({ page }) => {
  const choice = await acceptAll(page, settingsUrl);
  await page.reload();
  await settings(page, "erase").click();
  await settings(page, "erase-confirm").click();
  await expect(settings(page, "erased")).toBeVisible();
  await expect(banner(page, "accept-all")).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("assent.v1.demo"))).toBeNull();
  // The old token no longer reads anything.
  const res = await fetch(`${site.assent.api}/v1/sites/demo/subjects/${choice.subject_id}/consents`, {
    headers: { authorization: `Bearer ${choice.subject_token}` },
  });
  expect(res.status).toBe(410);
});

test("hosted: a single-use link opens the page with a session, the code leaves the URL, and a second use is refused clearly", async ({ page, context }) => {
  const choice = await acceptAll(page, otherUrl);
  const link: string = await page.evaluate(() => (window as any).assent.settingsLink());
  expect(link).toContain("code=");
  await page.goto(link);
  expect(page.url()).not.toContain("code=");
  const cookie = (await context.cookies(`${site.assent.api}/sites/demo/privacy`)).find((c) => c.name === "assent_settings");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
  await expect(settings(page, "settings-toggle-analytics")).toBeChecked();

  // A change on the hosted page, CSRF token and all, lands on the subject's chain.
  await settings(page, "settings-toggle-advertising").uncheck();
  await expect(settings(page, "settings-status")).toHaveText("Saved.");
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events[events.length - 1]).toMatchObject({ method: "withdraw", source: "settings_page" });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await screenshot(page, "settings-hosted");

  // The same link again: a page that says what happened, not a stack trace.
  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.locator("body")).toContainText(/new link/i);
});

test("hosted: without a session the page says to open the link again", async ({ page }) => {
  await page.goto(`${site.assent.api}/sites/demo/privacy`);
  await expect(settings(page, "session-over")).toBeVisible();
});

test("hosted: right to left in Arabic, and usable at 360 px with the keyboard alone", async ({ browser }) => {
  const context = await browser.newContext({ locale: "ar", viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await acceptAll(page, otherUrl);
  const link: string = await page.evaluate(() => (window as any).assent.settingsLink());
  await page.goto(link);
  await expect(settings(page, "settings")).toHaveAttribute("dir", "rtl");
  await expect(settings(page, "settings-toggle-analytics")).toBeChecked();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  // Tab to the analytics switch and turn it off with the space bar.
  let guard = 0;
  while (!(await settings(page, "settings-toggle-analytics").evaluate((el) => el.matches(":focus")))) {
    await page.keyboard.press("Tab");
    if (++guard > 40) throw new Error("the analytics switch cannot be reached with Tab");
  }
  await page.keyboard.press("Space");
  await expect(settings(page, "settings-toggle-analytics")).not.toBeChecked();
  await expect(settings(page, "settings-status")).not.toBeEmpty();
  // The focus stays on the switch: Space again takes the change back.
  expect(await settings(page, "settings-toggle-analytics").evaluate((el) => el.matches(":focus"))).toBe(true);
  await page.keyboard.press("Space");
  await expect(settings(page, "settings-toggle-analytics")).toBeChecked();
  // The page leads back to the site, and the notice's relative policy link is the site's.
  const home = new URL(otherUrl).origin;
  await expect(settings(page, "back-to-site")).toHaveAttribute("href", home);
  await screenshot(page, "settings-hosted-ar-360");
  await context.close();
});

test("hosted: a change there applies on the site at its next page view, and an erasure there makes the banner ask again", async ({ page }) => {
  await acceptAll(page, otherUrl);
  const link: string = await page.evaluate(() => (window as any).assent.settingsLink());
  await page.goto(link);
  await settings(page, "settings-toggle-analytics").uncheck();
  await expect(settings(page, "settings-status")).toHaveText("Saved.");
  await page.goto(otherUrl);
  await expect.poll(() => page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);
  expect(await page.evaluate(() => (window as any).assent.has("functional"))).toBe(true);
  await expect(banner(page, "accept-all")).toHaveCount(0);

  const again: string = await page.evaluate(() => (window as any).assent.settingsLink());
  await page.goto(again);
  await settings(page, "erase").click();
  await settings(page, "erase-confirm").click();
  await expect(settings(page, "erased")).toBeVisible();
  await page.goto(otherUrl);
  await expect(banner(page, "accept-all")).toBeVisible();
  expect(await page.evaluate(() => (window as any).assent.get())).toBeNull();
});

test("embedded: a GPC opt-out shows as Opt-Out Request Honored where it applies; axe clean in dark mode", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
  });
  await page.goto(settingsUrl);
  await banner(page, "accept-all").click();
  await acknowledged(page);
  await page.reload();
  await expect(settings(page, "gpc-advertising")).toHaveText("Opt-Out Request Honored");
  await expect(settings(page, "set-by-advertising")).toContainText("Global Privacy Control");
  await expect(settings(page, "settings-toggle-advertising")).not.toBeChecked();
  await expect(settings(page, "gpc-honored")).toBeVisible();
  // Purposes decided by the banner carry no such badge.
  await expect(settings(page, "gpc-analytics")).toHaveCount(0);
  const axe = await new AxeBuilder({ page }).include("[data-assent-settings]").analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await screenshot(page, "settings-embedded-dark");
  await context.close();
});

test("embedded: a component that enters the page later (a single-page app's view) is mounted", async ({ page }) => {
  const spa = site.page("/app", "", { body: `<main id="app"><h1>Home</h1></main>` });
  await acceptAll(page, spa);
  await page.evaluate(() => {
    document.getElementById("app")!.innerHTML = "<h1>Your account</h1><div data-assent-settings></div>";
  });
  await expect(settings(page, "settings-toggle-analytics")).toBeChecked();
  // The view is replaced again: the new element is mounted too.
  await page.evaluate(() => {
    document.getElementById("app")!.innerHTML = "<h1>Privacy</h1><div data-assent-settings></div>";
  });
  await expect(page.locator("h1")).toHaveText("Privacy");
  await expect(settings(page, "settings-toggle-analytics")).toBeChecked();
});
