/* hypecheck page enhancements. The page works without this file:
   it adds the detail dialog for highlighted claims, a busy state on Check,
   and printing with all notes expanded. No HTML is ever built from strings. */
(function () {
  "use strict";

  var dialog = document.getElementById("detail");
  var content = document.getElementById("detail-content");
  var title = document.getElementById("detail-title");
  var opener = null;

  function openDetail(numbers, from) {
    if (!dialog || typeof dialog.showModal !== "function") {
      // Old browser: jump to the finding in the list instead.
      if (numbers.length) { location.hash = "finding-" + numbers[0]; }
      return;
    }
    content.replaceChildren();
    var seen = [];
    numbers.forEach(function (n) {
      var quote = document.getElementById("finding-" + n);
      var body = quote ? quote.closest(".finding-body") : null;
      if (!body) { return; }
      var index = seen.indexOf(body);
      var copy;
      if (index === -1) {
        seen.push(body);
        copy = body.cloneNode(true);
        copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
        copy.querySelectorAll("details.notes").forEach(function (el) { el.open = true; });
        content.appendChild(copy);
      } else {
        copy = content.children[index];
      }
      var item = copy.querySelector(".quotes li[data-n='" + n + "']");
      if (item) { item.classList.add("current"); }
    });
    if (!content.firstChild) { return; }
    title.textContent = numbers.length > 1 ? "Why these were flagged" : "Why this was flagged";
    opener = from || null;
    dialog.showModal();
    title.focus();
  }

  if (dialog) {
    dialog.addEventListener("close", function () {
      content.replaceChildren();
      if (opener && document.contains(opener)) { opener.focus(); }
      opener = null;
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); } // click on the backdrop
      var action = event.target.closest("[data-action='close']");
      if (action) { dialog.close(); }
      var ref = event.target.closest("a[href^='#source-']");
      if (ref) { dialog.close(); }
    });
  }

  var text = document.getElementById("checked-text");
  if (text) {
    text.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-finding]");
      if (button) {
        openDetail([button.getAttribute("data-finding")], button);
        return;
      }
      var mark = event.target.closest("mark[data-findings]");
      if (mark && !window.getSelection().toString()) {
        var numbers = mark.getAttribute("data-findings").split(" ");
        var first = document.querySelector("#checked-text button[data-finding='" + numbers[0] + "']");
        openDetail(numbers, first);
      }
    });
  }

  // Busy state while the server checks (reset when coming back via history).
  document.querySelectorAll("form.check-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type='submit']");
      if (!button) { return; }
      button.setAttribute("aria-busy", "true");
      button.dataset.label = button.textContent;
      button.textContent = button.getAttribute("data-busy-label") || button.textContent;
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[aria-busy='true']").forEach(function (button) {
      button.removeAttribute("aria-busy");
      if (button.dataset.label) { button.textContent = button.dataset.label; }
    });
  });

  // Printing: show every note.
  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".findings details").forEach(function (el) { el.open = true; });
  });
})();
