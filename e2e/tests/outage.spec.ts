// The database cut during a visit (issue 15, item 6): a TCP proxy between Assent and
// PostgreSQL goes silent while the visitor chooses. Each choice applies at once and is
// answered 503 database_unavailable; the banner keeps them queued in localStorage, in order,
// through a reload; when the network is back every queued choice is recorded exactly once,
// in the order it was made. The database is the test's own on the shared server, which is
// never stopped. Measured delays are printed, not asserted.
import { test, expect } from "@playwright/test";
import { banner, history, queued, stored } from "../fixtures/assent";
import { Server, startServer } from "../fixtures/global-setup";
import { Proxy, freshDatabase, requirePostgres, adminUrl } from "../fixtures/postgres";

let server: Server | undefined;
let proxy: Proxy | undefined;
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;

test.afterEach(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill("SIGTERM");
    await new Promise((ok) => server!.child.once("exit", ok));
  }
  await proxy?.close();
  await database?.drop();
  server = proxy = database = undefined;
});

type Answer = { status: number; code: string; at: number };

test("choices made while the database is cut are queued, kept through a reload, and each recorded once, in order, when it returns", async ({ page }) => {
  test.setTimeout(120_000);
  await requirePostgres();
  database = await freshDatabase();
  proxy = await Proxy.start(new URL(adminUrl()));
  server = await startServer({
    ASSENT_DATABASE_URL: database.url(`127.0.0.1:${proxy.port}`),
    ASSENT_DB_TIMEOUT_MS: "1000",
    // Outage warnings are expected here; their backtraces would only bury the test output.
    RUST_BACKTRACE: "0",
  });
  const answers: Answer[] = [];
  page.on("response", async (r) => {
    if (r.request().method() !== "POST" || !r.url().endsWith("/v1/sites/demo/consents")) return;
    const body = await r.json().catch(() => null);
    answers.push({ status: r.status(), code: body?.error?.code ?? "", at: Date.now() });
  });
  await page.goto(server.demo);
  await expect(banner(page, "banner")).toBeVisible();

  proxy.setCut(true);
  const clicked = Date.now();
  await banner(page, "accept-all").click();
  await expect(banner(page, "banner")).toBeHidden();
  await expect.poll(() => answers.length, { timeout: 20_000 }).toBeGreaterThan(0);
  console.log(`first choice with the database cut: ${answers[0].status} ${answers[0].code} after ${answers[0].at - clicked} ms`);
  expect(answers[0]).toMatchObject({ status: 503, code: "database_unavailable" });
  await expect(banner(page, "status")).toContainText("sent again automatically");
  expect(await queued(page)).toHaveLength(1);

  // A second choice while still cut: analytics withdrawn in the preferences.
  await banner(page, "privacy-choices").click();
  await expect(banner(page, "preferences")).toBeVisible();
  await expect(banner(page, "toggle-analytics")).toBeChecked();
  await banner(page, "toggle-analytics").uncheck();
  await banner(page, "save").click();
  await expect(banner(page, "preferences")).toBeHidden();
  const chosen = { advertising: "granted", analytics: "denied", functional: "granted" };
  expect(await page.evaluate(() => (window as any).assent.get())).toEqual(chosen);
  await expect.poll(async () => (await queued(page)).length).toBe(2);

  // The page stays usable: reloaded, it applies the stored choice and keeps the queue.
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).assent.get())).toEqual(chosen);
  expect((await queued(page)).map((p) => p.method)).toEqual(["accept_all", "save"]);

  proxy.setCut(false);
  const restored = Date.now();
  await expect.poll(async () => (await queued(page)).length, { timeout: 60_000 }).toBe(0);
  console.log(`queue emptied ${Date.now() - restored} ms after the database came back`);
  const s = (await stored(page))!;
  const h = await history(s.subject_id, s.subject_token, server.api);
  expect(h.events.map((e) => [e.seq, e.method])).toEqual([
    [1, "accept_all"],
    [2, "save"],
  ]);
  expect(h.events[1].decisions.analytics).toBe("denied");
  const rows = await database.query<{ events: string; ids: string }>(
    "SELECT COUNT(*) AS events, COUNT(DISTINCT event_id) AS ids FROM consent_events",
  );
  expect(rows[0]).toEqual({ events: "2", ids: "2" });
  const statuses = answers.map((a) => `${a.status} ${a.code}`.trim());
  console.log(`answers to the banner: ${statuses.join(", ")}`);
  expect(statuses.filter((st) => st !== "503 database_unavailable" && st !== "201")).toEqual([]);
  expect(statuses.filter((st) => st === "201")).toHaveLength(2);
});
