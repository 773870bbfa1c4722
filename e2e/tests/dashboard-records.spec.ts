// The dashboard's records screens (issue 13 items 6–9), in real Chromium against a real
// server: the ledger's exports downloaded and counted, verification and checkpoints; a
// data-subject request from lookup to erasure; the audit log; webhook endpoints with a real
// receiver; what a viewer sees; and the quality bar (axe, keyboard, 360 px, nothing fetched
// from another origin).
import AxeBuilder from "@axe-core/playwright";
import { test, expect, Browser, Download, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createServer, Server as HttpServer } from "node:http";
import { AddressInfo } from "node:net";
import { banner, screenshot } from "../fixtures/assent";
import { Dashboard, member, signIn, startDashboard, t } from "../fixtures/dashboard";

let d: Dashboard;
// A webhook receiver on this machine (the server is told private networks are fine).
let receiver: HttpServer;
let hook: string;
const received: string[] = [];
test.beforeAll(async () => {
  d = await startDashboard({ ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "1" });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
test.afterAll(async () => {
  await new Promise((ok) => receiver?.close(ok));
  await d?.close();
});

async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** A visitor of the demo site makes `choice`; the recorded event's answer. */
async function visit(browser: Browser, choice: "accept-all" | "reject-all") {
  const visitor = await browser.newPage();
  await visitor.goto(d.assent.demo);
  const recorded = visitor.waitForResponse((r) => r.url().includes("/consents") && r.request().method() === "POST");
  await banner(visitor, choice).click();
  const answer = await recorded;
  expect(answer.status()).toBe(201);
  const body = await answer.json();
  await visitor.close();
  return body as { subject_id: string; subject_token: string; event_id: string };
}

/** Clicks `button` and reads the file the browser saved. */
async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const saved: Promise<Download> = page.waitForEvent("download");
  await t(page, button).click();
  const file = await saved;
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") };
}

/** Opens a screen by its address and waits for its heading. */
async function open(page: Page, hash: string, heading: string) {
  await page.goto(`${d.url}#${hash}`);
  await expect(page.locator("main h1")).toHaveText(heading);
}

const records: { subject: string; token: string }[] = [];

test("the ledger's exports download with their server names and hold the recorded events; verification says OK; a checkpoint is made", async ({ browser }) => {
  for (const choice of ["accept-all", "reject-all", "accept-all"] as const) {
    const r = await visit(browser, choice);
    records.push({ subject: r.subject_id, token: r.subject_token });
  }
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (!["blob:", new URL(d.url).origin].some((o) => r.url().startsWith(o))) elsewhere.push(r.url());
  });
  await signIn(page, d);
  await page.goto(`${d.url}#/sites/demo`);
  await t(page, "tab-ledger").click();
  await expect(page.locator("main h1")).toHaveText("Ledger");
  const events = await page.evaluate(async () => {
    const res = await fetch("/v1/admin/sites/demo/export");
    return Number(res.headers.get("x-assent-events"));
  });
  expect(events).toBe(3);

  // NDJSON: one line per event, each the stored event.
  const ndjson = await download(page, "export-download");
  expect(ndjson.name).toBe("assent-demo-events.ndjson");
  const lines = ndjson.text.trim().split("\n");
  expect(lines).toHaveLength(events);
  expect(lines.map((l) => JSON.parse(l).subject_id).sort()).toEqual(records.map((r) => r.subject).sort());
  await expect(t(page, "export-saved")).toContainText(`assent-demo-events.ndjson`);
  await expect(t(page, "export-saved")).toContainText(`${events} events`);

  // CSV: a header and one row per event.
  await t(page, "export-csv").check();
  const csv = await download(page, "export-download");
  expect(csv.name).toBe("assent-demo-events.csv");
  const rows = csv.text.trim().split(/\r?\n/);
  expect(rows).toHaveLength(events + 1);
  expect(rows[0]).toContain("subject_id");

  // The evidence bundle: whole chains, notices, checkpoints and keys.
  await t(page, "export-bundle").check();
  const bundle = await download(page, "export-download");
  expect(bundle.name).toBe("assent-demo-bundle.ndjson");
  expect(bundle.text.split("\n").filter((l) => l.trim()).length).toBeGreaterThan(events);

  // A range the server refuses: said why, the range kept.
  await t(page, "export-csv").check();
  await t(page, "export-from").fill("2030-01-02");
  await t(page, "export-to").fill("2030-01-01");
  await t(page, "export-download").click();
  await expect(t(page, "failure")).toBeVisible();
  await expect(t(page, "export-from")).toHaveValue("2030-01-02");

  await t(page, "verify-run").click();
  await expect(t(page, "verify-result")).toHaveAttribute("data-ok", "true");
  await expect(t(page, "verify-result")).toContainText("OK");
  await expect(t(page, "verify-counts")).toContainText(`${events} events in 3 chains`);

  await expect(t(page, "checkpoint-latest").or(t(page, "no-checkpoint"))).toBeVisible();
  await t(page, "checkpoint-make").click();
  await expect(t(page, "checkpoint-made")).toContainText("covers 3 chains");
  const latest = await page.evaluate(async () => (await fetch("/v1/sites/demo/checkpoints/latest")).json());
  await expect(t(page, "checkpoint-number")).toHaveText(`Number ${latest.number}`);
  await screenshot(page, "dashboard-ledger");
  expect(await axe(page)).toEqual([]);
  expect(elsewhere).toEqual([]);
  await context.close();
});

