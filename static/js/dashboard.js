/* Program dashboard charts: data comes from the page (json_script), never inline JS. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  // Bars drawn at their length at once: a chart caught mid-animation shows
  // wrong lengths, and people who ask for reduced motion get none anyway.
  Chart.defaults.animation = false;
  Chart.defaults.transitions.active.animation.duration = 0;
  var colors = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545"];

  // Suppressed cells ("<10") and empty cells are not drawn.
  function numbers(values) {
    return values.map(function (value) {
      return typeof value === "number" ? value : null;
    });
  }

  var funnel = document.getElementById("chart-funnel");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{ data: numbers(data.funnel.values), backgroundColor: colors[0] }],
      },
      options: {
        indexAxis: "y",
        aspectRatio: 2,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  var monthly = document.getElementById("chart-monthly");
  if (monthly) {
    new Chart(monthly, {
      type: "bar",
      data: {
        labels: data.monthly.labels,
        datasets: data.monthly.series.map(function (series, index) {
          return {
            label: data.monthly.names[index],
            data: numbers(series),
            borderColor: colors[index % colors.length],
            backgroundColor: colors[index % colors.length],
          };
        }),
      },
      options: {
        aspectRatio: 2,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();
