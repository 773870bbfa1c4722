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
    /** Called by the banner after every recorded choice. */
    _emit: function (decisions) {
      listeners.forEach(function (fn) {
        try { fn(decisions); } catch (e) { console.error(e); }
      });
      window.dispatchEvent(new CustomEvent("assent:change", { detail: decisions }));
    },
  });

  load();
})();
