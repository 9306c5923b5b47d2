// The analytics dashboard: reads the analytics API (the admin's session) and draws it with Chart.js.
// window.dsrsDashboard holds the charts and the API answers they were drawn from (the browser test reads them).
(function () {
  "use strict";
  const API = "/api/v1/analytics/";
  const form = document.getElementById("dsrs-filters");
  const charts = {};
  const state = window.dsrsDashboard = {charts: charts, answers: {}, renders: 0};
  const TILES = [
    ["households_registered", "Households registered"], ["households_active", "Active"],
    ["households_approved", "Approved"], ["households_enrolled", "Enrolled"],
    ["waitlist_length", "Waitlisted"], ["coverage", "Coverage (enrolled ÷ approved)", "percent"],
    ["payments_completed", "Payments paid"], ["amount_completed", "Amount paid (PHP)", "money"],
    ["payment_success_rate", "Payment success rate", "percent"],
  ];

  function filters(extra) {
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value && !["kpi", "interval"].includes(name)) query.set(name, value);
    }
    for (const [name, value] of Object.entries(extra || {})) query.set(name, value);
    return query;
  }

  async function get(endpoint, query) {
    const response = await fetch(API + endpoint + "?" + query, {credentials: "same-origin",
                                                                 headers: {Accept: "application/json"}});
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message + " " + JSON.stringify(body.error.fields || {}) : response.status);
    return body;
  }

  function shown(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "percent") return (Number(value) * 100).toFixed(1) + " %";
    if (kind === "money") return Number(value).toLocaleString("en-PH", {minimumFractionDigits: 2});
    return Number(value).toLocaleString("en-PH");
  }

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function bars(labels, datasets, horizontal) {
    return {type: "bar", data: {labels: labels, datasets: datasets},
            options: {animation: false, maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x"}};
  }

  async function refresh() {
    document.getElementById("dsrs-error").textContent = "";
    const kpi = form.elements.kpi.value, interval = form.elements.interval.value;
    try {
      const [summary, series, regions, programs] = await Promise.all([
        get("summary", filters()), get("timeseries", filters({kpi: kpi, interval: interval})),
        get("breakdown", filters({by: "region"})), get("breakdown", filters({by: "program"}))]);
      state.answers = {summary: summary, timeseries: series, regions: regions, programs: programs};

      document.getElementById("dsrs-tiles").innerHTML = TILES.map(([name, label, kind]) =>
        `<div class="dsrs-tile" data-figure="${name}"><div class="value">${shown(summary[name], kind)}</div>` +
        `<div class="label">${label}</div></div>`).join("");

      const money = series.points.length && "amount" in series.points[0];
      draw("chart-timeseries", {type: "line", data: {
        labels: series.points.map(p => p.period),
        datasets: [{label: kpi + (money ? " (PHP)" : "") + " per " + interval,
                    data: series.points.map(p => money ? (p.amount === null ? null : Number(p.amount)) : p.count), yAxisID: "y"},
                   {label: "running total", data: series.points.map(p => money ? (p.total_amount === null ? null : Number(p.total_amount)) : p.total), yAxisID: "total"}]},
        options: {animation: false, maintainAspectRatio: false, spanGaps: true,
                  scales: {y: {type: "linear", position: "left", beginAtZero: true},
                           total: {type: "linear", position: "right", beginAtZero: true,
                                   grid: {drawOnChartArea: false}}}}});
      const funnel = summary.payment_funnel;
      draw("chart-funnel", bars(Object.keys(funnel), [{label: "payments", data: Object.values(funnel)}], true));
      draw("chart-regions", bars(regions.rows.map(r => r.region), [
        {label: "registered", data: regions.rows.map(r => r.households_registered)},
        {label: "enrolled", data: regions.rows.map(r => r.households_enrolled)},
        {label: "paid", data: regions.rows.map(r => r.payments_completed)}]));
      draw("chart-programs", bars(programs.rows.map(r => r.program), [
        {label: "approved", data: programs.rows.map(r => r.households_approved)},
        {label: "enrolled", data: programs.rows.map(r => r.households_enrolled)},
        {label: "waitlisted", data: programs.rows.map(r => r.waitlist_length)}]));

      fillChoices(form.elements.region_code, regions.rows.map(r => r.region));
      fillChoices(form.elements.program_code, programs.rows.map(r => r.program));
      state.renders += 1;
    } catch (error) {
      document.getElementById("dsrs-error").textContent = "The analytics API refused: " + error.message;
    }
  }

  function fillChoices(select, values) {
    const known = new Set(Array.from(select.options).map(o => o.value));
    for (const value of values) {
      if (!known.has(value)) select.add(new Option(value, value));
    }
  }

  form.addEventListener("submit", event => { event.preventDefault(); refresh(); });
  form.addEventListener("change", event => { if (event.target.tagName === "SELECT") refresh(); });
  refresh();
})();
