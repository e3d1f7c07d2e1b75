// SPDX-License-Identifier: MIT
#include "report/movers.hpp"

#include "report/display.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

using detail::printable;

namespace {

using detail::money;
std::string money(mover_i128 v) {
  const bool fits = v >= INT64_MIN && v <= INT64_MAX;
  return fits ? money(Money{static_cast<std::int64_t>(v)}) : std::string("(beyond range)");
}
std::string share_percent(double share) { return detail::fixed(100 * share, 1) + "%"; }

/// "+ New MRR", "- Churned MRR": the line as the report's bridge names it.
std::string line_title(const MoverLine& l) {
  const MetricDef* def = find_metric(l.kind_def().line);
  if (def == nullptr) return std::string(l.kind_def().id);
  return def->sign.empty() ? std::string(def->name) : fmt::format("{} {}", def->sign, def->name);
}
std::string heading(const MoverLine& l) { return l.period.empty() ? l.group : l.period + " · " + l.group; }
bool same_mover_block(const MoverLine& a, const MoverLine& b) {
  return a.period == b.period && a.group == b.group && a.whole == b.whole;
}
std::string summary(const MoverLine& l) {
  return fmt::format("{} customer{}, {}", group_thousands(l.customers), l.customers == 1 ? "" : "s", money(l.total));
}
std::string top_words(std::size_t top) {
  return top == 0 ? std::string("every customer") : fmt::format("the {} largest customers", top);
}

std::string entry_json(const MoverLine& l, const Mover& m, std::size_t rank, const std::optional<std::string>& by) {
  return fmt::format("{{\"period\":{},\"segment\":{},\"by\":{},\"kind\":{},\"line\":{},\"rank\":{},"
                     "\"customer_id\":{},\"name\":{},\"amount\":{},\"share\":{}}}",
                     l.period.empty() ? "null" : json_string(l.period), json_string(l.group),
                     l.whole || !by ? "null" : json_string(*by), json_string(l.kind_def().id),
                     json_string(l.kind_def().line), rank, json_string(m.customer_id),
                     m.name.empty() ? "null" : json_string(m.name), format_money_exact(m.amount),
                     json_number(Quantity::of_real(l.share(m))));
}

} // namespace

std::string render_movers_table(const std::vector<MoverLine>& lines, std::size_t top) {
  std::string out = fmt::format("\nMovers: {} behind each bridge line\n", top_words(top));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const MoverLine& l = lines[i];
    if (i == 0 || !same_mover_block(lines[i - 1], l)) out += fmt::format("\n{}\n", printable(heading(l)));
    out += fmt::format("  {}: {}\n", line_title(l), summary(l));
    std::size_t id_w = 0, name_w = 0, amount_w = 0;
    for (const Mover& m : l.movers) {
      id_w = std::max(id_w, display_width(printable(m.customer_id)));
      name_w = std::max(name_w, display_width(printable(m.name)));
      amount_w = std::max(amount_w, money(m.amount).size());
    }
    const std::size_t rank_w = std::to_string(l.movers.size()).size();
    for (std::size_t k = 0; k < l.movers.size(); ++k) {
      const Mover& m = l.movers[k];
      std::string row = fmt::format("    {}  {}  ", pad_left(std::to_string(k + 1), rank_w),
                                    pad_right(printable(m.customer_id), id_w));
      if (name_w > 0) row += pad_right(printable(m.name), name_w) + "  ";
      row += fmt::format("{}  {:>6}", pad_left(money(m.amount), amount_w), share_percent(l.share(m)));
      out += row + "\n";
    }
  }
  return out;
}

std::string render_movers_markdown(const std::vector<MoverLine>& lines, std::size_t top) {
  std::string out =
      fmt::format("\n## Movers\n\n{} behind each bridge line.\n",
                  top == 0 ? std::string("Every customer") : fmt::format("The {} largest customers", top));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const MoverLine& l = lines[i];
    if (i == 0 || !same_mover_block(lines[i - 1], l)) {
      out += fmt::format("\n### {}\n\n", markdown_cell(heading(l)));
      out += "| Line | # | Customer | Name | Amount | Share |\n|---|--:|---|---|--:|--:|\n";
    }
    for (std::size_t k = 0; k < l.movers.size(); ++k) {
      const Mover& m = l.movers[k];
      out +=
          fmt::format("| {} | {} | {} | {} | {} | {} |\n",
                      k == 0 ? markdown_cell(fmt::format("{} ({})", line_title(l), summary(l))) : "", k + 1,
                      markdown_cell(m.customer_id), markdown_cell(m.name), money(m.amount), share_percent(l.share(m)));
    }
  }
  return out;
}

std::string movers_json_entries(const std::vector<MoverLine>& lines, const std::optional<std::string>& by,
                                std::string_view indent) {
  std::string out;
  for (const MoverLine& l : lines)
    for (std::size_t k = 0; k < l.movers.size(); ++k) {
      if (!out.empty()) out += ",\n";
      out += indent;
      out += entry_json(l, l.movers[k], k + 1, by);
    }
  return out;
}

std::string render_mover_list(const std::vector<MoverLine>& lines, const std::optional<std::string>& by,
                              const std::string& format, const std::string& version) {
  if (format == "json") {
    const std::string entries = movers_json_entries(lines, by, "    ");
    return fmt::format("{{\n  \"schema_version\": {},\n  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n"
                       "  \"by\": {},\n  \"movers\": [{}{}]\n}}\n",
                       k_report_schema_version, json_string(version), by ? json_string(*by) : "null",
                       entries.empty() ? "" : "\n", entries.empty() ? "" : entries + "\n  ");
  }
  if (format == "csv") {
    std::string out = "period,segment,by,kind,line,rank,customer_id,name,amount,share\n";
    for (const MoverLine& l : lines)
      for (std::size_t k = 0; k < l.movers.size(); ++k) {
        const Mover& m = l.movers[k];
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_text_cell(l.period), csv_text_cell(l.group),
                           l.whole || !by ? "" : csv_text_cell(*by), l.kind_def().id, l.kind_def().line, k + 1,
                           csv_text_cell(m.customer_id), csv_text_cell(m.name), format_money_exact(m.amount),
                           json_number(Quantity::of_real(l.share(m))));
      }
    return out;
  }
  std::string out = render_movers_table(lines, 0);
  out.erase(0, out.find('\n', 1) + 1); // no heading: the command says what it lists
  if (out.starts_with("\n")) out.erase(0, 1);
  return lines.empty() ? std::string("no customer moved on these lines\n") : out;
}

} // namespace cskpi
