// Progressive enhancement only: without this file the form's "Show the districts of this
// city" button brings the page back with the chosen city's districts.
// With it, the district list follows the city select at once and the button is taken out
// (so Enter in a field sends the form, not the district step).
document.addEventListener("DOMContentLoaded", function () {
  var forms = document.querySelectorAll("form[data-districts-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var city = form.querySelector("select[name=city]");
    var district = form.querySelector("select[name=district_slug]");
    var listed = form.querySelector("input[data-districts-of]");
    var step = form.querySelector("button[data-district-step]");
    if (!city || !district || !listed || !step || !window.fetch) { return; }
    var stepParent = step.parentNode;
    var stepNext = step.nextSibling;
    stepParent.removeChild(step);
    var url = form.getAttribute("data-districts-url");
    city.addEventListener("change", function () {
      var asked = city.value;
      var keep = district.value;
      fetch(url + "?city=" + encodeURIComponent(asked), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (city.value !== asked) { return; }  // the person picked another city meanwhile
          var blank = district.options[0];
          var blankText = blank ? blank.text : "—";
          district.length = 0;
          district.add(new Option(blankText, ""));
          (body.districts || []).forEach(function (pair) {
            district.add(new Option(pair[1], pair[0], false, pair[0] === keep));
          });
          listed.value = asked;
        })
        .catch(function () {
          // Offline or refused: the button comes back, the way without JavaScript.
          if (!step.parentNode) { stepParent.insertBefore(step, stepNext); }
        });
    });
  });
});
