/* hypecheck page enhancements. The page works without this file:
   it remembers where the reader shops, adds the detail dialog for highlighted
   claims, a busy state on Check, and printing with each finding's notes open.
   No HTML is ever built from strings. */
(function () {
  "use strict";

  // The reader's market: remembered on this device, applied when the server only guessed it.
  var MARKET_KEY = "hypecheck.market";
  var market = document.querySelector("select[data-remember]");
  if (market) {
    var saved = null;
    try { saved = window.localStorage.getItem(MARKET_KEY); } catch (e) { saved = null; }
    if (saved && market.hasAttribute("data-default")) {
      Array.prototype.forEach.call(market.options, function (option) {
        if (option.value === saved) { market.value = saved; }
      });
    }
    market.addEventListener("change", function () {
      try { window.localStorage.setItem(MARKET_KEY, market.value); } catch (e) { /* private mode */ }
    });
  }

  var dialog = document.getElementById("detail");
  var content = document.getElementById("detail-content");
  var title = document.getElementById("detail-title");
  var opener = null;

  // Show every finding of highlight number `n`: one copy of each rule's explanation.
  function openDetail(n, from) {
    var quotes = document.querySelectorAll(".findings .quote[data-mark='" + n + "']");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (quotes.length) { location.hash = quotes[0].id; } // old browser: jump to the finding
      return;
    }
    content.replaceChildren();
    var seen = [];
    quotes.forEach(function (quote) {
      var finding = quote.closest(".finding");
      if (!finding || seen.indexOf(finding) !== -1) { return; }
      seen.push(finding);
      var copy = finding.querySelector("details.explain").cloneNode(true);
      copy.open = true;
      copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      copy.querySelectorAll(".quote[data-mark='" + n + "']").forEach(function (el) { el.classList.add("current"); });
      var box = document.createElement("div");
      box.className = finding.className;
      box.appendChild(copy);
      content.appendChild(box);
    });
    if (!content.firstChild) { return; }
    title.textContent = seen.length > 1 ? "Why this claim was flagged (" + seen.length + " rules)" : "Why this was flagged";
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
      if (event.target.closest("[data-action='close']")) { dialog.close(); }
      if (event.target.closest("a[href^='#source-']")) { dialog.close(); }
      // The summary of a copied finding must not fold it away inside the dialog.
      var summary = event.target.closest("details.explain > summary");
      if (summary) { event.preventDefault(); }
    });
  }

  var text = document.getElementById("checked-text");
  if (text) {
    text.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-mark], mark[data-mark]");
      if (!target || (target.tagName === "MARK" && window.getSelection().toString())) { return; }
      var n = target.getAttribute("data-mark");
      openDetail(n, text.querySelector("button[data-mark='" + n + "']"));
    });
  }

  // Busy state while the server checks (reset when coming back via history).
  document.querySelectorAll("form.check-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter || form.querySelector("button[type='submit']");
      if (!button) { return; }
      button.setAttribute("aria-busy", "true");
      button.dataset.label = button.textContent;
      button.textContent = button.getAttribute("data-busy-label") || "Checking…";
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[aria-busy='true']").forEach(function (button) {
      button.removeAttribute("aria-busy");
      if (button.dataset.label) { button.textContent = button.dataset.label; }
    });
  });

  // Printing: each finding's explanation open ("more" stays folded, and print.css hides it).
  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".findings details.explain, details.sources-box").forEach(function (el) { el.open = true; });
  });

  // A source number opens the folded sources list before the browser scrolls to it.
  document.addEventListener("click", function (event) {
    var ref = event.target.closest("a[href^='#source-']");
    var box = document.querySelector("details.sources-box");
    if (ref && box) { box.open = true; }
  });
})();
