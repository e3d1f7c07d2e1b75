// SPDX-License-Identifier: MIT
#include "report/html_assets.hpp"

namespace cskpi {

namespace {

// Print: A4 landscape; backgrounds printed (the tiers' colours carry meaning); a canvas drawn at
// the screen's width scales down to the paper's instead of being cut at its edge.
constexpr std::string_view k_style = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;
color:#1f2328}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:0 0 10px} h3{font-size:14px;margin:0 0 4px}
.inputs{color:#59636e;margin:0 0 4px} #headline{margin-top:16px}
section{margin:0 0 28px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin-bottom:14px}
.tile{border:1px solid #d1d9e0;border-radius:6px;padding:8px 10px;min-width:0}
.tile .n{font-size:12px;color:#59636e} .tile .a{font-size:12px;color:#59636e}
.tile .v{font-size:21px;font-weight:600;white-space:nowrap;font-variant-numeric:tabular-nums}
.tile .v .u{font-size:12px;font-weight:400;color:#59636e}
.best_in_class{background:#63be7b40} .good{background:#c6efce80} .acceptable{background:#ddebf780}
.warning{background:#ffeb9c90} .critical{background:#ffc7ce90}
table{border-collapse:collapse;font-size:13px} th,td{padding:2px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left} td.note{text-align:left;white-space:normal;color:#59636e}
tr.section td{font-weight:600;padding-top:8px;text-align:left}
.kpis td:nth-child(4){text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
.chart{position:relative;height:300px}
.scroll{overflow-x:auto} .heat td{font-size:12px}
.movers{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:14px 24px}
.movers table{width:100%} .movers td.who{white-space:normal;overflow-wrap:anywhere;text-align:left}
.movers th:nth-child(2){text-align:left} .movers .none{color:#59636e}
@page{size:A4 landscape;margin:12mm}
@media print{
body{max-width:none;margin:0;padding:0;-webkit-print-color-adjust:exact;print-color-adjust:exact}
section{break-after:page} #headline{break-after:auto} h2,h3{break-after:avoid}
.tile,.chart,tr,.movers>div{break-inside:avoid}
.charts{grid-template-columns:repeat(3,minmax(0,1fr))} .chart{height:80mm}
canvas{max-width:100% !important;height:auto !important}
.scroll{overflow:visible} .heat td,.heat th{font-size:9px;padding:1px 3px}
}
)CSS";

// The charts, from the records in #cskpi-data. Chart.js draws them; two small plugins write each
// bar's or dot's figure on it and shade a dot chart's bands.
constexpr std::string_view k_script = R"JS(
(function () {
  'use strict';
  const body = document.body;
  const fail = () => { body.dataset.errors = String(Number(body.dataset.errors || 0) + 1); };
  window.addEventListener('error', fail);
  const json = id => JSON.parse(document.getElementById(id).textContent);
  const data = json('cskpi-data'), bands = json('cskpi-bands'), page = json('cskpi-page');
  const recs = data.records;
  const periods = [...new Set(recs.map(r => r.period))];
  const last = periods[periods.length - 1];
  const when = last === null ? '' : ', ' + last; // a run without a period column has one, null
  const segments = [...new Set(recs.filter(r => r.period === last).map(r => r.segment))];
  const get = (p, s, m) => recs.find(r => r.period === p && r.segment === s && r.metric === m && r.key === null);
  const colors = { best_in_class: '#2e9d5b', good: '#7cc893', acceptable: '#8cb4e0', warning: '#f2c94c',
                   critical: '#eb5757' };
  const tierName = t => page.tiers[t] || t;
  const cur = page.currency;

  // Numbers as a board reads them: 12.67 M, 420.2 k, 98.9%.
  const fixed = (v, d) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const money = v => fixed(v, 2);
  const compact = v => {
    const a = Math.abs(v);
    return a >= 1e12 ? fixed(v / 1e12, 2) + ' tn' : a >= 1e9 ? fixed(v / 1e9, 2) + ' bn'
      : a >= 1e6 ? fixed(v / 1e6, 2) + ' M'
      : a >= 1e4 ? fixed(v / 1e3, 1) + ' k' : fixed(v, 0);
  };
  const tick = v => { // an axis tick: 500 k, 1.5 M, no trailing zeros
    const a = Math.abs(v), trim = (x, unit) => x.toLocaleString('en-US', { maximumFractionDigits: 2 }) + unit;
    return a >= 1e12 ? trim(v / 1e12, ' tn') : a >= 1e9 ? trim(v / 1e9, ' bn') : a >= 1e6 ? trim(v / 1e6, ' M')
      : a >= 1e3 ? trim(v / 1e3, ' k') : trim(v, '');
  };
  const pct = v => fixed(v, Math.abs(v) < 10 ? 2 : 1) + '%';
  // A segment's name on a category axis, cut to 24 characters with an ellipsis (whole characters,
  // never half an emoji); the tooltip shows it whole.
  const cut = s => { const c = Array.from(String(s)); return c.length > 24 ? c.slice(0, 23).join('') + '\u2026' : s; };
  const names = { ticks: { callback: function (v) { return cut(this.getLabelForValue(v)); } } };
  // Axis steps of 1, 2 or 5 x 10^k, and ends on a step: no axis ends on 79 % or 87 %.
  const niceStep = raw => {
    const p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  };
  const niceRange = (lo, hi, n) => {
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const step = niceStep((hi - lo) / n), round = x => Number(x.toPrecision(12));
    return { min: round(Math.floor(lo / step) * step), max: round(Math.ceil(hi / step) * step), step };
  };

  // Room above the tallest bar for its label: the axis runs to a round value past 112 % of it.
  const headroom = values => {
    const top = Math.max(0, ...values.filter(v => v !== null && v !== undefined)) * 1.12;
    return top > 0 ? niceRange(0, top, 5).max : undefined;
  };

  // Each bar or dot says its figure: plugins.valueLabels.format(raw, index, dataset) gives the
  // text; inside: true writes it inside the bar. The canvas keeps data-labels="written/bars" and
  // data-outside (labels past the canvas) for the layout check.
  const font = getComputedStyle(body).fontFamily;
  const valueLabels = {
    id: 'valueLabels',
    afterDatasetsDraw(c, args, opts) {
      if (!opts || typeof opts.format !== 'function') return;
      const ctx = c.ctx, horizontal = c.options.indexAxis === 'y', area = c.chartArea;
      let written = 0, bars = 0, outside = 0;
      ctx.save();
      ctx.font = '600 11px ' + font;
      c.data.datasets.forEach((ds, di) => {
        if (ds.band || ds.noLabel || !c.isDatasetVisible(di)) return;
        c.getDatasetMeta(di).data.forEach((el, i) => {
          const raw = ds.data[i];
          if (raw === null || raw === undefined) return;
          ++bars;
          const text = opts.format(raw, i, ds);
          const w = ctx.measureText(text).width;
          let x, y;
          ctx.fillStyle = '#1f2328';
          if (opts.inside) {
            const size = horizontal ? Math.abs(el.x - el.base) : Math.abs(el.y - el.base);
            if (size < w + 4) { ++written; return; } // too thin to hold it: the tooltip has it
            ctx.fillStyle = '#ffffff';
            x = horizontal ? (el.x + el.base) / 2 - w / 2 : el.x - w / 2;
            y = horizontal ? el.y : (el.y + el.base) / 2;
          } else if (horizontal) {
            const end = el.base !== undefined ? Math.max(el.x, el.base) : el.x;
            x = end + 8 + w > area.right ? (el.base !== undefined ? Math.min(el.x, el.base) : el.x) - 8 - w : end + 8;
            y = el.y;
          } else {
            const top = el.base !== undefined ? Math.min(el.y, el.base) : el.y;
            x = el.x - w / 2;
            y = top - 9;
          }
          ctx.textBaseline = 'middle';
          ctx.fillText(text, x, y);
          ++written;
          // Past the plot area: over the title or legend, or off the canvas.
          if (x < area.left - 1 || x + w > area.right + 1 || y - 6 < area.top - 1) ++outside;
        });
      });
      ctx.restore();
      c.canvas.dataset.labels = written + '/' + bars;
      c.canvas.dataset.outside = String(outside);
    }
  };
  // A dot chart's bands behind its dots (plugins.bandShading.regions: [{from, to, tier}]), each
  // named at its top, and a line at plugins.bandShading.reference (100 %).
  const bandShading = {
    id: 'bandShading',
    beforeDatasetsDraw(c, args, opts) {
      if (!opts || !opts.regions) return;
      const ctx = c.ctx, area = c.chartArea, x = c.scales.x;
      ctx.save();
      ctx.font = '10px ' + font;
      ctx.textBaseline = 'top';
      for (const b of opts.regions) {
        const from = Math.max(area.left, b.from === null ? area.left : x.getPixelForValue(b.from));
        const to = Math.min(area.right, b.to === null ? area.right : x.getPixelForValue(b.to));
        if (to <= from) continue;
        ctx.fillStyle = colors[b.tier] + '40';
        ctx.fillRect(from, area.top, to - from, area.bottom - area.top);
        const name = tierName(b.tier);
        if (ctx.measureText(name).width + 6 < to - from) {
          ctx.fillStyle = '#59636e';
          ctx.fillText(name, from + 3, area.top + 3);
        }
      }
      if (opts.reference !== undefined) {
        const at = x.getPixelForValue(opts.reference);
        ctx.strokeStyle = '#1f2328';
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(at, area.top);
        ctx.lineTo(at, area.bottom);
        ctx.stroke();
      }
      ctx.restore();
    }
  };
  // Known events (report --annotations, issue 32): a dashed line at each annotated period of a
  // trend chart, its labels written at the top beside it (on its left when past the right edge).
  const eventMarkers = {
    id: 'eventMarkers',
    afterDatasetsDraw(c, args, opts) {
      if (!opts || !opts.events) return;
      const ctx = c.ctx, area = c.chartArea, x = c.scales.x, labels = c.data.labels;
      let drawn = 0;
      ctx.save();
      ctx.font = '600 10px ' + font;
      ctx.textBaseline = 'top';
      opts.events.forEach(([period, label], n) => {
        const i = labels.indexOf(period);
        if (i < 0) return;
        const at = x.getPixelForValue(i);
        ctx.strokeStyle = '#8250df';
        ctx.setLineDash([5, 3]);
        ctx.beginPath();
        ctx.moveTo(at, area.top);
        ctx.lineTo(at, area.bottom);
        ctx.stroke();
        const w = ctx.measureText(label).width;
        ctx.fillStyle = '#8250df';
        ctx.fillText(label, at + 4 + w > area.right ? Math.max(area.left, at - 4 - w) : at + 4, area.top + 2 + 12 * n);
        ++drawn;
      });
      ctx.restore();
      c.canvas.dataset.events = String(drawn); // for a headless browser: the markers drawn
    }
  };
  Chart.register(valueLabels, bandShading, eventMarkers);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = font;
  const charts = [];
  const chart = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) charts.push(new Chart(canvas, config));
  };
  const title = text => ({ display: true, text });

  // The MRR bridge of the latest period as a waterfall from 0, every bar with its amount.
  const steps = [['Starting MRR', 'mrr_start', 0], ['New', 'mrr_new', 1], ['Expansion', 'mrr_expansion', 1],
                 ['Reactivation', 'mrr_reactivation', 1], ['Transfer in', 'mrr_transfer_in', 1],
                 ['Contraction', 'mrr_contraction', -1], ['Churned', 'mrr_churned', -1],
                 ['Transfer out', 'mrr_transfer_out', -1], ['FX', 'mrr_fx', 2],
                 ['Ending MRR', 'mrr_end', 0]].filter(s => get(last, 'all', s[1]));
  let level = 0;
  const amounts = steps.map(s => get(last, 'all', s[1]).value || 0);
  const bars = steps.map(([, , sign], i) => {
    const v = amounts[i];
    if (sign === 0) { level = v; return [0, v]; }
    const from = level;
    level += sign === 2 ? v : sign * v; // FX carries its own sign
    return [Math.min(from, level), Math.max(from, level)];
  });
  const signed = (v, sign) => sign === 0 || v === 0 ? compact(v)
    : (sign === 2 ? (v < 0 ? '\u2212' : '+') : sign > 0 ? '+' : '\u2212') + compact(Math.abs(v));
  chart('chart-bridge', {
    type: 'bar',
    data: { labels: steps.map(s => s[0]), datasets: [{ data: bars,
      backgroundColor: steps.map((s, i) => s[2] === 0 ? '#6e7781'
        : (s[2] === 2 ? amounts[i] >= 0 : s[2] > 0) ? '#2e9d5b' : '#eb5757') }] },
    options: { plugins: { legend: { display: false }, title: title('MRR bridge' + when + ' (' + cur + ')'),
        tooltip: { callbacks: { label: c => money(amounts[c.dataIndex]) + ' ' + cur } },
        valueLabels: { format: (raw, i) => signed(amounts[i], steps[i][2]) } },
      scales: { y: { beginAtZero: true, suggestedMax: headroom(bars.map(b => b[1])),
                     title: { display: true, text: 'MRR, ' + cur },
                     ticks: { callback: tick } } } }
  });

  // NRR, GRR and logo churn over the periods (annual figures, which the bands rate), bands shaded.
  for (const [id, name] of page.trends) {
    const values = periods.map(p => { const r = get(p, 'all', id); return r && r.annualized !== null ? r.annualized
                                                                                                    : null; });
    const known = values.filter(v => v !== null);
    if (periods.length < 2 || known.length === 0) continue;
    const regions = bands[id] || [];
    const cuts = regions.flatMap(b => [b.from, b.to]).filter(v => v !== null);
    const { min, max, step } = niceRange(Math.min(...known, ...cuts), Math.max(...known, ...cuts), 6);
    const shading = regions.map(b => ({ label: 'band ' + tierName(b.tier), band: true,
      data: periods.map(() => b.to === null ? max : Math.min(b.to, max)),
      fill: { value: b.from === null ? min : Math.max(b.from, min) }, backgroundColor: colors[b.tier] + '33',
      borderWidth: 0, pointRadius: 0, order: 2 }));
    chart('chart-' + id, {
      type: 'line',
      data: { labels: periods, datasets: [{ label: name + ' (annual)', data: values, borderColor: '#1f2328',
        backgroundColor: '#1f2328', order: 1, spanGaps: true }].concat(shading) },
      options: { plugins: { legend: { labels: { filter: l => !l.text.startsWith('band ') } }, title: title(name),
          eventMarkers: { events: page.events } },
        scales: { y: { min, max, ticks: { stepSize: step, callback: v => v + '%' } } } }
    });
  }

  // Segments, latest period. NRR and GRR as dots on their bands around 100 %: 99 % and 102 %
  // must not look alike, as bars from 0 make them. Annual figures, which the bands rate.
  const bySegment = segments.filter(s => s !== 'all');
  const dots = (id, name) => {
    const rows = bySegment.map(s => get(last, s, id));
    const annual = rows.some(r => r && r.annualized !== null);
    const values = rows.map(r => r ? (annual ? r.annualized : r.value) : null);
    const known = values.filter(v => v !== null);
    if (known.length === 0) return;
    const regions = annual ? bands[id] || [] : [];
    const cuts = regions.flatMap(b => [b.from, b.to]).filter(v => v !== null);
    const { min, max, step } = niceRange(Math.min(...known, ...cuts, 100), Math.max(...known, ...cuts, 100), 6);
    chart('chart-segment-' + id, {
      type: 'line',
      data: { labels: bySegment, datasets: [{ label: name, data: values, showLine: false, pointRadius: 7,
        pointHoverRadius: 8, borderColor: '#1f2328', borderWidth: 1.5,
        pointBackgroundColor: rows.map(r => r && r.band ? colors[r.band] : '#6e7781') }] },
      options: { indexAxis: 'y', layout: { padding: { right: 8 } },
        plugins: { legend: { display: false },
          title: title(name + ' by segment' + (annual ? ', annual' : '') + when),
          tooltip: { callbacks: { label: c => {
            const r = rows[c.dataIndex];
            return pct(c.raw) + (r.band ? ' \u00b7 ' + tierName(r.band) : '') + (annual ? ' (period ' +
              pct(r.value) + ')' : '');
          } } },
          valueLabels: { format: v => pct(v) },
          bandShading: { regions, reference: 100 } },
        scales: { x: { min, max, ticks: { stepSize: step, callback: v => v + '%' } }, y: { offset: true, ...names } } }
    });
  };
  if (bySegment.length > 0) {
    dots('nrr', 'Net revenue retention');
    dots('grr', 'Gross revenue retention');
    const series = id => bySegment.map(s => { const r = get(last, s, id); return r ? r.value : null; });
    chart('chart-segment-churn', {
      type: 'bar',
      data: { labels: bySegment, datasets: [{ label: 'Logo churn', data: series('logo_churn'),
                                              backgroundColor: '#eb5757' },
                                            { label: 'Expansion MRR rate', data: series('expansion_mrr_rate'),
                                              backgroundColor: '#f2c94c' }] },
      options: { plugins: { title: title('Logo churn and expansion by segment' + when),
                            valueLabels: { format: pct } },
        scales: { x: names, y: { beginAtZero: true, ticks: { callback: v => v + '%' },
                       suggestedMax: headroom(series('logo_churn').concat(series('expansion_mrr_rate'))) } } }
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
      options: { indexAxis: 'y',
        plugins: { title: title('Customers by health, %'),
          valueLabels: { inside: true, format: v => fixed(v, 0) + '%' } },
        scales: { x: { stacked: true, max: 100 }, y: { stacked: true, ...names } } }
    });
  }
  if (get(last, 'all', 'ttv_median')) {
    const rows = segments.map(s => get(last, s, 'ttv_median'));
    chart('chart-ttv', {
      type: 'bar',
      data: { labels: segments, datasets: [{ label: 'Time to value, median (days)',
        data: rows.map(r => r ? r.value : null),
        backgroundColor: rows.map(r => r && r.band ? colors[r.band] : '#8cb4e0') }] },
      options: { plugins: { title: title('Time to value by segment (colour: its band)'),
          valueLabels: { format: v => fixed(v, 1) + ' d' } },
        scales: { x: names, y: { beginAtZero: true, suggestedMax: headroom(rows.map(r => r ? r.value : null)) } } }
    });
  }
  if (get(last, 'all', 'nps')) {
    const rows = segments.filter(s => get(last, s, 'nps'));
    chart('chart-nps', {
      type: 'bar',
      data: { labels: rows, datasets: [
        { type: 'line', label: 'NPS', data: rows.map(s => get(last, s, 'nps').value), showLine: false, pointRadius: 6,
          borderColor: '#1f2328', backgroundColor: '#1f2328' },
        { label: '95 % interval', noLabel: true, data: rows.map(s => {
          const lo = get(last, s, 'nps_ci_low'), hi = get(last, s, 'nps_ci_high');
          return lo && hi ? [lo.value, hi.value] : null; }), backgroundColor: '#8cb4e080' }] },
      options: { plugins: { title: title('NPS with its 95 % interval'),
          valueLabels: { format: v => (v > 0 ? '+' : '') + fixed(v, 1) } },
        scales: { x: names, y: { min: -100, max: 100, ticks: { stepSize: 25 } } } }
    });
  }

  // Movers (issue 30): a table per bridge line of the latest period's whole base, from the
  // records' "movers" array ({period, segment, by, kind, customer_id, name, amount, share})
  // when the run made one (report --top N). Without it the #movers section stays hidden. The
  // share is the mover's fraction of its line (0.0999), as the movers array gives it.
  const moverLines = [['new', 'New', 'mrr_new'], ['expansion', 'Expansion', 'mrr_expansion'],
                      ['reactivation', 'Reactivation', 'mrr_reactivation'],
                      ['transfer_in', 'Transfer in', 'mrr_transfer_in'],
                      ['contraction', 'Contraction', 'mrr_contraction'], ['churned', 'Churned', 'mrr_churned'],
                      ['transfer_out', 'Transfer out', 'mrr_transfer_out']];
  const renderMovers = movers => {
    const slot = document.getElementById('movers');
    if (!slot || !Array.isArray(movers)) return;
    const mine = movers.filter(m => m.period === last && m.segment === 'all' && (m.by === null || m.by === undefined));
    // Transfers cancel out in the whole base: their movers are the --by groups', each named with
    // the group it entered (transfer_in) or left (transfer_out), ranked within that group.
    const moved = movers.filter(m => m.period === last && m.by && String(m.kind).startsWith('transfer_'));
    if (mine.length === 0 && moved.length === 0) return;
    const cell = (tag, text, cls) => {
      const el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      return el;
    };
    const grid = slot.querySelector('.movers');
    for (const [kind, name, metric] of moverLines) {
      const transfer = kind.startsWith('transfer_');
      const rows = (transfer ? moved : mine).filter(m => m.kind === kind);
      const line = transfer ? null : get(last, 'all', metric);
      if (rows.length === 0 && !(line && line.value)) continue;
      const block = document.createElement('div');
      block.appendChild(cell('h3', name + (line ? ': ' + money(line.value) + ' ' + cur : '')));
      const table = document.createElement('table');
      const head = table.createTHead().insertRow();
      for (const h of ['#', 'Customer', 'Amount', 'Share']) head.appendChild(cell('th', h));
      const tbody = table.createTBody();
      rows.forEach((m, i) => {
        const tr = tbody.insertRow();
        tr.appendChild(cell('td', String(transfer ? m.rank : i + 1)));
        const who = m.name ? m.name + ' (' + m.customer_id + ')' : m.customer_id;
        tr.appendChild(cell('td', transfer ? who + ' \u00b7 ' + m.segment : who, 'who'));
        tr.appendChild(cell('td', money(m.amount)));
        tr.appendChild(cell('td', m.share === null || m.share === undefined ? '' : pct(m.share * 100)));
      });
      if (rows.length === 0) tbody.insertRow().appendChild(cell('td', 'no customers listed', 'none')).colSpan = 4;
      block.appendChild(table);
      grid.appendChild(block);
    }
    slot.hidden = false;
  };
  renderMovers(data.movers);

  // For a headless browser: how many canvases hold a drawing, how many errors there were, which
  // elements' text runs past their box (tiles, headings, the movers' cells), and which charts'
  // bars or dots lack their figure or write it past the canvas.
  const describe = el => el.id || (el.className ? el.tagName.toLowerCase() + '.' + el.className.split(' ')[0]
                                                 : el.tagName.toLowerCase()) + ':' + el.textContent.slice(0, 30);
  const layout = () => {
    const overflow = [];
    const inside = (box, outer) => box.left >= outer.left - 0.5 && box.right <= outer.right + 0.5 &&
                                   box.top >= outer.top - 0.5 && box.bottom <= outer.bottom + 0.5;
    for (const el of document.querySelectorAll('.tile, h1, h2, h3, p.inputs, .movers td, .movers th, .kpis td')) {
      if (el.scrollWidth > el.clientWidth + 1) { overflow.push(describe(el)); continue; }
      if (!el.classList.contains('tile')) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      if (!inside(range.getBoundingClientRect(), el.getBoundingClientRect())) overflow.push(describe(el));
    }
    const width = document.documentElement.clientWidth;
    for (const el of document.querySelectorAll('section, .tile, .chart, canvas, .movers table')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.left < -0.5 || box.right > width + 0.5)) overflow.push(describe(el));
    }
    const labels = [];
    for (const c of document.querySelectorAll('canvas')) {
      const l = c.dataset.labels;
      if (!l) continue;
      const [written, bars] = l.split('/');
      if (written !== bars || bars === '0' || c.dataset.outside !== '0') labels.push(c.id + ':' + l + ':' +
                                                                               c.dataset.outside);
    }
    body.dataset.overflow = overflow.length ? overflow.join('|') : 'none';
    body.dataset.labels = labels.length ? labels.join('|') : 'none';
    return { overflow, labels };
  };
  window.cskpiLayout = layout;
  const check = () => {
    const canvases = [...document.querySelectorAll('canvas')];
    const drawn = canvases.filter(c => {
      const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0 && ++ink > 200) return true;
      return false;
    }).length;
    layout();
    body.dataset.charts = drawn + '/' + canvases.length;
  };
  setTimeout(check, 0);
})();
)JS";

} // namespace

std::string_view html_style() { return k_style; }
std::string_view html_script() { return k_script; }

} // namespace cskpi
