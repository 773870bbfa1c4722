// The hand-off to the settings page Assent hosts: a single-use link for this visitor.
document.getElementById("hosted").addEventListener("click", function () {
  // Before a first choice there is nothing to show there yet: the preferences ask for one.
  window.assent.settingsLink().then(
    function (url) { window.location.href = url; },
    function () { window.assent.showPreferences(); },
  );
});
