// The /hub page: the per-centre chart from the JSON the page carries (no inline script),
// and the centres' table kept live from /api/hub/stream (any hub process pushes every
// centre's shipments, through PostgreSQL's LISTEN/NOTIFY).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hub-data").textContent);
  var canvas = document.getElementById("per-centre");
  if (window.Chart && canvas) {
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.dataset.issued, data: data.issued, yAxisID: "y" },
          { label: canvas.dataset.served, data: data.served, yAxisID: "y" },
          { label: canvas.dataset.satisfied, data: data.satisfaction, type: "line",
            yAxisID: "pct" }
        ]
      },
      options: { animation: false, scales: { pct: { position: "right", min: 0, max: 100 } } }
    });
  }
  var state = document.getElementById("live-state");
  function text(value, unit) {
    return value === null || value === undefined ? "—" : String(value) + (unit || "");
  }
  function update(centre) {
    var row = document.querySelector('#centres tr[data-code="' + CSS.escape(centre.code) + '"]');
    if (!row) { return; }
    row.querySelector('[data-field="waiting"]').textContent = centre.waiting;
    row.querySelector('[data-field="longest_wait_minutes"]').textContent =
      text(centre.longest_wait_minutes);
    row.querySelector('[data-field="issued_today"]').textContent = centre.issued_today;
    row.querySelector('[data-field="served_today"]').textContent = centre.served_today;
    row.querySelector('[data-field="satisfaction_pct"]').textContent =
      text(centre.satisfaction_pct);
    var alerts = row.querySelector('[data-field="alerts"]');
    alerts.textContent = centre.alerts.length ? "" : "—";
    centre.alerts.forEach(function (alert) {
      var tag = document.createElement("span");
      tag.className = "alert";
      tag.textContent = alert.message;
      alerts.appendChild(tag);
    });
    row.querySelector('[data-field="link_lag_seconds"]').textContent =
      text(centre.link_lag_seconds, " s");
    row.classList.add("changed");
    setTimeout(function () { row.classList.remove("changed"); }, 1500);
  }
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/api/hub/stream");
    socket.onopen = function () { state.textContent = "● " + state.dataset.live; delay = 1000; };
    socket.onmessage = function (message) {
      JSON.parse(message.data).centres.forEach(update);
    };
    socket.onclose = function () {
      state.textContent = "○ " + state.dataset.lost;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
