// Banner size and speed, Assent against Klaro and vanilla-cookieconsent (both from npm), in one
// run, same Chromium, cache disabled, median of N (default 20):
//   - bytes a first visit and a returning visit transfer for the consent tool (raw, gzip, brotli),
//     and the first visit's bytes on the critical path to a visible, usable first layer (Assent:
//     the loader and the notice with its rendered layer, which carry the styles; the anchors:
//     everything they load, all of it needed before their banner shows)
//   - time from navigation start to a visible banner button (seen in the page, every frame),
//     minus an empty page's time;
//   - after the page is idle, in separate visits: from the Accept all click to the banner gone
//     (every tool) and to `assent:change` (Assent: by then its `gtag('consent','update')` was
//     pushed, `_emit` does that first), with the interaction's Event Timing duration (INP of
//     that one interaction; entries start at 16 ms); and the Customize click to a visible
//     preferences panel, straight (the pointer arrives and clicks at once) and with the pointer
//     on the button 200 ms first (Assent starts loading the panel's bundle then), with the bytes
//     the click added (Assent: the banner's bundle; the first visit's bytes are without it).
// Run: node e2e/bench/banner.js   (after `bash scripts/test` or `bash scripts/run` built Assent)
const { chromium } = require("playwright-core");
const { spawn } = require("node:child_process");
const http = require("node:http");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const zlib = require("node:zlib");

const RUNS = Number(process.env.ASSENT_BENCH_RUNS || 20);
const repo = path.resolve(__dirname, "../..");
const modules = path.join(__dirname, "..", "node_modules");
const bin = process.env.ASSENT_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "debug", "assent");

function startAssent() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "assent-bench-"));
  const child = spawn(bin, ["serve", "--bind", "127.0.0.1:0", "--demo", "--demo-bind", "127.0.0.1:0"], {
    env: { ...process.env, ASSENT_DATABASE_URL: `sqlite://${dir}/a.db`, ASSENT_KEY_FILE: `${dir}/k.json`,
      ASSENT_CHECKPOINT_FILE: `${dir}/c.jsonl`, ASSENT_DIST_DIR: path.join(repo, "dist"), ASSENT_LOG: "error" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      const line = out.split("\n").find((l) => l.startsWith("assent listening"));
      if (line) ok({ child, api: /api=(\S+)/.exec(line)[1], demo: /demo=(\S+)/.exec(line)[1] });
    });
    child.on("exit", (code) => fail(new Error(`assent exited ${code}`)));
  });
}

const PAGES = {
  "/empty": `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><button id="b">Content</button></body></html>`,
  "/klaro": `<!DOCTYPE html><html><head><meta charset="utf-8">
<script>window.klaroConfig = { mustConsent: false, acceptAll: true, hideDeclineAll: false,
  services: [{ name: "analytics", title: "Analytics", purposes: ["analytics"] }, { name: "ads", title: "Advertising", purposes: ["marketing"] }] };</script>
<script defer src="/m/klaro/dist/klaro.js"></script></head><body><button id="b">Content</button></body></html>`,
  "/cookieconsent": `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/m/vanilla-cookieconsent/dist/cookieconsent.css">
<script src="/m/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script></head><body><button id="b">Content</button>
<script>CookieConsent.run({ hideFromBots: false, categories: { necessary: { readOnly: true, enabled: true }, analytics: {}, ads: {} },
  language: { default: "en", translations: { en: {
    consentModal: { title: "Cookies", description: "We use cookies.", acceptAllBtn: "Accept all", acceptNecessaryBtn: "Reject all", showPreferencesBtn: "Customize" },
    preferencesModal: { title: "Preferences", acceptAllBtn: "Accept all", acceptNecessaryBtn: "Reject all", savePreferencesBtn: "Save", sections: [] } } } } });</script>
</body></html>`,
};

