// SPDX-License-Identifier: MIT
#include "report/projection.hpp"

#include "report/display.hpp"
#include "report/html.hpp"
#include "report/html_assets.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

namespace {

using detail::money;
std::string percent_text(double v) { return detail::fixed(v, 2) + "%"; }
std::string coverage_text(double coverage) { return detail::fixed(coverage * 100, 0) + "%"; }

/// The header of the months, the five lines with their bridge signs.
std::vector<std::string> month_columns(double coverage) {
  std::vector<std::string> cols = {"Month", "Start"};
  for (std::size_t k = 0; k < k_bridge_lines; ++k) {
    const auto line = static_cast<BridgeLine>(k);
    std::string name{to_string(line)};
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    cols.push_back(fmt::format("{} {}", bridge_sign(line) > 0 ? '+' : '-', name));
  }
  cols.push_back("= End");
  cols.push_back(fmt::format("Low ({})", coverage_text(coverage)));
  cols.push_back(fmt::format("High ({})", coverage_text(coverage)));
  return cols;
}

std::vector<std::string> month_cells(const ProjectedMonth& m) {
  std::vector<std::string> cells = {m.label, money(m.start)};
  for (Money line : m.lines) cells.push_back(money(line));
  cells.push_back(money(m.end));
  cells.push_back(money(m.low));
  cells.push_back(money(m.high));
  return cells;
}

std::string rates_line(const Projection& p) {
  std::vector<std::string> parts;
  for (const TrailingRate& r : p.rates)
    parts.push_back(scales_with_base(r.line) ? fmt::format("{} {}", to_string(r.line), percent_text(r.percent))
                                             : fmt::format("{} {} a month ({})", to_string(r.line), money(r.per_month),
                                                           percent_text(r.percent)));
  const std::string net = percent_text(p.net_percent);
  return fmt::format("Trailing rates of starting MRR, {}..{} ({} months): {}; net {}{} a month in the window",
                     p.window_first, p.window_last, p.window_months, fmt::join(parts, ", "), net[0] == '-' ? "" : "+",
                     net);
}

} // namespace

std::vector<std::string> projection_summary(const Projection& p, double coverage) {
  std::vector<std::string> out = {std::string(k_projection_caveat)};
  if (!p.not_projected.empty()) {
    out.push_back("No projection: " + p.not_projected + ".");
    return out;
  }
  out.push_back(fmt::format("Starts from {}: {}", p.from_cmrr ? "CMRR" : "ending MRR", money(p.origin)));
  out.push_back(rates_line(p));
  out.push_back(fmt::format("Interval: {} central, from the spread of the monthly growth (standard deviation {}), "
                            "widening with the square root of the months ahead",
                            coverage_text(coverage), percent_text(p.spread_percent)));
  for (const std::string& n : p.notes) out.push_back("Note: " + n);
  return out;
}

std::string render_projection_table(const Projection& p, double coverage) {
  std::string out;
  for (const std::string& line : projection_summary(p, coverage)) out += line + "\n";
  if (p.months.empty()) return out;
  std::vector<std::vector<std::string>> rows = {month_columns(coverage)};
  for (const ProjectedMonth& m : p.months) rows.push_back(month_cells(m));
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  out += "\n";
  for (const auto& row : rows) {
    std::string line = fmt::format("{:<{}}", row[0], width[0]);
    for (std::size_t c = 1; c < row.size(); ++c) line += fmt::format("  {:>{}}", row[c], width[c]);
    out += line + "\n";
  }
  return out;
}

std::string render_projection_csv(const Projection& p, const CsvStyle& style) {
  const char d = style.delimiter;
  std::string out = fmt::format("month{0}start_mrr{0}new_mrr{0}reactivation_mrr{0}expansion_mrr{0}contraction_mrr{0}"
                                "churned_mrr{0}end_mrr{0}low{0}high\n",
                                d);
  auto cell = [&](Money m) { return detail::csv_number(Quantity::of_money(m), style); };
  for (const ProjectedMonth& m : p.months) {
    out += m.label;
    out += d + cell(m.start);
    for (Money line : m.lines) out += d + cell(line);
    out += fmt::format("{1}{0}{1}{2}{1}{3}\n", cell(m.end), d, cell(m.low), cell(m.high));
  }
  return out;
}

