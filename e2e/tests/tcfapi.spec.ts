// IAB TCF's CMP API v2.2 (`__tcfapi`) as the loader serves it on a TCF site, in Chromium against
// a real server with a CMP id and the test Global Vendor List: the stub is there for a vendor
// script right after the loader tag; a returning visitor's page says `tcloaded` with the stored
// TCData without loading the banner; removed commands, bad versions and unknown commands answer
// `null, false`; a cross-origin frame reaches it through `__tcfapiLocator` with object and string
// messages; another CMP's stub hands over its queue. What the page serves is held to IAB's own
// decoding (@iabtechlabtcf/core) of the TC string it carries.
import { test, expect, Page } from "@playwright/test";
import { TCString } from "@iabtechlabtcf/core";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { acknowledged, banner, wasmRequests } from "../fixtures/assent";
import { Site, startSite } from "../fixtures/site";

const fixtures = join(__dirname, "../../shared/tests/fixtures");
const gvlFile = readFileSync(join(fixtures, "gvl-v3.json"), "utf8");
const list = JSON.parse(gvlFile);
// Each choice string Assent's TCF layer writes, with the TCData the Rust side makes of it
// (shared/src/tcf_data.rs, which holds this file to what it makes).
const tcfData = JSON.parse(readFileSync(join(fixtures, "tcf-data.json"), "utf8"));
const restricted = tcfData.choices.find((c: any) => c.name === "restricted").tcData;
const rejected = tcfData.choices.find((c: any) => c.name === "reject_all").tcData;
/** The vendors the site's notice declares (on the test list, none deleted). */
const VENDORS = [2, 8, 15, 21];
const CMP_ID = 4095;

/**
 * The TCData IAB's reference CMP API (@iabtechlabtcf/cmpapi) builds for `tcString`, made from
 * IAB's decoder: every vector holds ids 1 to its highest set one, restrictions per purpose
 * per vendor. Without the three fields the moment sets (eventStatus, cmpStatus, listenerId).
 */
function iabTcData(tcString: string) {
  const tc = TCString.decode(tcString);
  const vector = (v: Iterable<[number, boolean]>) => {
    const out: Record<string, boolean> = {};
    for (const [id, value] of v) out[String(id)] = value;
    return out;
  };
  const restrictions: Record<string, Record<string, number>> = {};
  const pr = tc.publisherRestrictions;
  for (let vendor = 1; vendor <= pr.getMaxVendorId(); vendor++) {
    for (const r of pr.getRestrictions(vendor)) {
      (restrictions[String(r.purposeId)] ??= {})[String(vendor)] = r.restrictionType;
    }
  }
  return {
    tcString,
    tcfPolicyVersion: tc.policyVersion,
    cmpId: tc.cmpId,
    cmpVersion: tc.cmpVersion,
    gdprApplies: true,
    isServiceSpecific: tc.isServiceSpecific,
    useNonStandardTexts: tc.useNonStandardTexts,
    publisherCC: tc.publisherCountryCode,
    purposeOneTreatment: tc.purposeOneTreatment,
    purpose: { consents: vector(tc.purposeConsents), legitimateInterests: vector(tc.purposeLegitimateInterests) },
    vendor: {
      consents: vector(tc.vendorConsents),
      legitimateInterests: vector(tc.vendorLegitimateInterests),
      disclosedVendors: vector(tc.vendorsDisclosed),
    },
    specialFeatureOptins: vector(tc.specialFeatureOptins),
    publisher: {
      consents: vector(tc.publisherConsents),
      legitimateInterests: vector(tc.publisherLegitimateInterests),
      customPurpose: {
        consents: vector(tc.publisherCustomConsents),
        legitimateInterests: vector(tc.publisherCustomLegitimateInterests),
      },
      restrictions,
    },
  };
}

