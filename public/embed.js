/*
 * Assent loader. Put it first in <head>, synchronous:
 *   <script src="https://ASSENT_ORIGIN/embed.js" data-site="SITE_ID"></script>
 * It installs `window.assent` at once and loads the banner (WebAssembly) asynchronously.
 * The server fills in the current build's hashed file names below.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var boot = /*ASSENT_BOOT*/null;
  if (!script || !script.src || !boot) return;
  var site = script.getAttribute("data-site");
  if (!site) {
    console.error("Assent: the script tag needs a data-site attribute");
    return;
  }
  var origin = new URL(script.src).origin;
  var storageKey = "assent.v1." + site;
  var pending = [];
  var listeners = [];
  var loading = false;

  function stored() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (e) {
      return null;
    }
  }

  // Google Consent Mode v2: defaults before any tag can run (everything denied but security,
  // which is strictly necessary), then a replay of the stored choice. `gtag` must push the
  // `arguments` object: Google's tags ignore plain arrays.
  var useGcm = script.getAttribute("data-gcm") !== "off";
  window.dataLayer = window.dataLayer || [];
  function gtag() {
    window.dataLayer.push(arguments);
  }
  function consentModeUpdate(gcm) {
    if (!useGcm || !gcm) return;
    gtag("consent", "update", gcm);
    gtag("set", "ads_data_redaction", gcm.ad_storage !== "granted");
  }
  if (useGcm) {
    window.gtag = window.gtag || gtag;
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
  // src) and iframes (`<iframe data-src data-category>`) run once their category is granted.
  function activate(decisions) {
    if (!decisions) return;
    var granted = function (el) { return decisions[el.getAttribute("data-category")] === "granted"; };
    document.querySelectorAll('script[type="text/plain"][data-category]').forEach(function (el) {
      if (!granted(el)) return;
      var s = document.createElement("script");
      for (var i = 0; i < el.attributes.length; i++) {
        var a = el.attributes[i];
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      }
      s.setAttribute("data-assent", "activated");
      s.text = el.text;
      el.parentNode.replaceChild(s, el);
    });
    document.querySelectorAll("iframe[data-src][data-category]").forEach(function (el) {
      if (!granted(el)) return;
      el.setAttribute("src", el.getAttribute("data-src"));
      el.removeAttribute("data-src");
    });
  }

  var initial = stored();
  if (initial) consentModeUpdate(initial.gcm);
  function activateStored() {
    var s = stored();
    if (s) activate(s.decisions);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", activateStored);
  else activateStored();

  function load() {
    if (loading) return;
    loading = true;
    var module = import(origin + boot.js);
    var domReady = new Promise(function (resolve) {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve);
      else resolve();
    });
    Promise.all([module, domReady])
      .then(function (r) { return r[0].default({ module_or_path: origin + boot.wasm }); })
      .catch(function (e) { console.error("Assent: the banner failed to load", e); });
  }

  // Commands reach the banner through `_dispatch` once it runs; until then they queue.
  function command(name) {
    if (api._dispatch) api._dispatch(name);
    else {
      pending.push(name);
      load();
    }
  }

  var api = (window.assent = {
    config: { site: site, origin: origin, lang: script.getAttribute("data-lang"), build: boot.build, storageKey: storageKey },
    /** The visitor's current decisions ({purpose: "granted" | "denied"}), or null before any choice. */
    get: function () {
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
    showPreferences: function () { command("preferences"); },
    _pending: pending,
    _dispatch: null,
    /** Called by the banner after every decision: apply it, then tell the page. */
    _emit: function (decisions, gcm) {
      consentModeUpdate(gcm);
      activate(decisions);
      listeners.forEach(function (fn) {
        try { fn(decisions); } catch (e) { console.error(e); }
      });
      window.dispatchEvent(new CustomEvent("assent:change", { detail: decisions }));
    },
  });

  load();
})();
