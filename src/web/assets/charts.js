// CareLine analytics: draws each [data-chart] element with uPlot from the JSON in its
// data-chart attribute ({x: [unix seconds], series: [{label, values}]}). The same figures are
// in a table on the page, for screen readers and for copying.
(function () {
  "use strict";
  if (!window.uPlot) { return; }
  var COLOURS = ["#0b5cad", "#1c6b32", "#a4161a", "#8a4f00"];
  // Draws the charts not drawn yet: at load, and again after a live update has replaced the
  // charts' section (DASHBOARD_UPDATE), whose new elements carry no data-drawn mark.
  function draw() {
    document.querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      el.setAttribute("data-drawn", "");
      var spec;
      try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      var series = [{}].concat(spec.series.map(function (s, i) {
        return { label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true };
      }));
      var opts = {
        width: Math.max(el.clientWidth, 260),
        height: 220,
        series: series,
        scales: { x: { time: true } },
        axes: [{}, { size: 50 }]
      };
      new window.uPlot(opts, data, el);
    });
  }
  draw();
  document.body.addEventListener("htmx:afterSettle", draw);
})();