test("a data-subject request: the subject is found, its history and receipts shown, exported, then erased with its events kept", async ({ browser }) => {
  const visitor = await visit(browser, "accept-all");
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, d);
  await page.goto(`${d.url}#/sites/demo`);
  await t(page, "tab-subjects").click();
  await expect(page.locator("main h1")).toHaveText("Data-subject requests");

  // An id nobody has: the server's reason, and the id stays typed.
  const nobody = "0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b";
  await t(page, "lookup-value").fill(nobody);
  await t(page, "lookup-run").click();
  await expect(t(page, "failure")).toHaveAttribute("data-code", "subject_not_found");
  await expect(t(page, "lookup-value")).toHaveValue(nobody);

  await t(page, "lookup-value").fill(visitor.subject_id);
  await t(page, "lookup-run").click();
  await expect(t(page, "subject-status")).toHaveText("Active");
  await expect(t(page, "history-event")).toHaveCount(1);
  await expect(t(page, "current-analytics")).toContainText("granted");

  // The receipt is the one the recording answered.
  const receipt = await download(page, "receipt");
  expect(JSON.parse(receipt.text).event_id).toBe(visitor.event_id);
  expect(JSON.parse(receipt.text).receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  // The export holds the subject's history.
  const exported = await download(page, "subject-export-json");
  expect(exported.name).toBe(`assent-demo-${visitor.subject_id}.json`);
  expect(JSON.parse(exported.text).events.map((e: { event_id: string }) => e.event_id)).toEqual([visitor.event_id]);
  const csv = await download(page, "subject-export-csv");
  expect(csv.text).toContain(visitor.event_id);
  expect(await axe(page)).toEqual([]);

  // The dialog says what goes and what stays; Escape leaves everything as it was.
  await t(page, "erase-open").click();
  await expect(t(page, "erase-dialog")).toBeVisible();
  await expect(t(page, "erase-dialog")).toContainText("Kept as evidence");
  await expect(t(page, "erase-dialog")).toContainText("its recorded events (1 event)");
  await expect(t(page, "erase-cancel")).toBeFocused();
  expect(await axe(page)).toEqual([]);
  await screenshot(page, "dashboard-erase");
  await page.keyboard.press("Escape");
  await expect(t(page, "erase-dialog")).toBeHidden();
  await expect(t(page, "subject-status")).toHaveText("Active");

  await t(page, "erase-open").click();
  await t(page, "erase-confirm").click();
  await expect(t(page, "erase-dialog")).toBeHidden();
  await expect(t(page, "subject-status")).toHaveText("Erased");
  await expect(t(page, "status")).toContainText("Kept as evidence: 1 event.");
  await expect(t(page, "no-current")).toBeVisible();
  await expect(t(page, "history-event")).toHaveCount(1);
  await expect(t(page, "erase-open")).toHaveCount(0);
  // The subject's own token no longer reads anything; the ledger still verifies.
  const own = await page.evaluate(
    async ({ subject, token }) =>
      (await fetch(`/v1/sites/demo/subjects/${subject}/consents`, { headers: { authorization: `Bearer ${token}` } })).status,
    { subject: visitor.subject_id, token: visitor.subject_token },
  );
  expect(own).toBe(410);
  const report = await page.evaluate(async () => (await fetch("/v1/admin/sites/demo/verify")).json());
  expect(report.ok).toBe(true);
  await context.close();
});

