// SPDX-License-Identifier: MIT
#include "report/html.hpp"
#include "report/movers.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace cskpi {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out.push_back(c);
    }
  }
  return out;
}

/// Text inside a <script> element: "</" cannot end it early ("<\/" in JSON is "</").
std::string in_script(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out.push_back(s[i]);
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out.push_back('\\');
  }
  return out;
}

/// The metrics charted over the periods (MetricDisplay::trend), in table order.
std::vector<const MetricDef*> trend_metrics() {
  std::vector<const MetricDef*> out;
  for (const MetricDef& def : metric_table())
    if (def.display.trend) out.push_back(&def);
  return out;
}

/// The headline tiles (MetricDisplay::tile), in tile order.
std::vector<const MetricDef*> tile_metrics() {
  std::vector<const MetricDef*> out;
  for (const MetricDef& def : metric_table())
    if (def.display.tile > 0) out.push_back(&def);
  std::sort(out.begin(), out.end(),
            [](const MetricDef* a, const MetricDef* b) { return a->display.tile < b->display.tile; });
  return out;
}

/// A canvas per trend chart, drawn by k_script_trends.
std::string trend_canvases() {
  std::string out;
  for (const MetricDef* def : trend_metrics())
    out += fmt::format("<div class=\"chart\"><canvas id=\"chart-{}\"></canvas></div>\n", def->id);
  return out;
}

/// The bands of the charted metrics as regions of the value axis, for the shading:
/// {"nrr":[{"from":null,"to":90,"tier":"critical"},...],...}.
std::string band_regions(const BandTable& bands) {
  std::string out = "{";
  bool first_metric = true;
  for (const MetricDef* def : trend_metrics()) {
    const std::string_view metric = def->id;
    const std::vector<BandRule> rules = bands.rules_for(metric);
    if (rules.empty()) continue;
    std::set<double> cuts;
    for (const BandRule& r : rules) cuts.insert(r.bound);
    std::vector<double> edges(cuts.begin(), cuts.end());
    std::string regions;
    for (std::size_t i = 0; i <= edges.size(); ++i) {
      const std::optional<double> from = i == 0 ? std::nullopt : std::optional<double>(edges[i - 1]);
      const std::optional<double> to = i == edges.size() ? std::nullopt : std::optional<double>(edges[i]);
      const double inside = i == 0 ? edges.front() - 1
          : i == edges.size()      ? edges.back() + 1
                                   : (edges[i - 1] + edges[i]) / 2;
      const std::optional<Tier> tier = bands.rate(metric, inside);
      if (!tier) continue;
      const auto num = [](const std::optional<double>& v) {
        return v ? json_number(Quantity::of_real(*v)) : std::string("null");
      };
      regions += fmt::format("{}{{\"from\":{},\"to\":{},\"tier\":\"{}\"}}", regions.empty() ? "" : ",", num(from),
                             num(to), to_string(*tier));
    }
    out += fmt::format("{}\"{}\":[{}]", first_metric ? "" : ",", metric, regions);
    first_metric = false;
  }
  return out + "}";
}

/// The latest period's whole base: the groups are sorted by period, `all` first in each.
const Group* headline_group(const Report& r) {
  const Group* g = nullptr;
  for (const Group& x : r.groups)
    if (x.whole) g = &x;
  return g;
}

std::string tiles(const Group& g) {
  std::string out = "<div class=\"tiles\">\n";
  for (const MetricDef* def : tile_metrics())
    for (const Record& rec : g.records)
      if (rec.metric.def == def && rec.metric.key.empty()) {
        const std::string tier = rec.tier ? std::string(to_string(*rec.tier)) : "";
        std::vector<std::string> under; // the annual figure and the tier
        if (const std::string annual = display_annual(rec); !annual.empty())
          under.push_back("annual " + escape(annual));
        if (!tier.empty()) under.push_back(tier);
        out += fmt::format("<div class=\"tile {}\"><div class=\"n\">{}</div><div class=\"v\">{}</div><div "
                           "class=\"a\">{}</div></div>\n",
                           tier, escape(rec.metric.def->name), escape(display_value(rec)), fmt::join(under, " · "));
      }
  return out + "</div>\n";
}

