// Previewing a notice draft without publishing it: the preview link opens the demo page with
// the draft in the real banner; a choice there works on the page but records nothing and
// leaves the real stored choice alone.
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { banner } from "../fixtures/assent";
import { assentBin } from "../fixtures/global-setup";

// The re-consent server: its database is known to the tests (the main one's is not).
const api = () => process.env.ASSENT_RECONSENT_API!;
const PASSWORD = "preview-test-password-1";

async function ownerSession(): Promise<string> {
  execFileSync(assentBin(), ["admin", "create-user", "--email", "preview@example.com", "--admin"], {
    env: {
      ...process.env,
      ASSENT_DATABASE_URL: process.env.ASSENT_RECONSENT_DATABASE_URL!,
      ASSENT_ADMIN_PASSWORD: PASSWORD,
    },
  });
  const res = await fetch(`${api()}/v1/admin/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "preview@example.com", password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return (await res.json()).token;
}

test("a draft preview shows the draft in the real banner and records nothing", async ({ page }) => {
  const token = await ownerSession();
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const draft = JSON.parse(readFileSync(resolve(__dirname, "../../server/demo/notice.json"), "utf8"));
  draft.texts.en.title = "Draft title, not yet published";
  let res = await fetch(`${api()}/v1/admin/sites/demo/draft`, { method: "PUT", headers: auth, body: JSON.stringify(draft) });
  expect(res.status).toBe(200);
  res = await fetch(`${api()}/v1/admin/sites/demo/draft/preview`, { method: "POST", headers: auth });
  expect(res.status).toBe(200);
  const link = await res.json();

  const consents: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/consents")) consents.push(r.url());
  });
  await page.goto(link.url);
  await expect(page.locator('[data-test="preview-ribbon"]')).toBeVisible();
  await expect(banner(page, "banner")).toContainText("Draft title, not yet published");
  await banner(page, "accept-all").click();
  await expect(banner(page, "banner")).toHaveCount(0);
  // Nothing recorded, nothing stored under the real key; a reload shows the banner again.
  await page.waitForTimeout(500);
  expect(consents).toEqual([]);
  expect(await page.evaluate(() => localStorage.getItem("assent.v1.demo"))).toBeNull();
  await page.reload();
  await expect(banner(page, "banner")).toContainText("Draft title, not yet published");

  // The published notice is unchanged for visitors.
  const shown = await (await fetch(`${api()}/v1/sites/demo/notice?lang=en`)).json();
  expect(shown.notice.title).not.toBe("Draft title, not yet published");

  // A broken link gets a page that says so.
  await page.goto(link.url.replace(/token=.*/, "token=expired"));
  await expect(page.getByRole("heading", { name: "This preview link is not valid" })).toBeVisible();
});
