// The notice editor's IAB TCF section (issue 14, item 9), in real Chromium against a real
// server whose Global Vendor List comes from a loopback server holding the test fixture: an
// owner turns TCF on, finds vendors by name and by id, ticks them with the mouse and with the
// keyboard, cannot declare a deleted one, and publishes; the published notice declares exactly
// those vendors, in the list's order.
import { test, expect } from "@playwright/test";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { screenshot } from "../fixtures/assent";
import { Dashboard, axe, register, signIn, startDashboard, t } from "../fixtures/dashboard";

const fixture = readFileSync(join(__dirname, "../../shared/tests/fixtures/gvl-v3.json"), "utf8");
const list = JSON.parse(fixture);
const vendors: Array<{ id: number; name: string; deletedDate?: string }> = Object.values(list.vendors);
const live = vendors.filter((v) => !v.deletedDate);
const deleted = vendors.find((v) => v.deletedDate)!;

/** Two stacks of the fixture sharing a purpose. */
function overlapping(): [number, number] {
  const stacks: Array<{ id: number; purposes: number[] }> = Object.values(list.stacks);
  for (const x of stacks)
    for (const y of stacks) if (x.id < y.id && x.purposes.some((p) => y.purposes.includes(p))) return [x.id, y.id];
  throw new Error("the fixture has no overlapping stacks");
}

