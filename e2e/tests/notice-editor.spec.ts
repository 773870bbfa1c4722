// The dashboard's notice editor (issue 13, item 4), in real Chromium against a real server: a
// draft saved as it is typed, the lint's findings beside the field they name, the live preview
// of the real banner (language, regime, colour scheme, phone width), publication and the
// banner on the site's own page, versions compared, two tabs, a refused save, a viewer, and the
// quality bar (axe, nothing fetched from another origin).
import { test, expect, Page, Browser } from "@playwright/test";
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

/** The analytics purpose's (index 2 of the starter notice) Consent Mode checkbox for `type`. */
const consentMode = (page: Page, type: string) => page.locator(`#nf-purposes-2--consent-mode-${type}`);
const frame = (page: Page) => page.frameLocator('[data-test="preview-frame"]');

/** Signs in on a wide page, registers `site` and opens its editor with a fresh draft. */
async function editorFor(browser: Browser, site: string, origins: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, d);
  await register(page, d, site, origins);
  await page.goto(`${d.url}#/sites/${site}/notice`);
  await t(page, "start-draft").click();
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");
  return page;
}

/** Waits for the edit just made to be saved (it goes pending at once, then saved). */
async function saved(page: Page) {
  await expect(t(page, "save-state")).not.toHaveAttribute("data-state", "saved", { timeout: 1_000 }).catch(() => {});
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved");
}

test("an owner edits the draft beside the live preview, the lint refuses a pre-ticked purpose, the fix publishes, and the site's page shows it", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await editorFor(browser, "press", [shop.origin]);
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).origin !== new URL(d.url).origin) elsewhere.push(r.url());
  });

  // Typing saves the draft, and the preview's real banner shows the new title.
  await page.locator("#nf-texts-en-title").fill("Cookies at the Press");
  await saved(page);
  await expect(frame(page).locator('[data-test="banner"]')).toContainText("Cookies at the Press", { timeout: 15_000 });

  // A consent purpose that governs security_storage is consented to in advance: the lint
  // says so beside the field, the summary counts it, publication is refused.
  await consentMode(page, "security_storage").check();
  await saved(page);
  const finding = page.locator('#nf-purposes-2--consent-mode [data-code="prechecked_consent"]');
  await expect(finding).toBeVisible();
  await expect(finding).toContainText("security_storage");
  await expect(t(page, "lint-summary")).toContainText("1 error(s) stop publication");
  await expect(t(page, "publish")).toBeDisabled();
  await screenshot(page, "dashboard-notice-editor-lint");
  // The summary's link brings the field into view.
  await t(page, "lint-summary").locator('[data-code="prechecked_consent"] button').click();
  await expect(page.locator("#nf-purposes-2--consent-mode")).toBeInViewport();

  // Fixed: the finding goes, and the draft publishes as a material change.
  await consentMode(page, "security_storage").uncheck();
  await saved(page);
  await expect(finding).toHaveCount(0);
  await expect(t(page, "publish")).toBeEnabled();
  await t(page, "material-change").check();
  await t(page, "publish").click();
  await expect(t(page, "failure")).toContainText("summary");
  await t(page, "pub-summary-en").fill("A new title for the banner.");
  await t(page, "publish").click();
  // Visitors are told what changed in their language: one summary per language of the notice.
  await expect(t(page, "failure")).toHaveAttribute("data-code", "notice_lint_failed");
  await expect(page.locator('[data-field="change_summary.de"][data-code="missing_translation"]').first()).toBeVisible();
  for (const [lang, text] of [
    ["de", "Ein neuer Titel."],
    ["fr", "Un nouveau titre."],
    ["es", "Un título nuevo."],
    ["pt-BR", "Um novo título."],
    ["ko", "새 제목."],
    ["ar", "عنوان جديد."],
  ]) {
    await t(page, `pub-summary-${lang}`).fill(text);
  }
  await t(page, "publish").click();
  await expect(t(page, "status")).toContainText("Version 2 is published");
  await expect(t(page, "start-draft")).toBeVisible();
  await expect(t(page, "versions").locator("tbody tr")).toHaveCount(2);

  // The versions compared: the title changed, and nothing else did.
  await t(page, "compare").click();
  await expect(t(page, "change-count")).toHaveText("1 fields differ.");
  const row = t(page, "diff").locator('tr[data-field="texts.en.title"]');
  await expect(row.locator("td").nth(1)).toHaveText("Cookies at the Press");

  // The site's own page, with the tag the dashboard gives: the published text, asked again.
  await page.goto(`${d.url}#/sites/press`);
  const tag = (await t(page, "script-tag").textContent()) ?? "";
  expect(tag).toContain('data-site="press"');
  shop.serve(tag);
  const visitor = await browser.newPage();
  await visitor.goto(shop.url);
  await expect(banner(visitor, "banner")).toContainText("Cookies at the Press");
  await visitor.close();
  expect(elsewhere).toEqual([]);
  await page.context().close();
});

