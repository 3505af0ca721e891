// Keyboard shortcuts of the desk, active only while the user is not typing in a field:
//   /      focuses the search box of the page (the cases list);
//   j, k   move to the next or previous entry of a list marked data-keynav-item (the
//          approval queue, the overdue board, the cases list);
//   Enter  on such an entry opens its case (its first link).
// A list that htmx refreshes (the overdue board) keeps the focused entry focused.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) {
    return text;
  };

  function isTyping(target) {
    return (
      target instanceof Element &&
      (target.isContentEditable || !!target.closest("input, textarea, select, [contenteditable]"))
    );
  }

  function visible(element) {
    return element.getClientRects().length > 0;
  }

  function searchBox() {
    var boxes = document.querySelectorAll("input[type=search], [data-search-shortcut]");
    for (var i = 0; i < boxes.length; i += 1) {
      if (visible(boxes[i])) {
        return boxes[i];
      }
    }
    return null;
  }

  function items() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-keynav-item]"), visible);
  }

  function focusItem(item) {
    if (!item.hasAttribute("tabindex")) {
      item.setAttribute("tabindex", "-1");
    }
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    if (!list.length) {
      return false;
    }
    var current = document.activeElement && document.activeElement.closest("[data-keynav-item]");
    var index = list.indexOf(current);
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : index + step;
    focusItem(list[Math.max(0, Math.min(list.length - 1, next))]);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (event.key === "Enter" && target instanceof Element && target.matches("[data-keynav-item]")) {
      var link = target.querySelector("a[href]");
      if (link) {
        event.preventDefault();
        link.click();
      }
      return;
    }
    if (isTyping(target)) {
      return;
    }
    if (event.key === "/") {
      var box = searchBox();
      if (box) {
        event.preventDefault();
        box.focus();
        if (typeof box.select === "function") {
          box.select();
        }
      }
    } else if (event.key === "j" || event.key === "k") {
      if (move(event.key === "j" ? 1 : -1)) {
        event.preventDefault();
      }
    }
  });

  // htmx replaces the overdue board every 30 seconds: put the focus back where it was.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    var item = active && active.closest && active.closest("[data-keynav-item]");
    kept = item
      ? { key: item.getAttribute("data-keynav-item"), href: active === item ? null : active.getAttribute("href") }
      : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!kept || (document.activeElement && document.activeElement !== document.body)) {
      kept = null;
      return;
    }
    var item = document.querySelector('[data-keynav-item="' + CSS.escape(kept.key) + '"]');
    if (item) {
      var link = kept.href && item.querySelector('a[href="' + CSS.escape(kept.href) + '"]');
      if (link) {
        link.focus();
      } else {
        focusItem(item);
      }
    }
    kept = null;
  });

  function describeShortcut() {
    var box = searchBox();
    if (box && !box.hasAttribute("aria-keyshortcuts")) {
      box.setAttribute("aria-keyshortcuts", "/");
      if (!box.title) {
        box.title = gettext("Press / to search");
      }
    }
  }

  document.addEventListener("DOMContentLoaded", describeShortcut);
})();
