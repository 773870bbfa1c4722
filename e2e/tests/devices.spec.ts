// One choice across a signed-in user's devices (issue 10, item 6), with two isolated browser
// contexts as two devices. The site's backend (this test, with the site secret) links the
// first device's subject to its account id and mints an account assertion for each page view
// of the second device, which the page carries in `data-account`.
import { test, expect, Browser, Page } from "@playwright/test";
import { acknowledged, banner, history, stored } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

let site: Site;
test.beforeAll(async () => {
  site = await startSite();
});
test.afterAll(async () => {
  await site.close();
});

/** The site's backend: a call with the site secret. */
async function backend(path: string, body: unknown) {
  return fetch(`${site.assent.api}/v1/sites/demo${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${site.secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function assertionFor(account: string): Promise<string> {
  const res = await backend("/account-assertions", { account_id: account });
  expect(res.status).toBe(200);
  return (await res.json()).assertion;
}

/** A page view of a signed-in visitor: the site renders a fresh assertion into the tag. */
async function signedInView(page: Page, account: string, assertion?: string) {
  const url = site.page("/home", "", { tag: `data-account="${assertion ?? (await assertionFor(account))}"` });
  await page.goto(url);
}

async function device(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test("a choice made on one device is adopted on another without a banner; the most recent explicit choice wins", async ({ browser }) => {
  const account = `reader-${Date.now()}`;
  const laptop = await device(browser);
  await laptop.page.goto(site.page("/start", ""));
  await banner(laptop.page, "customize").click();
  await banner(laptop.page, "toggle-functional").check();
  await banner(laptop.page, "save").click();
  const first = await acknowledged(laptop.page);

  // Linking needs the subject's token as well as the site secret: without it, nothing.
  const refused = await backend("/identity-links", { account_id: account, subject_id: first.subject_id });
  expect(refused.status).toBe(422);
  const linked = await backend("/identity-links", {
    account_id: account,
    subject_id: first.subject_id,
    subject_token: first.subject_token,
  });
  expect(linked.status).toBe(201);

  // The phone: a first visit, signed in. No banner; the laptop's choice applies.
  const phone = await device(browser);
  await signedInView(phone.page, account);
  await expect.poll(() => phone.page.evaluate(() => (window as any).assent.has("functional"))).toBe(true);
  expect(await phone.page.evaluate(() => (window as any).assent.has("analytics"))).toBe(false);
  await expect(banner(phone.page, "accept-all")).toHaveCount(0);
  const adopted = (await stored(phone.page))!;
  const phoneEvents = (await history(adopted.subject_id, adopted.subject_token, site.assent.api)).events;
  expect(phoneEvents.map((e) => [e.method, e.source])).toEqual([["sync", "account"]]);

  // A later explicit choice on the laptop shows on the phone at its next page view.
  await laptop.page.goto(site.page("/start", ""));
  await banner(laptop.page, "privacy-choices").click();
  await banner(laptop.page, "toggle-functional").uncheck();
  await banner(laptop.page, "toggle-analytics").check();
  await banner(laptop.page, "save").click();
  await acknowledged(laptop.page);
  await signedInView(phone.page, account);
  await expect.poll(() => phone.page.evaluate(() => (window as any).assent.has("analytics"))).toBe(true);
  expect(await phone.page.evaluate(() => (window as any).assent.has("functional"))).toBe(false);

  await laptop.context.close();
  await phone.context.close();
});

test("a forged or foreign assertion adopts nothing and writes nothing: the banner asks as usual", async ({ browser }) => {
  const phone = await device(browser);
  const genuine = await assertionFor(`reader-forged-${Date.now()}`);
  const [header, claims, signature] = genuine.split(".");
  const payload = JSON.parse(Buffer.from(claims, "base64url").toString());
  payload.account = "someone-else";
  const forged = [header, Buffer.from(JSON.stringify(payload)).toString("base64url"), signature].join(".");
  const answers: number[] = [];
  phone.page.on("response", (r) => {
    if (r.url().endsWith("/v1/sites/demo/sync")) answers.push(r.status());
  });
  await signedInView(phone.page, "", forged);
  await expect(banner(phone.page, "accept-all")).toBeVisible();
  expect(answers).toEqual([403]);
  expect(await stored(phone.page)).toBeNull();
  await phone.context.close();
});
