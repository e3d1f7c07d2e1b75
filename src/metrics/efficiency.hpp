// SPDX-License-Identifier: MIT
// The efficiency metrics' inputs (issue 31): a costs file's rows joined to the report's
// periods. The metrics of one period need figures of others (the costs row of the period
// before for the magic number, the MRR a year before for the Rule of 40); the join finds
// them here, once per period, so that the formulas (table_efficiency.cpp) stay pure and
// read one PeriodCosts. No I/O: the warnings for periods the costs file lacks are returned.
#pragma once

#include "core/costs.hpp"
#include "core/money.hpp"
#include "core/period.hpp"
#include "metrics/aggregate.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// What the efficiency metrics of one period read besides its Totals.
struct PeriodCosts {
  std::string period;           ///< the report period's label
  const CostRow* now = nullptr; ///< its costs row; nullptr when the costs file has none
  /// Why `now` is nullptr when the file has some but not all of the period's shorter rows (a
  /// quarter without one of its months), or their sum overflows; empty otherwise.
  std::string why_none;
  std::string before_period;       ///< the label of the period before ("" without a period column)
  const CostRow* before = nullptr; ///< the costs row of the period before, if the file has one
  std::string before_why_none;     ///< as why_none, of the period before
  std::string year_before_period;  ///< the label of the period that ended a year before this one ended
  /// The whole base's MRR a year before the period's end: the ending MRR of that period when
  /// the report has it, else the starting MRR of the period after it; nullopt without either.
  std::optional<Money> mrr_year_before;
};

/// The join of a costs file with the report's periods. Holds the rows it summed, which the
/// PeriodCosts point to: moved, never copied.
struct CostsJoin {
  std::map<std::string, PeriodCosts, std::less<>> periods; ///< by the report's period label
  std::vector<std::string> missing;                        ///< report periods without a costs row, in order
  std::vector<std::string> unused;                         ///< costs periods longer than the report's
  std::vector<std::unique_ptr<CostRow>> summed;            ///< rows summed from shorter ones

  CostsJoin() = default;
  CostsJoin(CostsJoin&&) = default;
  CostsJoin& operator=(CostsJoin&&) = default;
};

/// Joins `costs` to the report's periods (the aggregator's, labels sorted). `length` is the
/// report's period length. A period the file has no row of that length for is the sum of its
/// shorter rows (a quarter of its three months, a year of its months or quarters) when they
/// cover it whole: money figures summed exactly; revenue and operating income only when every
/// row has them; the gross margin the revenue-weighted mean of the rows' margins, or their common
/// value when they are equal, and absent (why_no_margin) when neither can be known. A period
/// the rows cover only in part has no costs row, and why_none names the rows it lacks.
CostsJoin join_costs(const CostsTable& costs, const std::map<std::string, PeriodTotals, std::less<>>& periods,
                     PeriodLength length);

/// The label of the period `months` months after `label`'s first month, in the form of
/// `length` ("2026-10" - 1 = "2026-09"; "2026-Q1" - 3 = "2025-Q4"); "" when `label` is not a period.
std::string shift_period(std::string_view label, int months, PeriodLength length);

} // namespace cskpi
