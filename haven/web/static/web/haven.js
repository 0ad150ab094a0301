// Progressive enhancement only: every page works without this file.
// Move the keyboard and the screen reader to a form's error summary when a page has one.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
