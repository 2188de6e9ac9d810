// Every htmx request carries the session's CSRF token; forms carry it as a hidden field as well.
document.addEventListener("htmx:configRequest", function (e) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    e.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
// A request that never reached the server (network down, server stopped) is shown, not swallowed.
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("messages");
  if (box) {
    box.innerHTML = '<div class="notice error" role="alert">The dashboard cannot reach Turnout. Check that it is running, then try again.</div>';
  }
});
