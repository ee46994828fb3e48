// Small behaviours only: keyboard shortcuts, focus, and error messages. htmx does the rest.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function focusSearch(event) {
    var box = document.getElementById("search-q") || document.getElementById("global-search");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  }

  // "/" (when not typing) and Ctrl-K / Cmd-K focus the global search.
  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if ((event.ctrlKey || event.metaKey) && (key === "k" || key === "K")) {
      focusSearch(event);
    } else if (key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
      focusSearch(event);
    }
  });

  // Errors htmx does not swap in place (other than 409/422) go to the message area.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var html = xhr.responseText && type.indexOf("text/html") === 0 && xhr.responseText.length < 4000;
    box.innerHTML = html
      ? xhr.responseText
      : '<p class="flash flash-error" role="alert">The request failed (' + xhr.status + "). Nothing was saved.</p>";
  });

  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("messages");
    if (box) {
      box.innerHTML = '<p class="flash flash-error" role="alert">The console could not be reached. Check the connection and try again.</p>';
    }
  });

  // Messages sent in an HX-Trigger header (responses without a body to carry them).
  document.body.addEventListener("console:messages", function (event) {
    var box = document.getElementById("messages");
    var list = (event.detail && event.detail.messages) || [];
    if (!box) return;
    box.innerHTML = "";
    list.forEach(function (message) {
      var p = document.createElement("p");
      p.className = "flash flash-" + message.category;
      if (message.category === "error") p.setAttribute("role", "alert");
      p.textContent = message.text;
      box.appendChild(p);
    });
  });
})();
