// A stand-in for a tag manager container, for the demo: it processes dataLayer the way
// Google Tag Manager does (entries already pushed, then every later push) and has one tag
// with a Custom Event trigger on `assent_consent_update` when analytics is granted.
(function () {
  var dataLayer = (window.dataLayer = window.dataLayer || []);
  var fired = (window.__containerTagsFired = []);
  function row(label, tag) {
    var log = document.getElementById("container-log");
    if (!log) return;
    var tr = document.createElement("tr");
    [label, tag || ""].forEach(function (text) {
      var td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    });
    log.appendChild(tr);
  }
  function process(entry) {
    var label = entry && entry.event ? "event " + entry.event : entry && entry[0] ? entry[0] + " " + (entry[1] || "") : "";
    var tag = null;
    if (entry && entry.event === "assent_consent_update" && entry.assent && entry.assent.decisions.analytics === "granted") {
      tag = "analytics tag (" + entry.assent.trigger + ")";
      fired.push(entry.assent.trigger);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { row(label, tag); });
    } else {
      row(label, tag);
    }
  }
  dataLayer.forEach(process);
  var push = dataLayer.push;
  dataLayer.push = function () {
    var result = push.apply(dataLayer, arguments);
    for (var i = 0; i < arguments.length; i++) process(arguments[i]);
    return result;
  };
})();
