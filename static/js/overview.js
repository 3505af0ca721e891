// Dealer overview charts, drawn from the JSON the page embeds (no inline script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("overview-data");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var palette = ["#0b5cad", "#1f7a8c", "#2e8b57", "#b35c00", "#8a1c00", "#5b2a86", "#44546a", "#c08b00", "#6c757d"];
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;

    var steps = document.getElementById("chart-steps");
    if (steps) {
      new Chart(steps, {
        type: "bar",
        data: {
          labels: data.steps.labels,
          datasets: [{ label: data.steps.title, data: data.steps.values, backgroundColor: "#0b5cad", borderRadius: 4 }]
        },
        options: {
          maintainAspectRatio: false,
          indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    }
    var trend = document.getElementById("chart-trend");
    if (trend && data.trend) {
      new Chart(trend, {
        type: "line",
        data: {
          labels: data.trend.labels,
          datasets: [{ label: data.trend.title, data: data.trend.values, borderColor: palette[0], backgroundColor: palette[0] }]
        },
        options: {
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    }
  });
})();
