/* Live trigger alerts (server-sent events): the badge lights up the moment a
   contact is warm again. The server closes the feed of the oldest tab when a
   user opens more than a few; such a tab stops listening (no reconnect loop)
   and listens again when it is looked at. */
(function () {
  "use strict";
  var badge = document.getElementById("alert-indicator");
  if (!badge || !window.EventSource) return;
  var feed = null;

  function show(unseen, latest) {
    badge.hidden = unseen < 1;
    badge.dataset.unseen = unseen;
    badge.textContent = latest ? "New: " + latest : unseen + (unseen === 1 ? " new alert" : " new alerts");
  }
  function listen() {
    if (feed) return;
    feed = new EventSource("/api/alerts/stream");
    feed.addEventListener("count", function (e) { show(JSON.parse(e.data).unseen, null); });
    feed.addEventListener("alert", function (e) {
      var a = JSON.parse(e.data);
      show(a.unseen, a.contact + " " + a.summary);
    });
    feed.addEventListener("superseded", function () { feed.close(); feed = null; });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") listen();
  });
  listen();
})();