std::string kpi_table(const Group& g) {
  std::string out = "<table "
                    "class=\"kpis\"><thead><tr><th>Metric</th><th>Period</th><th>Annual</th><th>Tier</th><th>Note</"
                    "th></tr></thead><tbody>\n";
  std::optional<Section> section;
  for (const Record& rec : g.records) {
    if (section != rec.metric.def->section) {
      section = rec.metric.def->section;
      out += fmt::format("<tr class=\"section\"><td colspan=\"5\">{}</td></tr>\n", escape(to_string(*section)));
    }
    const std::string tier = rec.tier ? std::string(to_string(*rec.tier)) : "";
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"note\">{}</td></tr>\n",
                       escape(display_name(rec)), escape(display_value(rec)), escape(display_annual(rec)), tier, tier,
                       escape(display_note(rec)));
  }
  return out + "</tbody></table>\n";
}

std::string cohort_heatmap(const std::vector<CohortRow>& rows) {
  std::size_t ages = 0;
  for (const CohortRow& c : rows) ages = std::max(ages, c.retention.size());
  std::string out = "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>cohort</th><th>customers</th>";
  for (std::size_t a = 0; a < ages; ++a) out += fmt::format("<th>m{}</th>", a);
  out += "</tr></thead><tbody>\n";
  for (const CohortRow& c : rows) {
    out += fmt::format("<tr><td>{}{}</td><td>{}</td>", month_label(c.month), c.before_data ? " (before)" : "",
                       c.customers);
    for (std::size_t a = 0; a < ages; ++a) {
      if (a >= c.retention.size() || !c.retention[a]) {
        out += "<td></td>";
        continue;
      }
      const double v = *c.retention[a];
      // Green for kept or grown MRR, fading to red at 50 % and below.
      const double t = std::clamp((v - 50.0) / 50.0, 0.0, 1.0);
      out += fmt::format("<td style=\"background:rgba({},{},90,.35)\">{:.0f}</td>", static_cast<int>(220 - 130 * t),
                         static_cast<int>(80 + 110 * t), v);
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

constexpr std::string_view k_style = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;)"
                                     R"(padding:0 16px;color:#1f2328}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:0 0 10px}
.inputs{color:#59636e;margin:0 0 18px}
section{margin:0 0 28px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:8px;margin-bottom:14px}
.tile{border:1px solid #d1d9e0;border-radius:6px;padding:8px 10px}
.tile .n{font-size:12px;color:#59636e} .tile .v{font-size:21px;font-weight:600} .tile .a{font-size:12px;color:#59636e}
.best_in_class{background:#63be7b40} .good{background:#c6efce80} .acceptable{background:#ddebf780}
.warning{background:#ffeb9c90} .critical{background:#ffc7ce90}
table{border-collapse:collapse;font-size:13px} th,td{padding:2px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left} td.note{text-align:left;white-space:normal;color:#59636e}
tr.section td{font-weight:600;padding-top:8px;text-align:left}
.kpis td:nth-child(4){text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart{position:relative;height:300px}
.scroll{overflow-x:auto} .heat td{font-size:12px}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0} section{break-after:page} .chart{height:130mm} .scroll{overflow:visible}}
)";

// The page's code: the charts, from the records in #cskpi-data. Chart.js draws them.
constexpr std::string_view k_script = R"JS(
(function () {
  'use strict';
  const body = document.body;
  const fail = () => { body.dataset.errors = String(Number(body.dataset.errors || 0) + 1); };
  window.addEventListener('error', fail);
  const data = JSON.parse(document.getElementById('cskpi-data').textContent);
  const bands = JSON.parse(document.getElementById('cskpi-bands').textContent);
  const recs = data.records;
  const periods = [...new Set(recs.map(r => r.period))];
  const last = periods[periods.length - 1];
  const segments = [...new Set(recs.filter(r => r.period === last).map(r => r.segment))];
  const get = (p, s, m) => recs.find(r => r.period === p && r.segment === s && r.metric === m && r.key === null);
  const colors = { best_in_class: '#2e9d5b', good: '#7cc893', acceptable: '#8cb4e0', warning: '#f2c94c', )JS"
                                      R"JS(critical: '#eb5757' };
  const money = v => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  // A round number near v: down (dir -1) or up (dir 1) to two significant digits.
  const nice = (v, dir) => {
    if (v === 0) return 0;
    const step = Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 1);
    return (dir < 0 ? Math.floor(v / step) : Math.ceil(v / step)) * step;
  };
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(body).fontFamily;
  const charts = [];
  const chart = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) charts.push(new Chart(canvas, config));
  };

  // The MRR bridge of the latest period as a waterfall.
  const steps = [['Starting MRR', 'mrr_start', 0], ['New', 'mrr_new', 1], ['Expansion', 'mrr_expansion', 1],
                 ['Reactivation', 'mrr_reactivation', 1], ['Contraction', 'mrr_contraction', -1], )JS"
                                      R"JS(['Churned', 'mrr_churned', -1],
                 ['Ending MRR', 'mrr_end', 0]].filter(s => get(last, 'all', s[1]));
  let level = 0;
  const bars = steps.map(([label, id, sign]) => {
    const v = get(last, 'all', id).value || 0;
    if (sign === 0) { level = v; return [0, v]; }
    const from = level;
    level += sign * v;
    return [Math.min(from, level), Math.max(from, level)];
  });
  chart('chart-bridge', {
    type: 'bar',
    data: { labels: steps.map(s => s[0]), datasets: [{ data: bars,
      backgroundColor: steps.map(s => s[2] === 0 ? '#6e7781' : s[2] > 0 ? '#2e9d5b' : '#eb5757') }] },
    // The axis starts near the lowest level the bridge passes, so the movements show; the
    // start and end bars rise from the axis (a cut axis, as board packs draw bridges).
    options: { plugins: { legend: { display: false }, tooltip: { callbacks: {
      label: c => money(c.raw[1] - c.raw[0]) } } },
      scales: { y: { min: nice(Math.min(...bars.map((b, i) => steps[i][2] === 0 ? b[1] : b[0])) * 0.96, -1),
                     ticks: { callback: money } } } }
  });

  // NRR, GRR and logo churn over the periods (annual figures, which the bands rate), bands shaded.
  for (const [id, name] of )JS";
// The trend charts' list, [['nrr', 'Net revenue retention'], ...], goes between the two halves.
constexpr std::string_view k_script_trends = R"JS() {
    const values = periods.map(p => { const r = get(p, 'all', id); return r && r.annualized !== null ? )JS"
                                             R"JS(r.annualized : null; });
    const known = values.filter(v => v !== null);
    if (periods.length < 2 || known.length === 0) continue;
    const regions = bands[id] || [];
    const cuts = regions.flatMap(b => [b.from, b.to]).filter(v => v !== null);
    const lo = Math.min(...known, ...cuts), hi = Math.max(...known, ...cuts), pad = (hi - lo) * 0.08 || 1;
    const min = Math.floor(lo - pad), max = Math.ceil(hi + pad);
    const shading = regions.map(b => ({ label: 'band ' + b.tier, data: periods.map(() => b.to === null ? )JS"
                                             R"JS(max : Math.min(b.to, max)),
      fill: { value: b.from === null ? min : Math.max(b.from, min) }, backgroundColor: colors[b.tier] + '33',
      borderWidth: 0, pointRadius: 0, order: 2 }));
    chart('chart-' + id, {
      type: 'line',
      data: { labels: periods, datasets: [{ label: name + ' (annual)', data: values, borderColor: '#1f2328',)JS"
                                             R"JS( backgroundColor: '#1f2328',
        order: 1, spanGaps: true }].concat(shading) },
      options: { plugins: { legend: { labels: { filter: l => !l.text.startsWith('band ') } }, title: { )JS"
                                             R"JS(display: true, text: name } },
        scales: { y: { min, max, ticks: { callback: v => v + '%' } } } }
    });
  }

  // Segments side by side, latest period.
  const bySegment = segments.filter(s => s !== 'all');
  if (bySegment.length > 0) {
    const series = (id) => bySegment.map(s => { const r = get(last, s, id); return r ? r.value : null; });
    chart('chart-segments', {
      type: 'bar',
      data: { labels: bySegment, datasets: [{ label: 'NRR', data: series('nrr'), backgroundColor: '#2e9d5b' },
                                            { label: 'GRR', data: series('grr'), backgroundColor: '#8cb4e0' }] },
      options: { plugins: { title: { display: true, text: 'NRR and GRR by segment, ' + last } },
        scales: { y: { ticks: { callback: v => v + '%' } } } }
    });
    chart('chart-segment-churn', {
      type: 'bar',
      data: { labels: bySegment, datasets: [{ label: 'Logo churn', data: series('logo_churn'), )JS"
                                             R"JS(backgroundColor: '#eb5757' },
                                            { label: 'Expansion MRR rate', data: )JS"
                                             R"JS(series('expansion_mrr_rate'), backgroundColor: '#f2c94c' }] },
      options: { plugins: { title: { display: true, text: 'Logo churn and expansion by segment, ' + last } },
        scales: { y: { ticks: { callback: v => v + '%' } } } }
    });
  }

  // Health distribution, time to value and NPS, where the run has them.
  const health = ['health_green', 'health_yellow', 'health_red'];
  if (get(last, 'all', 'health_green')) {
    chart('chart-health', {
      type: 'bar',
      data: { labels: segments, datasets: health.map((id, i) => ({ label: ['green', 'yellow', 'red'][i],
        data: segments.map(s => { const r = get(last, s, id); return r ? r.value : null; }),
        backgroundColor: ['#2e9d5b', '#f2c94c', '#eb5757'][i] })) },
      options: { indexAxis: 'y', plugins: { title: { display: true, text: 'Customers by health, %' } },
        scales: { x: { stacked: true, max: 100 }, y: { stacked: true } } }
    });
  }
  if (get(last, 'all', 'ttv_median')) {
    const rows = segments.map(s => get(last, s, 'ttv_median'));
    chart('chart-ttv', {
      type: 'bar',
      data: { labels: segments, datasets: [{ label: 'Time to value, median (days)', data: rows.map(r => r ? )JS"
                                             R"JS(r.value : null),
        backgroundColor: rows.map(r => r && r.band ? colors[r.band] : '#8cb4e0') }] },
      options: { plugins: { title: { display: true, text: 'Time to value by segment (colour: its band)' } } }
    });
  }
  if (get(last, 'all', 'nps')) {
    const rows = segments.filter(s => get(last, s, 'nps'));
    chart('chart-nps', {
      type: 'bar',
      data: { labels: rows, datasets: [
        { type: 'line', label: 'NPS', data: rows.map(s => get(last, s, 'nps').value), showLine: false, pointRadius: 6,
          borderColor: '#1f2328', backgroundColor: '#1f2328' },
        { label: '95 % interval', data: rows.map(s => { const lo = get(last, s, 'nps_ci_low'), hi = )JS"
                                             R"JS(get(last, s, 'nps_ci_high');
          return lo && hi ? [lo.value, hi.value] : null; }), backgroundColor: '#8cb4e080' }] },
      options: { plugins: { title: { display: true, text: 'NPS with its 95 % interval' } }, scales: { y: { )JS"
                                             R"JS(min: -100, max: 100 } } }
    });
  }

  // For a headless browser: how many canvases hold a drawing, and how many errors there were.
  const check = () => {
    const canvases = [...document.querySelectorAll('canvas')];
    const drawn = canvases.filter(c => {
      const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0 && ++ink > 200) return true;
      return false;
    }).length;
    body.dataset.charts = drawn + '/' + canvases.length;
  };
  setTimeout(check, 0);
})();
)JS";

} // namespace

std::string render_html(const Report& r, const BandTable& bands, std::string_view chart_js,
                        const std::vector<CohortRow>* cohorts) {
  std::string periods; // "2026-10", or "2024-12 to 2026-10"
  if (!r.groups.empty() && r.groups.front().period) {
    periods = *r.groups.front().period;
    if (*r.groups.back().period != periods) periods += " to " + *r.groups.back().period;
  }
  std::string out =
      fmt::format("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"cskpi {}\">\n<title>cskpi "
                  "report{}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n"
                  "<body data-errors=\"0\">\n<h1>cskpi report{}</h1>\n<p class=\"inputs\">{}</p>\n",
                  escape(r.settings.version), periods.empty() ? "" : " · " + escape(periods), k_style,
                  in_script(chart_js), periods.empty() ? "" : " · " + escape(periods), escape(inputs_line(r)));
  const Group* head = headline_group(r);
  std::set<std::string> periods_seen, segments;
  bool health = false, ttv = false, nps = false;
  for (const Group& g : r.groups) {
    if (g.period) periods_seen.insert(*g.period);
    segments.insert(g.segment);
    for (const Record& rec : g.records) {
      health = health || rec.metric.def->id == "health_green";
      ttv = ttv || rec.metric.def->id == "ttv_median";
      nps = nps || rec.metric.def->id == "nps";
    }
  }
  if (head != nullptr) {
    out += fmt::format("<section id=\"headline\">\n<h2>{}</h2>\n",
                       escape(head->period ? *head->period + " · all" : "all"));
    out += tiles(*head);
    if (head->billing)
      out += "<div class=\"chart\"><canvas id=\"chart-bridge\" aria-label=\"MRR bridge\"></canvas></div>\n";
    out += "</section>\n";
  }
  const bool billing = head != nullptr && head->billing;
  if (billing && periods_seen.size() > 1)
    out += "<section id=\"trends\">\n<h2>Retention over the periods (annual figures; the shading is the benchmark "
           "bands)</h2>\n<div class=\"charts\">\n" +
        trend_canvases() + "</div>\n</section>\n";
  if (billing && segments.size() > 1)
    out += "<section id=\"segments\">\n<h2>Segments side by side</h2>\n<div class=\"charts\">\n"
           "<div class=\"chart\"><canvas id=\"chart-segments\"></canvas></div>\n<div class=\"chart\"><canvas "
           "id=\"chart-segment-churn\"></canvas></div>\n"
           "</div>\n</section>\n";
  if (health || ttv || nps) {
    out += "<section id=\"leading\">\n<h2>Health, time to value and NPS</h2>\n<div class=\"charts\">\n";
    if (health) out += "<div class=\"chart\"><canvas id=\"chart-health\"></canvas></div>\n";
    if (ttv) out += "<div class=\"chart\"><canvas id=\"chart-ttv\"></canvas></div>\n";
    if (nps) out += "<div class=\"chart\"><canvas id=\"chart-nps\"></canvas></div>\n";
    out += "</div>\n</section>\n";
  }
  if (cohorts != nullptr && !cohorts->empty())
    out += "<section id=\"cohorts\">\n<h2>Cohorts: MRR kept, % of each cohort's first month</h2>\n" +
        cohort_heatmap(*cohorts) + "</section>\n";
  if (head != nullptr)
    out += fmt::format("<section id=\"kpis\">\n<h2>Every KPI, {}</h2>\n",
                       escape(head->period ? *head->period + " · all" : "all")) +
        kpi_table(*head) + "</section>\n";
  if (r.movers) out += render_movers_html(*r.movers); // issue 30; the page's JSON below carries them too
  out += "<script type=\"application/json\" id=\"cskpi-data\">\n" + in_script(render_json(r)) + "</script>\n";
  out += "<script type=\"application/json\" id=\"cskpi-bands\">" + band_regions(bands) + "</script>\n";
  std::string trends;
  for (const MetricDef* def : trend_metrics())
    trends += fmt::format("{}['{}', '{}']", trends.empty() ? "" : ", ", def->id, def->name);
  out += fmt::format("<script>{}[{}]{}</script>\n</body>\n</html>\n", k_script, trends, k_script_trends);
  return out;
}

} // namespace cskpi
