// The site owners' dashboard (issue 13), in real Chromium against a real server: signing in,
// registering a site and installing its banner on a page of another origin, editing origins
// and regimes, rotating the secret, what a viewer sees, the password, and the quality bar
// (axe, keyboard alone, 360 px wide, nothing fetched from another origin).
import { test, expect, Page, chromium } from "@playwright/test";
import { banner, screenshot } from "../fixtures/assent";
import { Dashboard, SitePage, axe, member, register, signIn, startDashboard, startSitePage, t } from "../fixtures/dashboard";

let d: Dashboard;
let shop: SitePage;
test.beforeAll(async () => {
  d = await startDashboard();
  shop = await startSitePage();
});
test.afterAll(async () => {
  await shop?.close();
  await d?.close();
});

test("an administrator signs in, registers a site, copies its tag into the site's page and the banner shows there", async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(d.url).origin });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).origin !== new URL(d.url).origin) elsewhere.push(r.url());
  });

  // A wrong password: refused, said why, and the email stays typed.
  await page.goto(d.url);
  await expect(t(page, "sign-in")).toBeVisible();
  await screenshot(page, "dashboard-sign-in");
  await t(page, "login-email").fill(d.admin.email);
  await t(page, "login-password").fill("not the password at all");
  await t(page, "sign-in").click();
  await expect(t(page, "failure")).toContainText("wrong email or password");
  await expect(t(page, "login-email")).toHaveValue(d.admin.email);
  await t(page, "login-password").fill(d.admin.password);
  await t(page, "sign-in").click();
  await expect(t(page, "signed-in-as")).toHaveText(d.admin.email);
  await expect(t(page, "standing")).toHaveText("Administrator");
  // The demo site is there already.
  await expect(t(page, "site-demo")).toBeVisible();

  // A refused origin: the reason beside the field, and everything typed kept.
  await t(page, "new-site").click();
  await expect(page).toHaveURL(/#\/sites\/new$/);
  await t(page, "site-id").fill("shop");
  await t(page, "site-name").fill("The shop");
  await t(page, "site-origins").fill(`${shop.origin}/`);
  await t(page, "create-site").click();
  await expect(t(page, "site-origins-error")).toContainText("origins[0]");
  await expect(t(page, "site-origins")).toHaveAttribute("aria-invalid", "true");
  await expect(t(page, "site-id")).toHaveValue("shop");
  await expect(t(page, "site-name")).toHaveValue("The shop");
  await t(page, "site-origins").fill(shop.origin);
  await t(page, "create-site").click();

  // Registered: the secret, once, and the install panel.
  await expect(t(page, "site-registered")).toHaveText("The shop is registered");
  await expect(t(page, "secret")).toHaveText(/\S{20,}/);
  const tag = (await t(page, "script-tag").textContent())!;
  expect(tag).toBe(`<script src="${d.assent.api}/embed.js?site=shop" data-site="shop"></script>`);
  await expect(t(page, "csp")).toContainText(`script-src ${d.assent.api} 'wasm-unsafe-eval'`);
  await expect(t(page, "csp")).toContainText(`connect-src ${d.assent.api}`);
  await screenshot(page, "dashboard-site-registered");
  await t(page, "copy-script-tag").click();
  await expect(t(page, "status")).toHaveText("Copied to the clipboard.");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(tag);

  // The site pastes it: its own page, on its own origin, shows the banner and records a choice.
  shop.serve(copied);
  const site = await context.newPage();
  await site.goto(shop.url);
  await expect(banner(site, "accept-all")).toBeVisible();
  await screenshot(site, "dashboard-installed-banner");
  const recorded = site.waitForResponse((r) => r.url().includes("/v1/sites/shop/consents") && r.request().method() === "POST");
  await banner(site, "reject-all").click();
  expect((await recorded).status()).toBe(201);

  // The list has it, with the starter notice flagged.
  await page.goto(`${d.url}#/sites`);
  await expect(t(page, "site-shop")).toContainText("The shop");
  await expect(t(page, "site-shop")).toContainText("Starter notice");
  await screenshot(page, "dashboard-sites");
  expect(elsewhere).toEqual([]);
  await context.close();
});

