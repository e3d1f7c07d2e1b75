// SPDX-License-Identifier: MIT
// The join of a costs file with the report's periods (efficiency.hpp).
#include "metrics/efficiency.hpp"

#include <fmt/format.h>

namespace cskpi {

std::string shift_period(std::string_view label, int months, PeriodLength length) {
  const std::optional<Period> p = parse_period(label);
  if (!p) return {};
  const int m = month_span(*p).first + months;
  if (m < 0) return {};
  const int year = m / 12;
  switch (length) {
  case PeriodLength::year: return fmt::format("{:04}", year);
  case PeriodLength::quarter: return fmt::format("{:04}-Q{}", year, m % 12 / 3 + 1);
  case PeriodLength::month: break;
  }
  return fmt::format("{:04}-{:02}", year, m % 12 + 1);
}

CostsJoin join_costs(const CostsTable& costs, const std::map<std::string, PeriodTotals, std::less<>>& periods,
                     PeriodLength length) {
  CostsJoin j;
  const int step = months_per_period(length);
  for (const CostRow& r : costs.rows)
    if (r.length != length) j.unused.push_back(r.period);
  for (const auto& [label, totals] : periods) {
    PeriodCosts pc;
    pc.period = label;
    pc.now = costs.find(label);
    if (pc.now == nullptr) j.missing.push_back(label);
    pc.before_period = shift_period(label, -step, length);
    if (!pc.before_period.empty()) pc.before = costs.find(pc.before_period);
    // A year before the period's end: the period that ended 12 months earlier, or failing it
    // the start of the period after it (which begins where that one ended).
    pc.year_before_period = shift_period(label, -12, length);
    if (const auto it = periods.find(pc.year_before_period); it != periods.end())
      pc.mrr_year_before = it->second.all.end_mrr;
    else if (const auto next = periods.find(shift_period(label, step - 12, length)); next != periods.end())
      pc.mrr_year_before = next->second.all.start; // of a year: the period itself
    j.periods.emplace(label, std::move(pc));
  }
  return j;
}

} // namespace cskpi
