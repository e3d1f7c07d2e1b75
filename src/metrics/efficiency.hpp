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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// What the efficiency metrics of one period read besides its Totals.
struct PeriodCosts {
  std::string period;              ///< the report period's label
  const CostRow* now = nullptr;    ///< its costs row; nullptr when the costs file has none
  std::string before_period;       ///< the label of the period before ("" without a period column)
  const CostRow* before = nullptr; ///< the costs row of the period before, if the file has one
  std::string year_before_period;  ///< the label of the period that ended a year before this one ended
  /// The whole base's MRR a year before the period's end: the ending MRR of that period when
  /// the report has it, else the starting MRR of the period after it; nullopt without either.
  std::optional<Money> mrr_year_before;
};

/// The join of a costs file with the report's periods.
struct CostsJoin {
  std::map<std::string, PeriodCosts, std::less<>> periods; ///< by the report's period label
  std::vector<std::string> missing;                        ///< report periods without a costs row, in order
  std::vector<std::string> unused;                         ///< costs periods of another length than the report's
};

/// Joins `costs` to the report's periods (the aggregator's, labels sorted). `length` is the
/// report's period length.
CostsJoin join_costs(const CostsTable& costs, const std::map<std::string, PeriodTotals, std::less<>>& periods,
                     PeriodLength length);

/// The label of the period `months` months after `label`'s first month, in the form of
/// `length` ("2026-10" - 1 = "2026-09"; "2026-Q1" - 3 = "2025-Q4"); "" when `label` is not a period.
std::string shift_period(std::string_view label, int months, PeriodLength length);

} // namespace cskpi