test("an owner edits origins and regimes and rotates the secret; a refused save says why and keeps what was typed", async ({ page }) => {
  await signIn(page, d);
  await register(page, d, "regimes", ["https://regimes.example"]);
  await t(page, "open-site").click();
  await expect(t(page, "site-title")).toHaveText("The regimes shop");
  await expect(t(page, "starter-notice")).toBeVisible();

  // Origins: a bad one is refused with its reason; the text area keeps both lines.
  await t(page, "edit-origins").fill("https://regimes.example\nhttps://Shop.example");
  await t(page, "save-details").click();
  await expect(t(page, "edit-origins-error")).toContainText("origins[1]");
  await expect(t(page, "edit-origins")).toHaveValue("https://regimes.example\nhttps://Shop.example");
  await t(page, "edit-origins").fill("https://regimes.example\nhttps://www.regimes.example");
  await t(page, "save-details").click();
  await expect(t(page, "status")).toHaveText("Name and origins saved.");
  // No answer at all: said so, and what was typed stays.
  await page.route("**/v1/admin/sites/regimes", (route) =>
    route.request().method() === "PATCH" ? route.abort() : route.continue(),
  );
  await t(page, "edit-name").fill("Renamed while offline");
  await t(page, "save-details").click();
  await expect(t(page, "failure")).toContainText("Assent did not answer");
  await expect(t(page, "edit-name")).toHaveValue("Renamed while offline");
  await page.unroute("**/v1/admin/sites/regimes");
  await t(page, "edit-name").fill("The regimes shop");
  await t(page, "save-details").click();
  await expect(t(page, "failure")).toHaveCount(0);

  // Regimes: a row for California, then a region the server refuses.
  await expect(t(page, "no-overrides")).toBeVisible();
  await t(page, "add-regime").click();
  await expect(t(page, "regime-region")).toBeFocused();
  await t(page, "regime-region").fill("us-ca");
  await t(page, "regime-value").selectOption("opt_out");
  await t(page, "save-regimes").click();
  await expect(t(page, "status")).toHaveText("Regimes saved.");
  await expect(t(page, "regime-region")).toHaveValue("US-CA");
  await t(page, "add-regime").click();
  await t(page, "regime-region").nth(1).fill("Atlantis");
  await t(page, "save-regimes").click();
  await expect(t(page, "failure")).toContainText("The regimes were not saved.");
  await expect(page.locator('[data-test="regime-row"]').nth(1)).toContainText("use a country");
  await expect(t(page, "regime-region").nth(1)).toHaveValue("Atlantis");

  // What was saved is what the server holds.
  await page.reload();
  await expect(t(page, "edit-origins")).toHaveValue("https://regimes.example\nhttps://www.regimes.example");
  await expect(t(page, "regime-region")).toHaveCount(1);
  await expect(t(page, "regime-region")).toHaveValue("US-CA");
  await expect(t(page, "regime-value")).toHaveValue("opt_out");
  await page.setViewportSize({ width: 1100, height: 1500 });
  await screenshot(page, "dashboard-site");

  // The secret: asked first, then shown once with when the previous one stops.
  await t(page, "overlap-hours").fill("2");
  await t(page, "rotate-secret").click();
  await expect(t(page, "rotate-confirm")).toBeFocused();
  await t(page, "rotate-confirm").click();
  await expect(t(page, "secret")).toHaveText(/\S{20,}/);
  await expect(t(page, "previous-until")).toContainText("keeps working until");
});