test("webhooks: an owner adds an endpoint that receives choices, rotates its secret, disables and deletes it", async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(d.url).origin });
  const page = await context.newPage();
  await signIn(page, d);
  await open(page, "/sites/demo/webhooks", "Webhooks");
  await expect(t(page, "no-webhooks")).toBeVisible();

  // A URL the server refuses: its reason beside the field, the URL kept.
  await t(page, "webhook-url").fill("ftp://hooks.example/x");
  await t(page, "webhook-create").click();
  await expect(t(page, "webhook-url-error")).toBeVisible();
  await expect(t(page, "webhook-url")).toHaveValue("ftp://hooks.example/x");

  await t(page, "webhook-url").fill(hook);
  await t(page, "webhook-create").click();
  const first = (await t(page, "webhook-secret").textContent())!;
  expect(first).toMatch(/^whsec_/);
  await t(page, "copy-webhook-secret").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);
  await expect(t(page, "webhook")).toHaveCount(1);
  await expect(t(page, "webhook-state")).toHaveText("Enabled");

  // A choice reaches the receiver, and the delivery log says so.
  const visitor = await visit(browser, "reject-all");
  await expect.poll(() => received.some((b) => b.includes(visitor.event_id)), { timeout: 15_000 }).toBe(true);
  await t(page, "deliveries").locator("summary").click();
  await expect(t(page, "delivery").first()).toHaveAttribute("data-delivered", "true");
  await expect(t(page, "delivery").first()).toContainText("Delivered (204)");

  await t(page, "webhook-rotate").click();
  await expect(t(page, "webhook-confirm")).toBeFocused();
  await t(page, "webhook-confirm").click();
  await expect(t(page, "webhook-secret")).not.toHaveText(first);
  await expect(t(page, "webhook-secret")).toHaveText(/^whsec_/);
  expect(await axe(page)).toEqual([]);
  await screenshot(page, "dashboard-webhooks");

  await t(page, "webhook-toggle").click();
  await expect(t(page, "webhook-state")).toHaveText("Disabled");
  await t(page, "webhook-toggle").click();
  await expect(t(page, "webhook-state")).toHaveText("Enabled");

  // Deleting asks first; cancelling keeps it.
  await t(page, "webhook-delete").click();
  await expect(t(page, "webhook-confirm")).toBeFocused();
  await t(page, "webhook-cancel").click();
  await expect(t(page, "webhook")).toHaveCount(1);
  await t(page, "webhook-delete").click();
  await t(page, "webhook-confirm").click();
  await expect(t(page, "no-webhooks")).toBeVisible();
  await context.close();
});

// After the tests above, whose actions it lists.
test("the audit log lists those actions, a page at a time, for the site and for the instance", async ({ browser, page }) => {
  const visitor = await visit(browser, "accept-all");
  await signIn(page, d);
  await open(page, "/sites/demo/audit", "Audit log");
  const actions = () => t(page, "audit-entry").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")));
  await expect(t(page, "audit-entry").first()).toBeVisible();
  for (const action of ["export", "checkpoint_make", "subject_lookup", "subject_export", "subject_erase", "webhook_change"]) {
    expect(await actions()).toContain(action);
  }
  // Filtered by action.
  await t(page, "audit-action").fill("subject_erase");
  await t(page, "audit-show").click();
  await expect(t(page, "audit-entry")).toHaveCount(1);
  await expect(t(page, "audit-entry")).toContainText(d.admin.email);
  expect(await axe(page)).toEqual([]);

  // The instance's log has the sign-ins too; past a page, older entries follow.
  for (let i = 0; i < 50; i++) {
    const status = await page.evaluate(async (s) => (await fetch(`/v1/admin/sites/demo/subjects/${s}`)).status, visitor.subject_id);
    expect(status).toBe(200);
  }
  await t(page, "nav-audit").click();
  await expect(page.locator("main h1")).toHaveText("Audit log");
  await expect(t(page, "audit-entry")).toHaveCount(50);
  const newest = await actions();
  await t(page, "audit-older").click();
  await expect.poll(async () => (await actions()).length).toBeGreaterThan(50);
  expect(await actions()).toContain("login");
  expect((await actions()).slice(0, 50)).toEqual(newest);
  expect(await axe(page)).toEqual([]);
});

