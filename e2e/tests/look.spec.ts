import { test, expect } from "@playwright/test";
import { acknowledged, banner, demoUrl, layoutShift, screenshot, settled, watchLayoutShifts } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

test("the banner overlays the page without shifting its layout", async ({ page }) => {
  await watchLayoutShifts(page);
  await page.goto(demoUrl());
  const headline = page.locator("article h2");
  const before = await headline.boundingBox();
  await expect(banner(page, "banner")).toBeVisible();
  await banner(page, "customize").click();
  await expect(banner(page, "preferences")).toBeVisible();
  await banner(page, "save").click();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  expect(await headline.boundingBox()).toEqual(before);
  expect(await layoutShift(page)).toBe(0);
});

for (const scheme of ["light", "dark"] as const) {
  for (const [width, height, device] of [[1280, 720, "desktop"], [360, 740, "phone"]] as const) {
    test(`both layers render in ${scheme} mode on a ${device}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height });
      await page.goto(demoUrl());
      const accept = banner(page, "accept-all");
      const reject = banner(page, "reject-all");
      await expect(accept).toBeVisible();
      await settled(page);
      // Equal prominence: Accept and Reject are the same size.
      const [a, r] = [await accept.boundingBox(), await reject.boundingBox()];
      expect(Math.round(a!.height)).toBe(Math.round(r!.height));
      if (device === "phone") expect(Math.round(a!.width)).toBe(Math.round(r!.width));
      // The whole first layer fits in the viewport.
      const box = (await banner(page, "banner").boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      await screenshot(page, `first-layer-${scheme}-${device}`);
      await banner(page, "customize").click();
      await expect(banner(page, "preferences")).toBeVisible();
      await screenshot(page, `preferences-${scheme}-${device}`);
    });
  }
}

test("a site themes the banner through custom properties on the host element, and nothing else leaks in", async ({ page }) => {
  await page.goto(demoUrl());
  await expect(banner(page, "accept-all")).toBeVisible();
  await page.addStyleTag({
    content: "#assent-host { --assent-accent: rgb(200, 0, 0); } button { background: lime !important; font-size: 40px !important; }",
  });
  const accept = banner(page, "accept-all");
  await expect(accept).toHaveCSS("background-color", "rgb(200, 0, 0)");
  await expect(accept).not.toHaveCSS("font-size", "40px");
});

// A site with its own dark-mode switch fixes the banner's scheme with data-color-scheme,
// whatever the visitor's system prefers: the banner, its Privacy choices button, and the
// loader's own button on a returning visit (no WebAssembly then).
test.describe("a fixed colour scheme", () => {
  let site: Site;
  test.beforeAll(async () => {
    site = await startSite();
  });
  test.afterAll(async () => {
    await site?.close();
  });
  for (const [prefers, fixed, background] of [
    ["light", "dark", "rgb(28, 31, 36)"],
    ["dark", "light", "rgb(255, 255, 255)"],
  ] as const) {
    test(`data-color-scheme="${fixed}" keeps the banner ${fixed} when the system prefers ${prefers}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: prefers });
      await page.goto(site.page(`/scheme-${fixed}`, "", { tag: `data-color-scheme="${fixed}"` }));
      await expect(page.locator("#assent-host")).toHaveAttribute("data-color-scheme", fixed);
      await expect(banner(page, "banner")).toHaveCSS("background-color", background);
      await banner(page, "reject-all").click();
      await expect(banner(page, "privacy-choices")).toHaveCSS("background-color", background);
      // Nothing left to send, so the next view takes the loader's fast path (no WebAssembly).
      await acknowledged(page);
      await page.reload();
      await expect(page.locator("#assent-fab-host")).toBeAttached();
      await expect(banner(page, "privacy-choices")).toHaveCSS("background-color", background);
    });
  }
});