test("choices made on the demo site show in the statistics: charts and tables count them as the API does", async ({ browser }) => {
  // Two visitors of the demo site: one accepts everything, one refuses everything.
  for (const choice of ["accept-all", "reject-all"]) {
    const visitor = await browser.newPage();
    await visitor.goto(d.assent.demo);
    const recorded = visitor.waitForResponse((r) => r.url().includes("/consents") && r.request().method() === "POST");
    await banner(visitor, choice).click();
    expect((await recorded).status()).toBe(201);
    await visitor.close();
  }
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  await signIn(page, d);
  // Impressions reach the statistics in periodic batches: the page is read once both are in.
  const stats = () => page.evaluate(async () => (await fetch("/v1/admin/sites/demo/stats")).json());
  await expect.poll(async () => (await stats()).totals.funnel.banner_shown).toBe(2);
  await page.goto(`${d.url}#/sites/demo`);
  await t(page, "tab-stats").click();
  await expect(page.locator("main h1")).toHaveText("Statistics");
  await expect(t(page, "stats-summary")).toBeVisible();
  const api = await stats();
  expect(api.totals.methods).toMatchObject({ accept_all: 1, reject_all: 1 });

  await expect(t(page, "total-events")).toHaveText(String(api.totals.events));
  await expect(t(page, "funnel-chart")).toBeVisible();
  await expect(t(page, "acceptance-chart")).toBeVisible();
  await expect(t(page, "methods-chart")).toBeVisible();
  await screenshot(page, "dashboard-stats");
  // The tables hold the API's numbers, to the unit.
  for (const details of await page.locator("details.ad-numbers").all()) await details.locator("summary").click();
  const cells = async (test: string) =>
    t(page, test).locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => Array.from(r.children).map((c) => c.textContent!.trim())),
    );
  expect(await cells("funnel-table")).toEqual([
    ["Banner shown", String(api.totals.funnel.banner_shown)],
    ["Decided", String(api.totals.funnel.decided)],
    ["Ignored", String(api.totals.funnel.ignored)],
  ]);
  expect(api.totals.funnel.decided).toBe(2);
  expect(await cells("methods-table")).toEqual(
    expect.arrayContaining([
      ["Accept all", String(api.totals.methods.accept_all)],
      ["Reject all", String(api.totals.methods.reject_all)],
    ]),
  );
  const analytics = api.totals.decisions.analytics;
  expect(analytics).toEqual({ granted: 1, denied: 1 });
  expect(await cells("acceptance-table")).toEqual(expect.arrayContaining([["analytics", "1", "1", "50.0 %"]]));
  expect(await cells("regimes-table")).toEqual(
    Object.entries(api.totals.regimes).map(([r, n]) => [expect.any(String), String(n)]),
  );
  expect(await axe(page)).toEqual([]);

  // A purpose filter: the API's answer for it, and the same numbers shown.
  await t(page, "stats-purpose").selectOption("advertising");
  await t(page, "stats-show").click();
  await expect(t(page, "acceptance-table").locator("tbody tr")).toHaveCount(1);
  const filtered = await page.evaluate(async () => (await fetch("/v1/admin/sites/demo/stats?purpose=advertising")).json());
  await expect(t(page, "total-events")).toHaveText(String(filtered.totals.events));
  // A range the server refuses: its reason beside the field, the range typed kept.
  await t(page, "stats-from").fill("2020-01-01");
  await t(page, "stats-show").click();
  await expect(t(page, "failure")).toBeVisible();
  await expect(t(page, "stats-from")).toHaveValue("2020-01-01");
  await context.close();
});

