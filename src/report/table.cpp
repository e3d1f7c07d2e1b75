// SPDX-License-Identifier: MIT
// The human table (render_table).
#include "report/display.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

using detail::cohort_legend;
using detail::definitions_line;
using detail::display_tier;
using detail::group_title;
using detail::printable;

namespace {

const char* tier_color(Tier t) {
  switch (t) {
  case Tier::best_in_class: return "\x1b[1;32m";
  case Tier::good: return "\x1b[32m";
  case Tier::acceptable: return "\x1b[36m";
  case Tier::warning: return "\x1b[33m";
  case Tier::critical: return "\x1b[1;31m";
  }
  return "";
}

/// `s` padded with spaces to `width` columns, on the left (`right_aligned`) or on the right.
void append_padded(std::string& out, std::string_view s, std::size_t width, bool right_aligned) {
  const std::size_t w = display_width(s), pad = width > w ? width - w : 0;
  if (right_aligned) out.append(pad, ' ');
  out += s;
  if (!right_aligned) out.append(pad, ' ');
}

} // namespace

std::string render_table(const Report& r, bool color, std::size_t width) {
  std::string out = inputs_line(r) + "\n" + cohort_legend(r);
  if (r.join) out += join_line(*r.join) + "\n";
  out += definitions_line(r);
  if (r.settings.period_length_source != "detected")
    out +=
        fmt::format("period length: {} ({})\n", to_string(r.settings.period_length), r.settings.period_length_source);
  std::size_t name_w = 6;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) name_w = std::max(name_w, display_width(display_name(rec)));
  const std::size_t value_w = 14, annual_w = 10, tier_w = 14;
  for (const Group& g : r.groups) {
    out += fmt::format("\n{}\n", printable(group_title(g)));
    out += fmt::format("  {:<{}}  {:>{}}  {:>{}}  {:<{}}  {}\n", "metric", name_w, "period", value_w, "annual",
                       annual_w, "tier", tier_w, "note");
    std::optional<Section> section;
    for (const Record& rec : g.records) {
      if (section != rec.metric.def->section) {
        section = rec.metric.def->section;
        out += fmt::format("{}\n", to_string(*section));
      }
      // The cells padded by hand: fmt's {:>{}} measures each string's width, code point by code
      // point, and the table's formatting was a third of its cost.
      std::string line = "  ";
      append_padded(line, display_name(rec), name_w, false);
      line += "  ";
      append_padded(line, display_value(rec), value_w, true);
      line += "  ";
      append_padded(line, display_annual(rec), annual_w, true);
      line += "  ";
      const bool colored = color && rec.tier;
      if (colored) line += tier_color(*rec.tier);
      append_padded(line, display_tier(rec), tier_w, false);
      if (colored) line += "\x1b[0m";
      line += "  ";
      const std::string note = display_note(rec);
      const std::size_t note_col = 2 + name_w + 2 + value_w + 2 + annual_w + 2 + tier_w + 2;
      if (note_col + note.size() <= width) {
        line += note;
      } else if (width > note_col && width - note_col >= 24) { // wrapped under the note column
        const std::vector<std::string> lines = wrap_words(note, width - note_col);
        // Not "\n" + a string: GCC 12 takes that for an overlapping copy here (-Wrestrict).
        line += fmt::format("{}", fmt::join(lines, std::string("\n").append(note_col, ' ')));
      } else { // too narrow: below the record
        while (!line.empty() && line.back() == ' ') line.pop_back();
        for (const std::string& l : wrap_words(note, width > 8 ? width - 6 : 1)) line += "\n      " + l;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

} // namespace cskpi
