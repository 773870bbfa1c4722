// Publishing notice versions while visitors keep their choices: a version without material
// changes keeps every choice; a material change asks again, says what changed, and the new
// answer is recorded under the new version (the server derives `renewed` for re-granted
// purposes).
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { acknowledged, banner, history } from "../fixtures/assent";
import { assentBin } from "../fixtures/global-setup";

const demo = () => process.env.ASSENT_RECONSENT_DEMO_URL!;
const api = () => process.env.ASSENT_RECONSENT_API!;

function publish(version: number, material: boolean) {
  const notice = JSON.parse(readFileSync(resolve(__dirname, "../../server/demo/notice.json"), "utf8"));
  notice.version = version;
  notice.material_change = material;
  if (material) {
    notice.change_summary = { en: "Targeted advertising now also covers our video partner." };
    notice.theme = { accent: "rgb(11, 110, 79)", radius: "2px" };
    notice.ui_texts = { en: { accept_all: "Allow everything" } };
  }
  const file = join(mkdtempSync(join(tmpdir(), "assent-notice-")), "notice.json");
  writeFileSync(file, JSON.stringify(notice));
  execFileSync(assentBin(), ["publish-notice", "--site", "demo", "--file", file], {
    env: { ...process.env, ASSENT_DATABASE_URL: process.env.ASSENT_RECONSENT_DATABASE_URL! },
  });
}

test("a material notice change asks again, says what changed, and records the answer under the new version", async ({ page }) => {
  await page.goto(demo());
  await banner(page, "accept-all").click();
  await acknowledged(page);

  publish(2, false);
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);

  publish(3, true);
  // The loader learns of the change within seconds; reload until it does (bounded).
  await expect(async () => {
    await page.reload();
    await expect(banner(page, "change-summary")).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(banner(page, "change-summary")).toContainText("video partner");
  // The new version's theme applies too.
  await expect(banner(page, "accept-all")).toHaveCSS("background-color", "rgb(11, 110, 79)");
  // ... and so do its own words for the banner's buttons.
  await expect(banner(page, "accept-all")).toHaveText("Allow everything");

  await banner(page, "accept-all").click();
  const s = await acknowledged(page);
  const h = await history(s.subject_id, s.subject_token, api());
  expect(h.events.map((e: any) => e.notice_version)).toEqual([1, 3]);
  expect(h.events[1]).toMatchObject({ method: "accept_all", seq: 2 });
  await page.reload();
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
});