let gvl: Server;
let site: Site;
test.beforeAll(async () => {
  test.setTimeout(60_000);
  // Only vendor-list.json: the list's English is used for every language.
  gvl = createServer((req, res) => {
    if (req.url === "/vendor-list.json") res.writeHead(200, { "content-type": "application/json" }).end(gvlFile);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => gvl.listen(0, "127.0.0.1", ok));
  // The site's `assent publish-notice` checks a TCF section against the CMP id in its own
  // environment, taken when the site starts: set for that moment only (one worker runs every
  // spec file in this process).
  process.env.ASSENT_TCF_CMP_ID = String(CMP_ID);
  try {
    site = await startSite({
      ASSENT_TCF_GVL_URL: `http://127.0.0.1:${(gvl.address() as AddressInfo).port}/`,
      ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS: "1",
    });
  } finally {
    delete process.env.ASSENT_TCF_CMP_ID;
  }
  // Publishing a TCF section needs the list (the refresher fetches it at start): the demo's
  // own TCF site, seeded where TCF is on, is served its share once it is there.
  await expect
    .poll(async () => (await fetch(`${site.assent.api}/v1/sites/demo-tcf/gvl`)).status, { timeout: 20_000 })
    .toBe(200);
  site.publishNotice((n) => (n.tcf = { vendors: VENDORS }));
  // The site's loader names it as a TCF site once its cached facts are renewed (seconds).
  await expect
    .poll(async () => (await (await fetch(`${site.assent.api}/embed.js?site=demo`)).text()).includes('"tcf":{"demo":'), {
      timeout: 20_000,
    })
    .toBe(true);
});
test.afterAll(async () => {
  await site?.close();
  await new Promise((ok) => gvl?.close(ok));
});

/** A vendor's script placed right after the loader tag: what it sees before anything loads. */
const VENDOR_SCRIPT = `<script>
window.__tcf = { type: typeof window.__tcfapi, events: [], syncPing: null, heldAtOnce: null };
__tcfapi("ping", 2, function (p) { window.__tcf.syncPing = p; });
__tcfapi("addEventListener", 2, function (data, success) {
  window.__tcf.events.push({ data: data, success: success });
});
window.__tcf.heldAtOnce = window.__tcf.events.length;
</script>`;

const seen = (page: Page) => page.evaluate(() => (window as any).__tcf);

/** `__tcfapi(command, version, callback, parameter)`: every answer within a moment, as [value, success]. */
const tcfapi = (page: Page, command: unknown, version: unknown, parameter?: unknown) =>
  page.evaluate(
    ([command, version, parameter]) =>
      new Promise<unknown[][]>((ok) => {
        const answers: unknown[][] = [];
        (window as any).__tcfapi(command, version, (...args: unknown[]) => answers.push(args), parameter);
        setTimeout(() => ok(answers), 50);
      }),
    [command, version, parameter] as const,
  );

/** A returning visitor: a choice recorded on a first visit, whose stored TCData is `tcData`. */
async function returning(page: Page, tcData: unknown) {
  await page.goto(site.page("/first", ""));
  await banner(page, "accept-all").click();
  await acknowledged(page);
  await page.evaluate((tcData) => {
    const s = JSON.parse(localStorage.getItem("assent.v1.demo")!);
    s.tcf = tcData;
    localStorage.setItem("assent.v1.demo", JSON.stringify(s));
  }, tcData);
}

test("a vendor script right after the loader finds __tcfapi at once: ping answers, its listener waits for the banner", async ({ page }) => {
  await page.goto(site.page("/", VENDOR_SCRIPT));
  const before = await seen(page);
  expect(before.type).toBe("function");
  // Synchronous, before the banner decided anything: GDPR not known yet.
  expect(before.syncPing).toEqual({
    cmpLoaded: false,
    cmpStatus: "loading",
    displayStatus: "hidden",
    apiVersion: "2.2",
    cmpId: CMP_ID,
    cmpVersion: expect.any(Number),
    gvlVersion: list.vendorListVersion,
    tcfPolicyVersion: list.tcfPolicyVersion,
  });
  expect(before.heldAtOnce).toBe(0);
  // The banner shows: the listener hears cmpuishown, with no TC string yet.
  await expect(banner(page, "accept-all")).toBeVisible();
  await expect.poll(async () => (await seen(page)).events.length).toBe(1);
  const [shown] = (await seen(page)).events;
  expect(shown.success).toBe(true);
  expect(shown.data).toMatchObject({
    eventStatus: "cmpuishown",
    cmpStatus: "loaded",
    listenerId: 1,
    gdprApplies: true,
    tcString: "",
    cmpId: CMP_ID,
    purpose: { consents: {}, legitimateInterests: {} },
  });
  const [[ping, ok]] = await tcfapi(page, "ping", 2);
  expect(ok).toBe(true);
  expect(ping).toMatchObject({ cmpLoaded: true, cmpStatus: "loaded", displayStatus: "visible", gdprApplies: true });
});

test("a returning visitor's page says tcloaded with the stored TCData, IAB's reading of its string, without the banner", async ({ page }) => {
  await returning(page, restricted);
  const wasm = wasmRequests(page);
  await page.goto(site.page("/article", VENDOR_SCRIPT));
  const { events, heldAtOnce, syncPing } = await seen(page);
  // Called at once, within addEventListener.
  expect(heldAtOnce).toBe(1);
  expect(events).toHaveLength(1);
  expect(events[0].success).toBe(true);
  const { eventStatus, cmpStatus, listenerId, ...data } = events[0].data;
  expect({ eventStatus, cmpStatus, listenerId }).toEqual({ eventStatus: "tcloaded", cmpStatus: "loaded", listenerId: 1 });
  expect(data).toEqual(restricted);
  expect(data).toEqual(iabTcData(restricted.tcString));
  expect(syncPing).toMatchObject({
    gdprApplies: true,
    cmpLoaded: true,
    cmpStatus: "loaded",
    displayStatus: "disabled",
    gvlVersion: list.vendorListVersion,
  });
  // IAB's decoder reads the restrictions Assent's TCData names.
  expect(data.publisher.restrictions).toEqual({ "2": { "8": 0, "15": 0 }, "7": { "2": 1 } });
  await expect(banner(page, "privacy-choices")).toBeVisible();
  expect(wasm).toEqual([]);
});

test("removeEventListener stops a listener's events and says whether it found it", async ({ page }) => {
  await returning(page, restricted);
  await page.goto(site.page("/article", VENDOR_SCRIPT));
  await page.evaluate(() => {
    (window as any).__second = [];
    (window as any).__tcfapi("addEventListener", 2, (d: any) => (window as any).__second.push(d.eventStatus + ":" + d.listenerId));
  });
  expect(await tcfapi(page, "removeEventListener", 2, 1)).toEqual([[true, true]]);
  expect(await tcfapi(page, "removeEventListener", 2, 1)).toEqual([[false, false]]);
  expect(await tcfapi(page, "removeEventListener", 2, 99)).toEqual([[false, false]]);
  // The banner's hook, as after the visitor changed the choice: only the second listener hears.
  await page.evaluate((data) => (window as any).assent._tcf(data, "useractioncomplete"), rejected);
  expect(await page.evaluate(() => (window as any).__second)).toEqual(["tcloaded:2", "useractioncomplete:2"]);
  expect((await seen(page)).events.map((e: any) => e.data.eventStatus)).toEqual(["tcloaded"]);
  const [[data]] = await tcfapi(page, "addEventListener", 2);
  expect(data).toMatchObject({ eventStatus: "useractioncomplete", listenerId: 3, tcString: rejected.tcString });
  const [[ping]] = await tcfapi(page, "ping", 0);
  expect(ping).toMatchObject({ displayStatus: "hidden", cmpStatus: "loaded" });
});

test("removed and unknown commands and unsupported versions answer null and false", async ({ page }) => {
  await returning(page, restricted);
  await page.goto(site.page("/article", ""));
  // TCF 2.2 removed getTCData; getInAppTCData and getVendorList are optional and not offered.
  for (const command of ["getTCData", "getInAppTCData", "getVendorList", "getQueue", "no-such-command", 42]) {
    expect(await tcfapi(page, command, 2), String(command)).toEqual([[null, false]]);
  }
  // Version 1 is no longer supported; 3 does not exist; 0, null, undefined mean the latest.
  for (const version of [1, 3, -2, 2.5, "two"]) {
    expect(await tcfapi(page, "ping", version), String(version)).toEqual([[null, false]]);
    expect(await tcfapi(page, "addEventListener", version), String(version)).toEqual([[null, false]]);
  }
  for (const version of [2, 0, null, undefined, "2"]) {
    const [[ping, ok]] = await tcfapi(page, "ping", version);
    expect([ok, (ping as any).cmpStatus], String(version)).toEqual([true, "loaded"]);
  }
  // No callback: nothing happens, nothing throws into the page.
  expect(await page.evaluate(() => (window as any).__tcfapi("ping", 2))).toBeUndefined();
});

test("a cross-origin frame reaches __tcfapi through __tcfapiLocator with object and string messages", async ({ page }) => {
  await returning(page, restricted);
  await page.goto(
    site.page("/article", "", {
      body: `<main><h1>An article</h1><iframe src="${site.vendor}/tcf-frame.html" title="Advertisement"></iframe></main>`,
    }),
  );
  await expect(page.locator('iframe[name="__tcfapiLocator"]')).toHaveCount(1);
  await expect(page.frameLocator('iframe[title="Advertisement"]').locator("title")).toHaveCount(1);
  const ad = page.frames().find((f) => f.url().endsWith("/tcf-frame.html"))!;
  expect(new URL(ad.url()).origin).not.toBe(new URL(page.url()).origin);
  await expect.poll(() => ad.evaluate(() => (window as any).__answers.length)).toBe(5);
  const answers: any[] = await ad.evaluate(() => (window as any).__answers);
  const by = (id: string) => answers.filter((a) => a.callId === id);
  // Each call answered once, in the kind of message it came in.
  expect(answers.map((a) => a.callId).sort()).toEqual(["l1", "l2", "p1", "p2", "t1"]);
  expect(by("p1")[0]).toMatchObject({ string: false, success: true, returnValue: { cmpStatus: "loaded", gdprApplies: true, cmpId: CMP_ID } });
  expect(by("p2")[0]).toMatchObject({ string: true, success: true, returnValue: { cmpStatus: "loaded", gdprApplies: true } });
  expect(by("t1")[0]).toMatchObject({ string: false, success: false, returnValue: null });
  for (const [id, string] of [["l1", false], ["l2", true]] as const) {
    const [event] = by(id);
    expect(event).toMatchObject({ string, success: true, returnValue: { eventStatus: "tcloaded", cmpStatus: "loaded" } });
    const { eventStatus, cmpStatus, listenerId, ...data } = event.returnValue;
    expect(data).toEqual(iabTcData(data.tcString));
    // IAB's decoder reads what Assent's TCData says of the string the frame received.
    const tc = TCString.decode(data.tcString);
    expect(tc.vendorConsents.has(21)).toBe(data.vendor.consents["21"]);
    expect(tc.cmpId).toBe(data.cmpId);
  }
  // Events of a frame's listener follow it under its call id.
  await page.evaluate((data) => (window as any).assent._tcf(data, "useractioncomplete"), rejected);
  await expect.poll(() => ad.evaluate(() => (window as any).__answers.length)).toBe(7);
  const later: any[] = (await ad.evaluate(() => (window as any).__answers)).slice(5);
  expect(later.map((a) => [a.callId, a.returnValue.eventStatus, a.returnValue.tcString]).sort()).toEqual([
    ["l1", "useractioncomplete", rejected.tcString],
    ["l2", "useractioncomplete", rejected.tcString],
  ]);
});

test("another CMP's stub hands its queue over and its frame handler is not doubled", async ({ page }) => {
  await returning(page, restricted);
  // A stub on the IAB pattern, there before the loader: it queues calls, returns its queue when
  // called without arguments, and forwards frames' calls to whatever `__tcfapi` is then.
  await page.addInitScript(() => {
    const queue: unknown[][] = [];
    (window as any).__tcfapi = (...args: unknown[]) => {
      if (!args.length) return queue;
      queue.push(args);
    };
    (window as any).__early = [];
    (window as any).__tcfapi("addEventListener", 2, (d: any, ok: boolean) => (window as any).__early.push([d.eventStatus, ok]));
    addEventListener("message", (e) => {
      const string = typeof e.data === "string";
      let data = e.data;
      try {
        if (string) data = JSON.parse(data);
      } catch (err) {
        return;
      }
      const call = data && data.__tcfapiCall;
      if (!call) return;
      (window as any).__tcfapi(call.command, call.version, (value: unknown, success: boolean) => {
        const reply = { __tcfapiReturn: { returnValue: value, success, callId: call.callId } };
        (e.source as Window).postMessage(string ? JSON.stringify(reply) : reply, "*");
      }, call.parameter);
    });
  });
  await page.goto(
    site.page("/article", "", {
      body: `<main><iframe src="${site.vendor}/tcf-frame.html" title="Advertisement"></iframe></main>`,
    }),
  );
  expect(await page.evaluate(() => (window as any).__early)).toEqual([["tcloaded", true]]);
  const ad = page.frames().find((f) => f.url().endsWith("/tcf-frame.html"))!;
  await expect.poll(() => ad.evaluate(() => (window as any).__answers.length)).toBe(5);
  // Each call answered once (by the other stub's handler, which now reaches this loader's API).
  const ids: string[] = (await ad.evaluate(() => (window as any).__answers)).map((a: any) => a.callId);
  expect(ids.sort()).toEqual(["l1", "l2", "p1", "p2", "t1"]);
});

// The new visitor's whole flow through the banner's TCF layer: cmpuishown when it shows,
// useractioncomplete with the TC string it wrote (stored with its TCData) after Accept all.
test("a new visitor's listener hears cmpuishown, then useractioncomplete with the string the banner stored", async ({ page }) => {
  await page.goto(site.page("/", VENDOR_SCRIPT));
  await expect(banner(page, "accept-all")).toBeVisible();
  await expect.poll(async () => (await seen(page)).events.map((e: any) => e.data.eventStatus)).toEqual(["cmpuishown"]);
  await banner(page, "accept-all").click();
  await expect
    .poll(async () => (await seen(page)).events.map((e: any) => e.data.eventStatus))
    .toEqual(["cmpuishown", "useractioncomplete"]);
  const { eventStatus, cmpStatus, listenerId, ...data } = (await seen(page)).events[1].data;
  expect(data).toEqual(iabTcData(data.tcString));
  expect(Object.keys(data.vendor.disclosedVendors).filter((id) => data.vendor.disclosedVendors[id])).toEqual(
    VENDORS.map(String),
  );
  const storedTcf = await page.evaluate(() => JSON.parse(localStorage.getItem("assent.v1.demo")!).tcf);
  expect(storedTcf).toEqual(data);
  const [[ping]] = await tcfapi(page, "ping", 2);
  expect(ping).toMatchObject({ displayStatus: "hidden", cmpStatus: "loaded", gdprApplies: true });
});
