// SPDX-License-Identifier: MIT
// The join of a costs file with the report's periods (efficiency.hpp), and the sums of shorter
// rows into the report's periods: a quarterly report of a monthly costs file.
#include "metrics/efficiency.hpp"
#include "metrics/formula.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

namespace {

/// The label of the period of `length` that starts at month index `m` (year * 12 + month - 1).
std::string label_at(int m, PeriodLength length) {
  const int year = m / 12;
  switch (length) {
  case PeriodLength::year: return fmt::format("{:04}", year);
  case PeriodLength::quarter: return fmt::format("{:04}-Q{}", year, m % 12 / 3 + 1);
  case PeriodLength::month: break;
  }
  return fmt::format("{:04}-{:02}", year, m % 12 + 1);
}

using Rows = std::vector<const CostRow*>;

MonthSpan span_of(const CostRow& r) { return month_span(Period{r.period, r.length}); }

/// The sub-periods of `period` (of the rows' shortest length) that no row covers, by label.
std::vector<std::string> uncovered(const std::string& period, PeriodLength length, const Rows& rows) {
  PeriodLength sub = length;
  for (const CostRow* r : rows) sub = std::min(sub, r->length);
  const MonthSpan whole = month_span(Period{period, length});
  const int step = months_per_period(sub);
  std::vector<std::string> out;
  for (int m = whole.first; m <= whole.last; m += step) {
    const bool covered = std::any_of(rows.begin(), rows.end(), [&](const CostRow* r) {
      const MonthSpan s = span_of(*r);
      return s.first <= m && m + step - 1 <= s.last;
    });
    if (!covered) out.push_back(label_at(m, sub));
  }
  return out;
}

/// The sum of an optional figure when every row has it; else nullopt, and `why` names the
/// first row without it when some row had it (a partial sum is not the period's).
std::optional<Money> sum_optional(const Rows& rows, std::optional<Money> CostRow::*field, std::string_view name,
                                  std::string& why, bool& overflow) {
  Money total;
  const CostRow* lacking = nullptr;
  bool any = false;
  for (const CostRow* r : rows) {
    if (!(r->*field)) {
      if (lacking == nullptr) lacking = r;
      continue;
    }
    any = true;
    if (!checked_add(total, *(r->*field))) overflow = true;
  }
  if (lacking == nullptr) return total;
  if (any) why = fmt::format("the costs row of {} has no {}", lacking->period, name);
  return std::nullopt;
}

/// The gross margin of summed rows: their common margin when all are equal (any weights give
/// it), else the revenue-weighted mean when every row has revenue and they sum above 0, exact to
/// the micro-unit; else absent, and `why` says what is missing. Never a guess.
std::optional<Money> summed_margin(const Rows& rows, const std::optional<Money>& revenue, std::string& why) {
  const CostRow* lacking = nullptr;
  bool any = false, equal = true;
  for (const CostRow* r : rows) {
    if (!r->gross_margin) {
      if (lacking == nullptr) lacking = r;
      continue;
    }
    if (any && r->gross_margin->micros != rows.front()->gross_margin->micros) equal = false;
    any = true;
  }
  if (lacking != nullptr) {
    if (any) why = fmt::format("the costs row of {} has no gross_margin", lacking->period);
    return std::nullopt;
  }
  if (equal) return rows.front()->gross_margin;
  if (!revenue || revenue->micros <= 0) {
    why = revenue ? "the rows' gross margins differ and their revenue sums to 0: no weights for a mean"
                  : "the rows' gross margins differ and not every row has revenue to weight them by";
    return std::nullopt;
  }
  i128 weighted = 0;
  for (const CostRow* r : rows) weighted += static_cast<i128>(r->revenue->micros) * r->gross_margin->micros;
  return Money{div_round(weighted, revenue->micros)};
}

/// The row of `period` summed from `rows`, or nullptr with the reason in `why`.
std::unique_ptr<CostRow> sum_rows(const std::string& period, PeriodLength length, Rows rows, std::string& why) {
  if (const std::vector<std::string> gaps = uncovered(period, length, rows); !gaps.empty()) {
    why = fmt::format("the costs file has no row for {} ({} of {}), and a partial sum is not the {}'s",
                      fmt::join(gaps, ", "), gaps.size() == 1 ? "a part" : "parts", period, to_string(length));
    return nullptr;
  }
  std::sort(rows.begin(), rows.end(), [](const CostRow* a, const CostRow* b) { return a->period < b->period; });
  auto row = std::make_unique<CostRow>();
  row->period = period;
  row->length = length;
  row->file = rows.front()->file;
  row->line = rows.front()->line;
  bool overflow = false;
  for (const CostRow* r : rows) {
    row->summed_from.push_back(r->period);
    if (!checked_add(row->sales_marketing, r->sales_marketing) || !checked_add(row->net_burn, r->net_burn))
      overflow = true;
  }
  row->revenue = sum_optional(rows, &CostRow::revenue, "revenue", row->why_no_revenue, overflow);
  row->operating_income =
      sum_optional(rows, &CostRow::operating_income, "operating_income", row->why_no_income, overflow);
  if (overflow) {
    why = fmt::format("the sums of the costs rows of {} overflow the money range", period);
    return nullptr;
  }
  row->gross_margin = summed_margin(rows, row->revenue, row->why_no_margin);
  return row;
}

/// The costs row of every period of `length` the file has: its own row, else the sum of its
/// shorter rows. Periods whose shorter rows do not sum (a month missing) map to the reason.
struct Resolved {
  std::map<std::string, const CostRow*, std::less<>> rows;
  std::map<std::string, std::string, std::less<>> why_none;
};

Resolved resolve(const CostsTable& costs, PeriodLength length, CostsJoin& j) {
  Resolved out;
  std::map<std::string, Rows, std::less<>> parts;
  for (const CostRow& r : costs.rows) {
    if (r.length == length) out.rows.emplace(r.period, &r);
    else if (r.length < length) parts[shift_period(r.period, 0, length)].push_back(&r);
    else j.unused.push_back(r.period);
  }
  for (auto& [period, rows] : parts) {
    if (out.rows.contains(period)) continue; // ingest refuses overlapping rows; the period's own row wins
    std::string why;
    if (std::unique_ptr<CostRow> row = sum_rows(period, length, std::move(rows), why)) {
      out.rows.emplace(period, row.get());
      j.summed.push_back(std::move(row));
    } else {
      out.why_none.emplace(period, std::move(why));
    }
  }
  return out;
}

} // namespace

