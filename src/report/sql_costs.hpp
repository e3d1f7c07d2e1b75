// SPDX-License-Identifier: MIT
// The efficiency metrics in `cskpi sql` (issue 31): a costs table joined by period label to
// the whole base's figures, shorter rows summed into a quarter or a year, as report joins a
// costs file (metrics/efficiency.cpp) and computes them (metrics/table_efficiency.cpp).
// Internal to report/sql*.cpp.
#pragma once

#include "metrics/metrics.hpp"
#include "report/sql.hpp"

#include <string>

namespace cskpi::sql_text {

/// The expressions of one record, in the columns of `report --format csv`.
struct RecordSql {
  std::string value = "NULL", annualized = "NULL", method = "NULL", numerator = "NULL", denominator = "NULL",
              n = "NULL", note = "NULL";
};

/// The body of the step "cskpi_costs_rows": the costs table typed, its period as a label.
std::string costs_rows_body(const SqlOptions& o);
/// The body of the step "cskpi_costs_sums": per quarter or year the table has shorter rows of,
/// their sums, or why they make no figures (a month missing): join_costs()' sums in SQL.
std::string costs_sums_body(const SqlOptions& o);
/// The body of the step "cskpi_costs_periods": the table's own rows and the sums of shorter ones.
std::string costs_periods_body(const SqlOptions& o);
/// The body of the step "cskpi_costs": per period of the whole base (from {{cskpi_annual}}),
/// its costs row, the costs row of the period before and the MRR a year before.
std::string costs_body(const SqlOptions& o);
/// The record of an efficiency metric, read from a row of cskpi_costs.
RecordSql costs_record(const MetricDef& def, const SqlOptions& o);

} // namespace cskpi::sql_text
