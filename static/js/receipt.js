// The receipt's print button: a script file, since the Content-Security-Policy refuses inline
// handlers.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll('[data-action="print"]')) {
    button.addEventListener("click", () => window.print());
  }
});