std::string shift_period(std::string_view label, int months, PeriodLength length) {
  const std::optional<Period> p = parse_period(label);
  if (!p) return {};
  const int m = month_span(*p).first + months;
  if (m < 0) return {};
  return label_at(m, length);
}

CostsJoin join_costs(const CostsTable& costs, const std::map<std::string, PeriodTotals, std::less<>>& periods,
                     PeriodLength length) {
  CostsJoin j;
  const Resolved rows = resolve(costs, length, j);
  const auto find = [&rows](std::string_view label) -> const CostRow* {
    const auto it = rows.rows.find(label);
    return it == rows.rows.end() ? nullptr : it->second;
  };
  const int step = months_per_period(length);
  for (const auto& [label, totals] : periods) {
    PeriodCosts pc;
    pc.period = label;
    pc.now = find(label);
    if (pc.now == nullptr) {
      j.missing.push_back(label);
      if (const auto it = rows.why_none.find(label); it != rows.why_none.end()) pc.why_none = it->second;
    }
    pc.before_period = shift_period(label, -step, length);
    if (!pc.before_period.empty()) pc.before = find(pc.before_period);
    if (const auto it = rows.why_none.find(pc.before_period); pc.before == nullptr && it != rows.why_none.end())
      pc.before_why_none = it->second;
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
