// SPDX-License-Identifier: MIT
#include "report/xlsx.hpp"

#include "report/workbook.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace cskpi {

namespace {

/// The workbook's number formats and tier fills.
struct Formats {
  explicit Formats(xlsx::Workbook& wb) {
    title = wb.format({.bold = true, .font_size = 14});
    bold = wb.format({.bold = true});
    header = wb.format({.bold = true, .bottom_border = true});
    percent = wb.format({.number_format = "0.00%"});
    money = wb.format({.number_format = "#,##0.00"});
    count = wb.format({.number_format = "#,##0"});
    real = wb.format({.number_format = "0.00"});
    exact = 0; // numerators and denominators: General, every digit
    const std::pair<Tier, std::uint32_t> fills[] = {{Tier::best_in_class, 0x63BE7B},
                                                    {Tier::good, 0xC6EFCE},
                                                    {Tier::acceptable, 0xDDEBF7},
                                                    {Tier::warning, 0xFFEB9C},
                                                    {Tier::critical, 0xFFC7CE}};
    for (const auto& [t, color] : fills) tiers[t] = wb.format({.fill = color});
  }
  /// The format of a value in `unit`.
  xlsx::FormatId of(Unit unit) const {
    switch (unit) {
    case Unit::percent: return percent;
    case Unit::currency: return money;
    case Unit::count: return count;
    default: return real;
    }
  }
  xlsx::FormatId title, bold, header, percent, money, count, real, exact;
  std::map<Tier, xlsx::FormatId> tiers;
};

using Row = std::uint32_t;
using Col = std::uint32_t;

/// Text: always a string cell, never a formula, whatever it starts with.
void text(xlsx::Sheet& ws, Row row, Col col, std::string_view s, xlsx::FormatId f = 0) { ws.text(row, col, s, f); }

/// A value in its unit: percentages as fractions under a percent format, as spreadsheets keep them.
void number(xlsx::Sheet& ws, Row row, Col col, const std::optional<Quantity>& q, Unit unit, const Formats& fm) {
  if (!q) return;
  const double v = q->as_double();
  if (unit == Unit::percent) ws.number(row, col, v / 100.0, fm.percent);
  else ws.number(row, col, v, fm.of(unit));
}

void annual(xlsx::Sheet& ws, Row row, Col col, const MetricValue& m, const Formats& fm) {
  if (m.annualized) ws.number(row, col, *m.annualized / 100.0, fm.percent);
}

void summary_sheet(xlsx::Sheet& ws, const Report& r, const Formats& fm) {
  ws.column_width(0, 0, 34);
  ws.column_width(1, 2, 16);
  ws.column_width(3, 3, 15);
  ws.column_width(4, 4, 60);
  text(ws, 0, 0, "cskpi report", fm.title);
  text(ws, 1, 0, inputs_line(r));
  // The latest period's whole base: the groups are sorted by period, `all` first in each.
  const Group* g = nullptr;
  for (const Group& x : r.groups)
    if (x.whole) g = &x;
  if (g == nullptr) return;
  Row row = 3;
  text(ws, row++, 0, g->period ? fmt::format("{} · all", *g->period) : "all", fm.bold);
  bool bridge = false;
  for (const Record& rec : g->records) {
    if (rec.metric.def->section != Section::bridge) continue;
    if (!bridge) {
      text(ws, row, 0, "MRR bridge", fm.header);
      text(ws, row++, 1, "Amount", fm.header);
      bridge = true;
    }
    text(ws, row, 0, display_name(rec));
    number(ws, row++, 1, rec.metric.value, rec.metric.def->unit, fm);
  }
  if (bridge) ++row;
  const char* heads[] = {"Metric", "Period", "Annual", "Tier", "Note"};
  for (Col c = 0; c < 5; ++c) text(ws, row, c, heads[c], fm.header);
  ws.freeze(3, 0);
  ++row;
  for (const Record& rec : g->records) {
    if (rec.metric.def->section == Section::bridge) continue;
    text(ws, row, 0, display_name(rec));
    number(ws, row, 1, rec.metric.value, rec.metric.def->unit, fm);
    annual(ws, row, 2, rec.metric, fm);
    if (rec.tier) text(ws, row, 3, to_string(*rec.tier), fm.tiers.at(*rec.tier));
    text(ws, row++, 4, display_note(rec));
  }
}

void records_sheet(xlsx::Sheet& ws, const Report& r, const Formats& fm) {
  const char* heads[] = {"period", "segment",  "metric",    "name",        "value", "unit", "annualized", "method",
                         "band",   "severity", "numerator", "denominator", "n",     "note", "key",        "by"};
  for (Col c = 0; c < 16; ++c) text(ws, 0, c, heads[c], fm.header);
  ws.column_width(0, 2, 14);
  ws.column_width(3, 3, 30);
  ws.column_width(4, 12, 14);
  ws.column_width(13, 13, 50);
  Row row = 1;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      const MetricValue& m = rec.metric;
      if (g.period) text(ws, row, 0, *g.period);
      text(ws, row, 1, g.segment);
      text(ws, row, 2, m.def->id);
      text(ws, row, 3, m.def->name);
      number(ws, row, 4, m.value, m.def->unit, fm);
      text(ws, row, 5, to_string(m.def->unit));
      annual(ws, row, 6, m, fm);
      if (m.annualized) text(ws, row, 7, m.method);
      if (rec.tier) {
        text(ws, row, 8, to_string(*rec.tier), fm.tiers.at(*rec.tier));
        ws.number(row, 9, severity(*rec.tier));
      }
      if (m.numerator) ws.number(row, 10, m.numerator->as_double(), fm.exact);
      if (m.denominator) ws.number(row, 11, m.denominator->as_double(), fm.exact);
      ws.number(row, 12, static_cast<double>(m.n), fm.count);
      text(ws, row, 13, m.note);
      text(ws, row, 14, m.key);
      text(ws, row, 15, segment_column(g, r.settings));
      ++row;
    }
  ws.freeze(1, 0);
  if (row > 1) ws.autofilter(0, 0, row - 1, 15);
}

