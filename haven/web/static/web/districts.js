// Progressive enhancement only: without this file the form's "Show the districts of this
// city" button brings the page back with the chosen city's districts.
// With it, the district list follows the city select at once and the button is hidden.
document.addEventListener("DOMContentLoaded", function () {
  var forms = document.querySelectorAll("form[data-districts-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var city = form.querySelector("select[name=city]");
    var district = form.querySelector("select[name=district_slug]");
    if (!city || !district || !window.fetch) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-district-step]"), function (button) {
      button.hidden = true;
    });
    var url = form.getAttribute("data-districts-url");
    city.addEventListener("change", function () {
      var asked = city.value;
      var keep = district.value;
      fetch(url + "?city=" + encodeURIComponent(asked), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (city.value !== asked) { return; }  // the person picked another city meanwhile
          var blank = district.options[0];
          district.length = 0;
          district.add(new Option(blank ? blank.text : "—", ""));
          (body.districts || []).forEach(function (pair) {
            district.add(new Option(pair[1], pair[0], false, pair[0] === keep));
          });
        })
        .catch(function () {
          // Offline or refused: show the button again, the way without JavaScript.
          Array.prototype.forEach.call(form.querySelectorAll("[data-district-step]"), function (button) {
            button.hidden = false;
          });
        });
    });
  });
});
