// The /reports page's three charts, from the figures the page carries as JSON
// (the page's policy runs no inline script). Drawn without animation, so that a
// printout or a screenshot taken at once shows them whole.
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  Chart.defaults.font.family = '"Be Vietnam Pro", system-ui, sans-serif';
  Chart.defaults.animation = false;
  var drawn = [];

  function bar(id, labels, datasets, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    drawn.push(new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true } }
      }, options || {})
    }));
  }

  bar("chart-wait-by-hour", data.hours.labels, [
    { label: data.words.average, data: data.hours.wait_avg, backgroundColor: "#0b4f9c" },
    { label: "P90", data: data.hours.wait_p90, backgroundColor: "#f0a030" }
  ]);
  bar("chart-tickets-by-day", data.days.labels, [
    { label: data.words.issued, data: data.days.issued, backgroundColor: "#8fb3df" },
    { label: data.words.served, data: data.days.served, backgroundColor: "#0b4f9c" }
  ]);
  bar("chart-satisfaction-by-counter", data.counters.labels, [
    { label: data.words.satisfaction, data: data.counters.satisfaction, backgroundColor: "#2e8b57" }
  ], {
    plugins: { legend: { display: false } },
    scales: { y: { beginAtZero: true, max: 100 } }
  });

  window.addEventListener("beforeprint", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
  document.body.setAttribute("data-charts", String(drawn.length));
})();
