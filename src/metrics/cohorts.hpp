// SPDX-License-Identifier: MIT
// Exact trailing-12-month cohorts and the classic cohort table, from MRR snapshots. Pure: no I/O.
#pragma once

#include "core/snapshot_table.hpp"
#include "metrics/metrics.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// Exact annual figures of every period that has 12 months of history before its end: the
/// cohort is the customers with MRR > 0 twelve months before the period's last month.
struct AnnualCohorts {
  bool include_reactivation = true;
  std::map<std::string, CohortFigures, std::less<>> all;               ///< by period label
  std::map<std::pair<std::string, std::string>, CohortFigures> groups; ///< by (period label, --by value)
  /// The figures of a period's whole base (`group` nullptr) or of one --by group, if exact.
  const CohortFigures* find(std::string_view period, const std::string* group) const;
};
/// `threads` > 1 sums ranges of customers on that many threads (the figures are exact sums either way).
AnnualCohorts annual_cohorts(const SnapshotTable& t, PeriodLength length, bool grouped, bool include_reactivation,
                             unsigned threads = 1);

/// The classic cohort table: one row per acquisition month (a customer's first month with
/// MRR), one column per month since acquisition.
struct CohortRow {
  MonthIndex month = 0;
  bool before_data = false; ///< customers already active in the table's first month
  std::uint64_t customers = 0;
  Money start;                                  ///< the cohort's MRR in its first month
  std::vector<std::optional<double>> retention; ///< per age: % of start MRR (or of customers)
};
std::vector<CohortRow> cohort_table(const SnapshotTable& t, bool logos);

/// A cohort's exact survivor counts (issue 32: the retention model's input): per age, the
/// customers of the cohort that paid in every month from their first to that age. A customer
/// who stops paying is lost for good, even if it comes back later (the model has no return).
struct CohortSurvivors {
  MonthIndex month = 0;
  bool before_data = false;         ///< customers already active in the table's first month: age unknown
  std::vector<std::uint64_t> alive; ///< per age from 0
  std::vector<Money> mrr;           ///< per age: the survivors' MRR
};
std::vector<CohortSurvivors> cohort_survivors(const SnapshotTable& t);

} // namespace cskpi
