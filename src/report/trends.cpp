// SPDX-License-Identifier: MIT
// The report turned on its side (issue 14): Trends and render_wide.
#include "report/display.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

using detail::csv_number;
using detail::display;
using detail::fixed;

Trends::Trends(const Report& r) {
  for (const Group& g : r.groups) {
    const std::string p = g.period.value_or("");
    if (periods.empty() || periods.back() != p) periods.push_back(p);
    auto b = std::find_if(blocks.begin(), blocks.end(),
                          [&](const Block& x) { return x.whole == g.whole && x.segment == g.segment; });
    if (b == blocks.end()) b = blocks.insert(blocks.end(), Block{g.segment, g.whole, {}});
    for (const Record& rec : g.records) {
      auto row = std::find_if(b->rows.begin(), b->rows.end(),
                              [&](const Row& x) { return x.def == rec.metric.def && x.key == rec.metric.key; });
      if (row == b->rows.end())
        row = b->rows.insert(b->rows.end(), Row{rec.metric.def, rec.metric.key, display_name(rec), {}});
      row->cells.resize(periods.size(), nullptr);
      row->cells.back() = &rec;
    }
  }
  for (Block& b : blocks)
    for (Row& row : b.rows) row.cells.resize(periods.size(), nullptr);
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
    return a.whole ? !b.whole : !b.whole && a.segment < b.segment;
  });
}

std::optional<Quantity> Trends::Row::change() const {
  const std::size_t n = cells.size();
  if (n < 2 || cells[n - 1] == nullptr || cells[n - 2] == nullptr) return std::nullopt;
  const std::optional<Quantity>& a = cells[n - 2]->metric.value;
  const std::optional<Quantity>& b = cells[n - 1]->metric.value;
  if (!a || !b) return std::nullopt;
  if (a->kind == Quantity::Kind::money && b->kind == Quantity::Kind::money) {
    Money d = b->money;
    if (checked_sub(d, a->money)) return Quantity::of_money(d);
  }
  if (a->kind == Quantity::Kind::count && b->kind == Quantity::Kind::count)
    return Quantity::of_count(b->count - a->count);
  return Quantity::of_real(b->as_double() - a->as_double());
}

namespace {

/// A change for people, always signed: "+0.20 pts", "-1,234.00", "+12".
std::string display_change(const std::optional<Quantity>& d, Unit unit) {
  if (!d) return "";
  std::string s;
  switch (unit) {
  case Unit::percent: s = fixed(d->as_double(), 2) + " pts"; break;
  case Unit::points: s = fixed(d->as_double(), 1); break;
  case Unit::count:
    // Built in place: GCC 12 warns falsely (-Wrestrict) on "-" + a returned string here.
    s = group_thousands(static_cast<std::uint64_t>(d->count < 0 ? -d->count : d->count));
    if (d->count < 0) s.insert(s.begin(), '-');
    break;
  default: s = display(*d, unit);
  }
  if (s.front() != '-') s.insert(s.begin(), '+');
  return s;
}

std::string cell_text(const Record* rec) { return rec == nullptr ? "" : display_value(*rec); }

} // namespace

std::string render_wide(const Report& r, const std::string& format, std::size_t width, const CsvStyle& style) {
  const Trends w(r);
  std::string out;
  if (format == "csv") {
    const char d = style.delimiter;
    std::vector<std::string> fields = {"segment", "metric", "key", "name", "unit"};
    for (const std::string& p : w.periods) fields.push_back(csv_text_cell(p, d));
    fields.emplace_back("change");
    out = fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
    for (const Trends::Block& b : w.blocks)
      for (const Trends::Row& row : b.rows) {
        fields = {csv_text_cell(b.segment, d), csv_text_cell(row.def->id, d), csv_text_cell(row.key, d),
                  csv_text_cell(row.def->name, d), std::string(to_string(row.def->unit))};
        for (const Record* rec : row.cells)
          fields.push_back(csv_number(rec != nullptr ? rec->metric.value : std::nullopt, style));
        fields.push_back(csv_number(row.change(), style));
        out += fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
      }
    return out;
  }
  if (format == "markdown") {
    out = markdown_cell(inputs_line(r)) + "\n";
    for (const Trends::Block& b : w.blocks) {
      out += fmt::format("\n### {}\n\n| Metric |", markdown_cell(b.segment));
      for (const std::string& p : w.periods) out += fmt::format(" {} |", markdown_cell(p));
      out += " Change |\n|---|";
      for (std::size_t i = 0; i <= w.periods.size(); ++i) out += "--:|";
      out += "\n";
      for (const Trends::Row& row : b.rows) {
        out += fmt::format("| {} |", markdown_cell(row.name));
        for (const Record* rec : row.cells) out += fmt::format(" {} |", markdown_cell(cell_text(rec)));
        out += fmt::format(" {} |\n", markdown_cell(display_change(row.change(), row.def->unit)));
      }
    }
    return out;
  }
  // The table: the latest periods that fit the width, the change against the period before.
  std::size_t name_w = 6, cell_w = 0, change_w = 6;
  for (const Trends::Block& b : w.blocks)
    for (const Trends::Row& row : b.rows) {
      name_w = std::max(name_w, display_width(row.name));
      for (const Record* rec : row.cells) cell_w = std::max(cell_w, cell_text(rec).size());
      change_w = std::max(change_w, display_change(row.change(), row.def->unit).size());
    }
  for (const std::string& p : w.periods) cell_w = std::max(cell_w, p.size());
  const std::size_t fixed_w = 2 + name_w + 2 + change_w;
  std::size_t shown = w.periods.size();
  while (shown > 1 && fixed_w + shown * (cell_w + 2) > width) --shown;
  const std::size_t first = w.periods.size() - shown;
  out = inputs_line(r) + "\n";
  const std::size_t used = fixed_w + shown * (cell_w + 2);
  if (shown < w.periods.size() && used > width) // one period is the least the table shows
    out += fmt::format("the last of {} periods alone needs {} columns, more than the {} there are; --period "
                       "FROM..TO picks others, --format csv shows all\n",
                       w.periods.size(), used, width);
  else if (shown < w.periods.size())
    out += fmt::format(
        "the last {} of {} periods fit {} columns; --period FROM..TO picks others, --format csv shows all\n", shown,
        w.periods.size(), width);
  for (const Trends::Block& b : w.blocks) {
    out += fmt::format("\n{}\n  {:<{}}", b.segment, "metric", name_w);
    for (std::size_t i = first; i < w.periods.size(); ++i) out += fmt::format("  {:>{}}", w.periods[i], cell_w);
    out += fmt::format("  {:>{}}\n", "change", change_w);
    std::optional<Section> section;
    for (const Trends::Row& row : b.rows) {
      if (section != row.def->section) {
        section = row.def->section;
        out += fmt::format("{}\n", to_string(*section));
      }
      std::string line = "  " + pad_right(row.name, name_w);
      for (std::size_t i = first; i < w.periods.size(); ++i)
        line += fmt::format("  {:>{}}", cell_text(row.cells[i]), cell_w);
      line += fmt::format("  {:>{}}", display_change(row.change(), row.def->unit), change_w);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

} // namespace cskpi
