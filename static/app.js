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

  // Lists: j / k move through the rows, Enter opens the selected one, [ and ] change page.
  // "g" then s / o / f / m / a goes to a console area; "?" shows the keys.
  var AREAS = { s: "/support/", o: "/operations/", f: "/finance/", m: "/moderation/", a: "/admin/" };
  var pendingG = 0;

  function listRows() {
    var table = document.querySelector("table.list-table");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]")) : [];
  }

  function moveSelection(step) {
    var rows = listRows();
    if (!rows.length) return;
    var current = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = current < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, current + step));
    rows.forEach(function (row) { row.classList.remove("selected"); row.removeAttribute("aria-selected"); });
    rows[next].classList.add("selected");
    rows[next].setAttribute("aria-selected", "true");
    rows[next].scrollIntoView({ block: "nearest" });
  }

  function toggleKeyHelp() {
    var dialog = document.getElementById("key-help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500 && AREAS[key]) {
      pendingG = 0;
      var link = document.querySelector('nav.mainnav a[href="' + AREAS[key] + '"]');
      if (link) { event.preventDefault(); window.location.href = link.href; }
      return;
    }
    pendingG = 0;
    if (key === "g") { pendingG = Date.now(); return; }
    if (key === "?") { event.preventDefault(); toggleKeyHelp(); return; }
    if (key === "j" || key === "k") { event.preventDefault(); moveSelection(key === "j" ? 1 : -1); return; }
    if (key === "Enter") {
      var selected = document.querySelector("table.list-table tbody tr.selected[data-href]");
      if (selected && event.target === document.body) { event.preventDefault(); window.location.href = selected.dataset.href; }
      return;
    }
    if (key === "[" || key === "]") {
      var pager = document.querySelector('.pager a[data-key="' + key + '"]');
      if (pager) { event.preventDefault(); pager.click(); }
      return;
    }
    // A screen's main action marked with its key ("Take next": t).
    var action = /^[a-z]$/.test(key) && document.querySelector('button[data-key="' + key + '"]:not([disabled])');
    if (action) { event.preventDefault(); action.click(); }
  });

  // A click anywhere on a list row (not on its own links or buttons) opens it.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("table.list-table tbody tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label")) return;
    window.location.href = row.dataset.href;
  });

  // Buttons of dialogs marked data-close close them.
  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) { var dialog = closer.closest("dialog"); if (dialog) dialog.close(); }
  });
})();

// Presence (templates/_macros/presence.html): the polling element [data-presence="kind:id"]
// asks who else has the record open. Typing in a form marked data-presence-typing="kind:id"
// makes the next ping say typing=1; the first keystroke after a quiet spell pings at once
// (at most every 5 s). A failed poll is background work: it clears the line, shows no message.
(function () {
  "use strict";

  var TYPING_PING_GAP_MS = 5000;
  var typed = {};
  var lastPing = {};
  var lastLine = new WeakMap();

  function presenceOf(elt) {
    return elt && elt.closest ? elt.closest("[data-presence]") : null;
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest("[data-presence-typing]") : null;
    if (!form) return;
    var key = form.getAttribute("data-presence-typing");
    typed[key] = true;
    var line = document.querySelector('[data-presence="' + CSS.escape(key) + '"]');
    if (line && window.htmx && Date.now() - (lastPing[key] || 0) >= TYPING_PING_GAP_MS) {
      lastPing[key] = Date.now();
      window.htmx.trigger(line, "presence-typing");
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var line = event.detail.elt;
    if (!line.hasAttribute || !line.hasAttribute("data-presence")) return;
    var key = line.getAttribute("data-presence");
    lastPing[key] = Date.now();
    if (typed[key]) {
      event.detail.parameters.typing = "1";
      typed[key] = false;
    }
  });

  // The same line again is not swapped, so screen readers do not hear it every 10 s.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var line = event.detail.elt;
    if (!line.hasAttribute || !line.hasAttribute("data-presence")) return;
    var text = event.detail.serverResponse;
    if (lastLine.get(line) === text) {
      event.detail.shouldSwap = false;
    } else {
      lastLine.set(line, text);
    }
  });

  function quietly(event) {
    var line = presenceOf(event.target);
    if (!line) return;
    event.stopPropagation();
    line.textContent = "";
    lastLine.delete(line);
  }
  // Capture phase: runs before (and stops) the message-area handlers above.
  document.addEventListener("htmx:responseError", quietly, true);
  document.addEventListener("htmx:sendError", quietly, true);
})();

// The case screen: r / n focus the reply / the note; Ctrl-/ or # the canned-reply search;
// choosing a canned reply inserts its text (filled in for the case) at the reply's cursor and
// remembers which one it was, so sending counts its use. Without JavaScript the choice is a
// link that opens the case with the reply started from it.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return target && (target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT");
  }

  function focusField(id, event) {
    var field = document.getElementById(id);
    if (!field) return;
    event.preventDefault();
    field.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "/") { focusField("canned-q", event); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "#") focusField("canned-q", event);
    else if (event.key === "r") focusField("reply-body", event);
    else if (event.key === "n") focusField("note-body", event);
  });

  document.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest("[data-canned-text]");
    var reply = document.getElementById("reply-body");
    if (!choice || !reply) return;
    event.preventDefault();
    var text = choice.getAttribute("data-canned-text");
    var start = reply.selectionStart || 0;
    var end = reply.selectionEnd || 0;
    reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
    var id = document.getElementById("canned-reply-id");
    if (id) id.value = choice.getAttribute("data-canned-id");
    reply.focus();
    reply.setSelectionRange(start + text.length, start + text.length);
    reply.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();

// Finance (ledgers, payouts, chargebacks): a button marked data-open-dialog="id" opens that
// <dialog> (a confirmation naming the amount and the record); data-close-dialog closes it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
  });
})();
