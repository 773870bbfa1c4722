import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, demoUrl, history } from "../fixtures/assent";

/** dataLayer entries as plain arrays, plus whether each was pushed as an `arguments` object. */
async function dataLayer(page: Page): Promise<Array<{ args: unknown[]; isArguments: boolean }>> {
  return page.evaluate(() =>
    ((window as any).dataLayer as unknown[]).map((e) => ({
      args: Array.from(e as ArrayLike<unknown>),
      isArguments: Object.prototype.toString.call(e) === "[object Arguments]",
    })),
  );
}

const DENIED_DEFAULTS = {
  ad_storage: "denied",
  ad_user_data: "denied",
  ad_personalization: "denied",
  analytics_storage: "denied",
  functionality_storage: "denied",
  personalization_storage: "denied",
  security_storage: "granted",
  wait_for_update: 500,
};

test("Consent Mode defaults come before anything else and every decision sends one full update", async ({ page }) => {
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  let layer = await dataLayer(page);
  expect(layer[0]).toEqual({ args: ["consent", "default", DENIED_DEFAULTS], isArguments: true });
  expect(layer[1].args).toEqual(["set", "ads_data_redaction", true]);
  expect(layer.filter((e) => e.args[1] === "update")).toHaveLength(0);

  await banner(page, "accept-all").click();
  await acknowledged(page);
  layer = await dataLayer(page);
  const updates = layer.filter((e) => e.args[0] === "consent" && e.args[1] === "update");
  expect(updates).toHaveLength(1);
  expect(updates[0].isArguments).toBe(true);
  expect(updates[0].args[2]).toEqual({
    ad_storage: "granted",
    ad_user_data: "granted",
    ad_personalization: "granted",
    analytics_storage: "granted",
    functionality_storage: "granted",
    personalization_storage: "granted",
    security_storage: "granted",
  });
  expect(layer[layer.length - 1].args).toEqual(["set", "ads_data_redaction", false]);

  // A returning visit replays the stored update right after the defaults, before the banner runs.
  await page.reload();
  layer = await dataLayer(page);
  expect(layer[0].args[1]).toBe("default");
  expect(layer[2].args.slice(0, 2)).toEqual(["consent", "update"]);
  expect((layer[2].args[2] as any).analytics_storage).toBe("granted");
});

test("the blocked analytics script from another origin loads only once analytics is granted, without a reload", async ({ page }) => {
  const vendor = new URL(demoUrl());
  vendor.hostname = "localhost";
  const vendorRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(vendor.origin)) vendorRequests.push(r.url());
  });
  await page.goto(demoUrl());
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await expect(banner(page, "banner")).toBeVisible();
  await banner(page, "reject-all").click();
  await acknowledged(page);
  expect(vendorRequests).toEqual([]);
  expect(await page.evaluate(() => (window as any).__demoAnalyticsLoaded)).toBeUndefined();

  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-analytics").check();
  await banner(page, "save").click();
  await expect.poll(() => page.evaluate(() => (window as any).__demoAnalyticsLoaded)).toBe(true);
  expect(vendorRequests).toEqual([`${vendor.origin}/analytics.js`]);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("a GPC signal in an opt-in region is recorded once as an opt-out, and Accept all does not undo it", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
  });
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "gpc-honored")).toBeVisible();
  let s = await acknowledged(page);
  let h = await history(s.subject_id, s.subject_token);
  expect(h.events).toHaveLength(1);
  expect(h.events[0]).toMatchObject({ method: "gpc", source: "signal", gpc: true, signal_source: "js" });
  expect(h.events[0].decisions).toEqual({ advertising: "denied" });

  await banner(page, "accept-all").click();
  s = await acknowledged(page);
  h = await history(s.subject_id, s.subject_token);
  expect(h.events[1].method).toBe("accept_all");
  expect(h.events[1].decisions).toEqual({ analytics: "granted", functional: "granted" });
  expect(await page.evaluate(() => (window as any).assent.has("advertising"))).toBe(false);

  // The panel says so, and the opt-out stays unticked.
  await banner(page, "privacy-choices").click();
  await expect(banner(page, "gpc-honored")).toBeVisible();
  await expect(banner(page, "toggle-advertising")).not.toBeChecked();
  await page.keyboard.press("Escape");

  // Once per subject, not per page view.
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  s = await acknowledged(page);
  expect((await history(s.subject_id, s.subject_token)).events).toHaveLength(2);
});

test("withdrawing analytics deletes its declared cookie and storage keys at once, without a reload", async ({ page }) => {
  await page.goto(demoUrl());
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await banner(page, "accept-all").click();
  await expect.poll(() => page.evaluate(() => (window as any).__demoAnalyticsLoaded)).toBe(true);
  await page.evaluate(() => {
    document.cookie = "nw_prefs=compact; path=/";
  });
  expect(await page.evaluate(() => document.cookie)).toContain("_nwa_id=");
  expect(await page.evaluate(() => localStorage.getItem("nwa_last_visit"))).not.toBeNull();

  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-analytics").uncheck();
  await banner(page, "save").click();
  await acknowledged(page);
  const cookies = await page.evaluate(() => document.cookie);
  expect(cookies).not.toContain("_nwa_id=");
  expect(cookies).toContain("nw_prefs=compact"); // functional stays granted: its cookie stays
  expect(await page.evaluate(() => localStorage.getItem("nwa_last_visit"))).toBeNull();
  expect(await page.evaluate(() => localStorage.getItem("assent.v1.demo"))).not.toBeNull();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("a blocked embed shows a click-to-load placeholder that records consent and loads it", async ({ page }) => {
  const vendor = new URL(demoUrl());
  vendor.hostname = "localhost";
  const videoRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url() === `${vendor.origin}/video`) videoRequests.push(r.url());
  });
  await page.goto(demoUrl());
  const placeholder = page.locator('[data-assent-placeholder="functional"]');
  await expect(placeholder).toBeVisible();
  await expect(page.locator('[data-test="video"]')).toBeHidden();
  await banner(page, "reject-all").click();
  await acknowledged(page);
  await expect(placeholder).toBeVisible();
  expect(videoRequests).toEqual([]);

  await placeholder.getByRole("button").click();
  await expect(page.locator('[data-test="video"]')).toBeVisible();
  await expect(placeholder).toHaveCount(0);
  expect(videoRequests).toHaveLength(1);
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events.map((e) => [e.method, e.decisions])).toEqual([
    ["reject_all", { advertising: "denied", analytics: "denied", functional: "denied" }],
    ["save", { functional: "granted" }],
  ]);
});
