// A withdrawal deletes what the notice declares for the refused purposes wherever the page can
// reach it — whatever domain and path the vendor chose, and with the attributes a cookie's
// name prefix demands. The site runs on its own server (see fixtures/site.ts), on a subdomain
// and a sub-path, with a notice that also declares prefixed cookies for analytics.
import { test, expect, BrowserContext, Page } from "@playwright/test";
import { acknowledged, banner } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

let site: Site;
test.beforeAll(async () => {
  site = await startSite();
  site.publishNotice((notice) => {
    const analytics = notice.purposes.find((p: any) => p.key === "analytics");
    analytics.vendors[0].cookies.push(
      { name: "__Host-nwa_session", provider: "Northwind Journal", duration: "session" },
      { name: "__Secure-nwa_*", provider: "Northwind Journal", duration: "13 months" },
    );
  });
  site.page("/news/2026/tidal", "");
});
test.afterAll(async () => {
  await site.close();
});

/** Where the browser holds cookies named `name`: `domain` + `path` of each copy. */
const copies = async (context: BrowserContext, name: string) =>
  (await context.cookies())
    .filter((c) => c.name === name)
    .map((c) => c.domain + c.path)
    .sort();

/** Accepts everything on the article page of www.site.localhost, then runs `setCookies` there. */
async function acceptThenSet(page: Page, setCookies: () => void) {
  await page.goto(site.on("www.site.localhost", "/news/2026/tidal"));
  await banner(page, "accept-all").click();
  await acknowledged(page);
  await page.evaluate(setCookies);
}

async function withdrawAnalytics(page: Page) {
  await banner(page, "privacy-choices").click();
  await banner(page, "toggle-analytics").uncheck();
  await banner(page, "save").click();
  await acknowledged(page);
}

test("a withdrawal deletes a declared cookie on every parent domain of the host and every ancestor of the path", async ({ page, context }) => {
  // The notice declares `_nwa_id` without a domain or path; the vendor set it wherever it liked.
  await acceptThenSet(page, () => {
    document.cookie = "_nwa_id=registrable-domain; domain=site.localhost; path=/";
    document.cookie = "_nwa_id=host; path=/";
    document.cookie = "_nwa_id=section; path=/news";
    document.cookie = "_nwa_id=this-directory"; // the default path, /news/2026
    document.cookie = "nw_prefs=compact; domain=site.localhost; path=/";
  });
  expect(await copies(context, "_nwa_id")).toEqual([
    ".site.localhost/",
    "www.site.localhost/",
    "www.site.localhost/news",
    "www.site.localhost/news/2026",
  ]);

  await withdrawAnalytics(page);
  expect(await copies(context, "_nwa_id")).toEqual([]);
  // Functional stays granted: its cookie stays.
  expect(await copies(context, "nw_prefs")).toEqual([".site.localhost/"]);
});

test("a withdrawal deletes declared __Host- and __Secure- cookies with the attributes their prefixes require", async ({ page, context }) => {
  // *.localhost is a secure context, where Chromium accepts Secure cookies over http.
  await acceptThenSet(page, () => {
    document.cookie = "__Host-nwa_session=1; path=/; secure";
    document.cookie = "__Secure-nwa_token=1; domain=site.localhost; path=/; secure";
    document.cookie = "__Secure-nwa_visit=1; path=/news; secure";
  });
  expect(await copies(context, "__Host-nwa_session")).toEqual(["www.site.localhost/"]);
  expect(await copies(context, "__Secure-nwa_token")).toEqual([".site.localhost/"]);
  expect(await copies(context, "__Secure-nwa_visit")).toEqual(["www.site.localhost/news"]);

  await withdrawAnalytics(page);
  expect(await copies(context, "__Host-nwa_session")).toEqual([]);
  expect(await copies(context, "__Secure-nwa_token")).toEqual([]);
  expect(await copies(context, "__Secure-nwa_visit")).toEqual([]);
});
