// A choice is never lost: it applies at once, waits in localStorage while the server is down,
// and is sent again with the same event id until the server acknowledges it. Where the browser
// refuses storage altogether, it still applies and is heard and recorded for the page view.
import { test, expect, Response } from "@playwright/test";
import { banner, demoUrl, history, queued, stored } from "../fixtures/assent";
import { Server, startServer } from "../fixtures/global-setup";

let server: Server;

test.afterEach(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill("SIGTERM");
    await new Promise((ok) => server.child.once("exit", ok));
  }
});

test("a choice made while the server is down is kept and recorded exactly once after it returns", async ({ page }) => {
  server = await startServer({});
  await page.goto(server.demo);
  await expect(banner(page, "banner")).toBeVisible();

  server.child.kill("SIGTERM");
  await new Promise((ok) => server.child.once("exit", ok));
  await banner(page, "reject-all").click();
  await expect(banner(page, "banner")).toBeHidden();
  expect(await page.evaluate(() => (window as any).assent.get())).toEqual({
    advertising: "denied",
    analytics: "denied",
    functional: "denied",
  });
  await expect(banner(page, "status")).toContainText("sent again automatically");
  expect(await queued(page)).toHaveLength(1);

  server = await startServer({}, server);
  await expect.poll(async () => (await queued(page)).length, { timeout: 20_000 }).toBe(0);
  const s = (await stored(page))!;
  const h = await history(s.subject_id, s.subject_token, server.api);
  expect(h.events).toHaveLength(1);
  expect(h.events[0].method).toBe("reject_all");
});

test("the site's own buttons can record a choice through the JS API", async ({ page }) => {
  server = await startServer({});
  await page.goto(server.demo);
  await expect(banner(page, "banner")).toBeVisible();
  await page.evaluate(() => (window as any).assent.acceptAll());
  await expect.poll(async () => (await stored(page)) !== null && (await queued(page)).length === 0).toBe(true);
  const s = (await stored(page))!;
  const h = await history(s.subject_id, s.subject_token, server.api);
  expect(h.events[0]).toMatchObject({ method: "accept_all", source: "api" });
});

const ALL = (d: string) => ({ advertising: d, analytics: d, functional: d });
for (const [button, method, decisions] of [
  ["reject-all", "reject_all", ALL("denied")],
  ["accept-all", "accept_all", ALL("granted")],
] as const) {
  test(`with storage refused by the browser, ${method} applies for the page view, the page hears it, and it is recorded once`, async ({ page }) => {
    // What a browser blocking cookies for the site does: both storages throw on access.
    await page.addInitScript(() => {
      for (const name of ["localStorage", "sessionStorage"]) {
        Object.defineProperty(window, name, {
          configurable: true,
          get() {
            throw new DOMException("The operation is insecure.", "SecurityError");
          },
        });
      }
    });
    const recorded: Response[] = [];
    page.on("response", (r) => {
      if (r.request().method() === "POST" && r.url().endsWith("/v1/sites/demo/consents")) recorded.push(r);
    });
    await page.goto(demoUrl());
    await expect(banner(page, "banner")).toBeVisible();
    await page.evaluate(() => {
      const w = window as any;
      w.__heard = [];
      w.assent.on("change", (d: unknown) => w.__heard.push(["on", d]));
      window.addEventListener("assent:change", (e) => w.__heard.push(["event", (e as CustomEvent).detail]));
    });

    await banner(page, button).click();
    await expect(banner(page, "banner")).toBeHidden();
    await expect.poll(() => page.evaluate(() => (window as any).__heard)).toEqual([
      ["on", decisions],
      ["event", decisions],
    ]);
    expect(await page.evaluate(() => (window as any).assent.get())).toEqual(decisions);

    // Nothing can be stored, so the subject is known from the server's answer only.
    await expect.poll(() => recorded.length).toBe(1);
    expect(recorded[0].ok()).toBe(true);
    const answer = await recorded[0].json();
    const h = await history(answer.subject_id, answer.subject_token);
    expect(h.events.map((e) => [e.method, e.decisions])).toEqual([[method, decisions]]);
    expect(recorded).toHaveLength(1);
  });
}
