// SPDX-License-Identifier: MIT
// cskpi forecast (issue 32): the cohorts' survivor counts from MRR snapshots or a logo cohort
// table, each cohort's retention model fitted, projected and valued. A second model (trailing
// movement rates) slots in beside forecast_sbg.
#pragma once

#include "core/logo_cohorts.hpp"
#include "core/snapshot_table.hpp"
#include "report/forecast.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cskpi::app {

/// One cohort's counts as the models take them.
struct CohortCounts {
  std::string cohort;
  std::vector<std::uint64_t> alive; ///< per age from 0
  std::optional<Money> last_mrr;    ///< the survivors' MRR at the last age, when known
  std::optional<Money> first_mrr;   ///< the cohort's MRR at age 0, when known (the pooled ARPA)
  std::string unknown_age;          ///< why its ages are unknown ("" when known): left out of the pooled fit
};

/// Exact survivor counts per acquisition month of a snapshot table (a customer that stops paying
/// is lost for good); the customers of the table's first month have an unknown age.
std::vector<CohortCounts> counts_from_snapshots(const SnapshotTable& t);
/// The cohorts of a logo cohort table, in the order first read.
std::vector<CohortCounts> counts_from_table(const LogoCohortTable& t);
/// The period length of a logo cohort table's ages from its cohort labels, when every label is
/// a period of one length (2024-01, 2024-Q1, 2024); nullopt otherwise.
std::optional<PeriodLength> period_of_labels(const LogoCohortTable& t);

struct ForecastSettings {
  std::size_t horizon = 12;
  double annual_discount = 0.10;
  PeriodLength period = PeriodLength::month;
  Money gross_margin = Money::from_units(1);
};

/// The sBG model fitted to each cohort and to all of them pooled, with the survival curve,
/// DERL, ARPA and LTV of each. `f` carries the input's name and the version already.
void forecast_sbg(const std::vector<CohortCounts>& counts, const ForecastSettings& s, Forecast& f);

} // namespace cskpi::app
