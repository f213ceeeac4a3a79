// The flash sale page asks where the buyer stands every two seconds (a small HTML fragment)
// and swaps it in; the page itself is whole without it.
(function () {
  var box = document.querySelector("[data-standing-url]");
  if (!box) return;
  setInterval(function () {
    fetch(box.getAttribute("data-standing-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && html !== box.innerHTML) box.innerHTML = html; })
      .catch(function () {});
  }, 2000);
})();
