// Analytics charts, drawn from the JSON the page embeds (no inline script). Every chart has
// its numbers in the table beside it.
(function () {
  "use strict";
  var palette = ["#0b5cad", "#b35c00", "#2e8b57", "#8a1c00", "#5b2a86", "#1f7a8c", "#44546a", "#c08b00", "#6c757d"];

  function config(spec) {
    var datasets = spec.datasets.map(function (set, index) {
      return { label: set.label, data: set.data, backgroundColor: palette[index % palette.length], borderColor: palette[index % palette.length], borderRadius: 4 };
    });
    if (spec.type === "doughnut") {
      datasets[0].backgroundColor = palette;
      return { type: "doughnut", data: { labels: spec.labels, datasets: datasets }, options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } } };
    }
    if (spec.type === "pareto") {
      datasets[1].type = "line";
      datasets[1].yAxisID = "share";
      datasets[1].backgroundColor = "transparent";
      return {
        type: "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, share: { position: "right", min: 0, max: 100 } }
        }
      };
    }
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { y: { beginAtZero: true } }
      }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("analytics-data");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.getAttribute("data-chart")];
      if (spec) {
        canvas.chart = new Chart(canvas, config(spec));
        canvas.setAttribute("data-drawn", "true");
      }
    });
  });
})();
