// Small behaviours only: keyboard shortcuts and focus. htmx does the rest.
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var xhr = event.detail.xhr;
    box.innerHTML = xhr.responseText && xhr.getResponseHeader("Content-Type") &&
      xhr.getResponseHeader("Content-Type").indexOf("text/html") === 0
      ? xhr.responseText
      : '<p class="flash flash-error" role="alert">The request failed (' + xhr.status + '). Nothing was saved.</p>';
  });
})();
