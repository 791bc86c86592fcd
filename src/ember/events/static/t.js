/* Ember tracking snippet: reports page views so that Ember can tell a rep when a
   known contact is back on the website. Add it to every page:

     <script src="https://EMBER-HOST/t.js" data-site="site_..." async></script>

   A visitor is tied to a contact by the ember_cid parameter of links in our
   emails, or by ember.identify("name@company.com", {hash: "..."}) after a form,
   where the hash is the HMAC-SHA256 of the email that your server computes with
   the source's identity secret (see `ember sources list --show-secrets`). An
   email without its hash is recorded as unverified and alerts nobody.
   Nothing is sent when the browser asks not to be tracked. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.JSON) return;
  var optedOut = navigator.doNotTrack === "1" || window.doNotTrack === "1" ||
    navigator.msDoNotTrack === "1" || navigator.globalPrivacyControl === true;
  var siteKey = script.getAttribute("data-site");
  var endpoint = new URL("/t/collect", script.src).href;

  function remember(name, value) {
    try {
      if (value) localStorage.setItem(name, value);
      return localStorage.getItem(name) || value;
    } catch (e) {
      return value;  // storage blocked: this page view still counts
    }
  }
  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function pageUrl() {  // the contact token stays out of stored URLs
    return location.href.replace(/([?&])ember_cid=[^&#]*&?/, "$1").replace(/[?&](#|$)/, "$1");
  }

  var params = new URLSearchParams(location.search);
  var contactToken = optedOut ? null : remember("ember_cid", params.get("ember_cid"));
  var visitorId = optedOut ? null : (remember("ember_aid", null) || remember("ember_aid", randomId()));

  function send(data) {
    if (optedOut || !siteKey) return;
    data.k = siteKey;
    data.i = randomId();
    data.a = visitorId;
    if (contactToken) data.c = contactToken;
    var body = JSON.stringify(data);
    // text/plain keeps it a simple request: no CORS preflight from the team's site.
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], {type: "text/plain"}))) return;
    fetch(endpoint, {method: "POST", body: body, keepalive: true, mode: "no-cors",
                     headers: {"Content-Type": "text/plain"}});
  }

  window.ember = {
    page: function () { send({t: "page", u: pageUrl(), r: document.referrer, n: document.title}); },
    identify: function (email, options) {
      if (!email) return;
      var data = {t: "identify", e: String(email), u: pageUrl()};
      if (options && options.hash) data.h = String(options.hash);
      send(data);
    }
  };
  window.ember.page();
})();