std::string render_projection_markdown(const Projection& p, double coverage) {
  std::string out = "## MRR projection (trailing rates)\n\n";
  for (const std::string& line : projection_summary(p, coverage)) out += "- " + markdown_cell(line) + "\n";
  if (p.months.empty()) return out;
  const std::vector<std::string> cols = month_columns(coverage);
  out += "\n| " + fmt::format("{}", fmt::join(cols, " | ")) + " |\n|---";
  for (std::size_t c = 1; c < cols.size(); ++c) out += "|---:";
  out += "|\n";
  for (const ProjectedMonth& m : p.months) out += "| " + fmt::format("{}", fmt::join(month_cells(m), " | ")) + " |\n";
  return out;
}

std::string projection_json(const Projection& p, double coverage) {
  auto exact = [](Money m) { return format_money_exact(m); };
  std::string out =
      fmt::format("{{\"kind\": \"projection\", \"caveat\": {}, \"not_projected\": {}", json_string(k_projection_caveat),
                  p.not_projected.empty() ? "null" : json_string(p.not_projected));
  if (!p.not_projected.empty()) return out + "}";
  out +=
      fmt::format(", \"start_from\": {}, \"origin\": {}, \"window\": {{\"first\": {}, \"last\": {}, \"months\": {}}}",
                  p.from_cmrr ? "\"cmrr\"" : "\"mrr_end\"", exact(p.origin), json_string(p.window_first),
                  json_string(p.window_last), p.window_months);
  out += ", \"rates\": {";
  for (std::size_t k = 0; k < k_bridge_lines; ++k) {
    const TrailingRate& r = p.rates[k];
    out +=
        fmt::format("{}{}: {{\"sum\": {}, \"start_sum\": {}, \"per_month\": {}, \"scales_with_base\": {}, "
                    "\"percent\": {}}}",
                    k ? ", " : "", json_string(to_string(r.line)), exact(r.sum), exact(r.start_sum), exact(r.per_month),
                    scales_with_base(r.line) ? "true" : "false", json_number(Quantity::of_real(r.percent)));
  }
  out += fmt::format("}}, \"net_percent\": {}, \"spread_percent\": {}, \"coverage\": {}, \"z\": {}, \"notes\": [",
                     json_number(Quantity::of_real(p.net_percent)), json_number(Quantity::of_real(p.spread_percent)),
                     json_number(Quantity::of_real(coverage)), json_number(Quantity::of_real(p.z)));
  for (std::size_t i = 0; i < p.notes.size(); ++i) out += (i ? ", " : "") + json_string(p.notes[i]);
  out += "], \"observed\": [";
  for (std::size_t i = 0; i < p.observed.size(); ++i)
    out += fmt::format("{}{{\"month\": {}, \"mrr_end\": {}}}", i ? ", " : "", json_string(p.observed[i].first),
                       exact(p.observed[i].second));
  out += "], \"months\": [";
  for (std::size_t i = 0; i < p.months.size(); ++i) {
    const ProjectedMonth& m = p.months[i];
    out +=
        fmt::format("{}\n    {{\"month\": {}, \"mrr_start\": {}", i ? "," : "", json_string(m.label), exact(m.start));
    for (std::size_t k = 0; k < k_bridge_lines; ++k)
      out += fmt::format(", \"mrr_{}\": {}", to_string(static_cast<BridgeLine>(k)), exact(m.lines[k]));
    out += fmt::format(", \"mrr_end\": {}, \"low\": {}, \"high\": {}}}", exact(m.end), exact(m.low), exact(m.high));
  }
  return out + "\n  ]}";
}

} // namespace cskpi

