// SPDX-License-Identifier: MIT
// A costs file (issue 31): one row per period of the company's spend and results, read by
// ingest (forms/costs.cpp) and joined to the report's periods by the efficiency metrics
// (metrics/efficiency.hpp). Money is exact; the gross margin is an exact fraction too.
#pragma once

#include "core/money.hpp"
#include "core/period.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One period of a costs file.
struct CostRow {
  std::string period; ///< normalised label: "2026-10", "2026-Q3", "2026"
  PeriodLength length = PeriodLength::month;
  Money sales_marketing;                 ///< sales and marketing spend of the period
  Money net_burn;                        ///< cash burned in the period (negative: cash generated)
  std::optional<Money> revenue;          ///< recognised revenue of the period
  std::optional<Money> operating_income; ///< operating income (loss negative) of the period
  /// Gross margin as a fraction in micro-units (0.78 = 780,000: parts per million, exact).
  std::optional<Money> gross_margin;
  std::string file;
  std::uint64_t line = 0;
  /// A row the join summed from the file's shorter rows (a quarter from its three months): the
  /// labels summed, empty for a row as read. An optional figure some of them lack is absent from
  /// the sum (never a partial sum), and why_no_* says which row lacks it.
  std::vector<std::string> summed_from;
  std::string why_no_revenue, why_no_income, why_no_margin;
};

/// Every row of the run's costs files, in the order read.
struct CostsTable {
  std::vector<CostRow> rows;
  std::vector<std::string> files;

  /// The row of a period label, or nullptr.
  const CostRow* find(std::string_view period) const noexcept {
    for (const CostRow& r : rows)
      if (r.period == period) return &r;
    return nullptr;
  }
};

} // namespace cskpi
