// The live supervision page (/supervisor): the hall as /supervisor/hall.json gives it,
// drawn again whenever the event stream says something changed (no polling: the stream
// is opened with the page's session cookie, no token). A one-second local tick only
// moves the "waited for" and "served for" clocks between two events.
(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("hall-words").textContent);
  var serviceNames = JSON.parse(document.getElementById("hall-services").textContent);
  var csrf = document.querySelector("#orders input[name=csrf]").value;
  var hall = JSON.parse(document.getElementById("hall-data").textContent);
  var skewMs = 0; // the server's clock minus this browser's
  var fetching = false;
  var again = false;
  var retryMs = 1000;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key.indexOf("data-") === 0 || key === "class" || key === "title") {
        node.setAttribute(key, attrs[key]);
      } else { node[key] = attrs[key]; }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function now() { return Date.now() + skewMs; }

  // "HH:MM" as the server wrote it, in the site's time (not this browser's zone).
  function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }

  function clock(fromIso) {
    var s = Math.max(0, Math.floor((now() - Date.parse(fromIso)) / 1000));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function decimal(value) {
    if (value === null || value === undefined) { return "—"; }
    return document.documentElement.lang === "vi" ? String(value).replace(".", ",") : String(value);
  }

  function setLink(state) {
    var link = document.getElementById("link");
    link.dataset.state = state;
    link.textContent = words[state];
  }

  function showError(message) {
    var box = document.getElementById("order-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  // --- orders -------------------------------------------------------------------------

  function order(path, fields) {
    var body = new URLSearchParams(Object.assign({ csrf: csrf }, fields || {}));
    showError("");
    return fetch(path, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { return; }
        return response.json().then(function (answer) {
          showError(typeof answer.detail === "string" ? answer.detail : response.statusText);
        }, function () { showError(response.statusText); });
      }, function () { showError(words.offline); });
  }

  function button(label, path, fields, confirmText) {
    return el("button", {
      type: "button",
      text: label,
      onclick: function () {
        if (confirmText && !window.confirm(confirmText)) { return; }
        order(path, fields);
      }
    });
  }

  // --- drawing ------------------------------------------------------------------------

  function drawFigures() {
    document.querySelectorAll("[data-figure]").forEach(function (node) {
      var value = hall.figures[node.dataset.figure];
      node.textContent = typeof value === "number" && !Number.isInteger(value) ? decimal(value)
        : (value === null ? "—" : String(value));
    });
  }

  function waitCell(service) {
    if (!service.oldest_issued_at) { return el("td", { text: "—", "data-clock": "" }); }
    var over = now() - Date.parse(service.oldest_issued_at) > service.waiting_target_minutes * 60000;
    return el("td", {
      class: over ? "over" : "",
      "data-since": service.oldest_issued_at,
      "data-target": String(service.waiting_target_minutes)
    }, [el("span", { class: "clock", text: clock(service.oldest_issued_at) }),
        el("span", { text: " / " + service.waiting_target_minutes + ":00" })]);
  }

  function drawServices() {
    var body = document.querySelector("#services tbody");
    body.replaceChildren();
    hall.services.forEach(function (service) {
      var tickets = service.first_waiting.map(function (ticket, i) {
        var chip = el("span", { class: "ticket" + (ticket.priority ? " priority" : ""),
                                text: ticket.number, title: ticket.priority ? words.priority : "" });
        if (i > 0) {
          chip.appendChild(el("button", {
            type: "button", class: "mini", text: "⤒", title: words.to_front,
            "data-move": String(ticket.id),
            onclick: function () { order("/supervisor/move/" + ticket.id); }
          }));
        }
        return chip;
      });
      var code = encodeURIComponent(service.code);
      var issuing = service.closed_early
        ? el("td", { class: "closed" }, [el("div", { text: words.closed_early }),
            button(words.reopen, "/supervisor/reopen/" + code)])
        : el("td", {}, [
            service.open ? null : el("div", { class: "small", text: service.closed_reason || "" }),
            button(words.close_today, "/supervisor/close-today/" + code, null, words.confirm_close)]);
      body.appendChild(el("tr", { "data-service": service.code }, [
        el("th", { scope: "row" }, [el("div", { class: "name", text: service.name }),
                                    el("div", { class: "line" }, tickets)]),
        el("td", { class: "count", text: String(service.waiting) }),
        waitCell(service),
        el("td", { text: service.waiting ? "≈ " + service.estimated_wait_minutes + "′" : "—" }),
        issuing
      ]));
    });
  }

  function stateOf(counter) {
    if (counter.state === "paused") {
      return words.paused + (counter.pause_reason ? ": " + counter.pause_reason : "");
    }
    if (counter.state === "closed") { return words.closed; }
    return counter.current_ticket && counter.current_ticket.status === "called"
      ? words.serving : words.idle;
  }

  function helpControl(counter) {
    if (counter.helps) {
      return el("div", {}, [
        el("span", { class: "helps", text: words.helps + " " + counter.helps,
                     title: serviceNames[counter.helps] || counter.helps }),
        button(words.end_help, "/supervisor/end-help/" + counter.number)
      ]);
    }
    var select = el("select", { "aria-label": words.send_to_help, title: words.send_to_help });
    select.appendChild(el("option", { value: "", text: words.send_to_help }));
    Object.keys(serviceNames).forEach(function (code) {
      if (counter.services.indexOf(code) < 0) {
        select.appendChild(el("option", { value: code, text: serviceNames[code] }));
      }
    });
    select.onchange = function () {
      if (select.value) { order("/supervisor/help/" + counter.number, { service: select.value }); }
    };
    return select;
  }

  function drawCounters() {
    var body = document.querySelector("#counters tbody");
    body.replaceChildren();
    hall.counters.forEach(function (counter) {
      var current = counter.current_ticket && counter.current_ticket.status === "called"
        ? counter.current_ticket : null;
      body.appendChild(el("tr", { "data-counter": String(counter.number), "data-state": counter.state }, [
        el("th", { scope: "row", text: String(counter.number), title: counter.name }),
        el("td", { text: counter.clerk || "—" }),
        el("td", { class: "state " + counter.state, text: stateOf(counter) }),
        current
          ? el("td", {}, [el("b", { text: current.number + " " }),
                          el("span", { class: "clock", "data-since": current.called_at,
                                       text: clock(current.called_at) })])
          : el("td", { text: "—" }),
        el("td", {}, [el("span", { class: "codes", text: counter.services.join(" · "),
                                   title: counter.services.map(function (c) {
                                     return serviceNames[c] || c; }).join(", ") }),
                      helpControl(counter)])
      ]));
    });
  }

  // In Vietnamese the server's own sentence; in English the page's, from the alert's kind.
  function alertText(alert) {
    var template = words.alert[alert.kind];
    if (document.documentElement.lang === "vi" || !template) { return alert.message; }
    var service = hall.services.filter(function (s) { return s.code === alert.subject; })[0];
    return template.replace("{service}", service ? service.name : alert.subject)
      .replace("{minutes}", service ? String(service.waiting_target_minutes) : "")
      .replace("{device}", alert.subject);
  }

  function drawAlerts() {
    var list = document.querySelector("#alerts ul");
    list.replaceChildren();
    if (!hall.alerts.length) { list.appendChild(el("li", { class: "quiet", text: words.no_alerts })); }
    hall.alerts.forEach(function (alert) {
      list.appendChild(el("li", { class: "alert", "data-kind": alert.kind, "data-subject": alert.subject }, [
        el("b", { text: hhmm(alert.since) + " " }),
        el("span", { text: alertText(alert) })
      ]));
    });
  }

  function drawDevices() {
    var list = document.querySelector("#devices ul");
    list.replaceChildren();
    if (!hall.devices.length) { list.appendChild(el("li", { class: "quiet", text: words.no_devices })); }
    var troubled = {};
    hall.alerts.forEach(function (alert) { troubled[alert.subject] = true; });
    hall.devices.forEach(function (device) {
      var printer = device.printer ? words.printer[device.printer] || device.printer : "";
      var seen = device.last_seen_at ? hhmm(device.last_seen_at) : words.never_heard;
      list.appendChild(el("li", { class: troubled[device.name] ? "trouble" : "",
                                  "data-device": device.name }, [
        el("b", { text: device.name + " " }),
        el("span", { text: "(" + device.kind + ") · " + seen + (printer ? " · " + printer : "") })
      ]));
    });
  }

  function drawHubLink() {
    var panel = document.getElementById("hub-link");
    var link = hall.hub_link;
    panel.hidden = !link;
    if (!link) { return; }
    var lag = link.lag_events === null ? "?" : String(link.lag_events);
    var text = words.hub_link[link.state]
      .replace("{lag}", lag)
      .replace("{since}", link.last_error_at ? hhmm(link.last_error_at) : "?")
      .replace("{error}", link.last_error || "");
    panel.querySelector("p").textContent = text;
    panel.dataset.state = link.state;
    panel.classList.toggle("trouble", link.state === "down");
  }

  function draw() {
    drawFigures();
    drawServices();
    drawCounters();
    drawAlerts();
    drawDevices();
    drawHubLink();
    document.body.dataset.seq = String(hall.seq);
  }

  function tick() {
    document.querySelectorAll("[data-since]").forEach(function (node) {
      var target = node.dataset.target;
      var clockNode = node.classList.contains("clock") ? node : node.querySelector(".clock");
      if (clockNode) { clockNode.textContent = clock(node.dataset.since); }
      if (target) {
        node.classList.toggle("over", now() - Date.parse(node.dataset.since) > Number(target) * 60000);
      }
    });
  }

  // --- the stream ---------------------------------------------------------------------

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch("/supervisor/hall.json", { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          hall = data;
          skewMs = Date.parse(data.at) - Date.now();
          draw();
        }
      }, function () { /* the stream's reconnect fetches again */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/events");
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "snapshot") { setLink("live"); retryMs = 1000; }
      refresh(); // one fetch for a burst: `refresh` folds those that come while it runs
    };
    socket.onclose = function (closed) {
      setLink("offline");
      if (closed.code === 4401) { window.location.reload(); return; } // signed out
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  skewMs = Date.parse(hall.at) - Date.now();
  draw();
  setInterval(tick, 1000);
  connect();
}());
