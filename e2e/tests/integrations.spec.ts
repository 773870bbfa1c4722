// Vendors with consent APIs of their own (issue 12, item 9): Microsoft Advertising UET consent
// mode, Microsoft Clarity and Meta Pixel, each signalled from the notice's Consent Mode mapping,
// defaults first and then every update, checked against the vendors' own stub globals as their
// snippets create them (nothing is fetched from the vendors).
import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

// Each vendor's snippet as the vendor publishes it, minus the download of its library.
const SNIPPETS = `
<script>window.uetq = window.uetq || [];</script>
<script>(function(c,l,a){c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};})(window,document,"clarity");</script>
<script>!function(f){if(f.fbq)return;var n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version="2.0";n.queue=[];}(window);
fbq("init", "1234567890");
fbq("track", "PageView");</script>`;

let site: Site;
let url: string;
test.beforeAll(async () => {
  site = await startSite();
  site.publishNotice((notice) => {
    notice.integrations = ["microsoft_uet", "microsoft_clarity", "meta_pixel"];
  });
  url = site.page("/shop", SNIPPETS);
});
test.afterAll(async () => {
  await site.close();
});

/** What each vendor's queue received, in order. */
const seen = (page: Page) =>
  page.evaluate(() => {
    const w = window as any;
    const uet: unknown[][] = [];
    // UET's queue is flat: ('consent', 'default' | 'update', {...}) is three entries.
    for (let i = 0; i < w.uetq.length; i++) if (w.uetq[i] === "consent") uet.push([w.uetq[i + 1], w.uetq[i + 2]]);
    return {
      uet,
      clarity: Array.from(w.clarity.q ?? [], (args: any) => Array.from(args)),
      meta: Array.from(w._fbq.queue, (args: any) => Array.from(args)),
    };
  });

test("defaults before the vendors' first call, then the visitor's choice, then its replay on the next page view", async ({ page }) => {
  await page.goto(url);
  await expect(banner(page, "accept-all")).toBeVisible();
  let s = await seen(page);
  expect(s.uet).toEqual([["default", { ad_storage: "denied" }]]);
  expect(s.clarity).toEqual([["consentv2", { ad_Storage: "denied", analytics_Storage: "denied" }]]);
  expect(s.meta).toEqual([["consent", "revoke"], ["init", "1234567890"], ["track", "PageView"]]);

  await banner(page, "accept-all").click();
  await acknowledged(page);
  s = await seen(page);
  expect(s.uet.slice(-1)).toEqual([["update", { ad_storage: "granted" }]]);
  expect(s.clarity.slice(-1)).toEqual([["consentv2", { ad_Storage: "granted", analytics_Storage: "granted" }]]);
  expect(s.meta.slice(-1)).toEqual([["consent", "grant"]]);

  // A returning visitor: the defaults, then the stored choice, both before the pixel's init.
  await page.reload();
  s = await seen(page);
  expect(s.uet).toEqual([
    ["default", { ad_storage: "denied" }],
    ["update", { ad_storage: "granted" }],
  ]);
  expect(s.meta.slice(0, 2)).toEqual([["consent", "grant"], ["init", "1234567890"]]);

  // A withdrawal of advertising reaches each vendor at once; analytics stays on for Clarity.
  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-advertising").uncheck();
  await banner(page, "save").click();
  await acknowledged(page);
  s = await seen(page);
  expect(s.uet.slice(-1)).toEqual([["update", { ad_storage: "denied" }]]);
  expect(s.clarity.slice(-1)).toEqual([["consentv2", { ad_Storage: "denied", analytics_Storage: "granted" }]]);
  expect(s.meta.slice(-1)).toEqual([["consent", "revoke"]]);
});

test("a page that broke or locked the globals Assent writes still gets the banner, and each vendor its own signal", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const hostile = site.page(
    "/hostile",
    `<script>
      window.dataLayer = Object.freeze([]);
      Object.defineProperty(window, "gtag", { value: undefined, writable: false });
      Object.defineProperty(window, "__gpp", { value: function () {}, writable: false });
      window.uetq = 5;
    </script>`.replace("<script>", "<script>") + SNIPPETS.replace("window.uetq = window.uetq || [];", ""),
  );
  await page.goto(hostile);
  await expect(banner(page, "accept-all")).toBeVisible();
  // UET's queue was broken by the page: Meta still gets its consent state before init.
  const meta = await page.evaluate(() => Array.from((window as any)._fbq.queue, (a: any) => Array.from(a)));
  expect(meta.slice(0, 2)).toEqual([["consent", "revoke"], ["init", "1234567890"]]);
  await banner(page, "accept-all").click();
  await acknowledged(page);
  expect(await page.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
  expect(errors).toEqual([]);
});
