// SPDX-License-Identifier: MIT
#include "report/projection.hpp"

#include "report/display.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

namespace {

std::string money(Money m) { return format_money_fixed(m, 2, true); }
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
    parts.push_back(fmt::format("{} {}", to_string(r.line), percent_text(r.percent)));
  const std::string net = percent_text(p.net_percent);
  return fmt::format("Monthly rates of starting MRR, {}..{} ({} months): {}; net {}{}", p.window_first, p.window_last,
                     p.window_months, fmt::join(parts, ", "), net[0] == '-' ? "" : "+", net);
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
    out += fmt::format("{}{}: {{\"sum\": {}, \"start_sum\": {}, \"percent\": {}}}", k ? ", " : "",
                       json_string(to_string(r.line)), exact(r.sum), exact(r.start_sum),
                       json_number(Quantity::of_real(r.percent)));
  }
  out += fmt::format("}}, \"net_percent\": {}, \"spread_percent\": {}, \"coverage\": {}, \"z\": {}, \"notes\": [",
                     json_number(Quantity::of_real(p.net_percent)), json_number(Quantity::of_real(p.spread_percent)),
                     json_number(Quantity::of_real(coverage)), json_number(Quantity::of_real(p.z)));
  for (std::size_t i = 0; i < p.notes.size(); ++i) out += (i ? ", " : "") + json_string(p.notes[i]);
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
