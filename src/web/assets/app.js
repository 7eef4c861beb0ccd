// CareLine dashboard: live updates. One WebSocket to /ws/dashboard carries small notices
// ({seq, event, channel, id, at}: ids and states, never PHI). A notice does not carry what
// to show: each part of the page marked data-live="<channel>" fetches itself again through
// the normal, permission-checked page route (data-live may name several channels). The page
// says which event it was rendered after (body data-seq); the socket asks for everything
// after that, then after the last notice seen, so neither the moment between rendering and
// connecting nor a reconnect (a dropped network, a server restart) loses an event. A RESET
// notice (too much missed) reloads the page.
(function () {
  "use strict";
  var status = document.getElementById("live");
  if (!status || !window.WebSocket) { return; }
  var lastSeq = document.body.getAttribute("data-seq");
  var pending = {};
  var pendingIds = {};
  var timer = null;
  var delay = 1000;

  function show(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  // Someone is typing in this part: a field with focus, or one whose value differs from the
  // page's. Swapping the part now would throw their words away.
  function editing(el) {
    var fields = el.querySelectorAll("textarea, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f === document.activeElement) { return true; }
      if (f.tagName === "SELECT") {
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].selected !== f.options[j].defaultSelected) { return true; }
        }
      } else if (f.value !== f.defaultValue) { return true; }
    }
    return false;
  }

  // Instead of swapping a part someone is typing in: say it changed, and swap it when they
  // ask (or when they send their form, which loads the page anyway).
  function markStale(el) {
    if (el.querySelector(".stale-note")) { return; }
    var p = document.createElement("p");
    p.className = "stale-note";
    p.setAttribute("role", "status");
    p.textContent = "This list changed since you began typing. ";
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = "Show the changes";
    b.addEventListener("click", function () { reload(el); });
    p.appendChild(b);
    el.insertBefore(p, el.firstChild);
  }

  function reload(el) {
    // Rows ticked for a bulk action stay ticked through the refresh.
    var ticked = [];
    el.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
      ticked.push(c.name + "=" + c.value);
    });
    // The same page again, keeping only this part (hx-select semantics).
    var id = el.id;
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      target: "#" + id, select: "#" + id, swap: "outerHTML"
    }).then(function () {
      var fresh = document.getElementById(id);
      if (!fresh || !ticked.length) { return; }
      fresh.querySelectorAll("input[type=checkbox]").forEach(function (c) {
        if (ticked.indexOf(c.name + "=" + c.value) >= 0) { c.checked = true; }
      });
    });
  }

  function refresh() {
    timer = null;
    var channels = pending;
    var ids = pendingIds;
    pending = {};
    pendingIds = {};
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var wanted = el.getAttribute("data-live").split(" ");
      if (!el.id || !wanted.some(function (c) { return channels[c]; })) { return; }
      // A page about one object (data-id) refreshes only for notices about it.
      var only = el.getAttribute("data-id");
      if (only && !ids[only]) { return; }
      if (editing(el)) { markStale(el); return; }
      reload(el);
    });
  }

  // SYSTEM_ALERT (admins only): say what happened above the page, with where to look.
  var ALERTS = {
    account_locked: "An account was locked after repeated failed sign-ins.",
    refresh_token_reused: "A sign-in token was used twice (possibly stolen); that session was ended.",
    audit_chain_broken: "The audit log's chain is broken: a record was changed or removed."
  };
  function showAlert(msg) {
    var box = document.getElementById("alerts");
    if (!box) { return; }
    var p = document.createElement("p");
    p.textContent = "System alert: " + (ALERTS[msg.state] || String(msg.state)) + " ";
    var a = document.createElement("a");
    a.href = "/admin/audit";
    a.textContent = "See the audit log";
    p.appendChild(a);
    box.appendChild(p);
  }

  function notice(msg) {
    if (typeof msg.seq === "number") { lastSeq = String(msg.seq); }
    if (msg.event === "RESET") { window.location.reload(); return; }
    if (msg.event === "SYSTEM_ALERT") { showAlert(msg); }
    if (!msg.channel) { return; }
    pending[msg.channel] = true;
    if (msg.id) { pendingIds[String(msg.id)] = true; }
    // Several notices in a burst cause one refresh.
    if (!timer) { timer = setTimeout(refresh, 150); }
    document.body.dispatchEvent(new CustomEvent("careline:event", { detail: msg }));
  }

  function connect() {
    var since = lastSeq;
    var proto = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = proto + window.location.host + "/ws/dashboard" + (since ? "?since=" + encodeURIComponent(since) : "");
    var ws = new WebSocket(url);
    ws.onopen = function () { delay = 1000; show("online", "Live updates: on"); };
    ws.onmessage = function (e) {
      try { notice(JSON.parse(e.data)); } catch (err) { /* not ours: ignore */ }
    };
    ws.onclose = function (e) {
      // 1008: the session ended (sign-out, inactivity, deactivation): go to the sign-in page.
      if (e.code === 1008) { window.location.assign("/login"); return; }
      show("offline", "Live updates: reconnecting");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();
