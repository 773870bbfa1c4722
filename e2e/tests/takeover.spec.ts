// The first layer comes rendered by the server with the notice and shows before any
// WebAssembly. On a first visit the banner's consent context runs beside it without views
// (the first-visit bundle) and answers its clicks; the banner itself (the same view, mounted)
// loads and takes over when the pointer or focus nears Customize. These tests hold the wasm
// back to see the server's layer alone, then let it through.
import { test, expect, Page } from "@playwright/test";
import { acknowledged, banner, demoUrl, focusedTestId, history, layoutShift, settled, tabTo, watchLayoutShifts } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

/** Holds every .wasm request until `release()` is called. */
async function holdWasm(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/*.wasm", async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/** The containers in the banner's shadow root, and whether the host still holds the server's layer. */
async function host(page: Page) {
  return page.evaluate(() => {
    const h = document.getElementById("assent-host");
    const boxes = Array.from(h?.shadowRoot?.querySelectorAll(".assent") ?? []);
    return {
      prerendered: !!h?.hasAttribute("data-prerendered"),
      containers: boxes.length,
      markup: boxes.map((b) => b.firstElementChild?.outerHTML ?? null),
    };
  });
}

/** What the ledger holds for this page's visitor, once every event is acknowledged: [method, source] per event. */
async function recorded(page: Page) {
  const choice = await acknowledged(page);
  return (await history(choice.subject_id, choice.subject_token)).events.map((e) => [e.method, e.source]);
}

/** Which bundles the page fetched: "first-visit" and/or "banner". */
function bundles(page: Page) {
  const seen = new Set<string>();
  page.on("request", (r) => {
    const m = r.url().match(/\/assets\/(first-visit|banner)\/[^/]+\.wasm/);
    if (m) seen.add(m[1]);
  });
  return seen;
}

/** The banner's running animations (its entry). */
async function animations(page: Page) {
  return page.evaluate(() => document.getElementById("assent-host")?.shadowRoot?.getAnimations().length ?? 0);
}

test("the server's first layer shows before the wasm, and the banner's own is the same markup", async ({ page }) => {
  await watchLayoutShifts(page);
  const fetched = bundles(page);
  const release = await holdWasm(page);
  const noticeAnswer = page.waitForResponse((r) => r.url().includes("/notice?") && r.url().includes("layer=1"));
  await page.goto(demoUrl());
  const rendered: string = (await (await noticeAnswer).json()).first_layer;
  expect(rendered).toContain('data-test="accept-all"');
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "accept-all")).toBeVisible();
  const before = await host(page);
  expect(before).toMatchObject({ prerendered: true, containers: 1 });
  // The markup the server sent is what the page parsed: nothing was fixed up on the way.
  expect(before.markup[0]).toBe(rendered);
  await expect.poll(() => animations(page)).toBe(0);
  const place = await banner(page, "banner").boundingBox();

  release();
  await settled(page);
  // The first-visit bundle runs beside the server's layer, which stays as it was.
  expect(await host(page)).toMatchObject({ prerendered: true, containers: 1, markup: [rendered] });
  expect([...fetched]).toEqual(["first-visit"]);

  // The pointer on Customize brings the banner, which takes the layer over unseen.
  await banner(page, "customize").hover();
  await expect.poll(async () => (await host(page)).prerendered).toBe(false);
  await settled(page);
  expect([...fetched].sort()).toEqual(["banner", "first-visit"]);
  // Already on screen: the banner's layer does not come in again.
  expect(await animations(page)).toBe(0);
  const after = await host(page);
  // Byte for byte, the banner's DOM is the server's.
  expect(after.markup[0]).toBe(rendered);
  expect(await banner(page, "banner").boundingBox()).toEqual(place);
  expect(await layoutShift(page)).toBe(0);

  // It is the banner's now: a click is recorded at once.
  await banner(page, "accept-all").click();
  expect(await recorded(page)).toEqual([["accept_all", "banner"]]);
});

test("on a first visit the first-visit bundle records a click and draws the way back in, without the banner", async ({ page }) => {
  const fetched = bundles(page);
  await page.goto(demoUrl());
  await settled(page);
  await tabTo(page, "accept-all");
  await page.keyboard.press("Enter");
  expect(await recorded(page)).toEqual([["accept_all", "banner"]]);
  await expect(banner(page, "banner")).toHaveCount(0);
  // Answered with the keyboard on the layer: the focus goes to the way back in.
  await expect.poll(() => focusedTestId(page)).toBe("privacy-choices");
  expect([...fetched]).toEqual(["first-visit"]);
  expect(await page.evaluate(() => (window as any).assent.get())).toMatchObject({ analytics: "granted" });
  // The way back in opens the preferences: now the banner loads.
  await page.keyboard.press("Enter");
  await expect(banner(page, "preferences")).toBeVisible();
  expect([...fetched].sort()).toEqual(["banner", "first-visit"]);
  await expect.poll(() => focusedTestId(page)).toBe("preferences-title");
});

