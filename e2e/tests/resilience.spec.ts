// A choice is never lost: it applies at once, waits in localStorage while the server is down,
// and is sent again with the same event id until the server acknowledges it.
import { test, expect } from "@playwright/test";
import { banner, history, stored } from "../fixtures/assent";
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
  const queued = await stored(page);
  expect(queued!.pending).toHaveLength(1);

  server = await startServer({}, server);
  await expect.poll(async () => (await stored(page))?.pending.length, { timeout: 20_000 }).toBe(0);
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
  await expect.poll(async () => (await stored(page))?.pending?.length).toBe(0);
  const s = (await stored(page))!;
  const h = await history(s.subject_id, s.subject_token, server.api);
  expect(h.events[0]).toMatchObject({ method: "accept_all", source: "api" });
});
