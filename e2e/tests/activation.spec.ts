// Blocked tags, once allowed, behave as they would have without Assent: the page's order
// (a slow library before the snippets and plugins that use it), the attributes and nonce the
// page gave them under its own CSP, and the same for tags that enter the document later.
// The site and its vendor are real servers (see fixtures/site.ts).
import { test, expect } from "@playwright/test";
import { acknowledged, banner } from "../fixtures/assent";
import { integrity, ran, Site, startSite } from "../fixtures/site";

let site: Site;
test.beforeAll(async () => {
  site = await startSite();
});
test.afterAll(async () => {
  await site.close();
});

/** A library, an inline snippet that uses it, and a plugin of the library, all blocked. */
const libraryThenUsers = (v: string) => `
  <script type="text/plain" data-category="analytics" src="${v}/lib.js"></script>
  <script type="text/plain" data-category="analytics">
    (window.__ran = window.__ran || []).push(window.VendorLib ? "snippet" : "snippet without lib");
  </script>
  <script type="text/plain" data-category="analytics" src="${v}/plugin.js"></script>`;

test("blocked scripts run in the page's order once allowed: a slow library, the snippet using it, then its plugin", async ({ page }) => {
  const url = site.page("/order", libraryThenUsers(site.vendor));
  await page.goto(url);
  await expect(banner(page, "banner")).toBeVisible();
  expect(await ran(page)).toEqual([]);

  await banner(page, "accept-all").click();
  await expect.poll(() => ran(page).then((r) => r.length)).toBe(3);
  expect(await ran(page)).toEqual(["lib", "snippet", "plugin"]);
  await acknowledged(page);

  // A returning visit: the stored choice activates them, in the same order.
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect.poll(() => ran(page).then((r) => r.length)).toBe(3);
  expect(await ran(page)).toEqual(["lib", "snippet", "plugin"]);
});

test("an allowed script keeps what the page gave it: its nonce under the page's CSP, its module type, integrity, CORS and referrer policy", async ({ page }) => {
  const nonce = "r4nd0m-n0nce";
  const csp = `script-src 'nonce-${nonce}' ${site.assent.api} ${site.vendor} 'wasm-unsafe-eval'`;
  const url = site.page(
    "/attributes",
    `
    <script type="text/plain" data-category="analytics" nonce="${nonce}" data-test="inline">
      (window.__ran = window.__ran || []).push("inline with the page's nonce");
    </script>
    <script type="text/plain" data-category="analytics" data-type="module" src="${site.vendor}/module.js"
      integrity="${integrity("/module.js")}" crossorigin="anonymous" referrerpolicy="no-referrer" data-test="module"></script>
    <script type="text/plain" data-category="analytics" async src="${site.vendor}/plugin.js" data-test="async"></script>`,
    { csp },
  );
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) violations.push(m.text());
  });
  await page.goto(url);
  await banner(page, "accept-all").click();
  await expect.poll(() => ran(page).then((r) => r.length)).toBe(3);
  expect((await ran(page)).sort()).toEqual(["inline with the page's nonce", "module at /module.js", "plugin without lib"]);

  const activated = await page.evaluate(() =>
    Array.from(document.querySelectorAll("script[data-test]"), (s) => {
      const e = s as HTMLScriptElement;
      return { test: e.dataset.test, type: e.type, nonce: e.nonce, integrity: e.integrity, crossOrigin: e.crossOrigin, referrerPolicy: e.referrerPolicy, async: e.async };
    }),
  );
  expect(activated).toEqual([
    { test: "inline", type: "", nonce, integrity: "", crossOrigin: null, referrerPolicy: "", async: false },
    { test: "module", type: "module", nonce: "", integrity: integrity("/module.js"), crossOrigin: "anonymous", referrerPolicy: "no-referrer", async: false },
    { test: "async", type: "", nonce: "", integrity: "", crossOrigin: null, referrerPolicy: "", async: true },
  ]);
  expect(violations).toEqual([]);
});

test("blocked tags that enter the document later are handled like the page's own: held, then run in order once allowed", async ({ page }) => {
  const url = site.page("/app", "");
  await page.goto(url);
  await expect(banner(page, "banner")).toBeVisible();
  const insert = (html: string) =>
    page.evaluate((html) => {
      const view = document.createElement("section");
      view.innerHTML = html;
      document.querySelector("main")!.append(view);
    }, html);

  // A view rendered before any choice: its embed shows the click-to-load box, its scripts wait.
  await insert(
    `<iframe data-src="${site.vendor}/frame.html" data-category="functional" title="Player" data-test="frame"></iframe>` +
      libraryThenUsers(site.vendor),
  );
  await expect(page.locator('[data-assent-placeholder="functional"]')).toBeVisible();
  await expect(page.locator('[data-test="frame"]')).toBeHidden();
  expect(await ran(page)).toEqual([]);

  await banner(page, "accept-all").click();
  await expect(page.locator('[data-test="frame"]')).toBeVisible();
  await expect(page.locator('[data-test="frame"]')).toHaveAttribute("src", `${site.vendor}/frame.html`);
  await expect.poll(() => ran(page).then((r) => r.length)).toBe(3);
  expect(await ran(page)).toEqual(["lib", "snippet", "plugin"]);

  // A view rendered after the choice runs at once, in its own order.
  await page.evaluate(() => {
    delete (window as any).VendorLib;
    (window as any).__ran = [];
  });
  await insert(libraryThenUsers(site.vendor));
  await expect.poll(() => ran(page).then((r) => r.length)).toBe(3);
  expect(await ran(page)).toEqual(["lib", "snippet", "plugin"]);
});

test("under a CSP that allows no inline styles, the banner and the way back in are still styled", async ({ page }) => {
  // The page's policy: styles only from itself and Assent, no 'unsafe-inline'.
  const csp = `style-src 'self' ${site.assent.api}; script-src 'self' ${site.assent.api} 'wasm-unsafe-eval'`;
  const url = site.page("/strict-styles", "", { csp });
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) violations.push(m.text());
  });
  await page.goto(url);
  const accept = banner(page, "accept-all");
  await expect(accept).toBeVisible();
  // The banner's own stylesheet applies: its accent color, its fixed position.
  await expect(accept).not.toHaveCSS("background-color", "rgb(239, 239, 239)");
  await expect(page.locator("#assent-host .assent-banner")).toHaveCSS("position", "fixed");
  await accept.click();
  await acknowledged(page);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toHaveCSS("position", "fixed");
  expect(violations).toEqual([]);
});
