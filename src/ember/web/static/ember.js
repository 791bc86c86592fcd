// Ember's page behaviour. Pages work without it for reading; it adds the live
// alert count, keyboard work on lists and small conveniences. No inline script
// anywhere: the content security policy forbids it.
(function () {
  "use strict";

  // ---- live alerts (server-sent events) ----
  // The server closes the feed of a user's oldest tab when they open more than a
  // few; such a tab stops listening (no reconnect tug of war) and listens again
  // when it is looked at.
  // The badge counts unseen alerts only; the inbox page repeats the figure in its heading.
  function show(unseen) {
    var count = document.getElementById("alert-count");
    var total = document.getElementById("unseen-total");
    if (count) {
      count.hidden = unseen < 1;
      count.textContent = unseen;
      count.dataset.unseen = unseen;
    }
    if (total) total.textContent = unseen;
  }

  function startAlertFeed() {
    var count = document.getElementById("alert-count");
    var live = document.getElementById("live-alert");
    if (!count || !window.EventSource) return;
    var feed = null;
    function listen() {
      if (feed) return;
      feed = new EventSource("/api/alerts/stream");
      feed.addEventListener("count", function (e) { show(JSON.parse(e.data).unseen); });
      feed.addEventListener("alert", function (e) {
        var alert = JSON.parse(e.data);
        show(alert.unseen);
        if (live) {
          live.textContent = "New alert: " + alert.contact + " " + alert.summary;
          live.hidden = false;
        }
        document.dispatchEvent(new CustomEvent("ember:alert", { detail: alert }));
      });
      feed.addEventListener("superseded", function () { feed.close(); feed = null; });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") listen();
    });
    window.addEventListener("pagehide", function () { if (feed) feed.close(); });
    listen();
  }

  // ---- the alerts inbox: a new alert is added on top as it arrives ----
  function addLiveAlert(alert) {
    var list = document.querySelector("[data-alert-inbox]");
    if (!list || list.dataset.show === "seen" || document.getElementById("alert-" + alert.id)) return;
    fetch("/alerts/" + encodeURIComponent(alert.id) + "/row", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html || document.getElementById("alert-" + alert.id)) return;
        list.insertAdjacentHTML("afterbegin", html);
        var empty = list.parentNode.querySelector(".empty-state");
        if (empty) empty.remove();
        if (window.htmx) window.htmx.process(list.firstElementChild);
      });
  }

  // ---- keyboard work on lists: j/k move, o opens, l logs ----
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function items(list) { return Array.prototype.slice.call(list.querySelectorAll("[data-item]")); }

  function move(list, step) {
    var all = items(list);
    if (!all.length) return;
    var at = all.findIndex(function (el) { return el.classList.contains("is-current"); });
    var next = all[Math.min(all.length - 1, Math.max(0, at + step))];
    all.forEach(function (el) { el.classList.remove("is-current"); el.removeAttribute("aria-current"); });
    next.classList.add("is-current");
    next.setAttribute("aria-current", "true");
    next.scrollIntoView({ block: "nearest" });
  }

  function act(list, selector) {
    var current = list.querySelector("[data-item].is-current") || items(list)[0];
    if (!current) return;
    var target = current.querySelector(selector);
    if (target) { target.click(); }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var list = document.querySelector("[data-worklist]");
    if (!list) return;
    var keys = { j: function () { move(list, 1); }, k: function () { move(list, -1); },
                 o: function () { act(list, "[data-open]"); }, l: function () { act(list, "[data-log]"); } };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  }

  // ---- small conveniences ----
  // Each element is wired once, whether it came with the page or in an htmx fragment.
  function each(root, selector, wireOne) {
    root.querySelectorAll(selector).forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      wireOne(el);
    });
  }

  function wireAutosubmit(root) {
    each(root, "[data-autosubmit]", function (field) {
      field.addEventListener("change", function () { field.form && field.form.requestSubmit(); });
    });
  }

  function wireConfirm(root) {
    each(root, "[data-confirm]", function (el) {
      el.addEventListener("click", function (e) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
      });
    });
  }

  // An action that opens (log, snooze, skip) puts the cursor in its first field,
  // so "l" then typing works without the mouse.
  function wireFocusFirst(root) {
    each(root, "details[data-focus-first]", function (box) {
      box.addEventListener("toggle", function () {
        if (!box.open) return;
        var field = box.querySelector("[data-first]") || box.querySelector("select, input:not([type=hidden]), textarea");
        if (field) field.focus();
      });
    });
  }

  function wire(root) { wireAutosubmit(root); wireConfirm(root); wireFocusFirst(root); }

  document.addEventListener("DOMContentLoaded", function () {
    startAlertFeed();
    wire(document);
    document.addEventListener("keydown", onKey);
    document.addEventListener("ember:alert", function (e) { addLiveAlert(e.detail); });
    document.addEventListener("ember:unseen", function (e) { show(e.detail.unseen); });
  });
  // Fragments swapped in by htmx get the same behaviour.
  document.addEventListener("htmx:load", function (e) { wire(e.target); });
})();