void trend_sheet(xlsx::Sheet& ws, const Trends& t, const Trends::Block& b, const Formats& fm) {
  text(ws, 0, 0, b.segment, fm.bold);
  text(ws, 1, 0, "metric", fm.header);
  ws.column_width(0, 0, 34);
  ws.column_width(1, static_cast<Col>(t.periods.size() + 1), 14);
  for (std::size_t i = 0; i < t.periods.size(); ++i) text(ws, 1, static_cast<Col>(i + 1), t.periods[i], fm.header);
  const auto change_col = static_cast<Col>(t.periods.size() + 1);
  text(ws, 1, change_col, "change", fm.header);
  Row row = 2;
  for (const Trends::Row& x : b.rows) {
    text(ws, row, 0, x.name);
    for (std::size_t i = 0; i < x.cells.size(); ++i)
      if (x.cells[i] != nullptr) number(ws, row, static_cast<Col>(i + 1), x.cells[i]->metric.value, x.def->unit, fm);
    number(ws, row, change_col, x.change(), x.def->unit, fm);
    ++row;
  }
  ws.freeze(2, 1);
}

/// The movers (issue 30): one row per customer behind a bridge line, as the `movers` JSON has them.
void movers_sheet(xlsx::Sheet& ws, const Report& r, const Formats& fm) {
  const char* heads[] = {"period", "segment", "by", "kind", "line", "rank", "customer_id", "name", "amount", "share"};
  for (Col c = 0; c < 10; ++c) text(ws, 0, c, heads[c], fm.header);
  ws.column_width(0, 6, 14);
  ws.column_width(7, 7, 30);
  ws.column_width(8, 9, 14);
  constexpr Row k_last = 1048576 - 2; // a sheet's last row says what did not fit
  Row row = 1;
  for (const MoverLine& l : *r.movers)
    for (std::size_t k = 0; k < l.movers.size(); ++k) {
      if (row == k_last) {
        text(ws, row, 0, "(more movers than a sheet holds: cskpi movements --kind all --format csv lists them all)");
        return;
      }
      const Mover& m = l.movers[k];
      text(ws, row, 0, l.period);
      text(ws, row, 1, l.group);
      if (!l.whole && r.settings.by) text(ws, row, 2, *r.settings.by);
      text(ws, row, 3, l.kind_def().id);
      text(ws, row, 4, l.kind_def().line);
      ws.number(row, 5, static_cast<double>(k + 1), fm.count);
      text(ws, row, 6, m.customer_id);
      text(ws, row, 7, m.name);
      ws.number(row, 8, Quantity::of_money(m.amount).as_double(), fm.money);
      ws.number(row, 9, l.share(m), fm.percent);
      ++row;
    }
  ws.freeze(1, 0);
  if (row > 1) ws.autofilter(0, 0, row - 1, 9);
}

} // namespace

std::string render_xlsx(const Report& r) {
  xlsx::Workbook wb("cskpi report");
  const Formats fm(wb);
  std::set<std::string> taken{"summary", "records"};
  if (r.movers) taken.insert("movers");
  summary_sheet(wb.add_sheet("Summary"), r, fm);
  records_sheet(wb.add_sheet("Records"), r, fm);
  if (r.movers) movers_sheet(wb.add_sheet("Movers"), r, fm);
  const Trends t(r);
  if (t.periods.size() > 1)
    for (const Trends::Block& b : t.blocks) trend_sheet(wb.add_sheet(xlsx::sheet_name(b.segment, taken)), t, b, fm);
  return wb.bytes();
}

} // namespace cskpi