namespace cskpi {

namespace {

std::string projection_document(const Projection& p, const ProjectionHead& head) {
  std::vector<std::string> inputs;
  for (const std::string& f : head.inputs) inputs.push_back(json_string(f));
  return fmt::format("{{\n  \"schema_version\": 1,\n  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n"
                     "  \"inputs\": [{}],\n  \"model\": \"trailing\",\n  \"period\": \"month\",\n  \"horizon\": {},\n"
                     "  \"projection\": {}\n}}\n",
                     json_string(head.version), fmt::join(inputs, ", "), head.horizon,
                     projection_json(p, head.coverage));
}

constexpr std::string_view k_projection_script = R"JS(
(function () {
  'use strict';
  const body = document.body;
  window.addEventListener('error', () => { body.dataset.errors = String(Number(body.dataset.errors || 0) + 1); });
  const doc = JSON.parse(document.getElementById('cskpi-projection').textContent);
  const p = doc.projection;
  const canvas = document.querySelector('canvas[data-projection]');
  if (!canvas || p.not_projected !== null) { body.dataset.charts = '0/' + (canvas ? 1 : 0); return; }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(body).fontFamily;
  const seen = p.observed.map(o => o.month), ahead = p.months.map(m => m.month);
  const labels = seen.concat(ahead);
  const pad = a => new Array(seen.length - 1).fill(null).concat([p.observed[p.observed.length - 1].mrr_end], a);
  new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: [
      { label: 'ending MRR (observed)', data: p.observed.map(o => o.mrr_end), borderColor: '#1f6feb',
        backgroundColor: '#1f6feb', pointRadius: 2 },
      { label: 'projection', data: pad(p.months.map(m => m.mrr_end)), borderColor: '#eb5757', borderDash: [5, 4],
        pointRadius: 0, borderWidth: 2 },
      { label: 'low (80%)', data: pad(p.months.map(m => m.low)), borderColor: 'rgba(235,87,87,0.25)', pointRadius: 0,
        fill: false },
      { label: 'high (80%)', data: pad(p.months.map(m => m.high)), borderColor: 'rgba(235,87,87,0.25)', pointRadius: 0,
        backgroundColor: 'rgba(235,87,87,0.12)', fill: '-1' }] },
    options: { plugins: { title: { display: true, text: 'MRR: the window observed, then projected' } },
      scales: { y: { title: { display: true, text: 'MRR' } } } }
  });
  body.dataset.charts = '1/1';
})();
)JS";

std::string projection_page(const Projection& p, const ProjectionHead& head, std::string_view chart_js) {
  std::string inputs;
  for (const std::string& f : head.inputs) inputs += (inputs.empty() ? "" : ", ") + f;
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cskpi {}\">\n"
      "<title>cskpi forecast (trailing) · {}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n"
      "<body data-errors=\"0\">\n<h1>cskpi forecast (trailing) · {}</h1>\n",
      html_escape(head.version), html_escape(inputs), html_style(), html_in_script(chart_js), html_escape(inputs));
  for (const std::string& line : projection_summary(p, head.coverage))
    out += "<p class=\"inputs\">" + html_escape(line) + "</p>\n";
  if (!p.months.empty()) {
    out += "<section id=\"curve\">\n<div class=\"charts\"><div class=\"chart\"><canvas data-projection></canvas>"
           "</div></div>\n</section>\n<section id=\"months\">\n<h2>Projected months</h2>\n<table>\n<tr>";
    for (const std::string& c : month_columns(head.coverage)) out += "<th>" + html_escape(c) + "</th>";
    out += "</tr>\n";
    for (const ProjectedMonth& m : p.months) {
      out += "<tr>";
      for (const std::string& c : month_cells(m)) out += "<td>" + html_escape(c) + "</td>";
      out += "</tr>\n";
    }
    out += "</table>\n</section>\n";
  }
  return out + "<script type=\"application/json\" id=\"cskpi-projection\">\n" +
      html_json_in_script(projection_document(p, head)) + "</script>\n<script>" + std::string(k_projection_script) +
      "</script>\n</body>\n</html>\n";
}

} // namespace

std::string render_projection(const Projection& p, const ProjectionHead& head, const std::string& format,
                              std::string_view chart_js) {
  if (format == "json") return projection_document(p, head);
  if (format == "csv") return render_projection_csv(p, CsvStyle{});
  if (format == "markdown") return render_projection_markdown(p, head.coverage);
  if (format == "html") return projection_page(p, head, chart_js);
  return render_projection_table(p, head.coverage);
}

} // namespace cskpi