test("the preview switches language, regime, colour scheme and a phone's width", async ({ browser }) => {
  const page = await editorFor(browser, "atelier", ["https://atelier.example"]);
  await expect(frame(page).locator('[data-test="banner"]')).toBeVisible({ timeout: 15_000 });

  await t(page, "preview-language").selectOption("de");
  await expect(frame(page).locator('[data-test="banner"]')).toContainText("Ihre Datenschutz-Einstellungen");

  // The regime asked for is the one the draft's notice is answered under.
  const answered = page.waitForResponse((r) => r.url().includes("/v1/sites/atelier/notice?") && r.url().includes("regime=opt_out"));
  await t(page, "preview-regime").selectOption("opt_out");
  expect((await (await answered).json()).regime).toBe("opt_out");

  // Dark whatever the browser prefers (the page is light here): the loader's data-color-scheme.
  await t(page, "preview-dark").check();
  await expect(frame(page).locator("#assent-host")).toHaveAttribute("data-color-scheme", "dark");
  const background = () => frame(page).locator(".assent-banner").evaluate((el) => getComputedStyle(el).backgroundColor);
  await expect.poll(background).toBe("rgb(28, 31, 36)");
  await t(page, "preview-dark").uncheck();
  await expect(frame(page).locator("#assent-host")).toHaveAttribute("data-color-scheme", "light");
  await expect.poll(background).toBe("rgb(255, 255, 255)");

  await t(page, "preview-phone").check();
  const box = await page.locator('[data-test="preview-frame"]').boundingBox();
  expect(Math.round(box!.width)).toBe(360);
  await screenshot(page, "dashboard-notice-editor");
  await page.context().close();
});

