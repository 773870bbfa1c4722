// WCAG 2.2 SC 1.4.10 Reflow: at 320×256 CSS px (1280×1024 at 400 % zoom) and 640×512, every
// part of the first layer and, in Customize, every switch and Save can be scrolled to and
// used, with no horizontal scrolling.
import { test, expect, Page } from "@playwright/test";
import { banner, demoUrl, screenshot, settled } from "../fixtures/assent";

/**
 * Whether `locator` can be scrolled to: a control wholly inside the viewport, a text taller
 * than the viewport with its top on screen (the rest follows by scrolling); never wider.
 */
async function reachable(page: Page, locator: ReturnType<Page["locator"]>) {
  await locator.scrollIntoViewIfNeeded();
  const box = (await locator.boundingBox())!;
  const { width, height } = page.viewportSize()!;
  expect(box.height, "it has a height").toBeGreaterThan(0);
  if (box.height <= height) {
    expect(box.y, "its top is on screen").toBeGreaterThanOrEqual(-0.5);
    expect(box.y + box.height, "its bottom is on screen").toBeLessThanOrEqual(height + 0.5);
  } else {
    expect(box.y, "a tall text starts on screen").toBeGreaterThanOrEqual(-0.5);
    expect(box.y).toBeLessThan(height);
  }
  expect(box.x).toBeGreaterThanOrEqual(-0.5);
  expect(box.x + box.width).toBeLessThanOrEqual(width + 0.5);
}

/** The banner's layers never scroll sideways and never reach past the viewport's sides
 * (the demo page's own 560 px video is the host page's business, not the banner's). */
async function noHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const host = document.getElementById("assent-host")!.shadowRoot!;
    return [...host.querySelectorAll<HTMLElement>(".assent-banner, .assent-dialog")]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return el.scrollWidth > el.clientWidth + 1 || box.left < -0.5 || box.right > window.innerWidth + 0.5;
      })
      .map((el) => el.className);
  });
  expect(overflow).toEqual([]);
}

for (const size of [{ width: 320, height: 256 }, { width: 640, height: 512 }]) {
  test(`at ${size.width}×${size.height} every part of both layers can be reached and used`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto(demoUrl());
    await settled(page);
    for (const part of ["#assent-title", ".assent-banner__text"]) {
      await reachable(page, page.locator(`#assent-host ${part}`));
    }
    for (const button of ["accept-all", "reject-all", "customize", "close"]) {
      await reachable(page, banner(page, button));
    }
    await noHorizontalScroll(page);
    await screenshot(page, `reflow-${size.width}-first-layer`);

    await banner(page, "customize").click();
    // The panel is the banner's, loaded on the way to Customize if it was not yet.
    await expect(banner(page, "preferences")).toBeVisible();
    const switches = page.locator("#assent-host [role=switch]:not([disabled])");
    expect(await switches.count()).toBeGreaterThan(2);
    for (let i = 0; i < (await switches.count()); i++) {
      await reachable(page, switches.nth(i));
    }
    await reachable(page, banner(page, "save"));
    await noHorizontalScroll(page);
    await screenshot(page, `reflow-${size.width}-preferences`);
    // And they work: turn one on, save.
    await switches.first().click();
    await banner(page, "save").click();
    await expect(banner(page, "preferences")).toHaveCount(0);
  });
}
