// The IAB CMP APIs reachable the way their specifications require (issue 12, "the kinds to
// fix"): from a cross-origin frame through the `__gppLocator` / `__uspapiLocator` frames and
// postMessage, and with GPP's display status following the banner.
import { test, expect, Page } from "@playwright/test";
import { GppModel } from "@iabgpp/cmpapi";
import { acknowledged, banner, visitFrom } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

let site: Site;
test.beforeAll(async () => {
  site = await startSite({ ASSENT_REGION_HEADER: "x-test-country", ASSENT_SUBDIVISION_HEADER: "x-test-region" });
});
test.afterAll(async () => {
  await site.close();
});

const ping = (page: Page) =>
  page.evaluate(() => new Promise<any>((ok) => (window as any).__gpp("ping", (v: unknown) => ok(v))));

test("a cross-origin frame gets answers from __gpp and __uspapi by postMessage: a returning Virginian's usva", async ({ page }) => {
  await visitFrom(page, "US", "VA");
  await page.goto(site.page("/", ""));
  await banner(page, "reject-all").click();
  await acknowledged(page);
  const url = site.page("/article", "", {
    body: `<main><h1>An article</h1><iframe src="${site.vendor}/cmp-frame.html" title="Advertisement"></iframe></main>`,
  });
  await page.goto(url);
  const frame = page.frameLocator('iframe[title="Advertisement"]');
  await expect(frame.locator("title")).toHaveCount(1);
  const ad = page.frames().find((f) => f.url().endsWith("/cmp-frame.html"))!;
  await expect.poll(() => ad.evaluate(() => (window as any).__answers.length)).toBe(2);
  const answers = await ad.evaluate(() => (window as any).__answers);
  const gpp = answers.find((a: any) => a.__gppReturn).__gppReturn;
  expect(gpp).toMatchObject({
    callId: "g1",
    success: true,
    returnValue: { gppVersion: "1.1", cmpStatus: "loaded", signalStatus: "ready", applicableSections: [9] },
  });
  expect(new GppModel(gpp.returnValue.gppString).getFieldValue("usva", "SaleOptOut")).toBe(1);
  expect(gpp.returnValue.parsedSections.usva[0].SaleOptOut).toBe(1);
  const usp = answers.find((a: any) => a.__uspapiReturn).__uspapiReturn;
  expect(usp).toMatchObject({ callId: "u1", success: true, returnValue: { version: 1, uspString: "1YY-" } });
});

test("GPP's cmpDisplayStatus is visible while the banner is, and listeners hear it go", async ({ page }) => {
  await page.goto(site.page("/", ""));
  await expect(banner(page, "accept-all")).toBeVisible();
  expect((await ping(page)).cmpDisplayStatus).toBe("visible");
  await page.evaluate(() => {
    (window as any).__events = [];
    (window as any).__gpp("addEventListener", (e: any) => (window as any).__events.push(e.eventName + ":" + e.data));
  });
  await banner(page, "accept-all").click();
  await acknowledged(page);
  expect((await ping(page)).cmpDisplayStatus).toBe("hidden");
  expect(await page.evaluate(() => (window as any).__events)).toContain("cmpDisplayStatus:hidden");
  // A returning visitor: no banner, nothing on screen.
  await page.reload();
  expect((await ping(page)).cmpDisplayStatus).toBe("hidden");
});