test("a refused save keeps what was typed and says why, a lost connection is retried, and two tabs never overwrite each other", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await editorFor(browser, "bakery", ["https://bakery.example"]);
  // A purpose key is lower case letters, digits and _: the server refuses the shape, the
  // field keeps the text and shows the reason, and the next edit saves.
  const key = page.locator("#nf-purposes-2--key");
  await key.fill("Site Analytics");
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "refused");
  await expect(t(page, "save-state")).toContainText("Fix it");
  await expect(key).toHaveValue("Site Analytics");
  await expect(key).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator('[data-field="purposes[2].key"]').first()).toBeVisible();
  await expect(t(page, "publish")).toBeDisabled();
  await key.fill("site_analytics");
  await saved(page);
  await expect(key).not.toHaveAttribute("aria-invalid", "true");

  // A lifetime that is not a whole number is never saved as the default.
  const lifetime = page.locator("#nf-purposes-2--lifetime-days");
  await lifetime.fill("1.5");
  await expect(t(page, "not-a-number")).toBeVisible();
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "refused");
  await lifetime.fill("180");
  await saved(page);

  // An emptied text is a missing translation, said beside it.
  await page.locator("#nf-texts-en-title").fill("");
  await saved(page);
  await expect(page.locator('#nf-texts-en-title-findings [data-code="missing_translation"]')).toBeVisible();
  await page.locator("#nf-texts-en-title").fill("Bakery cookies");
  await saved(page);

  // No answer: what was typed stays, and it is sent again once Assent answers.
  await page.route("**/v1/admin/sites/bakery/draft", (route) =>
    route.request().method() === "PUT" ? route.abort("connectionrefused") : route.continue(),
  );
  await page.locator("#nf-texts-en-title").fill("Typed while offline");
  await expect(t(page, "save-state")).toContainText("Trying again every 5 seconds");
  await page.unroute("**/v1/admin/sites/bakery/draft");
  await expect(t(page, "save-state")).toHaveAttribute("data-state", "saved", { timeout: 15_000 });

  // A second tab saves over what it read only: tab A's edit stays, and tab B is told.
  const other = await page.context().newPage();
  await other.goto(`${d.url}#/sites/bakery/notice`);
  await expect(other.locator("#nf-texts-en-title")).toHaveValue("Typed while offline");
  await page.locator("#nf-texts-en-title").fill("From tab A");
  await saved(page);
  await other.locator("#nf-policy-version").fill("2027-01");
  await expect(t(other, "save-state")).toHaveAttribute("data-state", "refused");
  await expect(t(other, "save-state")).toContainText("changed in another tab");
  await t(other, "reload-changed-draft").click();
  await expect(other.locator("#nf-texts-en-title")).toHaveValue("From tab A");

  // Tab B saves again; tab A's publication of what it last saw is refused, not lost.
  await other.locator("#nf-texts-en-title").fill("Changed in the other tab");
  await saved(other);
  await t(page, "publish").click();
  await expect(t(page, "failure")).toHaveAttribute("data-code", "conflict");
  await t(page, "reload-draft").click();
  await expect(page.locator("#nf-texts-en-title")).toHaveValue("Changed in the other tab");

  // Removing a purpose asks first, and focus stays in the list.
  page.once("dialog", (dialog) => dialog.accept());
  await t(page, "purpose-6").locator('[data-test="remove-purpose"]').click();
  await expect(page.locator("#nf-purposes-5--heading")).toBeFocused();
  await expect(page.locator('[data-test="purpose-6"]')).toHaveCount(0);
  await saved(page);
  await t(page, "publish").click();
  await expect(t(page, "status")).toContainText("Version 2 is published");
  await page.context().close();
});

test("a viewer reads the draft and its preview, and cannot change or publish it", async ({ browser }) => {
  const owner = await editorFor(browser, "gallery", ["https://gallery.example"]);
  await owner.context().close();
  const viewer = member(d, "viewer@gallery.localhost", "gallery", "viewer");
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, d, viewer);
  await page.goto(`${d.url}#/sites/gallery/notice`);
  await expect(page.locator("#nf-texts-en-title")).toHaveAttribute("readonly", "");
  await expect(consentMode(page, "security_storage")).toBeDisabled();
  await expect(t(page, "save-state")).toContainText("only the site's owners change it");
  await expect(t(page, "publish")).toHaveCount(0);
  await expect(t(page, "add-purpose")).toHaveCount(0);
  await expect(frame(page).locator('[data-test="banner"]')).toBeVisible({ timeout: 15_000 });
  await context.close();
});

test("the editor is axe clean, light and dark, with findings shown, and fits 360 px", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await editorFor(browser, "studio", ["https://studio.example"]);
  await consentMode(page, "security_storage").check();
  await saved(page);
  await expect(t(page, "lint-summary")).toBeVisible();
  // The preview frame holds the demo page, a document of its own (the banner's axe checks are
  // in banner.spec.ts); the editor around it is checked here.
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axe(page, '[data-test="preview-frame"]'), colorScheme).toEqual([]);
  }
  // At a phone's width the form and the preview stack, and nothing scrolls sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(t(page, "preview-frame")).toBeVisible();
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(360);
  await page.context().close();
});
