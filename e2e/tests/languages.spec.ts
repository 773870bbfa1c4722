import { test, expect } from "@playwright/test";
import { acknowledged, api, banner, demoUrl, history, screenshot, settled, wasmRequests } from "../fixtures/assent";

const cases = [
  { locale: "fr-FR", lang: "fr", accept: "Tout accepter", reject: "Tout refuser", dir: "ltr" },
  { locale: "es-ES", lang: "es", accept: "Aceptar todo", reject: "Rechazar todo", dir: "ltr" },
  { locale: "pt-BR", lang: "pt-BR", accept: "Aceitar tudo", reject: "Rejeitar tudo", dir: "ltr" },
  { locale: "ko-KR", lang: "ko", accept: "모두 허용", reject: "모두 거부", dir: "ltr" },
  { locale: "ar-EG", lang: "ar", accept: "قبول الكل", reject: "رفض الكل", dir: "rtl" },
  { locale: "de-AT", lang: "de", accept: "Alle akzeptieren", reject: "Alle ablehnen", dir: "ltr" },
  { locale: "ja-JP", lang: "en", accept: "Accept all", reject: "Reject all", dir: "ltr" },
];

for (const c of cases) {
  test.describe(`a browser in ${c.locale}`, () => {
    test.use({ locale: c.locale });

    test(`gets the banner in ${c.lang} and the ledger records that language`, async ({ page }) => {
      await page.goto(demoUrl());
      await expect(banner(page, "accept-all")).toHaveText(c.accept);
      await expect(banner(page, "reject-all")).toHaveText(c.reject);
      await expect(page.locator(`#assent-host div[dir="${c.dir}"][lang="${c.lang}"]`)).toHaveCount(1);
      if (c.dir === "rtl") {
        await settled(page);
        // Right-to-left: the close button sits at the inline end, which is the left.
        const close = (await banner(page, "close").boundingBox())!;
        const layer = (await banner(page, "banner").boundingBox())!;
        expect(close.x - layer.x).toBeLessThan(layer.width / 2);
        await screenshot(page, "first-layer-rtl");
      }
      await banner(page, "reject-all").click();
      const s = await acknowledged(page);
      const h = await history(s.subject_id, s.subject_token);
      expect((h.events[0] as any).language).toBe(c.lang);
    });
  });
}

test.describe("a browser preferring Dutch, then German, on a notice without Dutch", () => {
  test.use({ locale: "nl-NL" });

  test("gets German (its first language the notice has), and the ledger records de", async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "languages", { get: () => ["nl-NL", "nl", "de-DE", "de", "en"] });
    });
    await page.goto(demoUrl());
    await expect(banner(page, "accept-all")).toHaveText("Alle akzeptieren");
    await banner(page, "reject-all").click();
    const s = await acknowledged(page);
    const h = await history(s.subject_id, s.subject_token);
    expect((h.events[0] as any).language).toBe("de");
  });
});

test.describe("a blocked embed for a browser in de-DE", () => {
  test.use({ locale: "de-DE" });

  test("says in German what is blocked, by the purpose's German title, also on a later page view without the banner", async ({ page }) => {
    const notice = await (await fetch(`${api()}/v1/sites/demo/notice?lang=de`)).json();
    const title: string = notice.notice.purposes.find((p: { key: string }) => p.key === "functional").title;
    const placeholder = page.locator('[data-assent-placeholder="functional"]');
    const host = new URL(demoUrl()).port;
    await page.goto(demoUrl());
    await expect(placeholder).toContainText(`„${title}“`);
    await expect(placeholder).toContainText("blockiert");
    await expect(placeholder).toContainText(host);
    await expect(placeholder).toHaveAttribute("aria-label", "Blockierter Inhalt");
    await expect(placeholder.getByRole("button")).toHaveText("Erlauben und laden");
    await banner(page, "reject-all").click();
    await acknowledged(page);

    const wasm = wasmRequests(page);
    await page.reload();
    await expect(banner(page, "privacy-choices")).toBeVisible();
    await expect(placeholder).toContainText(`„${title}“`);
    await expect(placeholder.getByRole("button")).toHaveText("Erlauben und laden");
    expect(wasm).toEqual([]);
  });
});