test("a click on the server's layer before the wasm arrives is recorded once it has", async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto(demoUrl());
  await expect(banner(page, "reject-all")).toBeVisible();
  expect((await host(page)).prerendered).toBe(true);
  await banner(page, "reject-all").click();
  // The visitor's answer is taken at once: the layer goes.
  await expect(banner(page, "banner")).toBeHidden();
  expect(await page.evaluate(() => localStorage.getItem("assent.v1.demo"))).toBeNull();

  release();
  await settled(page);
  const choice = await acknowledged(page);
  const events = (await history(choice.subject_id, choice.subject_token)).events;
  expect(events.map((e) => [e.method, e.source])).toEqual([["reject_all", "banner"]]);
  expect(Object.values(events[0].decisions).every((d) => d === "denied")).toBe(true);
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await expect(banner(page, "banner")).toHaveCount(0);
});

test("a choice clicked before the wasm does not take the focus from where the visitor went since", async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto(demoUrl());
  await banner(page, "accept-all").click();
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.id = "search";
    document.body.append(input);
    input.focus();
  });
  await page.keyboard.type("abc");
  release();
  await settled(page);
  await acknowledged(page);
  await expect(banner(page, "privacy-choices")).toBeVisible();
  await page.keyboard.type("def");
  await expect(page.locator("#search")).toHaveValue("abcdef");
  await expect(page.locator("#search")).toBeFocused();
});

test("Esc on the server's layer is a refusal, and Customize opens the preferences once the wasm is in", async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto(demoUrl());
  await expect(banner(page, "customize")).toBeVisible();
  await banner(page, "customize").click();
  // Nothing to show yet but the layer itself: it stays, saying the panel is on its way.
  await expect(banner(page, "banner")).toBeVisible();
  await expect(banner(page, "customize")).toHaveAttribute("aria-busy", "true");
  release();
  await expect(banner(page, "preferences")).toBeVisible();
  await settled(page);
  expect(await focusedTestId(page)).toBe("preferences-title");

  const second = await page.context().newPage();
  const releaseSecond = await holdWasm(second);
  await second.goto(demoUrl());
  await expect(banner(second, "banner")).toBeVisible();
  await banner(second, "reject-all").focus();
  await second.keyboard.press("Escape");
  await expect(banner(second, "banner")).toBeHidden();
  releaseSecond();
  await settled(second);
  expect(await recorded(second)).toEqual([["close", "banner"]]);
});

test("keyboard focus on the server's layer moves to the banner's twin when it takes over", async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto(demoUrl());
  await expect(banner(page, "banner")).toBeVisible();
  await tabTo(page, "reject-all");
  release();
  await settled(page);
  // Focus on Customize brings the banner, and the focus moves to its Customize.
  await page.keyboard.press("Tab");
  await expect.poll(() => page.evaluate(() => document.getElementById("assent-host")!.hasAttribute("data-prerendered"))).toBe(false);
  await settled(page);
  await expect.poll(() => focusedTestId(page)).toBe("customize");
  // The focused element is the banner's, not a leftover: back to Reject all, Enter records the rejection.
  await page.keyboard.press("Shift+Tab");
  expect(await focusedTestId(page)).toBe("reject-all");
  await page.keyboard.press("Enter");
  expect(await recorded(page)).toEqual([["reject_all", "banner"]]);
});

test("a button held down while the banner takes over still gets its click", async ({ page }) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/assets/banner/*.wasm", async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(demoUrl());
  await settled(page);
  // The pointer passes Customize (the banner starts loading) on its way to Accept all.
  await banner(page, "customize").hover();
  const box = (await banner(page, "accept-all").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  release();
  await expect.poll(() => page.evaluate(() => document.getElementById("assent-host")!.hasAttribute("data-prerendered"))).toBe(false);
  await page.waitForTimeout(200);
  await page.mouse.up();
  expect(await recorded(page)).toEqual([["accept_all", "banner"]]);
  await expect(banner(page, "banner")).toHaveCount(0);
  await settled(page);
});

test.describe("where the loader shows no rendered layer", () => {
  let site: Site;
  test.beforeAll(async () => {
    site = await startSite();
  });
  test.afterAll(async () => {
    await site?.close();
  });

  test("a signed-in visitor's device adopts the account first: no layer is asked for or shown", async ({ page }) => {
    await holdWasm(page);
    const notice = page.waitForResponse((r) => r.url().includes("/notice?"));
    await page.goto(site.page("/signed-in", "", { tag: 'data-account="an-account-assertion"' }));
    const answer = await notice;
    expect(answer.url()).not.toContain("layer=1");
    expect((await answer.json()).first_layer).toBeUndefined();
    // The notice is in and the wasm still held: nothing but the banner could draw a layer now.
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    await expect(page.locator("#assent-host")).toHaveCount(0);
  });

  test("a page enforcing Trusted Types gets no layer, and the console says why", async ({ page }) => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await holdWasm(page);
    const notice = page.waitForResponse((r) => r.url().includes("/notice?") && r.url().includes("layer=1"));
    await page.goto(site.page("/trusted-types", "", { csp: "require-trusted-types-for 'script'" }));
    expect((await (await notice).json()).first_layer).toContain("accept-all");
    await expect.poll(() => errors.some((e) => e.includes("enforces Trusted Types"))).toBe(true);
    await expect(page.locator("#assent-host")).toHaveCount(0);
  });
});
