// The app's only script (inlined into <head> by ui/app.py; nothing is loaded from elsewhere).
// [n] citation links scroll to and highlight their source; evidence-map cells and filter-chip buttons send an
// action string to the hidden #ui-action textbox, whose Python handler updates filters, tables and tabs.
(function () {
  "use strict";
  function highlight(id) {
    var card = document.getElementById(id);
    if (!card) { return; }
    document.querySelectorAll(".src.hl").forEach(function (el) { el.classList.remove("hl"); });
    card.classList.add("hl");
    card.setAttribute("tabindex", "-1");
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.focus({ preventScroll: true });
  }
  function send(action) {
    var box = document.querySelector("#ui-action textarea, #ui-action input");
    if (!box) { return; }
    var proto = box.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(box, action + "|" + Date.now());
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a.cite, a.cell, a.chip-x") : null;
    if (!a) { return; }
    e.preventDefault();
    var href = a.getAttribute("href") || "";
    if (a.classList.contains("cite")) { highlight(href.slice(1)); } else { send(href.slice(1)); }
  }, true);
})();
