// SPDX-License-Identifier: MIT
#include "report/xlsx.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <xlsxwriter.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace cskpi {

namespace {

/// The workbook's number formats and tier fills.
struct Formats {
  explicit Formats(lxw_workbook* wb) {
    title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bottom(header, LXW_BORDER_THIN);
    percent = workbook_add_format(wb);
    format_set_num_format(percent, "0.00%");
    money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    count = workbook_add_format(wb);
    format_set_num_format(count, "#,##0");
    real = workbook_add_format(wb);
    format_set_num_format(real, "0.00");
    exact = workbook_add_format(wb); // numerators and denominators: every digit
    format_set_num_format(exact, "General");
    const std::pair<Tier, lxw_color_t> fills[] = {{Tier::best_in_class, 0x63BE7B},
                                                  {Tier::good, 0xC6EFCE},
                                                  {Tier::acceptable, 0xDDEBF7},
                                                  {Tier::warning, 0xFFEB9C},
                                                  {Tier::critical, 0xFFC7CE}};
    for (const auto& [t, color] : fills) {
      lxw_format* f = workbook_add_format(wb);
      format_set_bg_color(f, color);
      tiers[t] = f;
    }
  }
  /// The format of a value in `unit`.
  lxw_format* of(Unit unit) const {
    switch (unit) {
    case Unit::percent: return percent;
    case Unit::currency: return money;
    case Unit::count: return count;
    default: return real;
    }
  }
  lxw_format *title, *bold, *header, *percent, *money, *count, *real, *exact;
  std::map<Tier, lxw_format*> tiers;
};

/// Text: always a string cell, never a formula, whatever it starts with.
void text(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::string_view s, lxw_format* f = nullptr) {
  if (!s.empty()) worksheet_write_string(ws, row, col, std::string(s).c_str(), f);
}

/// A value in its unit: percentages as fractions under a percent format, as spreadsheets keep them.
void number(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::optional<Quantity>& q, Unit unit,
            const Formats& fm) {
  if (!q) return;
  const double v = q->as_double();
  if (unit == Unit::percent) worksheet_write_number(ws, row, col, v / 100.0, fm.percent);
  else worksheet_write_number(ws, row, col, v, fm.of(unit));
}

void annual(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const MetricValue& m, const Formats& fm) {
  if (m.annualized) worksheet_write_number(ws, row, col, *m.annualized / 100.0, fm.percent);
}

/// The first `n` characters of UTF-8 text.
std::string first_chars(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t chars = 0; i < s.size() && chars < n; ++chars)
    for (++i; i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;) ++i;
  return std::string(s.substr(0, i));
}

/// A sheet name Excel takes: at most 31 characters, none of []:*?/\, no quote at either end,
/// unique in the book (Excel compares them without case).
std::string sheet_name(std::string_view wanted, std::set<std::string>& taken) {
  std::string base;
  for (char c : wanted) base.push_back(std::strchr("[]:*?/\\", c) != nullptr ? '_' : c);
  if (base.empty() || base.front() == '\'' || base.back() == '\'') base = "(" + base + ")";
  for (int n = 1;; ++n) {
    const std::string suffix = n == 1 ? "" : fmt::format(" ({})", n);
    const std::string name = first_chars(base, 31 - suffix.size()) + suffix;
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (taken.insert(lower).second) return name;
  }
}

void summary_sheet(lxw_worksheet* ws, const Report& r, const Formats& fm) {
  worksheet_set_column(ws, 0, 0, 34, nullptr);
  worksheet_set_column(ws, 1, 2, 16, nullptr);
  worksheet_set_column(ws, 3, 3, 15, nullptr);
  worksheet_set_column(ws, 4, 4, 60, nullptr);
  text(ws, 0, 0, "cskpi report", fm.title);
  text(ws, 1, 0, inputs_line(r));
  // The latest period's whole base: the groups are sorted by period, `all` first in each.
  const Group* g = nullptr;
  for (const Group& x : r.groups)
    if (x.whole) g = &x;
  if (g == nullptr) return;
  lxw_row_t row = 3;
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
  for (lxw_col_t c = 0; c < 5; ++c) text(ws, row, c, heads[c], fm.header);
  worksheet_freeze_panes(ws, 3, 0);
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

void records_sheet(lxw_worksheet* ws, const Report& r, const Formats& fm) {
  const char* heads[] = {"period", "segment",  "metric",    "name",        "value", "unit", "annualized", "method",
                         "band",   "severity", "numerator", "denominator", "n",     "note", "key",        "by"};
  for (lxw_col_t c = 0; c < 16; ++c) text(ws, 0, c, heads[c], fm.header);
  worksheet_set_column(ws, 0, 2, 14, nullptr);
  worksheet_set_column(ws, 3, 3, 30, nullptr);
  worksheet_set_column(ws, 4, 12, 14, nullptr);
  worksheet_set_column(ws, 13, 13, 50, nullptr);
  lxw_row_t row = 1;
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
        worksheet_write_number(ws, row, 9, severity(*rec.tier), nullptr);
      }
      if (m.numerator) worksheet_write_number(ws, row, 10, m.numerator->as_double(), fm.exact);
      if (m.denominator) worksheet_write_number(ws, row, 11, m.denominator->as_double(), fm.exact);
      worksheet_write_number(ws, row, 12, static_cast<double>(m.n), fm.count);
      text(ws, row, 13, m.note);
      text(ws, row, 14, m.key);
      text(ws, row, 15, segment_column(g, r.settings));
      ++row;
    }
  worksheet_freeze_panes(ws, 1, 0);
  if (row > 1) worksheet_autofilter(ws, 0, 0, row - 1, 15);
}

