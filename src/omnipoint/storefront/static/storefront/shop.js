/* The storefront's only script: ask the browser where the customer is, once, and reload the
   page with lat/lng so the server lists the outlets nearest to them; and keep a double tap
   on "place order" from sending the form twice (the server refuses a second order anyway); and
   price the checkout again when points or the wallet are ticked. */
(function () {
  "use strict";

  function reloadWith(pos) {
    var url = new URL(window.location.href);
    url.searchParams.set("lat", pos.coords.latitude.toFixed(5));
    url.searchParams.set("lng", pos.coords.longitude.toFixed(5));
    window.location.replace(url.toString());
  }

  function locate() {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(reloadWith, function () {}, {
      timeout: 8000,
      maximumAge: 600000,
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var geo = document.querySelector("[data-geo]");
    if (geo && geo.getAttribute("data-has-geo") !== "1") {
      var asked = false;
      try { asked = window.sessionStorage.getItem("shop-geo-asked") === "1"; } catch (e) { asked = true; }
      if (!asked) {
        try { window.sessionStorage.setItem("shop-geo-asked", "1"); } catch (e) { /* private mode */ }
        locate();
      }
    }
    document.querySelectorAll("[data-geo-button]").forEach(function (button) {
      button.addEventListener("click", locate);
    });
    // Ticking points or the wallet at checkout prices the form again (the "apply" button).
    document.querySelectorAll("input[data-preview]").forEach(function (box) {
      box.addEventListener("change", function () {
        var apply = box.form && box.form.querySelector("button[name=action][value=preview]");
        if (apply) box.form.requestSubmit(apply);
      });
    });
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
        }, 0);
      });
    });
  });
})();
