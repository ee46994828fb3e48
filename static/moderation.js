// Moderation keys (templates/moderation/*): the queue's bulk selection (x, shift-click) and
// the focus screen's decisions (a / r / x, 1–7 reasons, n note, u undo, j / k claimed items,
// Esc back to the queue). Runs before app.js's list keys (capture phase) and stops the keys it
// handles, so a key does one thing; every key has a visible button or link too.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return target && (target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT");
  }

  function handled(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  function press(element) {
    if (element.tagName === "A") window.location.href = element.href;
    else element.click();
  }

  // --- the focus screen ------------------------------------------------------------------------

  var form = document.querySelector("form[data-keyed-decisions]");
  var armed = null; // a reject / remove button waiting for its reason

  function needsReason(button) {
    return button.hasAttribute("data-needs-reason") && form && !form.querySelector('input[name="reason"]:checked');
  }

  function decide(button) {
    if (button.disabled) return;
    if (needsReason(button)) {
      armed = button;
      var hint = form.querySelector("[data-reason-needed]");
      if (hint) hint.hidden = false;
      var first = form.querySelector("input[data-reason-key]");
      if (first) first.closest("fieldset").classList.add("wants-reason");
      return;
    }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = b !== button; });
    // A disabled button is not submitted: send its name and value along.
    if (button.name) {
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = button.name;
      carried.value = button.value;
      form.appendChild(carried);
    }
    if (button.getAttribute("formaction")) form.action = button.getAttribute("formaction");
    form.submit();
  }

  function chooseReason(digit) {
    var radio = form && form.querySelector('input[data-reason-key="' + digit + '"]');
    if (!radio) return false;
    radio.checked = true;
    if (armed) { var button = armed; armed = null; decide(button); }
    return true;
  }

  // --- the queue ---------------------------------------------------------------------------------

  var bulk = document.getElementById("bulk-form");
  var lastChecked = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name="item"]:not([disabled])'));
  }

  function refreshBulk() {
    if (!bulk) return;
    var count = boxes().filter(function (b) { return b.checked; }).length;
    var shown = bulk.querySelector("[data-selected-count]");
    if (shown) shown.textContent = count;
    var submit = bulk.querySelector("[data-bulk-submit]");
    if (submit) submit.disabled = count === 0;
    bulk.classList.toggle("has-selection", count > 0);
  }

  document.addEventListener("click", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches('input[type=checkbox][name="item"]')) return;
    var all = boxes();
    if (event.shiftKey && lastChecked && lastChecked !== box) {
      var from = all.indexOf(lastChecked), to = all.indexOf(box);
      if (from >= 0 && to >= 0) {
        all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) { b.checked = box.checked; });
      }
    }
    lastChecked = box;
    refreshBulk();
  });
  document.addEventListener("htmx:afterSwap", function () { bulk = document.getElementById("bulk-form"); lastChecked = null; refreshBulk(); });

  // --- keys ------------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (typing(event.target)) {
      if (key === "Escape") event.target.blur();
      return;
    }
    var help = document.getElementById("moderation-keys");
    if (key === "?" && help) {
      handled(event);
      if (help.open) help.close(); else help.showModal();
      return;
    }
    if (document.querySelector("dialog[open]")) return;
    if (form) {
      if (/^[1-7]$/.test(key)) { if (chooseReason(key)) handled(event); return; }
      if (key === "n") { var note = form.querySelector("[data-note]"); if (note) { handled(event); note.focus(); } return; }
      var target = document.querySelector('[data-moderation-key="' + key + '"]');
      if (target) {
        handled(event);
        if (target.closest("form") === form && target.tagName === "BUTTON") decide(target); else press(target);
        return;
      }
      if (key === "Escape") { var back = document.querySelector("a[data-back]"); if (back) { handled(event); press(back); } return; }
      if (key === "j" || key === "k") { handled(event); return; } // no claimed item that way
    } else {
      var keyed = document.querySelector('[data-moderation-key="' + key + '"]');
      if (keyed) { handled(event); press(keyed); return; }
    }
    if (key === "x" && bulk) {
      var row = document.querySelector("table.list-table tbody tr.selected");
      var box = row && row.querySelector('input[type=checkbox][name="item"]:not([disabled])');
      if (box) { handled(event); box.checked = !box.checked; lastChecked = box; refreshBulk(); }
    }
  }, true);

  // The "Keys" button of the focus bar.
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-show-keys]")) return;
    var help = document.getElementById("moderation-keys");
    if (help) help.showModal();
  });

  // A decision form submitted with the mouse still says which reason is missing.
  if (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && needsReason(button)) { event.preventDefault(); decide(button); }
    });
  }
  refreshBulk();
})();