void trend_sheet(lxw_worksheet* ws, const Trends& t, const Trends::Block& b, const Formats& fm) {
  text(ws, 0, 0, b.segment, fm.bold);
  text(ws, 1, 0, "metric", fm.header);
  worksheet_set_column(ws, 0, 0, 34, nullptr);
  worksheet_set_column(ws, 1, static_cast<lxw_col_t>(t.periods.size() + 1), 14, nullptr);
  for (std::size_t i = 0; i < t.periods.size(); ++i)
    text(ws, 1, static_cast<lxw_col_t>(i + 1), t.periods[i], fm.header);
  const auto change_col = static_cast<lxw_col_t>(t.periods.size() + 1);
  text(ws, 1, change_col, "change", fm.header);
  lxw_row_t row = 2;
  for (const Trends::Row& x : b.rows) {
    text(ws, row, 0, x.name);
    for (std::size_t i = 0; i < x.cells.size(); ++i)
      if (x.cells[i] != nullptr)
        number(ws, row, static_cast<lxw_col_t>(i + 1), x.cells[i]->metric.value, x.def->unit, fm);
    number(ws, row, change_col, x.change(), x.def->unit, fm);
    ++row;
  }
  worksheet_freeze_panes(ws, 2, 1);
}

/// The movers (issue 30): one row per customer behind a bridge line, as the `movers` JSON has them.
void movers_sheet(lxw_worksheet* ws, const Report& r, const Formats& fm) {
  const char* heads[] = {"period", "segment", "by", "kind", "line", "rank", "customer_id", "name", "amount", "share"};
  for (lxw_col_t c = 0; c < 10; ++c) text(ws, 0, c, heads[c], fm.header);
  worksheet_set_column(ws, 0, 6, 14, nullptr);
  worksheet_set_column(ws, 7, 7, 30, nullptr);
  worksheet_set_column(ws, 8, 9, 14, nullptr);
  constexpr lxw_row_t k_last = LXW_ROW_MAX - 2; // a sheet's last row says what did not fit
  lxw_row_t row = 1;
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
      worksheet_write_number(ws, row, 5, static_cast<double>(k + 1), fm.count);
      text(ws, row, 6, m.customer_id);
      text(ws, row, 7, m.name);
      worksheet_write_number(ws, row, 8, Quantity::of_money(m.amount).as_double(), fm.money);
      worksheet_write_number(ws, row, 9, l.share(m), fm.percent);
      ++row;
    }
  worksheet_freeze_panes(ws, 1, 0);
  if (row > 1) worksheet_autofilter(ws, 0, 0, row - 1, 9);
}

} // namespace

void write_xlsx(const Report& r, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) throw input_error(fmt::format("{}: cannot create the workbook", path));
  // A fixed creation time: the same report gives the same bytes.
  lxw_doc_properties props{};
  props.title = const_cast<char*>("cskpi report");
  props.created = 946684800; // 2000-01-01
  workbook_set_properties(wb, &props);
  const Formats fm(wb);
  std::set<std::string> taken{"summary", "records"};
  if (r.movers) taken.insert("movers");
  summary_sheet(workbook_add_worksheet(wb, "Summary"), r, fm);
  records_sheet(workbook_add_worksheet(wb, "Records"), r, fm);
  if (r.movers) movers_sheet(workbook_add_worksheet(wb, "Movers"), r, fm);
  const Trends t(r);
  if (t.periods.size() > 1)
    for (const Trends::Block& b : t.blocks) {
      const std::string name = sheet_name(b.segment, taken);
      trend_sheet(workbook_add_worksheet(wb, name.c_str()), t, b, fm);
    }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) throw input_error(fmt::format("{}: cannot write the workbook: {}", path, lxw_strerror(err)));
}

} // namespace cskpi
