// The hand-off to the settings page Assent hosts: a single-use link for this visitor.
document.getElementById("hosted").addEventListener("click", function () {
  window.assent.settingsLink().then(
    function (url) { window.location.href = url; },
    function (e) { alert(e.message); },
  );
});