test("a viewer reads the records screens and finds no control that writes", async ({ browser }) => {
  const viewer = member(d, "viewer@records.localhost", "demo", "viewer");
  const visitor = await visit(browser, "accept-all");
  const admin = await browser.newPage();
  await signIn(admin, d);
  await open(admin, "/sites/demo/webhooks", "Webhooks");
  await t(admin, "webhook-url").fill(`${hook}/viewer`);
  await t(admin, "webhook-create").click();
  await expect(t(admin, "webhook-secret")).toBeVisible();
  await admin.close();

  const page = await browser.newPage();
  await signIn(page, d, viewer);
  await open(page, "/sites/demo/ledger", "Ledger");
  await expect(t(page, "export-download")).toBeVisible();
  await expect(t(page, "verify-run")).toBeVisible();
  await expect(t(page, "checkpoint-make")).toHaveCount(0);

  await open(page, "/sites/demo/subjects", "Data-subject requests");
  await t(page, "lookup-value").fill(visitor.subject_id);
  await t(page, "lookup-run").click();
  await expect(t(page, "subject-status")).toHaveText("Active");
  await expect(t(page, "subject-export-json")).toBeVisible();
  await expect(t(page, "erase-open")).toHaveCount(0);
  await expect(t(page, "erase-dialog")).toHaveCount(0);

  await open(page, "/sites/demo/webhooks", "Webhooks");
  await expect(t(page, "webhook").first()).toBeVisible();
  for (const control of ["new-webhook", "webhook-create", "webhook-rotate", "webhook-delete", "webhook-toggle"]) {
    await expect(t(page, control)).toHaveCount(0);
  }
  await expect(t(page, "nav-audit")).toHaveCount(0);
  // The server refuses the erasure the page does not offer.
  const status = await page.evaluate(async (subject) => {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("assent_csrf="))!.split("=")[1];
    return (await fetch(`/v1/admin/sites/demo/subjects/${subject}/erasure`, { method: "POST", headers: { "x-csrf-token": csrf } })).status;
  }, visitor.subject_id);
  expect(status).toBe(403);
  await page.close();
});

/** Each records screen, with the heading that says it has opened. */
const SCREENS = [
  ["/sites/demo/ledger", "Ledger"],
  ["/sites/demo/subjects", "Data-subject requests"],
  ["/sites/demo/audit", "Audit log"],
  ["/sites/demo/webhooks", "Webhooks"],
  ["/audit", "Audit log"],
] as const;

test("the records screens fit 360 px wide and the keyboard alone finds and erases a subject", async ({ browser }) => {
  const visitor = await visit(browser, "reject-all");
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await signIn(page, d);
  for (const [hash, heading] of SCREENS) {
    await open(page, hash, heading);
    await expect(t(page, "loading")).toHaveCount(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(360);
  }

  await open(page, "/sites/demo/subjects", "Data-subject requests");
  await page.locator("main h1").focus();
  // Tab to the id field, type, Enter.
  for (let i = 0; i < 10 && !(await t(page, "lookup-value").evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(t(page, "lookup-value")).toBeFocused();
  await page.keyboard.type(visitor.subject_id);
  await page.keyboard.press("Enter");
  await expect(t(page, "subject-status")).toHaveText("Active");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await t(page, "erase-open").focus();
  await page.keyboard.press("Enter");
  await expect(t(page, "erase-cancel")).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(t(page, "erase-confirm")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(t(page, "subject-status")).toHaveText("Erased");
  await expect(page.locator("#subject-heading")).toBeFocused();
  await context.close();
});

test("the records screens are axe clean in dark mode too", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await signIn(page, d);
  for (const [hash, heading] of SCREENS) {
    await open(page, hash, heading);
    await expect(t(page, "loading")).toHaveCount(0);
    expect(await axe(page), hash).toEqual([]);
  }
  await context.close();
});
