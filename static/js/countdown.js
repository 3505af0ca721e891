// Remaining-time countdowns ("in 9 min", "3 h 5 min overdue") that keep ticking in the page.
//
// The server renders each one as <span class="countdown" data-due="…" data-now="…">, both
// ISO 8601: the due time and the server's clock when it rendered the page. The text is
// recomputed every second from the server's clock (so a wrong clock on the tablet does not
// matter) with the same words and rounding as the server (the djangojs catalogue). When the
// due time passes, the countdown and the row or list item around it take the look the server
// gives a missed deadline, without a reload. Countdowns swapped in by htmx tick as well.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) {
    return text;
  };

  // "%(h)d h %(m)d min" with {h: 1, m: 20}: Django's interpolate() knows only %(name)s.
  function fill(format, values) {
    return format.replace(/%\((\w+)\)[sd]/g, function (match, name) {
      return String(values[name]);
    });
  }

  // The server's words: complaints/templatetags/desk.py countdown().
  function describe(seconds) {
    var overdue = seconds < 0;
    var rest = Math.abs(seconds);
    var days = Math.floor(rest / 86400);
    rest -= days * 86400;
    var hours = Math.floor(rest / 3600);
    rest -= hours * 3600;
    var minutes = Math.floor(rest / 60);
    var text;
    if (days) {
      text = fill(gettext("%(d)d d %(h)d h"), { d: days, h: hours });
    } else if (hours) {
      text = fill(gettext("%(h)d h %(m)d min"), { h: hours, m: minutes });
    } else {
      text = fill(gettext("%(m)d min"), { m: minutes });
    }
    return fill(overdue ? gettext("%(time)s overdue") : gettext("in %(time)s"), { time: text });
  }

  // How far the server's clock is ahead of this browser's, learnt from the first sight of
  // each countdown (rendered at data-now).
  function skewOf(element) {
    if (element.countdownSkew === undefined) {
      var serverNow = Date.parse(element.dataset.now || "");
      element.countdownSkew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    }
    return element.countdownSkew;
  }

  function markBreached(element) {
    element.classList.add("is-breached");
    var row = element.closest("tr");
    if (row) {
      row.classList.remove("table-warning");
      row.classList.add("table-danger");
    }
    var item = element.closest(".list-group-item");
    if (item) {
      item.classList.add("list-group-item-danger");
    }
    var scope = row || item || element.parentElement;
    if (scope) {
      scope.querySelectorAll(".bi-hourglass-split").forEach(function (icon) {
        icon.classList.remove("bi-hourglass-split");
        icon.classList.add("bi-exclamation-octagon", "text-danger");
      });
    }
  }

  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (element) {
      var due = Date.parse(element.dataset.due);
      if (isNaN(due)) {
        return;
      }
      var remaining = due - (Date.now() + skewOf(element));
      var text = describe(Math.trunc(remaining / 1000));
      if (element.textContent !== text) {
        element.textContent = text;
      }
      if (remaining <= 0 && !element.classList.contains("is-breached")) {
        markBreached(element);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSettle", tick);
})();