test("a viewer sees the site but no control that writes, and the server refuses a write anyway", async ({ browser }) => {
  const admin = await browser.newPage();
  await signIn(admin, d);
  await register(admin, d, "viewed", ["https://viewed.example"]);
  await admin.close();
  const viewer = member(d, "viewer@dashboard.localhost", "viewed", "viewer");

  const page = await browser.newPage();
  await signIn(page, d, viewer);
  await expect(t(page, "standing")).toHaveText("Site member");
  await expect(t(page, "site-viewed")).toContainText("Viewer");
  await expect(t(page, "site-demo")).toHaveCount(0);
  await expect(t(page, "new-site")).toHaveCount(0);
  await page.locator('[data-test="site-viewed"] a').click();
  await expect(t(page, "site-title")).toHaveText("The viewed shop");
  await expect(t(page, "role")).toHaveText("Viewer");
  await expect(t(page, "install")).toContainText("embed.js?site=viewed");
  await expect(t(page, "details")).toContainText("https://viewed.example");
  await expect(t(page, "no-overrides")).toBeVisible();
  // Nothing to type into, no save, no secret.
  await expect(page.locator("main input, main textarea, main select, main form")).toHaveCount(0);
  for (const control of ["save-details", "save-regimes", "add-regime", "rotate-secret", "secret-section"]) {
    await expect(t(page, control)).toHaveCount(0);
  }
  await screenshot(page, "dashboard-viewer");
  // Registering is not offered either, even by its address.
  await page.goto(`${d.url}#/sites/new`);
  await expect(t(page, "not-allowed")).toBeVisible();
  // The server refuses what the page does not offer, with its CSRF token and all.
  const status = await page.evaluate(async () => {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("assent_csrf="))!.split("=")[1];
    const res = await fetch("/v1/admin/sites/viewed", {
      method: "PATCH",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ name: "Taken over" }),
    });
    return res.status;
  });
  expect(status).toBe(403);
  await page.close();
});

test("the password changes, other sessions end, and the new one signs in", async ({ browser }) => {
  const account = member(d, "owner@dashboard.localhost", "demo", "owner");
  const other = await browser.newPage();
  await signIn(other, d, account);
  const page = await browser.newPage();
  await signIn(page, d, account);
  await t(page, "nav-account").click();
  await expect(page.locator("h1")).toHaveText("Account");

  // Too short: the server's reason beside the field; nothing typed is lost.
  await t(page, "current-password").fill(account.password);
  await t(page, "new-password").fill("short");
  await t(page, "repeat-password").fill("short");
  await t(page, "change-password").click();
  await expect(t(page, "new-password-error")).toContainText("at least 12 characters");
  await expect(t(page, "current-password")).toHaveValue(account.password);
  const fresh = "a much longer new password";
  await t(page, "new-password").fill(fresh);
  await t(page, "repeat-password").fill(fresh);
  await t(page, "change-password").click();
  await expect(t(page, "password-changed")).toBeVisible();

  // The other device is signed out at its next request.
  await other.reload();
  await expect(t(other, "sign-in")).toBeVisible();
  // This one goes on, signs out, and signs in with the new password.
  await t(page, "nav-sites").click();
  await expect(t(page, "site-demo")).toBeVisible();
  await t(page, "sign-out").click();
  await expect(t(page, "signed-out-because")).toHaveText("You signed out.");
  await signIn(page, d, { email: account.email, password: fresh });
  await other.close();
  await page.close();
});

test("over plain HTTP on a real host name the sign-in page says a session cannot last there, instead of a session that ends at once", async ({ page }) => {
  // 127.0.0.1 is a secure context: no note there.
  await page.goto(d.url);
  await expect(t(page, "sign-in")).toBeVisible();
  await expect(t(page, "plain-http")).toHaveCount(0);

  // The same server under a host name, over plain HTTP: the browser drops the Secure cookie.
  const port = new URL(d.url).port;
  const named = await chromium.launch({
    executablePath: process.env.ASSENT_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP assent.test 127.0.0.1"],
  });
  try {
    const plain = await named.newPage();
    await plain.goto(`http://assent.test:${port}/admin`);
    await expect(t(plain, "plain-http")).toContainText("over plain HTTP");
    await t(plain, "login-email").fill(d.admin.email);
    await t(plain, "login-password").fill(d.admin.password);
    const signedIn = plain.waitForResponse((r) => r.url().endsWith("/v1/admin/login") && r.status() === 200);
    const refused = plain.waitForResponse((r) => r.url().includes("/v1/admin/") && r.status() === 401);
    await t(plain, "sign-in").click();
    // Signed in for a moment, then the first request without the cookie sends it back here,
    // still saying why — not "your session has ended".
    await signedIn;
    await refused;
    await expect(t(plain, "sign-in")).toBeVisible();
    await expect(t(plain, "plain-http")).toBeVisible();
    await expect(t(plain, "signed-out-because")).toHaveCount(0);
  } finally {
    await named.close();
  }
});