function startStatic() {
  const server = http.createServer((req, res) => {
    if (PAGES[req.url]) {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(PAGES[req.url]);
    }
    if (req.url.startsWith("/m/")) {
      const file = path.join(modules, req.url.slice(3).split("?")[0]);
      if (file.startsWith(modules) && fs.existsSync(file)) {
        res.writeHead(200, { "content-type": file.endsWith(".css") ? "text/css" : "text/javascript" });
        return res.end(fs.readFileSync(file));
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (n) => (n / 1024).toFixed(1);

async function visit(browser, url, buttonSelector, counts, returning, critical = counts) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (returning) await returning(page);
  const reads = [];
  page.on("response", (r) => {
    // Redirects and 304s have no body: they count as nothing.
    if (counts(r.url())) reads.push(r.body().catch(() => Buffer.alloc(0)).then((body) => ({ url: r.url(), body })));
  });
  // Watched in the page from the first frame on: the test runner's own check waits for the
  // main thread, which a long task (the banner's start, a bundle's evaluation) holds right
  // after the button showed. Visible as Playwright means it: a box, not `visibility: hidden`.
  await page.addInitScript((selector) => {
    const [host, ...rest] = selector.split(" ");
    const find = () => {
      const root = host.startsWith("#assent") ? document.querySelector(host)?.shadowRoot : null;
      return root ? root.querySelector(rest.join(" ")) : document.querySelector(selector);
    };
    const check = () => {
      const el = find();
      if (el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden") window.__visibleAt = performance.now();
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, buttonSelector);
  await page.goto(url);
  await page.waitForSelector(buttonSelector, { state: "visible" });
  const ms = await page.evaluate(() => window.__visibleAt ?? performance.now());
  await page.waitForLoadState("networkidle");
  const bodies = await Promise.all(reads);
  const bytes = { raw: 0, gzip: 0, brotli: 0, critical: 0 };
  for (const { url: u, body: b } of bodies) {
    const brotli = zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    bytes.raw += b.length;
    bytes.gzip += zlib.gzipSync(b, { level: 9 }).length;
    bytes.brotli += brotli;
    if (critical(u)) bytes.critical += brotli;
  }
  await context.close();
  return { ms, bytes };
}

/**
 * One click after the page is idle, timed in the page from the click's dispatch: to `done`
 * (a selector gone or shown) and, for Assent, to `assent:change`; with the longest Event
 * Timing entry of the interaction (0 when under Event Timing's 16 ms floor).
 */
async function interaction(browser, url, button, done, { counts = () => false, hover = 0 } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.goto(url);
  await page.waitForSelector(button, { state: "visible" });
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => {
    const t = (window.__bench = { click: null, change: null, inp: 0 });
    document.addEventListener("click", () => { if (t.click === null) t.click = performance.now(); }, { capture: true });
    window.addEventListener("assent:change", () => { if (t.change === null) t.change = performance.now(); });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.interactionId) t.inp = Math.max(t.inp, e.duration);
    }).observe({ type: "event", durationThreshold: 16, buffered: true });
  });
  // Watched in the page, every frame: a round trip to the test runner per check would add its
  // own latency. Visible as Playwright means it: a box, and not `visibility: hidden`.
  const watched = page.evaluate(({ selector, state }) => new Promise((ok) => {
    const find = (sel) => {
      const [host, ...rest] = sel.split(" ");
      const root = host.startsWith("#assent") ? document.querySelector(host)?.shadowRoot : null;
      return root ? root.querySelector(rest.join(" ")) : document.querySelector(sel);
    };
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const check = () => (visible(find(selector)) === (state === "visible") ? ok(performance.now()) : requestAnimationFrame(check));
    requestAnimationFrame(check);
  }), done);
  const reads = [];
  page.on("response", (r) => {
    if (counts(r.url())) reads.push(r.body().catch(() => Buffer.alloc(0)));
  });
  if (hover) {
    await page.hover(button);
    await page.waitForTimeout(hover);
  }
  await page.click(button);
  const doneAt = await watched;
  // Event Timing entries arrive after the next paint.
  await page.waitForTimeout(100);
  const t = await page.evaluate(() => window.__bench);
  const added = (await Promise.all(reads)).reduce(
    (sum, b) => sum + zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
  await context.close();
  return { done: doneAt - t.click, change: t.change === null ? null : t.change - t.click, inp: t.inp, added };
}

(async () => {
  const assent = await startAssent();
  const stat = await startStatic();
  const browser = await chromium.launch({ executablePath: process.env.ASSENT_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  const assentOrigin = new URL(assent.api).origin;
  const variants = [
    { name: "empty page", url: `${stat.origin}/empty`, button: "#b", counts: () => false },
    { name: "Assent", url: assent.demo, button: "#assent-host [data-test=accept-all]", counts: (u) => u.startsWith(assentOrigin),
      critical: (u) => u.startsWith(assentOrigin) && (u.includes("/embed.js") || u.includes("/notice")),
      gone: "#assent-host [data-test=banner]",
      customize: { button: "#assent-host [data-test=customize]", panel: "#assent-host [data-test=preferences]" },
      returningButton: "#assent-fab-host [data-test=privacy-choices]",
      seed: async (page) => {
        await page.goto(assent.demo);
        await page.click("#assent-host [data-test=accept-all]");
        // Acknowledged: the subject is stored and no event waits in the queue (one item each).
        await page.waitForFunction(() =>
          !!JSON.parse(localStorage.getItem("assent.v1.demo") || "{}").subject_id &&
          !Object.keys(localStorage).some((k) => k.startsWith("assent.v1.demo.queue.")));
      } },
    { name: "Klaro 0.7.22", url: `${stat.origin}/klaro`, button: ".klaro .cookie-notice .cm-btn-success", counts: (u) => u.includes("/m/klaro/"),
      gone: ".klaro .cookie-notice" },
    { name: "vanilla-cookieconsent 3.1.0", url: `${stat.origin}/cookieconsent`, button: "#cc-main .cm__btn", counts: (u) => u.includes("/m/vanilla-cookieconsent/"),
      gone: "#cc-main .cm" },
  ];
  // Interleaved (one visit of each tool per round), so a slow moment of the machine hits all
  // tools alike instead of whichever was being measured.
  const rows = variants.map((v) => ({ v, first: [], returning: v.seed ? [] : null, accept: [], customize: [], hovered: [] }));
  for (let i = 0; i < RUNS; i++) {
    for (const row of rows) {
      const { v } = row;
      row.first.push(await visit(browser, v.url, v.button, v.counts, null, v.critical));
      if (v.seed) row.returning.push(await visit(browser, v.url, v.returningButton, v.counts, v.seed));
      if (v.gone) row.accept.push(await interaction(browser, v.url, v.button, { selector: v.gone, state: "hidden" }));
      if (v.customize) {
        const c = v.customize;
        const panel = { selector: c.panel, state: "visible" };
        row.customize.push(await interaction(browser, v.url, c.button, panel, { counts: v.counts }));
        row.hovered.push(await interaction(browser, v.url, c.button, panel, { counts: v.counts, hover: 200 }));
      }
    }
    process.stderr.write(`round ${i + 1}/${RUNS}\n`);
  }
  const empty = median(rows[0].first.map((r) => r.ms));
  console.log(`| tool | first visit raw / gzip / brotli (KB) | critical path brotli (KB) | returning visit brotli (KB) | banner visible − empty page (ms, median of ${RUNS}) |`);
  console.log("|---|---|---|---|---|");
  for (const { v, first, returning } of rows.slice(1)) {
    const b = first[0].bytes;
    const ret = returning ? kb(returning[0].bytes.brotli) + " (no wasm)" : kb(b.brotli) + " (reloads its bundle)";
    console.log(`| ${v.name} | ${kb(b.raw)} / ${kb(b.gzip)} / ${kb(b.brotli)} | ${kb(b.critical)} | ${ret} | ${(median(first.map((r) => r.ms)) - empty).toFixed(1)} |`);
  }
  console.log(`\nempty page: ${empty.toFixed(1)} ms to a visible button (median).`);
  console.log(`\n| tool | Accept all click → banner gone (ms) | → assent:change (ms) | interaction's Event Timing duration (ms; 0 = under 16) | Customize click → panel visible (ms) | the same, pointer on it 200 ms first (ms) | bytes the Customize click added (KB brotli) |`);
  console.log("|---|---|---|---|---|---|---|");
  const med = (xs) => (xs.length ? median(xs).toFixed(1) : "–");
  for (const { v, accept, customize, hovered } of rows.slice(1)) {
    const changes = accept.map((a) => a.change).filter((c) => c !== null);
    const added = customize.length ? kb(median(customize.map((c) => c.added))) : "–";
    console.log(`| ${v.name} | ${med(accept.map((a) => a.done))} | ${med(changes)} | ${med(accept.map((a) => a.inp))} | ${med(customize.map((c) => c.done))} | ${med(hovered.map((c) => c.done))} | ${added} |`);
  }
  await browser.close();
  stat.server.close();
  assent.child.kill("SIGTERM");
})().catch((e) => { console.error(e); process.exit(1); });