let gvl: Server;
let d: Dashboard;
test.beforeAll(async () => {
  // Only vendor-list.json: translations are fetched for TCF sites' languages, and there are none.
  gvl = createServer((req, res) => {
    if (req.url === "/vendor-list.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(fixture);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => gvl.listen(0, "127.0.0.1", ok));
  const port = (gvl.address() as AddressInfo).port;
  d = await startDashboard({
    ASSENT_TCF_CMP_ID: "4095",
    ASSENT_TCF_GVL_URL: `http://127.0.0.1:${port}/`,
    ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS: "1",
  });
  // The refresher fetches at start; the editor needs the list in use.
  const login = await fetch(`${d.assent.api}/v1/admin/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: d.admin.email, password: d.admin.password }),
  });
  const { token } = await login.json();
  await expect
    .poll(async () => {
      const res = await fetch(`${d.assent.api}/v1/admin/tcf/gvl`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.json()).in_use?.vendor_list_version;
    })
    .toBe(list.vendorListVersion);
});
test.afterAll(async () => {
  await d?.close();
  await new Promise((ok) => gvl?.close(ok));
});

test("an owner declares TCF vendors found by name and id, with the keyboard too, never a deleted one, and publishes them", async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, d);
  await register(page, d, "adshop", ["https://adshop.example"]);
  await page.goto(`${d.url}#/sites/adshop/notice`);
  await t(page, "start-draft").click();
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");

  const section = t(page, "tcf-section");
  await expect(section).toBeVisible();
  // The section is a keystroke away from the top of the long form.
  await t(page, "go-ne-tcf").focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#ne-tcf")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(t(page, "tcf-on")).toBeFocused();
  await expect(section).toContainText(`Global Vendor List version ${list.vendorListVersion}`);
  await expect(t(page, "tcf-vendors")).toHaveCount(0);
  await t(page, "tcf-on").check();
  await expect(t(page, "tcf-count")).toHaveText(`0 of ${live.length} vendors declared`);
  const rows = t(page, "tcf-vendors").locator("li");
  await expect(rows).toHaveCount(vendors.length);
  // The numbers the vendors' lines use are named.
  await t(page, "tcf-purposes").locator("summary").click();
  await expect(t(page, "tcf-purposes")).toContainText(`1. ${list.purposes["1"].name}`);

  // By a word of its name (any case): only the vendors whose names hold it stay listed.
  const byName = live[live.length - 1];
  const word = byName.name.split(/\s+/)[0];
  await t(page, "tcf-search").fill(word.toUpperCase());
  const named = vendors.filter((v) => v.name.toLowerCase().includes(word.toLowerCase()));
  await expect(rows).toHaveCount(named.length);
  await page.locator(`#ne-tcf-vendor-${byName.id}`).check();

  // By its id, then ticked with the keyboard alone: Tab from the search, Space.
  // A vendor whose id no name holds, so the search for it lists it alone.
  const byId = live.find((v) => v !== byName && !vendors.some((o) => o.name.includes(String(v.id))))!;
  await t(page, "tcf-search").fill(String(byId.id));
  await expect(rows).toHaveCount(1);
  await t(page, "tcf-search").focus();
  await page.keyboard.press("Tab");
  await expect(page.locator(`#ne-tcf-vendor-${byId.id}`)).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.locator(`#ne-tcf-vendor-${byId.id}`)).toBeChecked();
  await expect(t(page, "tcf-count")).toHaveText(`2 of ${live.length} vendors declared`);

  // A vendor the list deleted cannot be declared.
  await t(page, "tcf-search").fill(String(deleted.id));
  await expect(page.locator(`#ne-tcf-vendor-${deleted.id}`)).toBeDisabled();
  await expect(rows.filter({ has: page.locator(`#ne-tcf-vendor-${deleted.id}`) })).toContainText("deleted from the list");

  await t(page, "tcf-search").fill("");
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");

  // Stacks: one that shares a purpose with a stack chosen cannot be chosen beside it.
  const [a, b] = overlapping();
  await page.locator(`#ne-tcf-stack-${a}`).check();
  await expect(page.locator(`#ne-tcf-stack-${b}`)).toBeDisabled();
  // Nor one holding what none of the declared vendors uses (publication would refuse it).
  const declared = [byName, byId].map((v) => list.vendors[String(v.id)]);
  const uses = (field: string) => new Set(declared.flatMap((v: any) => field === "sf" ? v.specialFeatures : [...v.purposes, ...v.legIntPurposes]));
  const [purposesUsed, featuresUsed] = [uses("p"), uses("sf")];
  const unfit = (Object.values(list.stacks) as Array<{ id: number; purposes: number[]; specialFeatures: number[] }>).find(
    (s) => s.purposes.some((p) => !purposesUsed.has(p)) || s.specialFeatures.some((f) => !featuresUsed.has(f)),
  );
  expect(unfit, "the fixture has a stack these two vendors cannot fill").toBeTruthy();
  await expect(page.locator(`#ne-tcf-stack-${unfit!.id}`)).toBeDisabled();
  await expect(page.locator(`#ne-tcf-stack-${unfit!.id}`).locator("xpath=..")).toContainText("none of the declared vendors uses");
  // A restriction: purpose 7 only with consent, for the vendor found by id.
  await t(page, "tcf-add-restriction").click();
  const r = "nf-tcf-publisher-restrictions-0-";
  // The keyboard goes on at the new restriction's first field, not past it.
  await expect(page.locator(`#${r}-purpose`)).toBeFocused();
  await page.locator(`#${r}-purpose`).selectOption("7");
  await page.locator(`#${r}-restriction`).selectOption("require_consent");
  await page.locator(`#${r}-vendor-${byId.id}`).check();
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");
  await t(page, "tcf-stacks").scrollIntoViewIfNeeded();
  await screenshot(page, "dashboard-notice-tcf");

  // A vendor no longer declared leaves the restriction that named it; ticked again, it is
  // declared again but not restricted again.
  await t(page, "tcf-search").fill(String(byId.id));
  await page.locator(`#ne-tcf-vendor-${byId.id}`).uncheck();
  await expect(page.locator(`#${r}-vendor-${byId.id}`)).toHaveCount(0);
  await page.locator(`#ne-tcf-vendor-${byId.id}`).check();
  await expect(page.locator(`#${r}-vendor-${byId.id}`)).not.toBeChecked();
  await page.locator(`#${r}-vendor-${byId.id}`).check();
  await t(page, "tcf-search").fill("");
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");
  expect(await axe(page, '[data-test="preview-frame"]')).toEqual([]);

  // What was ticked is what the draft holds, after a reload too.
  await page.reload();
  await expect(t(page, "tcf-on")).toBeChecked();
  await expect(t(page, "tcf-count")).toHaveText(`2 of ${live.length} vendors declared`);

  await t(page, "publish").click();
  await expect(t(page, "status")).toContainText("Version 2 is published");
  // The message is read, then leaves the bottom of the form it covered.
  await expect(t(page, "status")).toBeEmpty({ timeout: 20_000 });
  const notice = await fetch(`${d.assent.api}/v1/sites/adshop/notice`).then((r) => r.json());
  const want = vendors.map((v) => v.id).filter((id) => id === byId.id || id === byName.id);
  expect(notice.notice.tcf).toEqual({
    vendors: want.sort((x, y) => x - y),
    publisher_restrictions: [{ purpose: 7, restriction: "require_consent", vendors: [byId.id] }],
    stacks: [a],
  });
  await context.close();
});