test("every screen is axe clean, light and dark", async ({ browser }) => {
  // Twelve full-page axe runs.
  test.setTimeout(120_000);
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(d.url);
    await expect(t(page, "sign-in")).toBeVisible();
    expect(await axe(page), `sign-in, ${colorScheme}`).toEqual([]);
    await signIn(page, d);
    for (const [hash, ready] of [
      ["#/sites", "site-list"],
      ["#/sites/new", "new-site-form"],
      ["#/sites/demo", "install"],
      ["#/sites/demo/stats", "stats-summary"],
      ["#/account", "change-password"],
    ]) {
      await page.goto(`${d.url}${hash}`);
      await expect(t(page, ready)).toBeVisible();
      expect(await axe(page), `${hash}, ${colorScheme}`).toEqual([]);
    }
    // A failure shown, and a secret shown.
    await page.goto(`${d.url}#/sites/new`);
    await t(page, "create-site").click();
    await expect(t(page, "failure")).toBeVisible();
    expect(await axe(page), `refused form, ${colorScheme}`).toEqual([]);
    await page.goto(`${d.url}#/sites/demo`);
    await t(page, "rotate-secret").click();
    await t(page, "rotate-confirm").click();
    await expect(t(page, "secret")).toBeVisible();
    expect(await axe(page), `secret shown, ${colorScheme}`).toEqual([]);
    if (colorScheme === "dark") await screenshot(page, "dashboard-site-dark");
    await context.close();
  }
});

test("the keyboard alone signs in, registers a site and reaches its install panel", async ({ page }) => {
  await page.goto(d.url);
  await expect(t(page, "sign-in")).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(t(page, "login-email")).toBeFocused();
  await page.keyboard.type(d.admin.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(d.admin.password);
  await page.keyboard.press("Enter");
  await expect(t(page, "signed-in-as")).toHaveText(d.admin.email);

  // The skip link first, then the navigation.
  await page.keyboard.press("Tab");
  await expect(page.locator(".ad-skip")).toBeFocused();
  // Tab to "Register a site" and follow it; focus lands on the new screen's heading.
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await t(page, "new-site").evaluate((e) => e === document.activeElement)) break;
  }
  await expect(t(page, "new-site")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main h1")).toBeFocused();
  await expect(page.locator("main h1")).toHaveText("Register a site");
  await page.keyboard.press("Tab");
  await expect(t(page, "site-id")).toBeFocused();
  await page.keyboard.type("keys");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Keyboard shop");
  await page.keyboard.press("Tab");
  await page.keyboard.type("https://keys.example");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(t(page, "create-site")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(t(page, "site-registered")).toBeFocused();
  // On to the site's page: the focus ring is visible where the keyboard is.
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await t(page, "open-site").evaluate((e) => e === document.activeElement)) break;
  }
  await expect(t(page, "open-site")).toBeFocused();
  const outline = await t(page, "open-site").evaluate((e) => getComputedStyle(e).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Enter");
  await expect(t(page, "site-title")).toBeFocused();
  await expect(t(page, "install")).toContainText("embed.js?site=keys");
});

test("at 360 px wide every screen fits without sideways scrolling", async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await signIn(page, d);
  for (const [hash, ready, shot] of [
    ["#/sites", "site-list", "dashboard-phone-sites"],
    ["#/sites/new", "new-site-form", ""],
    ["#/sites/demo", "install", "dashboard-phone-site"],
    ["#/sites/demo/stats", "stats-summary", "dashboard-phone-stats"],
    ["#/account", "change-password", ""],
  ]) {
    await page.goto(`${d.url}${hash}`);
    await expect(t(page, ready)).toBeVisible();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, hash).toBeLessThanOrEqual(360);
    if (shot) await screenshot(page, shot);
  }
  await page.goto(`${d.url}#/sites/demo`);
  await t(page, "add-regime").click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.close();
});
