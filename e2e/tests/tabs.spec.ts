// One browser, one subject and one chain, whatever the visitor does with several tabs (issue
// 12, "the kinds to fix"), and a framework that swaps <body> keeps the banner and the way back.
import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, history, queued, stored } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

let site: Site;
let url: string;
test.beforeAll(async () => {
  site = await startSite();
  url = site.page("/", "");
});
test.afterAll(async () => {
  await site.close();
});

const has = (page: Page, purpose: string) => page.evaluate((p) => (window as any).assent.has(p), purpose);

test("a choice in one tab applies in the others at once; a withdrawal in another reaches the first; one subject", async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(url);
  await b.goto(url);
  await expect(banner(a, "accept-all")).toBeVisible();
  await expect(banner(b, "accept-all")).toBeVisible();

  await banner(a, "accept-all").click();
  await acknowledged(a);
  // Tab B hears it: the banner closes and the decisions apply there too.
  await expect(banner(b, "accept-all")).toHaveCount(0);
  await expect.poll(() => has(b, "analytics")).toBe(true);

  await banner(b, "privacy-choices").click();
  await banner(b, "toggle-analytics").uncheck();
  await banner(b, "save").click();
  const choice = await acknowledged(b);
  await expect.poll(() => has(a, "analytics")).toBe(false);
  expect((await stored(a))!.subject_id).toBe(choice.subject_id);
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events.map((e) => e.method)).toEqual(["accept_all", "save"]);
});

test("two tabs deciding at the same moment on a first visit make one subject, not two", async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(url);
  await b.goto(url);
  await expect(banner(a, "accept-all")).toBeVisible();
  await expect(banner(b, "reject-all")).toBeVisible();
  // Through the API, so neither tab's click waits for a banner the other just closed.
  await Promise.all([
    a.evaluate(() => (window as any).assent.acceptAll()),
    b.evaluate(() => (window as any).assent.rejectAll()),
  ]);
  const first = await acknowledged(a);
  const second = await acknowledged(b);
  expect(second.subject_id).toBe(first.subject_id);
  const events = (await history(first.subject_id, first.subject_token, site.assent.api)).events;
  expect(events.map((e) => e.method).sort()).toEqual(["accept_all", "reject_all"]);
  // Both tabs end on the same decisions: the latest choice.
  await expect.poll(async () => (await has(a, "analytics")) === (await has(b, "analytics"))).toBe(true);
});

test("three tabs deciding at once keep the subject's token, every choice reaches the ledger, and all end on its last", async ({ browser }) => {
  // The race is rare: several fresh browsers race in turn.
  for (let round = 0; round < 5; round++) {
    const context = await browser.newContext();
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
    for (const t of tabs) await t.goto(url);
    for (const t of tabs) await expect(banner(t, "accept-all")).toBeVisible();
    await Promise.all([
      tabs[0].evaluate(() => (window as any).assent.acceptAll()),
      tabs[1].evaluate(() => (window as any).assent.rejectAll()),
      tabs[2].evaluate(() => (window as any).assent.acceptAll()),
    ]);
    const done = [];
    for (const t of tabs) done.push(await acknowledged(t));
    const latest = (await stored(tabs[0]))!;
    expect(latest.subject_token, `round ${round}`).toBeTruthy();
    expect(new Set(done.map((d) => d.subject_id)).size).toBe(1);
    // Storage is shared: a tab may still be sending its own event when it reads empty.
    await expect
      .poll(async () => (await history(latest.subject_id, latest.subject_token, site.assent.api)).events.length, {
        message: `round ${round}`,
      })
      .toBe(3);
    // Every tab ends on what the ledger holds last, whichever click its own clock saw last.
    const events = (await history(latest.subject_id, latest.subject_token, site.assent.api)).events;
    const last = events[events.length - 1].decisions;
    for (const [i, t] of tabs.entries()) {
      for (const [purpose, decision] of Object.entries(last)) {
        await expect.poll(() => has(t, purpose), { message: `round ${round}, tab ${i}, ${purpose}` }).toBe(decision === "granted");
      }
    }
    await context.close();
  }
});

