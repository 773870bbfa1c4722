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
  const update = layer.indexOf(updates[0]);
  expect(updates[0].args[2]).toEqual({
    ad_storage: "granted",
    ad_user_data: "granted",
    ad_personalization: "granted",
    analytics_storage: "granted",
    functionality_storage: "granted",
    personalization_storage: "granted",
    security_storage: "granted",
  });
  expect(layer[update + 1].args).toEqual(["set", "ads_data_redaction", false]);

  // A returning visit replays the stored update right after the defaults, before the banner runs.
  await page.reload();
  layer = await dataLayer(page);
  expect(layer[0].args[1]).toBe("default");
  expect(layer[2].args.slice(0, 2)).toEqual(["consent", "update"]);
  expect((layer[2].args[2] as any).analytics_storage).toBe("granted");
});

/**
 * Counts the runs of script between microtask checkpoints in which entries are pushed onto
 * `dataLayer`: entries pushed with the same number were pushed in one go, with no task (no
 * tag manager's listener) in between.
 */
const countRuns = () => {
  const layer: unknown[] & { runs?: number[] } = ((window as any).dataLayer = []);
  let run = 0;
  let checkpointDue = false;
  layer.runs = [];
  layer.push = function (...entries: unknown[]) {
    if (!checkpointDue) {
      checkpointDue = true;
      queueMicrotask(() => {
        checkpointDue = false;
        run += 1;
      });
    }
    entries.forEach(() => layer.runs!.push(run));
    return Array.prototype.push.apply(layer, entries);
  };
};

/** Each dataLayer entry, gtag calls as `["gtag", ...arguments]`, with the run it was pushed in. */
async function pushes(page: Page): Promise<Array<{ entry: any; run: number }>> {
  return page.evaluate(() => {
    const layer = (window as any).dataLayer as unknown[] & { runs: number[] };
    return layer.map((e, i) => ({
      entry: Object.prototype.toString.call(e) === "[object Arguments]" ? ["gtag", ...Array.from(e as ArrayLike<unknown>)] : e,
      run: layer.runs[i],
    }));
  });
}

test("each Consent Mode update is followed in the same run by a dataLayer event with the decisions: a choice, a withdrawal, a returning visit's replay", async ({ page }) => {
  await page.addInitScript(countRuns);
  const isUpdate = (p: { entry: any }) => p.entry[0] === "gtag" && p.entry[1] === "consent" && p.entry[2] === "update";
  /** The last update, and everything pushed with and after it. */
  const lastUpdate = async () => {
    const all = await pushes(page);
    const at = all.map(isUpdate).lastIndexOf(true);
    expect(at).toBeGreaterThan(0);
    expect(all[0].entry.slice(1, 3)).toEqual(["consent", "default"]);
    return all.slice(at);
  };
  const event = (decisions: Record<string, string>, trigger: string) => ({
    event: "assent_consent_update",
    assent: { decisions, trigger },
  });

  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  expect((await pushes(page)).filter((p) => p.entry.event)).toEqual([]);
  await banner(page, "accept-all").click();
  await acknowledged(page);
  const granted = { advertising: "granted", analytics: "granted", functional: "granted" };
  let tail = await lastUpdate();
  expect(tail.map((p) => p.entry)).toEqual([
    ["gtag", "consent", "update", expect.objectContaining({ analytics_storage: "granted" })],
    ["gtag", "set", "ads_data_redaction", false],
    event(granted, "choice"),
  ]);
  expect(new Set(tail.map((p) => p.run)).size).toBe(1);

  // A withdrawal.
  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-analytics").uncheck();
  await banner(page, "save").click();
  await acknowledged(page);
  const withdrawn = { ...granted, analytics: "denied" };
  tail = await lastUpdate();
  expect(tail.map((p) => p.entry)).toEqual([
    ["gtag", "consent", "update", expect.objectContaining({ analytics_storage: "denied" })],
    ["gtag", "set", "ads_data_redaction", false],
    event(withdrawn, "choice"),
  ]);
  expect(new Set(tail.map((p) => p.run)).size).toBe(1);

  // A returning visit: the stored choice replayed right after the defaults, and its event.
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  const all = await pushes(page);
  expect(all.map((p) => p.entry)).toEqual([
    ["gtag", "consent", "default", DENIED_DEFAULTS],
    ["gtag", "set", "ads_data_redaction", true],
    ["gtag", "consent", "update", expect.objectContaining({ analytics_storage: "denied", ad_storage: "granted" })],
    ["gtag", "set", "ads_data_redaction", false],
    event(withdrawn, "replay"),
  ]);
  expect(new Set(all.slice(2).map((p) => p.run)).size).toBe(1);
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
