// One choice across a site's subdomains: with `data-cookie-domain`, a choice made on one
// subdomain applies on the others (without loading the banner there), a withdrawal made on
// another subdomain is appended to the same subject's chain, and the newer choice wins.
// The demo serves every subdomain of demo.localhost (Chromium resolves *.localhost to loopback).
import { test, expect } from "@playwright/test";
import { acknowledged, banner, demoUrl, history, stored, wasmRequests } from "../fixtures/assent";

const on = (sub: string) => {
  const url = new URL(demoUrl());
  url.hostname = `${sub}.demo.localhost`;
  return url.toString();
};


test("a choice made on one subdomain applies on the others, and a withdrawal there joins the same chain", async ({ page }) => {
  await page.goto(on("www"));
  await banner(page, "accept-all").click();
  const first = await acknowledged(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "assent_demo");
  expect(cookie?.domain).toBe(".demo.localhost");
  expect(cookie!.value.length).toBeLessThan(4000);

  // Another subdomain: its own (empty) localStorage, the shared cookie.
  const wasm = wasmRequests(page);
  await page.goto(on("shop"));
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
  expect(wasm).toEqual([]);
  expect(await page.evaluate(() => (window as any).assent.get())).toEqual(first.decisions);
  await expect.poll(() => page.evaluate(() => (window as any).__demoAnalyticsLoaded === true)).toBe(true);
  expect((await stored(page))!.subject_id).toBe(first.subject_id);

  // Withdrawn on the shop: recorded for the same subject, after the acceptance.
  await page.evaluate(() => (window as any).assent.rejectAll());
  // The banner loads first (this page took the fast path): wait for the refusal itself.
  await expect.poll(async () => (await stored(page))?.decisions.analytics).toBe("denied");
  const second = await acknowledged(page);
  expect(second.subject_id).toBe(first.subject_id);
  const events = (await history(first.subject_id, first.subject_token)).events;
  expect(events.map((e) => e.method)).toEqual(["accept_all", "reject_all"]);
  expect(events.map((e) => e.seq)).toEqual([1, 2]);

  // Back on www, the newer choice (the withdrawal) wins over www's own older copy.
  await page.goto(on("www"));
  expect(await page.evaluate(() => (window as any).assent.get())).toEqual(second.decisions);
  expect(Object.values(second.decisions).every((d) => d === "denied")).toBe(true);

  // A host outside the shared domain keeps its own choice: none yet, so the banner asks.
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
});

test("a shared choice that had to leave out what the banner recomputes is rebuilt and applied on arrival", async ({ page }) => {
  await page.goto(on("www"));
  await banner(page, "accept-all").click();
  const first = await acknowledged(page);

  // What the loader writes when the whole choice would not fit in a 4 KB cookie.
  const context = page.context();
  const cookie = (await context.cookies()).find((c) => c.name === "assent_demo")!;
  const slim = JSON.parse(Buffer.from(cookie.value, "base64").toString("utf8"));
  expect(slim.gcm.analytics_storage).toBe("granted");
  delete slim.gcm;
  delete slim.signals;
  delete slim.label;
  await context.addCookies([{ ...cookie, value: Buffer.from(JSON.stringify(slim)).toString("base64") }]);

  const wasm = wasmRequests(page);
  await page.goto(on("shop"));
  // Not a fast path this time: the banner loads, rebuilds the Consent Mode update and applies it,
  // without asking again.
  await expect.poll(async () => (await stored(page)) as any).toMatchObject({ gcm: { analytics_storage: "granted" } });
  expect(wasm).toHaveLength(1);
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
  const updates = await page.evaluate(() =>
    (window as any).dataLayer.map((a: IArguments) => Array.from(a)).filter((a: unknown[]) => a[0] === "consent" && a[1] === "update"),
  );
  expect(updates).toHaveLength(1);
  expect(updates[0][2]).toMatchObject({ analytics_storage: "granted", ad_storage: "granted" });
  // ... and tells tag managers once, as the replay of a stored choice.
  const events = await page.evaluate(() => (window as any).dataLayer.filter((e: any) => e.event === "assent_consent_update"));
  expect(events).toEqual([{ event: "assent_consent_update", assent: { decisions: first.decisions, trigger: "replay" } }]);
  expect((await stored(page))!.subject_id).toBe(first.subject_id);
});
