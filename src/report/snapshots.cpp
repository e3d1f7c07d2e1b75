// SPDX-License-Identifier: MIT
// What cskpi movements and cskpi cohorts print: movements CSV rows and the cohort table.
#include "report/display.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

using detail::fixed;

std::string movements_csv_header(std::string_view group_column) {
  std::string out = "customer_id,";
  if (!group_column.empty()) out += csv_text_cell(group_column) + ",";
  out += "period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,new_mrr,reactivation_mrr,end_mrr\n";
  return out;
}

void append_movement_csv(std::string& out, const MovementRow& r, bool with_group) {
  const Money end = end_mrr(r);
  out += csv_text_cell(r.customer_id);
  out += ',';
  if (with_group) {
    out += csv_text_cell(r.group);
    out += ',';
  }
  out += fmt::format("{},{},{},{},{},{},{},{}\n", r.period, format_money_exact(r.start),
                     format_money_exact(r.expansion), format_money_exact(r.contraction), format_money_exact(r.churned),
                     format_money_exact(r.new_mrr), format_money_exact(r.reactivation), format_money_exact(end));
}

namespace {

std::string cohort_name(const CohortRow& row) { return (row.before_data ? "<=" : "") + month_label(row.month); }

} // namespace

std::string render_cohorts(const std::vector<CohortRow>& rows, bool logos, const std::string& file,
                           const std::string& format, const std::string& version, std::size_t width) {
  std::size_t ages = 0;
  for (const CohortRow& row : rows) ages = std::max(ages, row.retention.size());
  const auto pct = [](const std::optional<double>& v) { return v ? fixed(*v, 1) : std::string("n/a"); };
  const std::string measure = logos ? "logo retention (% of the cohort's customers still paying)"
                                    : "revenue retention (% of the cohort's first-month MRR)";
  std::string out;
  if (format == "json") {
    out = fmt::format("{{\n  \"schema_version\": 1,\n  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n"
                      "  \"input\": {},\n  \"measure\": {},\n  \"cohorts\": [",
                      json_string(version), json_string(file), logos ? "\"logos\"" : "\"revenue\"");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const CohortRow& row = rows[i];
      std::vector<std::string> cells;
      for (const auto& v : row.retention) cells.push_back(v ? json_number(Quantity::of_real(*v)) : "null");
      out += fmt::format("{}\n    {{\"cohort\": {}, \"before_data\": {}, \"customers\": {}, \"start_mrr\": {}, "
                         "\"retention\": [{}]}}",
                         i ? "," : "", json_string(month_label(row.month)), row.before_data ? "true" : "false",
                         row.customers, format_money_exact(row.start), fmt::join(cells, ", "));
    }
    out += rows.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
  }
  if (format == "csv") {
    out = "cohort,before_data,customers,start_mrr";
    for (std::size_t a = 0; a < ages; ++a) out += fmt::format(",m{}", a);
    out += '\n';
    for (const CohortRow& row : rows) {
      out += fmt::format("{},{},{},{}", month_label(row.month), row.before_data ? "true" : "false", row.customers,
                         format_money_exact(row.start));
      for (std::size_t a = 0; a < ages; ++a)
        out += a < row.retention.size() && row.retention[a] ? "," + json_number(Quantity::of_real(*row.retention[a]))
                                                            : ",";
      out += '\n';
    }
    return out;
  }
  const std::string legend = fmt::format(
      "{} · {} by acquisition month; m0 is the month of the first MRR{}", file, measure,
      !rows.empty() && rows.front().before_data ? "; <= marks customers already paying when the data starts" : "");
  if (format == "markdown") {
    out = markdown_cell(legend) + "\n\n| Cohort | Customers | Start MRR |";
    std::string rule = "|---|--:|--:|";
    for (std::size_t a = 0; a < ages; ++a) {
      out += fmt::format(" m{} |", a);
      rule += "--:|";
    }
    out += "\n" + rule + "\n";
    for (const CohortRow& row : rows) {
      out += fmt::format("| {} | {} | {} |", markdown_cell(cohort_name(row)), group_thousands(row.customers),
                         format_money_fixed(row.start, 2, true));
      for (std::size_t a = 0; a < ages; ++a)
        out += " " + (a < row.retention.size() ? pct(row.retention[a]) : "") + " |";
      out += '\n';
    }
    return out;
  }
  out = width == SIZE_MAX ? legend + "\n" : fmt::format("{}\n", fmt::join(wrap_words(legend, width), "\n"));
  std::size_t start_w = 9;
  for (const CohortRow& row : rows) start_w = std::max(start_w, format_money_fixed(row.start, 2, true).size());
  // As many ages as fit the width in each page; every page repeats the cohort columns.
  const std::size_t lead = 10 + 1 + 9 + 1 + start_w;
  const std::size_t per_page = width > lead + 7 ? std::max<std::size_t>((width - lead) / 7, 1) : 1;
  for (std::size_t first = 0; first < std::max<std::size_t>(ages, 1); first += per_page) {
    const std::size_t last = std::min(ages, first + per_page);
    out += '\n';
    if (first > 0) out += fmt::format("(ages m{} to m{})\n", first, last - 1);
    out += fmt::format("{:<10} {:>9} {:>{}}", "cohort", "customers", "start MRR", start_w);
    for (std::size_t a = first; a < last; ++a) out += fmt::format(" {:>6}", fmt::format("m{}", a));
    out += '\n';
    for (const CohortRow& row : rows) {
      if (first > 0 && row.retention.size() <= first) continue; // too young for this page
      std::string line = fmt::format("{:<10} {:>9} {:>{}}", cohort_name(row), group_thousands(row.customers),
                                     format_money_fixed(row.start, 2, true), start_w);
      for (std::size_t a = first; a < std::min(last, row.retention.size()); ++a)
        line += fmt::format(" {:>6}", pct(row.retention[a]));
      out += line + "\n";
    }
  }
  return out;
}

} // namespace cskpi
