// A tag manager driven by Assent (issue 12, item 10): on the demo's GTM page, a container that
// processes dataLayer as Google Tag Manager does fires its analytics tag on Assent's
// `assent_consent_update` event — on the page view of the choice and, replayed, on every
// later one — and never without the grant.
import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, demoUrl, screenshot } from "../fixtures/assent";

const fired = (page: Page) => page.evaluate(() => (window as any).__containerTagsFired as string[]);

test("the container's analytics tag fires on the choice's page view and on the replay, never before", async ({ page }) => {
  await page.goto(`${demoUrl()}/gtm`);
  await expect(banner(page, "banner")).toBeVisible();
  await expect.poll(() => fired(page)).toEqual([]);
  await banner(page, "accept-all").click();
  await expect.poll(() => fired(page)).toEqual(["choice"]);
  await acknowledged(page);
  await page.reload();
  await expect.poll(() => fired(page)).toEqual(["replay"]);
  await expect(page.locator(`[data-test="container-log"]`)).toContainText("analytics tag (replay)");
  await screenshot(page, "gtm-demo");
});

test("a refusal fires no analytics tag", async ({ page }) => {
  await page.goto(`${demoUrl()}/gtm`);
  await banner(page, "reject-all").click();
  await acknowledged(page);
  await page.reload();
  await expect(page.locator(`[data-test="container-log"]`)).toContainText("event assent_consent_update");
  expect(await fired(page)).toEqual([]);
});
