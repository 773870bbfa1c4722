import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { acknowledged, banner, demoUrl, focusedTestId, history, screenshot, stored, tabTo, wasmRequests } from "../fixtures/assent";

const BANNER_PURPOSES = ["advertising", "analytics", "functional"];

test("a first visit shows the banner, and a rejection, a reload and a change of mind are all recorded", async ({ page }) => {
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "accept-all")).toBeVisible();
  await expect(banner(page, "reject-all")).toBeVisible();
  await expect(banner(page, "customize")).toBeVisible();
  await screenshot(page, "first-layer");

  await banner(page, "reject-all").click();
  await expect(banner(page, "banner")).toBeHidden();
  const first = await acknowledged(page);
  let h = await history(first.subject_id, first.subject_token);
  expect(h.events).toHaveLength(1);
  expect(h.events[0].method).toBe("reject_all");
  expect(Object.keys(h.events[0].decisions).sort()).toEqual(BANNER_PURPOSES);
  expect(Object.values(h.events[0].decisions).every((d) => d === "denied")).toBe(true);

  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);

  await banner(page, "privacy-choices").click();
  await expect(banner(page, "preferences")).toBeVisible();
  await expect(banner(page, "toggle-necessary")).toBeChecked();
  await expect(banner(page, "toggle-necessary")).toBeDisabled();
  for (const p of BANNER_PURPOSES) await expect(banner(page, `toggle-${p}`)).not.toBeChecked();
  await screenshot(page, "preferences");

  await banner(page, "toggle-analytics").check();
  await banner(page, "save").click();
  await expect(banner(page, "preferences")).toBeHidden();
  const second = await acknowledged(page);
  expect(second.subject_id).toBe(first.subject_id);
  h = await history(first.subject_id, first.subject_token);
  expect(h.events).toHaveLength(2);
  expect(h.events[1]).toMatchObject({ method: "save", source: "panel", seq: 2 });
  expect(h.events[1].decisions).toEqual({ advertising: "denied", analytics: "granted", functional: "denied" });
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
});

test("the same path works with the keyboard alone", async ({ page }) => {
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  // The non-modal first layer is first in the tab order.
  await page.keyboard.press("Tab");
  expect(await focusedTestId(page)).toBe("policy-link");
  await tabTo(page, "reject-all");
  await page.keyboard.press("Enter");
  const first = await acknowledged(page);
  expect((await history(first.subject_id, first.subject_token)).events).toHaveLength(1);

  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await page.keyboard.press("Tab");
  expect(await focusedTestId(page)).toBe("privacy-choices");
  await page.keyboard.press("Enter");
  await expect(banner(page, "preferences")).toBeVisible();
  await expect.poll(() => focusedTestId(page)).toBe("preferences-title");

  await tabTo(page, "toggle-analytics");
  await page.keyboard.press("Space");
  await expect(banner(page, "toggle-analytics")).toBeChecked();
  await tabTo(page, "save");
  // Focus stays inside the modal dialog: Tab from the last control wraps to the first.
  await page.keyboard.press("Tab");
  expect(await focusedTestId(page)).toBe("vendors-necessary");
  await tabTo(page, "save");
  await page.keyboard.press("Enter");
  await expect(banner(page, "preferences")).toBeHidden();
  // Focus returns to the way back in.
  await expect.poll(() => focusedTestId(page)).toBe("privacy-choices");

  const second = await acknowledged(page);
  const h = await history(second.subject_id, second.subject_token);
  expect(h.events.map((e) => e.method)).toEqual(["reject_all", "save"]);
  expect(h.events[1].decisions.analytics).toBe("granted");
});

test("Escape on the first layer records a refusal, as closing does", async ({ page }) => {
  await page.goto(demoUrl());
  await banner(page, "accept-all").focus();
  await page.keyboard.press("Escape");
  await expect(banner(page, "banner")).toBeHidden();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events[0].method).toBe("close");
  expect(Object.values(h.events[0].decisions).every((d) => d === "denied")).toBe(true);
});

test("Accept all grants the bundled purposes and tells the page", async ({ page }) => {
  await page.goto(demoUrl());
  await page.evaluate(() => {
    (window as any).__changes = [];
    window.addEventListener("assent:change", (e) => (window as any).__changes.push((e as CustomEvent).detail));
  });
  await banner(page, "accept-all").click();
  const s = await acknowledged(page);
  expect(s.decisions).toEqual({ advertising: "granted", analytics: "granted", functional: "granted" });
  expect(await page.evaluate(() => (window as any).__changes)).toEqual([s.decisions]);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events[0].method).toBe("accept_all");
});

test("a click is one decision: one write of the stored choice and one queued event, before the page hears of it", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as any;
    w.__writes = [];
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      if (w.__recording) w.__writes.push(key);
      return setItem.call(this, key, value);
    };
  });
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await page.evaluate(() => {
    const w = window as any;
    w.__recording = true;
    window.addEventListener("assent:change", () => {
      w.__recording = false;
      w.__atChange = [...w.__writes];
    }, { once: true });
  });
  await banner(page, "accept-all").click();
  await acknowledged(page);
  const writes: string[] = await page.evaluate(() => (window as any).__atChange);
  expect(writes.filter((k) => k === "assent.v1.demo")).toHaveLength(1);
  expect(writes.filter((k) => k.startsWith("assent.v1.demo.queue."))).toHaveLength(1);
  expect(writes).toHaveLength(2);
});

test("both banner layers have no axe accessibility violations", async ({ page }) => {
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  const first = await new AxeBuilder({ page }).include("#assent-host").analyze();
  expect(first.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await banner(page, "customize").click();
  await expect(banner(page, "preferences")).toBeVisible();
  const second = await new AxeBuilder({ page }).include("#assent-host").analyze();
  expect(second.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test("nothing is stored and no event is sent before the visitor chooses", async ({ page }) => {
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push(r.url());
  });
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  expect(await stored(page)).toBeNull();
  expect(posts).toEqual([]);
  expect(await page.evaluate(() => (window as any).assent.get())).toBeNull();
});

test("a returning visitor with a current choice downloads no WebAssembly until opening the preferences", async ({ page }) => {
  await page.goto(demoUrl());
  await banner(page, "reject-all").click();
  await acknowledged(page);
  const wasm = wasmRequests(page);
  await page.reload();
  await expect(page.locator('#assent-fab-host [data-test="privacy-choices"]')).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(wasm).toEqual([]);
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);

  await banner(page, "privacy-choices").click();
  await expect(banner(page, "preferences")).toBeVisible();
  expect(wasm).toHaveLength(1);
  await expect(page.locator("#assent-fab-host")).toHaveCount(0);
});