test("tabs choosing at once and reloading at once lose no choice and make one subject", async ({ browser }) => {
  // Each tab keeps its copy of storage and sees the others' writes late: a queue one tab
  // rewrote lost another's event when that tab reloaded in the same instant. Several rounds,
  // reloading 0–40 ms after the clicks.
  for (let round = 0; round < 4; round++) {
    const context = await browser.newContext();
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
    for (const t of tabs) await t.goto(url);
    for (const t of tabs) await expect(banner(t, "accept-all")).toBeVisible();
    const methods = ["acceptAll", "rejectAll", "acceptAll"];
    await Promise.all(tabs.map((t, i) => t.evaluate((m) => (window as any).assent[m](), methods[i])));
    await new Promise((ok) => setTimeout(ok, round * 13));
    await Promise.all(tabs.map((t) => t.reload()));
    const done = [];
    for (const t of tabs) done.push(await acknowledged(t));
    expect(new Set(done.map((d) => d.subject_id)).size, `round ${round}`).toBe(1);
    const latest = (await stored(tabs[0]))!;
    await expect
      .poll(async () => (await history(latest.subject_id, latest.subject_token, site.assent.api)).events.length, {
        message: `round ${round}: every tab's choice in one subject's chain`,
      })
      .toBe(3);
    await context.close();
  }
});

test("the answer to a tab's first choice is lost and another tab chooses before it resends: still one subject", async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(url);
  await b.goto(url);
  await expect(banner(a, "accept-all")).toBeVisible();
  // The server records tab A's first event, but its answer never reaches the tab.
  let lost = 0;
  await a.route("**/v1/sites/demo/consents", async (route) => {
    if (lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort("connectionreset");
  });
  await a.evaluate(() => (window as any).assent.acceptAll());
  await expect.poll(() => lost).toBe(1);
  expect((await queued(a)).map((q) => q.method)).toEqual(["accept_all"]);
  // Tab B chooses within A's retry delay: it sends A's event first, learning the subject
  // that event created, and joins it.
  await b.evaluate(() => (window as any).assent.rejectAll());
  const choice = await acknowledged(b);
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events.map((e) => e.method)).toEqual(["accept_all", "reject_all"]);
  await expect.poll(async () => (await stored(a))?.subject_id).toBe(choice.subject_id);
});

test("a tab closed before its choice was acknowledged: another open tab sends it, first", async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(url);
  await b.goto(url);
  await expect(banner(a, "accept-all")).toBeVisible();
  await expect(banner(b, "accept-all")).toBeVisible();
  await a.route("**/v1/sites/demo/consents", (route) => route.abort("internetdisconnected"));
  await banner(a, "accept-all").click();
  await expect.poll(async () => (await queued(a)).length).toBe(1);
  await a.close();
  // The banner closed in B when A's choice was stored; B changes it in the preferences.
  await banner(b, "privacy-choices").click();
  await banner(b, "toggle-analytics").uncheck();
  await banner(b, "save").click();
  const choice = await acknowledged(b);
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events.map((e) => e.method)).toEqual(["accept_all", "save"]);
  expect(events[1].decisions.analytics).toBe("denied");
});

test("events an earlier banner queued inside the stored choice are sent, in order, once", async ({ page }) => {
  await page.goto(url);
  await expect(banner(page, "accept-all")).toBeVisible();
  const notice = await (await fetch(`${site.assent.api}/v1/sites/demo/notice?lang=en`)).json();
  // What a banner before the per-event queue left behind: two unsent requests in `pending`.
  await page.evaluate((n) => {
    const request = (method: string, decision: string) => ({
      event_id: crypto.randomUUID(),
      notice_version: n.notice.version,
      notice_hash: n.notice_hash,
      language: n.notice.language,
      method,
      source: "banner",
      decisions: { analytics: decision, advertising: decision, functional: decision },
      gpc: false,
    });
    localStorage.setItem(
      "assent.v1.demo",
      JSON.stringify({ decisions: { analytics: "denied" }, notice_version: n.notice.version, pending: [request("accept_all", "granted"), request("reject_all", "denied")] }),
    );
  }, notice);
  await page.reload();
  const choice = await acknowledged(page);
  const events = (await history(choice.subject_id, choice.subject_token, site.assent.api)).events;
  expect(events.map((e) => e.method)).toEqual(["accept_all", "reject_all"]);
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem("assent.v1.demo")!).pending)).toBeUndefined();
});

test("a framework that swaps <body> keeps the banner, and later the way back", async ({ page }) => {
  await page.goto(url);
  await expect(banner(page, "accept-all")).toBeVisible();
  const swap = () =>
    page.evaluate(() => {
      const next = document.createElement("body");
      next.innerHTML = "<main><h1>Rendered by the framework</h1></main>";
      document.documentElement.replaceChild(next, document.body);
    });
  await swap();
  await expect(banner(page, "accept-all")).toBeVisible();
  await banner(page, "accept-all").click();
  await acknowledged(page);
  await swap();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await banner(page, "privacy-choices").click();
  await expect(banner(page, "preferences")).toBeVisible();
});
