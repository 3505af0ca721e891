// Small behaviours of the browser application. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // Intake: ticking "safety-related" when a safety component is chosen (the advisor can untick).
  function proposeSafety(select) {
    var safety = (select.dataset.safetyComponents || "").split(" ");
    var box = document.getElementById("id_is_safety_related");
    if (box && safety.indexOf(select.value) !== -1) {
      box.checked = true;
    }
  }

  // Intake: the new-customer fields only matter while "New customer" is picked.
  function syncCustomerPick(form) {
    var picked = form.querySelector("input[name=pick]:checked");
    form.classList.toggle("is-existing-customer", !!(picked && picked.value));
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-safety-components]")) {
      proposeSafety(target);
    }
    if (target.matches("input[name=pick]")) {
      syncCustomerPick(target.form);
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var form = document.getElementById("intake-form");
    if (form) {
      syncCustomerPick(form);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("intake-form");
    if (form) {
      syncCustomerPick(form);
    }
  });
})();
