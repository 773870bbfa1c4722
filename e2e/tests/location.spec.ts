import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, demoUrl, history } from "../fixtures/assent";

/** Replaces the browser's geolocation with a spy that answers with a fixed position. */
async function spyOnGeolocation(page: Page) {
  await page.addInitScript(() => {
    (window as any).__geoCalls = 0;
    Object.defineProperty(navigator, "geolocation", {
      configurable: true,
      value: {
        getCurrentPosition(ok: (p: unknown) => void) {
          (window as any).__geoCalls++;
          ok({ coords: { latitude: 59.9, longitude: 10.7, accuracy: 5 }, timestamp: Date.now() });
        },
      },
    });
  });
}

const geoCalls = (page: Page) => page.evaluate(() => (window as any).__geoCalls as number);

test("precise location asks for consent first and calls geolocation only once it is granted", async ({ page }) => {
  await spyOnGeolocation(page);
  await page.goto(demoUrl());
  await banner(page, "reject-all").click();
  await acknowledged(page);

  await page.evaluate(() => {
    (window as any).__position = (window as any).assent.requestPreciseLocation().then((p: any) => p.coords.latitude);
  });
  await expect(banner(page, "location-prompt")).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("assent-host");
  expect(await geoCalls(page)).toBe(0);

  await banner(page, "location-allow").click();
  expect(await page.evaluate(() => (window as any).__position)).toBe(59.9);
  expect(await geoCalls(page)).toBe(1);
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events.map((e) => e.decisions)).toEqual([
    { advertising: "denied", analytics: "denied", functional: "denied" },
    { precise_location: "granted" },
  ]);

  // Granted now: no second prompt.
  expect(await page.evaluate(() => (window as any).assent.requestPreciseLocation().then(() => "ok"))).toBe("ok");
  expect(await geoCalls(page)).toBe(2);
  await expect(banner(page, "location-prompt")).toHaveCount(0);
});

test("refusing precise location rejects the request and never calls geolocation", async ({ page }) => {
  await spyOnGeolocation(page);
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await page.evaluate(() => {
    (window as any).__outcome = (window as any).assent
      .requestPreciseLocation()
      .then(() => "located", (e: Error) => e.message);
  });
  await expect(banner(page, "location-prompt")).toBeVisible();
  await page.keyboard.press("Escape");
  expect(await page.evaluate(() => (window as any).__outcome)).toContain("not consented");
  expect(await geoCalls(page)).toBe(0);
  // The cookie banner was not answered by this: it is back.
  await expect(banner(page, "banner")).toBeVisible();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token);
  expect(h.events[0]).toMatchObject({ method: "close", decisions: { precise_location: "denied" } });
});
