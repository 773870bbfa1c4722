/*
 * Assent loader. Put it first in <head>, synchronous:
 *   <script src="https://ASSENT_ORIGIN/embed.js?site=SITE_ID" data-site="SITE_ID"></script>
 * It installs `window.assent` at once and loads the banner (WebAssembly) asynchronously.
 * The server puts the current build's file names in place of the boot placeholder below
 * (`scripts/lib.sh` serves a minified copy, `dist/loader/embed.js`, when it built one).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var boot = window.__assentBoot;
  if (!script || !script.src || !boot) return;
  var site = script.getAttribute("data-site");
  if (!site) {
    console.error("Assent: the script tag needs a data-site attribute");
    return;
  }
  var origin = new URL(script.src).origin;
  // A draft preview (`data-preview="TOKEN"`, from a preview link): the draft's notice, a
  // choice kept apart from real ones and forgotten on every load, nothing recorded.
  var preview = script.getAttribute("data-preview");
  var storageKey = (preview ? "assent.preview." : "assent.v1.") + site;
  // Set when the visitor was handed to the hosted settings page: ask the server next time.
  var recheckKey = "assent.recheck." + site;
  if (preview) {
    try {
      window.localStorage.removeItem(storageKey);
    } catch (e) {}
  }
  // A signed-in visitor (`data-account`: an account assertion the site's backend made for this
  // page view): the device adopts the account's current choices before any banner is shown.
  var account = preview ? null : (script.getAttribute("data-account") || "").trim() || null;
  // `data-color-scheme="light"|"dark"`: the banner follows the site's own scheme instead of
  // the visitor's system setting (put on the banner's host, see style/banner.css).
  var scheme = script.getAttribute("data-color-scheme");
  if (scheme !== "light" && scheme !== "dark") scheme = null;
  var pending = [];
  var listeners = [];
  var locationWaiters = [];
  // The decisions in force on this page view (defaults of an opt-out regime are never stored).
  var live = null;
  var loading = false;

  // Nothing Assent does may throw into the host page (nor into the banner that called it):
  // whatever the browser refuses is logged, and the rest goes on.
  function guard(fn) {
    try {
      fn();
    } catch (e) {
      console.error("Assent:", e);
    }
  }

  // The subject is also kept under a key of its own, which only a tab holding it writes: a
  // copy of the choice written by a tab that had not seen it yet must not take it away.
  function stored() {
    try {
      var s = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      var subject = s && !s.subject_id && JSON.parse(window.localStorage.getItem(storageKey + ".subject") || "null");
      if (subject) {
        s.subject_id = subject.subject_id;
        s.subject_token = subject.subject_token;
      }
      return s;
    } catch (e) {
      return null;
    }
  }
  // Events not yet acknowledged wait beside the choice, one item each (`<key>.queue.<id>`):
  // while any does, the banner runs to send it.
  function eventsQueued() {
    try {
      var ls = window.localStorage, prefix = storageKey + ".queue.";
      for (var i = 0; i < ls.length; i++) if ((ls.key(i) || "").indexOf(prefix) === 0) return true;
    } catch (e) {}
    return false;
  }

  // One choice across a site's subdomains (`data-cookie-domain="example.com"`): the stored
  // choice (not the queue of unsent events) is mirrored into a first-party cookie on that
  // domain, and at every page view the newer of the cookie and this origin's copy wins.
  var cookieDomain = preview ? null : script.getAttribute("data-cookie-domain");
  var cookieName = "assent_" + site;
  var hostname = location.hostname;
  if (cookieDomain && hostname !== cookieDomain && hostname.slice(-cookieDomain.length - 1) !== "." + cookieDomain) {
    console.error("Assent: data-cookie-domain=" + cookieDomain + " does not cover " + hostname + "; the choice stays on this host");
    cookieDomain = null;
  }
  function sharedChoice() {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(cookieName + "=") === 0; })[0];
    try {
      return found ? JSON.parse(decodeURIComponent(escape(atob(found.slice(cookieName.length + 1))))) : null;
    } catch (e) {
      return null;
    }
  }
  function shareChoice() {
    var s = stored();
    if (!cookieDomain || !s) return;
    // Base64 of UTF-8 JSON: cookie-safe, and smaller than percent-encoding.
    var encode = function () { return btoa(unescape(encodeURIComponent(JSON.stringify(s)))); };
    var value = encode();
    if (value.length > 3800) {
      // Browsers drop cookies over 4 KB: leave out what the banner recomputes on arrival.
      delete s.gcm;
      delete s.signals;
      delete s.tcf;
      delete s.label;
      delete s.placeholder;
      value = encode();
    }
    if (value.length > 3800) {
      console.error("Assent: the choice is too large to share across subdomains; it stays on this host");
      return;
    }
    document.cookie = cookieName + "=" + value +
      "; domain=" + cookieDomain + "; path=/; max-age=34128000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
  }
  if (cookieDomain) {
    var fromCookie = sharedChoice();
    var local = stored();
    if (fromCookie && (!local || (fromCookie.updated_at || "") > (local.updated_at || ""))) {
      // Events an older banner queued inside the choice stay queued here.
      fromCookie.pending = (local && local.pending) || [];
      try {
        window.localStorage.setItem(storageKey, JSON.stringify(fromCookie));
      } catch (e) {}
    }
  }

  // Google Consent Mode v2: defaults before any tag can run (everything denied but security,
  // which is strictly necessary), then a replay of the stored choice. `gtag` must push the
  // `arguments` object: Google's tags ignore plain arrays.
  var useGcm = script.getAttribute("data-gcm") !== "off";
  // The page owns these globals: one it has frozen, replaced or locked costs its own signal
  // (logged), never the banner.
  guard(function () {
    window.dataLayer = window.dataLayer || [];
  });
  function pushData(entry) {
    guard(function () {
      window.dataLayer.push(entry);
    });
  }
  function gtag() {
    pushData(arguments);
  }
  // Decisions applied: their Consent Mode update, then — in the same run, so no tag manager
  // acts on the update without it — a plain event carrying them, on which tag managers'
  // triggers fire on this page view (also with `data-gcm="off"`). `trigger` says why:
  // "choice" (decided on this page view), "replay" (a stored choice on a later page view),
  // "opt_out_default" (an opt-out regime's defaults before any choice).
  function applyToTags(decisions, gcm, trigger) {
    if (useGcm && gcm) {
      gtag("consent", "update", gcm);
      gtag("set", "ads_data_redaction", gcm.ad_storage !== "granted");
    }
    if (gcm) guard(function () { vendorSignals(gcm, false); });
    pushData({
      event: "assent_consent_update",
      assent: { decisions: Object.assign({}, decisions), trigger: trigger },
    });
  }
  if (useGcm) {
    guard(function () {
      window.gtag = window.gtag || gtag;
    });
    gtag("consent", "default", {
      ad_storage: "denied",
      ad_user_data: "denied",
      ad_personalization: "denied",
      analytics_storage: "denied",
      functionality_storage: "denied",
      personalization_storage: "denied",
      security_storage: "granted",
      wait_for_update: 500,
    });
    gtag("set", "ads_data_redaction", true);
  }

  // Blocked scripts (`<script type="text/plain" data-category="analytics">`, inline or with
  // src) and iframes (`<iframe data-src data-category>`) run once their category is granted,
  // as they would have run without Assent: in document order (an inline script waits for the
  // external ones before it; `async` ones run as they arrive; `defer` and module ones after
  // the others found with them), with the page's attributes and nonce. Elements that enter
  // the document later (single-page apps, content loaded afterwards) are handled alike.
  var BLOCKED = 'script[type="text/plain"][data-category], iframe[data-src][data-category]';
  // Nothing runs before the document is parsed: an inline script seen earlier may not have
  // all its text yet.
  var parsed = false;
  // Granted scripts waiting for their turn, and those already handed to it (a later decision
  // or a mutation must not run one twice).
  var queue = [];
  var queued = new WeakSet();
  // External scripts inserted in order whose `load` / `error` has not fired yet.
  var waiting = 0;

  function blockedIn(node) {
    if (node.nodeType !== 1) return [];
    var found = Array.prototype.slice.call(node.querySelectorAll(BLOCKED));
    if (node.matches(BLOCKED)) found.unshift(node);
    return found;
  }

  function isModule(el) {
    return (el.getAttribute("data-type") || "").toLowerCase() === "module";
  }

  // What a parser runs after the document is parsed: `defer` scripts with a src, and modules.
  function deferred(el) {
    return !el.hasAttribute("async") && (isModule(el) || (el.hasAttribute("src") && el.hasAttribute("defer")));
  }

  function activate(elements) {
    if (!parsed || !elements.length) return;
    var decisions = api.get() || {};
    var later = [];
    elements.forEach(function (el) {
      if (!el.isConnected) return;
      var granted = decisions[el.getAttribute("data-category")] === "granted";
      if (el.tagName === "IFRAME") return guard(function () { granted ? loadFrame(el) : placeholder(el); });
      if (!granted || queued.has(el)) return;
      queued.add(el);
      (deferred(el) ? later : queue).push(el);
    });
    queue.push.apply(queue, later);
    run();
  }

  function run() {
    while (queue.length) {
      var el = queue[0];
      // An inline classic script runs the moment it is inserted: it waits, as the parser
      // would have, until the external scripts before it have run.
      if (waiting && !el.hasAttribute("src") && !isModule(el)) return;
      queue.shift();
      guard(insert.bind(null, el));
    }
  }

  function insert(el) {
    if (!el.parentNode) return; // the page removed it meanwhile
    var s = document.createElement("script");
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (a.name !== "type") s.setAttribute(a.name, a.value);
    }
    if (el.hasAttribute("data-type")) s.type = el.getAttribute("data-type");
    // Under a CSP sent as a header the browser empties the nonce attribute: the property
    // holds it (set after the attributes, which would reset it).
    s.nonce = el.nonce;
    // A script element made by a script is async unless told otherwise; one the page did not
    // mark async keeps its place among the others.
    s.async = el.hasAttribute("async");
    if (el.hasAttribute("src")) {
      if (!s.async) {
        waiting += 1;
        var done = function () {
          waiting -= 1;
          run();
        };
        s.addEventListener("load", done);
        s.addEventListener("error", done);
      }
    } else {
      s.text = el.text;
    }
    s.setAttribute("data-assent", "activated");
    el.parentNode.replaceChild(s, el);
  }

  function loadFrame(el) {
    var prev = el.previousElementSibling;
    if (prev && prev.hasAttribute("data-assent-placeholder")) prev.remove();
    el.style.display = "";
    el.setAttribute("src", el.getAttribute("data-src"));
    el.removeAttribute("data-src");
  }

  function inDocumentOrder(a, b) {
    return a === b ? 0 : a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  }

  // Once the document is parsed: what it holds, then whatever enters it later.
  function watch() {
    parsed = true;
    activate(blockedIn(document.documentElement));
    new MutationObserver(function (records) {
      guard(function () {
        var added = [];
        records.forEach(function (r) {
          r.addedNodes.forEach(function (n) { added = added.concat(blockedIn(n)); });
        });
        activate(added.sort(inDocumentOrder));
        // A settings component that enters later (a single-page app's account view).
        var settingsAdded = records.some(function (r) {
          return Array.prototype.some.call(r.addedNodes, function (n) {
            return n.nodeType === 1 && (n.matches("[data-assent-settings]") || n.querySelector("[data-assent-settings]"));
          });
        });
        if (settingsAdded) {
          if (api._mountSettings) api._mountSettings();
          else settingsComponent();
        }
        // A framework that swaps <body> takes the banner and the way back with it: both move
        // into the new body, live (their state is in the element and its shadow root).
        [document.getElementById("assent-host") || bannerHost, fabHost].forEach(function (h) {
          if (h && !h.isConnected && document.body) document.body.prepend(h);
        });
      });
    }).observe(document, { childList: true, subtree: true });
  }
  var bannerHost = null;

  // Click-to-load: a blocked iframe is replaced (visually) by a box that names what is blocked
  // and offers to allow its category, which is recorded like any other choice. Texts come from
  // `data-placeholder` / `data-placeholder-button` on the iframe, else from the banner's words
  // in the visitor's language (kept with the choice for later page views), English until then.
  var words = null;
  function wordsFor(el, box) {
    var category = el.getAttribute("data-category");
    var host = "";
    try { host = new URL(el.getAttribute("data-src"), location.href).host; } catch (e) {}
    var w = words || (stored() || {}).placeholder || {};
    var purpose = (w.purposes && w.purposes[category]) || category;
    var text = (w.text || "This content from {host} is blocked until you allow “{purpose}”.")
      .split("{host}").join(host).split("{purpose}").join(purpose);
    box.setAttribute("aria-label", w.region || "Blocked content");
    box.firstChild.textContent = el.getAttribute("data-placeholder") || text;
    box.lastChild.textContent = el.getAttribute("data-placeholder-button") || w.button || "Allow and load";
  }
  function placeholder(el) {
    var prev = el.previousElementSibling;
    if (prev && prev.hasAttribute("data-assent-placeholder")) return;
    var category = el.getAttribute("data-category");
    var box = document.createElement("div");
    box.setAttribute("data-assent-placeholder", category);
    box.setAttribute("role", "region");
    box.style.cssText =
      "box-sizing:border-box;display:flex;flex-direction:column;gap:12px;align-items:center;justify-content:center;" +
      "padding:16px;text-align:center;font:14px/1.4 system-ui,sans-serif;color:#1b1f24;background:#eef0f3;" +
      // As wide as the embed, never wider than its container (and, unlike a fixed width, never
      // widening a grid or flex column on a phone, as an iframe does not either).
      "border:1px solid #d5d9e0;border-radius:8px;width:100%;" +
      "max-width:" + (el.getAttribute("width") || "560") + "px;height:" + (el.getAttribute("height") || "315") + "px";
    var text = document.createElement("p");
    text.style.margin = "0";
    var button = document.createElement("button");
    button.type = "button";
    button.style.cssText = "font:600 14px system-ui,sans-serif;padding:8px 14px;min-height:40px;cursor:pointer;" +
      "color:#fff;background:#1f4fd1;border:0;border-radius:6px";
    button.addEventListener("click", function () { command("grant:" + category); });
    box.appendChild(text);
    box.appendChild(button);
    wordsFor(el, box);
    el.style.display = "none";
    el.parentNode.insertBefore(box, el);
  }

  // Deletes what refused purposes declared: cookies (name or `prefix*`, with their path and
  // domain) and localStorage / sessionStorage keys. Assent's own key and cookie are never touched.
  // Each item on its own: storage the browser refuses (it throws) leaves the cookies to delete.
  function cleanup(items) {
    (items || []).forEach(function (item) {
      guard(function () { forget(item); });
    });
  }

  function forget(item) {
    var prefix = item.name.slice(-1) === "*" ? item.name.slice(0, -1) : null;
    var matches = function (key) {
      // Never Assent's own record (the choice, and its subject under `<key>.subject`).
      return key.indexOf(storageKey) !== 0 && key !== cookieName && (prefix !== null ? key.indexOf(prefix) === 0 : key === item.name);
    };
    if (item.storage === "local_storage" || item.storage === "session_storage") {
      var store = item.storage === "local_storage" ? window.localStorage : window.sessionStorage;
      var keys = [];
      for (var i = 0; i < store.length; i++) keys.push(store.key(i));
      keys.filter(matches).forEach(function (k) { store.removeItem(k); });
      return;
    }
    var names = document.cookie.split(";").map(function (c) { return c.split("=")[0].trim(); });
    unique(names.filter(matches)).forEach(function (name) {
      var expire = function (path, domain, secure) {
        document.cookie = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=" + path +
          (domain ? "; domain=" + domain : "") + (secure ? "; secure" : "");
      };
      // The browser drops a write that breaks a name prefix's rules: `__Host-` lives on the
      // host alone at `/`, and both prefixes only with `Secure`.
      var prefix = name.slice(0, 9).toLowerCase();
      if (prefix.slice(0, 7) === "__host-") return expire("/", null, true);
      var secure = prefix === "__secure-";
      cookiePaths(item).forEach(function (path) {
        cookieDomains(item).forEach(function (domain) { expire(path, domain, secure); });
      });
    });
  }

  function unique(list) {
    return list.filter(function (x, i) { return list.indexOf(x) === i; });
  }

  // A cookie the page reads may sit on the host alone or on any domain from the host up (a
  // vendor may set it on the registrable domain; writes to a public suffix are ignored), not
  // only where the notice says.
  function cookieDomains(item) {
    var host = location.hostname;
    var domains = item.domain ? [null, item.domain] : [null];
    // IP addresses (IPv6 ones are bracketed) have no parent domains.
    if (!/^[\d.]+$|^\[/.test(host)) {
      var labels = host.split(".");
      for (var i = 0; i < labels.length; i++) domains.push(labels.slice(i).join("."));
    }
    return unique(domains);
  }

  // The same cookie may sit on the page's path or on any ancestor of it (spelt with or without
  // a final slash), not only on the path the notice says.
  function cookiePaths(item) {
    var path = location.pathname;
    var paths = ["/", item.path];
    for (var i = path.indexOf("/", 1); i !== -1; i = path.indexOf("/", i + 1)) paths.push(path.slice(0, i), path.slice(0, i + 1));
    paths.push(path);
    return unique(paths.filter(Boolean));
  }

  // IAB GPP 1.1 (`__gpp`) and legacy `__uspapi`, installed at once so vendors can queue
  // calls; answered from the signals the banner computed (stored, so a returning visit
  // answers without the banner): one US section, usnat or the visitor's state's own.
  var signals = (stored() || {}).signals || null;
  var gppListeners = [];
  var gppListenerId = 0;
  // Whether the banner (first layer or preferences) is on screen, as GPP reports it.
  var displayStatus = "hidden";
  function gppEvent(name, data) {
    gppListeners.forEach(function (l) {
      try {
        l.callback({ eventName: name, listenerId: l.id, data: data, pingData: gppPing() }, true);
      } catch (e) {
        console.error(e);
      }
    });
  }
  // The section written, as [id, API prefix, fields], where one applies (an opt-out regime).
  // A banner before state sections stored usnat alone, under `usnat`.
  function gppSection() {
    return signals && signals.applicable
      ? [signals.section_id || 7, signals.section_name || "usnat", signals.section || signals.usnat]
      : null;
  }
  function gppPing() {
    var on = gppSection();
    var parsed = {};
    if (on) parsed[on[1]] = [on[2]];
    return {
      gppVersion: "1.1",
      cmpStatus: "loaded",
      cmpDisplayStatus: displayStatus,
      signalStatus: signals ? "ready" : "not ready",
      // Every section the banner may write ("7:usnat" to "27:usri"), named by the server.
      supportedAPIs: boot.gpp.slice(),
      cmpId: 0,
      sectionList: on ? [on[0]] : [],
      applicableSections: on ? [on[0]] : [-1],
      gppString: on ? signals.gpp_string : "",
      parsedSections: parsed,
    };
  }
  function gppApi(command, callback, parameter) {
    if (typeof callback !== "function") return;
    var on = gppSection();
    // The section asked for by its API prefix ("usca"), or by its id.
    var named = !!on && (parameter === on[1] || String(parameter) === String(on[0]));
    switch (command) {
      case "ping":
        return callback(gppPing(), true);
      case "addEventListener":
        gppListenerId += 1;
        gppListeners.push({ id: gppListenerId, callback: callback });
        return callback({ eventName: "listenerRegistered", listenerId: gppListenerId, data: true, pingData: gppPing() }, true);
      case "removeEventListener": {
        var before = gppListeners.length;
        gppListeners = gppListeners.filter(function (l) { return l.id !== parameter; });
        var removed = gppListeners.length < before;
        return callback({ eventName: "listenerRemoved", listenerId: parameter, data: removed, pingData: gppPing() }, removed);
      }
      case "hasSection":
        return callback(named, true);
      case "getSection":
        return callback(named ? [on[2]] : null, true);
      case "getField": {
        var parts = String(parameter || "").split(".");
        var ok = !!on && parts[0] === on[1] && Object.prototype.hasOwnProperty.call(on[2], parts[1]);
        return callback(ok ? on[2][parts[1]] : null, ok);
      }
      default:
        return callback(null, false);
    }
  }
  function uspApi(command, version, callback) {
    if (command === "getUSPData" && typeof callback === "function") {
      callback({ version: 1, uspString: signals ? signals.us_privacy : "1---" }, true);
    }
  }
  // Another CMP's locked stub keeps its place (and this page's signals stay with it).
  guard(function () {
    window.__gpp = gppApi;
  });
  guard(function () {
    window.__uspapi = uspApi;
  });

  // IAB TCF: the CMP API v2.2 (`__tcfapi`), on a TCF site (the server names it in `boot.tcf`,
  // with the CMP's id and version and the Global Vendor List in use) or where the stored choice
  // carries TCData. Installed at once, so vendors' calls before anything loads are answered or
  // held, and reachable from frames through the `__tcfapiLocator` frame. The TCData (the CMP
  // API's object without eventStatus, cmpStatus and listenerId, which are added here) is what
  // the banner computed from its TC string (shared/src/tcf_data.rs) and stored with the choice:
  // a returning visitor's page answers without the banner.
  var tcfBoot = (boot.tcf && boot.tcf[site]) || null;
  // A stored TCData this loader may serve: an object saying whether GDPR applies and, where it
  // does, carrying its string. Anything else (edited by hand, cut short) is as if absent: the
  // banner loads and writes it again.
  function validTcf(t) {
    return !!t && typeof t === "object" && !Array.isArray(t) && typeof t.gdprApplies === "boolean" &&
      (t.gdprApplies === false || (typeof t.tcString === "string" && t.tcString !== ""));
  }
  function storedTcf() {
    var t = (stored() || {}).tcf;
    return validTcf(t) ? t : null;
  }
  var tcfOn = false;
  // The TCData in force: null until it is known whether GDPR applies (a first visit before the
  // banner showed or decided), then the stored one, or the banner's.
  var tcData = null;
  // The last eventStatus: "tcloaded", "cmpuishown" or "useractioncomplete".
  var tcfStatus = null;
  var tcfListeners = [];
  var tcfListenerId = 0;
  // Calls another CMP's stub queued before this loader ran, answered once the state is known.
  var tcfQueued = [];
  // Set when this loader took over another CMP's stub, whose postMessage handler stays on the
  // page and forwards frames' calls to `window.__tcfapi` (now this one): answering them here
  // too would answer twice (and register a frame's listener twice).
  var tcfForeignStub = false;
  // The banner could not get the site's vendor list: no TC string will come on this page.
  var tcfFailed = false;
  function tcfInstall() {
    if (tcfOn) return;
    // Another CMP's locked `__tcfapi` keeps its place, and its own locator frame stays the
    // only one: its queue is not touched either.
    var own = Object.getOwnPropertyDescriptor(window, "__tcfapi");
    if (own && !own.writable && !own.set) return;
    tcfOn = true;
    guard(function () {
      var prior = window.__tcfapi;
      if (typeof prior === "function") {
        // IAB's stub hands over its queue when called without arguments; other stubs keep it
        // in `__tcfapi.a`.
        var queue = null;
        try {
          queue = prior();
        } catch (e) {}
        if (!Array.isArray(queue)) queue = Array.isArray(prior.a) ? prior.a : [];
        tcfQueued = queue.slice();
        tcfForeignStub = true;
      }
      window.__tcfapi = tcfApi;
    });
    tcfOn = window.__tcfapi === tcfApi;
  }
  // PingReturn. "loading" (deprecated by v2.2, and what IAB's @iabtechlabtcf/cmpapi reports
  // until its first update) until the TCData is known; every field this loader knows is given,
  // the running CMP's (the server's) first.
  function tcfPing() {
    var facts = tcfBoot || tcData || {};
    return {
      gdprApplies: tcData ? tcData.gdprApplies : undefined,
      cmpLoaded: !!tcData && !tcfFailed,
      cmpStatus: tcfFailed ? "error" : tcData ? "loaded" : "loading",
      displayStatus: tcfDisplay(),
      apiVersion: "2.2",
      cmpVersion: facts.cmpVersion,
      cmpId: facts.cmpId,
      gvlVersion: tcfBoot ? tcfBoot.gvlVersion : undefined,
      tcfPolicyVersion: facts.tcfPolicyVersion,
    };
  }
  // "disabled": the UI will not show (a current stored TC string, or GDPR does not apply).
  function tcfDisplay() {
    if (displayStatus === "visible") return "visible";
    return tcfStatus === "tcloaded" || (tcData && tcData.gdprApplies === false) ? "disabled" : "hidden";
  }
  // Each listener gets its own copy: a vendor that edits its TCData changes nobody else's.
  function tcfDataFor(listenerId) {
    var out = JSON.parse(JSON.stringify(tcData));
    out.eventStatus = tcfStatus;
    out.cmpStatus = tcfFailed ? "error" : "loaded";
    out.listenerId = listenerId;
    return out;
  }
  function tcfEvent(data, status) {
    tcData = data;
    tcfStatus = status;
    tcfListeners.forEach(function (l) {
      try {
        l.callback(tcfDataFor(l.id), true);
      } catch (e) {
        console.error(e);
      }
    });
  }
  // What the UI on screen signals before any choice: GDPR applies, no TC string yet and every
  // vector empty (what IAB's @iabtechlabtcf/cmpapi sends for `update("", true)`).
  function tcfBlank() {
    var pair = function () { return { consents: {}, legitimateInterests: {} }; };
    return {
      tcString: "",
      tcfPolicyVersion: tcfBoot.tcfPolicyVersion,
      cmpId: tcfBoot.cmpId,
      cmpVersion: tcfBoot.cmpVersion,
      gdprApplies: true,
      isServiceSpecific: true,
      useNonStandardTexts: false,
      publisherCC: "AA",
      purposeOneTreatment: false,
      purpose: pair(),
      vendor: { consents: {}, legitimateInterests: {}, disclosedVendors: {} },
      specialFeatureOptins: {},
      publisher: { consents: {}, legitimateInterests: {}, customPurpose: pair(), restrictions: {} },
    };
  }
  // The banner appeared: listeners hear "cmpuishown" with the TCData in force (the stored one
  // on a returning visit), unless GDPR is known not to apply.
  function tcfShown() {
    if (!tcfOn || tcfFailed || (tcData && tcData.gdprApplies === false)) return;
    var data = tcData || storedTcf() || (tcfBoot && tcfBlank());
    if (data) tcfEvent(data, "cmpuishown");
  }
  function tcfApi(command, version, callback, parameter) {
    if (typeof callback !== "function") return;
    // CMP API "How does the version parameter work?": 0, null or undefined mean the latest;
    // 1 (no longer supported) and anything but 2 get `null` and success false.
    if (!(version === undefined || version === null || version === 0 || version === 2 || version === "2")) {
      return callback(null, false);
    }
    switch (command) {
      case "ping":
        return callback(tcfPing(), true);
      case "addEventListener": {
        tcfListenerId += 1;
        var listener = { id: tcfListenerId, callback: callback };
        tcfListeners.push(listener);
        // At once with the TCData in force; while it is not known whether GDPR applies, at
        // the first event (the CMP API holds the callback until gdprApplies is known).
        if (tcData) {
          try {
            callback(tcfDataFor(listener.id), !tcfFailed);
          } catch (e) {
            console.error(e);
          }
        }
        return;
      }
      case "removeEventListener": {
        var before = tcfListeners.length;
        // A listener id is the number addEventListener gave: nothing else removes one.
        tcfListeners = tcfListeners.filter(function (l) { return l.id !== parameter; });
        var removed = tcfListeners.length < before;
        return callback(removed, removed);
      }
      default:
        // getTCData (removed by TCF 2.2: addEventListener gives the TCData), getInAppTCData
        // (for apps' web views) and getVendorList (the list stays on Assent's server: vendors
        // read IAB's), like any command this CMP does not have.
        return callback(null, false);
    }
  }
  if (tcfBoot || storedTcf()) tcfInstall();
  // Frames reach the APIs by postMessage, finding this window through the locator frames the
  // specifications name (IAB GPP CMP API v1.1 "How to use from an iframe"; USP API v1.0; TCF
  // CMP API v2.2).
  window.addEventListener("message", function (e) {
    var data = e.data;
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch (err) {
        return;
      }
    }
    if (!data || typeof data !== "object" || !e.source) return;
    var reply = function (key, call, value, success) {
      var out = {};
      out[key] = { returnValue: value, success: success, callId: call.callId };
      e.source.postMessage(typeof e.data === "string" ? JSON.stringify(out) : out, "*");
    };
    var gpp = data.__gppCall;
    if (gpp) {
      // Events of a listener a frame added go back to it under the same call id.
      guard(function () {
        gppApi(gpp.command, function (value, success) { reply("__gppReturn", gpp, value, success); }, gpp.parameter, gpp.version);
      });
    }
    var usp = data.__uspapiCall;
    if (usp) {
      guard(function () {
        uspApi(usp.command, usp.version, function (value, success) { reply("__uspapiReturn", usp, value, success); });
      });
    }
    // IAB TCF CMP API v2.2 "Using postmessage": `{__tcfapiCall: {command, parameter, version,
    // callId}}` answered with `{__tcfapiReturn: {returnValue, success, callId}}`.
    var tcf = data.__tcfapiCall;
    if (tcf && tcfOn && !tcfForeignStub) {
      guard(function () {
        tcfApi(tcf.command, tcf.version, function (value, success) { reply("__tcfapiReturn", tcf, value, success); }, tcf.parameter);
      });
    }
  });
  function locators() {
    ["__gppLocator", "__uspapiLocator"].concat(tcfOn ? ["__tcfapiLocator"] : []).forEach(function (name) {
      if (window.frames[name] || document.querySelector('iframe[name="' + name + '"]')) return;
      var frame = document.createElement("iframe");
      frame.name = name;
      frame.title = name;
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.style.cssText = "display:none";
      document.body.appendChild(frame);
    });
  }
  // Runs `fn` as soon as the parser has made <body> (not when the whole page is parsed).
  function whenBody(fn) {
    if (document.body) return guard(fn);
    var watcher = new MutationObserver(function () {
      if (!document.body) return;
      watcher.disconnect();
      guard(fn);
    });
    watcher.observe(document.documentElement, { childList: true });
  }
  // An ad frame parsed into the body looks for the locators as soon as it runs, which can be
  // long before DOMContentLoaded: they go in the moment a body exists.
  guard(function () { whenBody(locators); });

  // Microsoft UET and Clarity, Meta Pixel: each vendor's own consent call, made of the same
  // Consent Mode state (the notice lists the vendors the site uses; the stored choice or the
  // site's loader carries that list). Defaults first, then every update.
  var integrations = [];
  var metaConsent = null;
  function vendorSignals(gcm, isDefault) {
    var uses = function (v) { return integrations.indexOf(v) >= 0; };
    var ad = gcm.ad_storage === "granted" ? "granted" : "denied";
    // Each vendor on its own: one the page broke does not silence the others.
    if (uses("microsoft_uet")) guard(function () {
      window.uetq = window.uetq || [];
      window.uetq.push("consent", isDefault ? "default" : "update", { ad_storage: ad });
    });
    if (uses("microsoft_clarity")) guard(function () {
      // The queue Clarity's own snippet creates (it keeps an existing one).
      window.clarity = window.clarity || function () { (window.clarity.q = window.clarity.q || []).push(arguments); };
      window.clarity("consentv2", {
        ad_Storage: ad,
        analytics_Storage: gcm.analytics_storage === "granted" ? "granted" : "denied",
      });
    });
    if (uses("meta_pixel")) {
      metaConsent = ad === "granted" && gcm.ad_user_data === "granted" ? "grant" : "revoke";
      guard(function () {
        if (typeof window.fbq === "function") window.fbq("consent", metaConsent);
        else holdMetaInit();
      });
    }
  }
  // Meta's snippet defines `fbq` and calls `fbq('init')` at once; consent must come first. The
  // snippet's function is wrapped as it is assigned: its first call sends the consent state.
  var metaHeld = false;
  function holdMetaInit() {
    if (metaHeld) return;
    metaHeld = true;
    var fbq;
    Object.defineProperty(window, "fbq", {
      configurable: true,
      get: function () { return fbq; },
      set: function (f) {
        var sent = false;
        fbq = typeof f !== "function" || typeof Proxy !== "function" ? f : new Proxy(f, {
          apply: function (target, self, args) {
            if (!sent && metaConsent) {
              sent = true;
              Reflect.apply(target, self, ["consent", metaConsent]);
            }
            return Reflect.apply(target, self, args);
          },
        });
      },
    });
  }
  // Without its Consent Mode update (a choice shared by a subdomain that had to leave it out)
  // the banner rebuilds the update and replays it.
  var initial = stored();
  integrations = (boot.integrations && boot.integrations[site]) || (initial && initial.integrations) || [];
  guard(function () { vendorSignals({}, true); });
  if (initial && initial.decisions && initial.gcm) applyToTags(initial.decisions, initial.gcm, "replay");
  // The Consent Mode state this page signalled without the banner (see the storage listener).
  var shownGcm = initial && initial.decisions ? initial.gcm : null;

  function load() {
    if (loading) return;
    loading = true;
    // The visitor's whole ordered list: the server picks the first language the notice has
    // (a Dutch reader who also reads German gets German, not the default).
    var lang = script.getAttribute("data-lang") ||
      (navigator.languages && navigator.languages.length ? navigator.languages.join(",") : navigator.language);
    // `first=1`: this visitor has no stored choice, so the banner is about to show; the
    // server only counts it (an anonymous daily number for the statistics funnel).
    var s = stored();
    var query = [];
    if (lang) query.push("lang=" + encodeURIComponent(lang));
    if (preview) {
      query.push("preview=" + encodeURIComponent(preview));
      // The dashboard's preview shows the draft as each regime's visitors would see it.
      var previewRegime = script.getAttribute("data-preview-regime");
      if (previewRegime) query.push("regime=" + encodeURIComponent(previewRegime));
    }
    else if (!(s && s.decisions) && !api.config.account) query.push("first=1");
    // Without a stored choice the first layer comes rendered with the notice, shown at once;
    // not for a signed-in visitor, whose device adopts the account's choices before any banner.
    var first = preview || (!(s && s.decisions) && !api.config.account);
    if (first) query.push("layer=1");
    if (first && navigator.globalPrivacyControl === true) query.push("gpc=1");
    // Read here once: the rendered layer shows the moment the answer is in, and each bundle
    // that starts gets its own copy (`_notice`). (A clone's body would wait for the original.)
    noticeText = fetch(origin + "/v1/sites/" + encodeURIComponent(site) + "/notice" + (query.length ? "?" + query.join("&") : ""))
      .then(function (r) {
        return r.text().then(function (text) {
          var notice = null;
          if (first && r.ok) guard(function () { notice = JSON.parse(text); });
          // A first visit whose layer the server rendered runs the banner's consent context
          // alone (`boot.first`); the banner itself loads once a view is needed (`_upgrade`).
          if (notice && renderable(notice)) {
            firstVisit = !!boot.first && !preview;
            layerComing = true;
            guard(function () { whenBody(showRendered.bind(null, notice)); });
          }
          return { text: text, status: r.status, headers: r.headers };
        });
      });
    api._notice = noticeCopy();
    // The glue and the wasm download side by side (the wasm does not wait for the glue to ask
    // for it), and the banner starts once the notice is in (it shows nothing without it). On a
    // first visit they are asked for only once the notice is: compiling the wasm competes for
    // the processor with the page and the server's layer, which must show first. The banner
    // mounts as soon as there is a <body>, even mid-parse.
    noticeIn = noticeText.then(function () {}, function () {});
    (first ? noticeIn.then(function () { return begin(firstVisit ? boot.first : boot); }) : begin(boot))
      .catch(function (e) { console.error("Assent: the banner failed to load", e); });
  }

  // The notice's answer as read (`load`), settled or not (`noticeIn`), and a fresh copy.
  var noticeText = null;
  var noticeIn = null;
  function noticeCopy() {
    return noticeText.then(function (n) { return new Response(n.text, { status: n.status, headers: n.headers }); });
  }
  // The first-visit bundle answers the layer (until the banner takes over: `_upgrade`), and
  // the banner may be on its way (`upgrading`); the layer was answered before it was shown.
  var firstVisit = false;
  var upgrading = false;
  var answeredEarly = null;
  // Loads and starts a bundle; `ready` runs once it is compiled, just before it starts.
  function begin(bundle, ready) {
    var module = import(origin + bundle.js);
    var wasm = WebAssembly.compileStreaming
      ? WebAssembly.compileStreaming(fetch(origin + bundle.wasm))
      : fetch(origin + bundle.wasm);
    return Promise.all([module, wasm, noticeIn]).then(function (m) {
      // The banner took over while the first-visit bundle was on its way: it never starts
      // (nor once instantiated: it asks `_upgraded` first).
      if (bundle === boot.first && !firstVisit) return;
      if (ready) ready();
      return m[0].default({ module_or_path: m[1] });
    });
  }

  // Whether the notice's rendered first layer can be shown here. A page that enforces Trusted
  // Types without a default policy refuses markup set as a string, the banner's own rendering
  // (Leptos) included: it cannot show there at all.
  function renderable(notice) {
    if (!notice.first_layer) return false;
    try {
      document.createElement("div").innerHTML = "";
      return true;
    } catch (e) {
      console.error("Assent: this page enforces Trusted Types (require-trusted-types-for 'script') without a default policy, so the banner cannot be shown; see the README, \"Embedding Assent on a site\"");
      return false;
    }
  }

  // The first layer the server rendered (the notice's `first_layer`), shown before the
  // banner's WebAssembly has arrived; the banner mounts beside it and takes over (`_tookOver`).
  // A click on it before then is queued as `click:<control>`, which the banner applies.
  var rendered = null;
  // It is about to show (waiting for a <body>).
  var layerComing = false;
  // A button of it is held down: false, true, or "later" (the banner took over meanwhile).
  var pressed = false;
  function showRendered(notice) {
    layerComing = false;
    // Answered before there was a <body> to show it in (in another tab of the site).
    if (answeredEarly !== null) return drawFab(answeredEarly);
    if ((api._dispatch && !firstVisit) || document.getElementById("assent-host")) {
      // Something took the banner's place: the first-visit bundle cannot show it.
      if (firstVisit) api._upgrade("show");
      return;
    }
    var host = document.createElement("div");
    host.id = "assent-host";
    host.setAttribute("data-prerendered", "");
    if (scheme) host.setAttribute("data-color-scheme", scheme);
    var theme = (notice.notice && notice.notice.theme) || {};
    Object.keys(theme).forEach(function (k) { host.style.setProperty("--assent-" + k.replace(/_/g, "-"), theme[k]); });
    var root = host.attachShadow({ mode: "open" });
    adopt(root, boot.css || "");
    var box = document.createElement("div");
    box.className = "assent";
    box.innerHTML = notice.first_layer;
    var use = function (name, control) {
      command("click:" + name);
      // The choice is the visitor's at once; the banner records and applies it when it runs.
      // The panel opens with the banner: until then its button says it is on its way.
      if (name !== "customize") box.hidden = true;
      else if (control) control.setAttribute("aria-busy", "true");
    };
    box.addEventListener("click", function (e) {
      var control = e.target.closest && e.target.closest("button[data-test]");
      if (control) use(control.getAttribute("data-test"), control);
    });
    // The preferences panel is the banner's: the pointer or focus on *Customize* starts it,
    // so it opens without a visible wait (the banner takes over the layer unseen first).
    var near = function (e) {
      if (firstVisit && e.target.closest && e.target.closest('[data-test="customize"]')) api._upgrade();
    };
    box.addEventListener("pointerover", near);
    box.addEventListener("focusin", near);
    box.addEventListener("pointerdown", function () { pressed = pressed || true; });
    // The click comes in the same task as the release: the takeover waits for the next one.
    var released = function () {
      var later = pressed === "later";
      pressed = false;
      if (later) setTimeout(api._tookOver, 0);
    };
    ["pointerup", "pointercancel", "keyup"].forEach(function (type) { window.addEventListener(type, released, true); });
    box.addEventListener("keydown", function (e) {
      if (e.key === " ") pressed = pressed || true;
      if (e.key !== "Escape") return;
      e.preventDefault();
      use("close");
    });
    root.appendChild(box);
    document.body.prepend(host);
    bannerHost = host;
    rendered = box;
    api._display(true);
  }

  // A constructed stylesheet is not inline style: it works under a CSP without
  // 'unsafe-inline' for styles. Older browsers get a <style>.
  function adopt(root, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }
  }

  // Commands reach the banner through `_dispatch` once it runs; until then they queue.
  function command(name) {
    if (api._dispatch) guard(function () { api._dispatch(name); });
    else {
      pending.push(name);
      load();
    }
  }

  var api = {
    config: { site: site, origin: origin, build: boot.build, storageKey: storageKey, preview: !!preview, previewToken: preview, account: account, css: boot.css },
    /** The visitor's current decisions ({purpose: "granted" | "denied"}), or null before any choice. */
    get: function () {
      if (live) return live;
      var s = stored();
      return s && s.decisions ? s.decisions : null;
    },
    has: function (purpose) {
      var d = api.get();
      return !!d && d[purpose] === "granted";
    },
    on: function (type, fn) {
      if (type === "change" && typeof fn === "function") listeners.push(fn);
    },
    show: function () { command("show"); },
    /**
     * Precise location, consent first: resolves with a GeolocationPosition. The browser's
     * geolocation is called only once the precise-location purpose (`boot.location`) is granted; otherwise a
     * focused consent prompt is shown first, and a refusal rejects.
     */
    requestPreciseLocation: function (options) {
      return new Promise(function (resolve, reject) {
        var locate = function () { navigator.geolocation.getCurrentPosition(resolve, reject, options); };
        if (api.has(boot.location)) return locate();
        locationWaiters.push({ locate: locate, reject: reject });
        command("location");
      });
    },
    showPreferences: function () { command("preferences"); },
    /**
     * A single-use link (five minutes) to this visitor's privacy-settings page hosted by
     * Assent: resolves with the URL; rejects before the visitor's first recorded choice.
     */
    settingsLink: function () {
      var s = stored();
      if (!s || !s.subject_id || !s.subject_token) {
        return Promise.reject(new Error("Assent: no choice is recorded yet for this visitor"));
      }
      return fetch(origin + "/v1/sites/" + encodeURIComponent(site) + "/subjects/" + encodeURIComponent(s.subject_id) + "/settings-link", {
        method: "POST",
        headers: { authorization: "Bearer " + s.subject_token },
      }).then(function (r) {
        return r.json().then(function (b) {
          if (!r.ok) throw new Error("Assent: " + ((b.error && b.error.message) || r.status));
          // What is changed or erased on that page applies here at the next page view.
          try {
            window.localStorage.setItem(recheckKey, "1");
          } catch (e) {}
          return b.url;
        });
      });
    },
    /**
     * The visitor signed in (a single-page app, after its login): `assertion` is the account
     * assertion the site's backend obtained (`POST /v1/sites/{site}/account-assertions`). This
     * device adopts the account's current choices; later page views carry it in `data-account`.
     */
    signIn: function (assertion) {
      if (preview || typeof assertion !== "string" || !assertion.trim()) return;
      api.config.account = assertion.trim();
      command("sync");
    },
    /** Record an acceptance or refusal made through the site's own UI (source "api"). */
    acceptAll: function () { command("accept_all"); },
    rejectAll: function () { command("reject_all"); },
    _pending: pending,
    /** Called by the banner when the GPP / us_privacy data changes. */
    _signals: function (next) {
      signals = next;
      gppEvent("signalStatus", "ready");
    },
    /**
     * Called by the banner when it appears or goes (GPP's `cmpDisplayStatus`, TCF's
     * `displayStatus`); on a TCF site its appearance is TCF's "cmpuishown".
     */
    _display: function (visible) {
      var next = visible ? "visible" : "hidden";
      if (next === displayStatus) return;
      displayStatus = next;
      gppEvent("cmpDisplayStatus", next);
      if (visible) guard(tcfShown);
    },
    /**
     * Called by the banner with the TCData in force (shared/src/tcf_data.rs), after it stored
     * the choice: `eventStatus` "tcloaded" (a current choice found) or "useractioncomplete"
     * (the visitor confirmed choices). `__tcfapi` listeners hear it. `_tcf(null, "error")`:
     * the banner could not get the site's vendor list (the CMP API's error state).
     */
    _tcf: function (data, eventStatus) {
      if (eventStatus === "error") {
        // The CMP API's error state: listeners get a last answer (success false) instead of
        // waiting for a string that will not come; ping says "error".
        if (!tcfOn || tcfFailed) return;
        tcfFailed = true;
        var last = tcData || (tcfBoot && tcfBlank());
        if (!last) return;
        tcData = last;
        tcfListeners.forEach(function (l) {
          try {
            l.callback(tcfDataFor(l.id), false);
          } catch (e) {
            console.error(e);
          }
        });
        return;
      }
      if (!data || (eventStatus !== "tcloaded" && eventStatus !== "useractioncomplete")) {
        return console.error("Assent: _tcf needs TCData and tcloaded or useractioncomplete, not", eventStatus);
      }
      if (!tcfOn) {
        tcfInstall();
        guard(function () { whenBody(locators); });
      }
      // The banner opened on a page that already said "tcloaded" from the stored choice.
      if (eventStatus === "tcloaded" && tcData && JSON.stringify(data) === JSON.stringify(tcData)) return;
      tcfEvent(data, eventStatus);
    },
    _dispatch: null,
    /**
     * Called by the banner with what became of a queued event: the server's answer, or (with
     * `error`) the id of an event refused for good. The page hears `assent:recorded` (detail:
     * the answer) or `assent:refused` (detail: {event_id, error}).
     */
    _outcome: function (recorded, error) {
      if (error == null) window.dispatchEvent(new CustomEvent("assent:recorded", { detail: recorded }));
      else window.dispatchEvent(new CustomEvent("assent:refused", { detail: { event_id: recorded, error: error } }));
    },
    /** The notice request, started with the banner's download and taken by the banner. */
    _notice: null,
    /** Called by the banner with the decisions in force (and why): apply them, then tell the page. */
    _emit: function (decisions, gcm, removals, reload, trigger, vendors) {
      live = decisions;
      if (vendors) integrations = vendors;
      // Whatever the browser refuses in one step, the page still hears of the choice.
      guard(function () { applyToTags(decisions, gcm, trigger); });
      guard(function () { activate(blockedIn(document.documentElement)); });
      cleanup(removals);
      var location = decisions && decisions[boot.location];
      if (location && locationWaiters.length) {
        locationWaiters.splice(0).forEach(function (w) {
          if (location !== "granted") return w.reject(new Error("Assent: precise location was not consented to"));
          try {
            w.locate();
          } catch (e) {
            w.reject(e);
          }
        });
      }
      listeners.forEach(function (fn) {
        try { fn(decisions); } catch (e) { console.error(e); }
      });
      window.dispatchEvent(new CustomEvent("assent:change", { detail: decisions }));
      if (reload) window.location.reload();
    },
  };
  guard(function () {
    window.assent = api;
  });

  // Returning-visitor fast path: a current stored choice with nothing left to send and no new
  // GPC signal to record needs no banner, so the WebAssembly is not fetched at all; only the
  // way back in ("Privacy choices") is drawn, and a click on it loads the banner.
  var fabHost = null;
  function drawFab(label) {
    if (fabHost) return;
    fabHost = document.createElement("div");
    fabHost.id = "assent-fab-host";
    var root = fabHost.attachShadow({ mode: "open" });
    var dark = "button{color:#eef0f3;background:#1c1f24;border-color:#3a404b}button:focus-visible{outline-color:#ffb4ab}";
    var css =
      ":host{all:initial}button{position:fixed;bottom:16px;inset-inline-start:16px;z-index:2147483645;" +
      "min-height:40px;padding:8px 14px;font:600 13.5px system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
      "color:#1b1f24;background:#fff;border:1px solid #d5d9e0;border-radius:999px;" +
      "box-shadow:0 4px 16px rgba(0,0,0,.2);cursor:pointer}button:focus-visible{outline:3px solid #b3261e;outline-offset:2px}" +
      (scheme === "dark" ? dark : scheme === "light" ? "" : "@media (prefers-color-scheme:dark){" + dark + "}");
    adopt(root, css);
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("data-test", "privacy-choices");
    button.textContent = label || "Privacy choices";
    button.addEventListener("click", function () { command("preferences"); });
    root.appendChild(button);
    document.body.prepend(fabHost);
  }
  /** Called by the banner after it stored the choice. */
  api._saved = shareChoice;
  /** Called by the banner with the placeholders' words in the visitor's language. */
  api._placeholders = function (next) {
    words = next;
    document.querySelectorAll("[data-assent-placeholder]").forEach(function (box) {
      if (box.nextElementSibling) guard(function () { wordsFor(box.nextElementSibling, box); });
    });
  };
  /** Called by the banner once it asked the server after a visit to the hosted settings page. */
  api._rechecked = function () {
    try {
      window.localStorage.removeItem(recheckKey);
    } catch (e) {}
  };
  /** Called by the banner once its notice is in: the server's rendering goes in the same
   *  task as the banner draws its own (the same markup in the same place, so nothing moves or
   *  flickers), and the banner's keeps the focus and scroll the visitor gave the server's. */
  api._tookOver = function () {
    // A button of the server's layer held down (pointer, or Space) keeps it until released:
    // its twin would not get the click.
    if (pressed) {
      pressed = "later";
      return;
    }
    var box = rendered;
    rendered = null;
    if (!box) return;
    var root = box.getRootNode();
    var active = root.activeElement;
    var focused = active && box.contains(active) ? active.getAttribute("data-test") : null;
    // On a small screen or zoomed in, the layer and its text scroll.
    var scrolled = [".assent-banner", ".assent-banner__text"].map(function (selector) {
      var el = box.querySelector(selector);
      return [selector, el ? el.scrollTop : 0];
    });
    box.remove();
    var settle = function () {
      scrolled.forEach(function (s) {
        var el = s[1] && root.querySelector(s[0]);
        if (el) el.scrollTop = s[1];
      });
      var twin = focused && root.querySelector('[data-test="' + focused + '"]');
      if (twin && !root.activeElement) twin.focus();
    };
    // The banner draws in the same task, before or just after this call.
    if (root.querySelector(".assent-banner")) settle();
    else setTimeout(settle, 0);
  };
  /** Called by the first-visit bundle with a command only the banner's views can carry out
   *  (or with none, by the loader, when the visitor nears *Customize*): the banner loads, and
   *  once it is compiled it takes over the host and runs the command. Until then the
   *  first-visit bundle still answers the layer, so a click meanwhile is recorded even if the
   *  banner never arrives. `show` while the server's layer shows needs nothing. */
  api._upgrade = function (name) {
    if (!firstVisit) return;
    if (name === "show" && (layerComing || (rendered && !rendered.hidden && rendered.querySelector(".assent-banner")))) return;
    if (name && pending.indexOf(name) < 0) pending.push(name);
    if (upgrading) return;
    upgrading = true;
    begin(boot, function () {
      firstVisit = false;
      api._upgraded = true;
      api._dispatch = null;
      api._notice = noticeCopy();
    }).catch(function (e) {
      upgrading = false;
      console.error("Assent: the banner failed to load", e);
    });
  };

  /** Called by the first-visit bundle with a command that reached it after the banner took
   *  over (it came before the notice, and waited): the banner runs it. */
  api._forward = function (name) { command(name); };

  /** Called by the first-visit bundle once the server's layer is answered (or not needed on
   *  this page view): the layer goes, and the way back in (*Privacy choices*) is drawn, focused
   *  if `focus` and the visitor's focus was on the layer or nowhere, labelled `label`. The
   *  layer's status line stays, for `_status`. */
  api._answered = function (focus, label) {
    if (!firstVisit) return;
    if (!rendered) {
      answeredEarly = label;
      return;
    }
    var layer = rendered.querySelector(".assent-banner");
    if (layer) layer.remove();
    rendered.hidden = false;
    api._display(false);
    var active = document.activeElement;
    var ours = !active || active === document.body || active === bannerHost;
    drawFab(label);
    if (focus && ours) fabHost.shadowRoot.querySelector("button").focus();
  };
  /** Called by the first-visit bundle with what became of the choice's event, for screen
   *  readers (the status line of the server's layer, a live region). */
  api._status = function (text) {
    var line = firstVisit && rendered && rendered.querySelector('[data-test="status"]');
    if (line) line.textContent = text;
  };
  api._mounted = function () {
    if (fabHost) fabHost.remove();
    fabHost = null;
    bannerHost = document.getElementById("assent-host");
    if (bannerHost && scheme) bannerHost.setAttribute("data-color-scheme", scheme);
  };

  // Another tab of this site stored a choice: this one applies it too (the banner, if it
  // runs here, takes it over; else the stored decisions are applied as on a page view).
  window.addEventListener("storage", function (e) {
    if (e.key !== storageKey) return;
    // Choices confirmed in another tab: this page's vendors hear the new TC string, whether or
    // not the banner runs here.
    var s = stored();
    if (s && validTcf(s.tcf) && tcfOn && JSON.stringify(s.tcf) !== JSON.stringify(tcData)) {
      guard(function () { tcfEvent(s.tcf, "useractioncomplete"); });
    }
    if (api._dispatch) return command("storage");
    if (!s && shownGcm) {
      // Erased in another tab: nothing stays granted here (every Consent Mode type this page
      // signalled goes back to denied), and the banner asks again.
      var denied = {};
      Object.keys(shownGcm).forEach(function (k) { denied[k] = "denied"; });
      shownGcm = null;
      guard(function () { api._emit(null, denied, [], false, "choice", integrations); });
      return load();
    }
    if (s && s.decisions && s.gcm) {
      shownGcm = s.gcm;
      guard(function () { api._emit(s.decisions, s.gcm, [], false, "choice", s.integrations); });
    }
    if (s && s.signals) api._signals(s.signals);
  });
  /** Runs `task` (returning a promise) alone across this site's tabs: one subject, one chain.
   *  `task(true)` when another tab held the lock first (its stored writes may still be on
   *  their way to this tab). */
  api._exclusive = function (task) {
    var locks = navigator.locks, name = "assent." + site;
    if (!locks || !locks.request) return task(false);
    return locks.request(name, { ifAvailable: true }, function (lock) {
      return lock ? task(false) : locks.request(name, function () { return task(true); });
    });
  };
  // The privacy-settings component (`<div data-assent-settings>`) is its own bundle, fetched
  // only on a page that has one; the banner, which records its changes, comes with it.
  var settingsLoading = false;
  function settingsComponent() {
    if (settingsLoading || preview || !boot.settings || !document.querySelector("[data-assent-settings]")) return;
    settingsLoading = true;
    load();
    import(origin + boot.settings.js)
      .then(function (m) { return m.default({ module_or_path: origin + boot.settings.wasm }); })
      .catch(function (e) { console.error("Assent: the privacy settings failed to load", e); });
  }
  function whenParsed() {
    guard(watch);
    guard(settingsComponent);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", whenParsed);
  else whenParsed();

  var s = stored();
  var recheck = false;
  try {
    recheck = !preview && window.localStorage.getItem(recheckKey) === "1";
  } catch (e) {}
  if (recheck) pending.push("recheck");
  var gpcToRecord = navigator.globalPrivacyControl === true && !(s && s.gpc_honored);
  var current =
    s && s.decisions && s.gcm && !(s.pending && s.pending.length) && !eventsQueued() && !gpcToRecord && !recheck && !account &&
    !(s.recheck_at && Date.now() >= s.recheck_at) &&
    // A TCF site's choice without its TCData (stored before the site used TCF, or shared by a
    // subdomain that had to leave it out): the banner computes it.
    !(tcfBoot && !validTcf(s.tcf));
  // `embed.js?site=SITE` carries the version from which stored choices hold; a tag without
  // it carries no site's data, so one small request tells whether to ask again.
  var known = boot.notices && Object.prototype.hasOwnProperty.call(boot.notices, site);
  if (current && known) current = s.notice_version >= boot.notices[site];
  else if (current) {
    fetch(origin + "/v1/sites/" + encodeURIComponent(site) + "/loader.json")
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b && !(s.notice_version >= b.consent_valid_from)) load(); })
      .catch(function () {});
  }
  // A returning visitor whose choice stands: vendors hear "tcloaded" with the stored TCData,
  // before any of their scripts runs. Otherwise the banner tells (`_tcf`, `_display`).
  if (current && validTcf(s.tcf) && tcfOn) tcfEvent(s.tcf, "tcloaded");
  // Calls another CMP's stub held, in their order.
  tcfQueued.splice(0).forEach(function (args) {
    guard(function () { tcfApi.apply(null, args); });
  });
  if (current) {
    var fab = function () { guard(function () { drawFab(s.label); }); };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fab);
    else fab();
  } else {
    load();
  }
})();
