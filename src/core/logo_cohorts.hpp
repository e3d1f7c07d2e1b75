// SPDX-License-Identifier: MIT
// A logo cohort table (issue 32): customers of each acquisition cohort still customers at each
// age, read by ingest (forms/logo_cohorts.cpp) for cskpi forecast's retention model.
#pragma once

#include "core/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cskpi {

/// One cohort's survivors at one age (age 0: acquisition).
struct LogoCohortRow {
  std::string cohort; ///< the cohort's label, trimmed ("2024-01", "Regular")
  std::uint64_t age = 0;
  std::uint64_t customers = 0;
  std::optional<Money> mrr; ///< the cohort's MRR at that age (optional column): ARPA for LTV
  std::string file;
  std::uint64_t line = 0;
};

/// Every row of the run's logo cohort files, in the order read; each cohort's ages run from 0
/// without a gap and its customers never rise with age (ingest checks both).
struct LogoCohortTable {
  std::vector<LogoCohortRow> rows;
  std::vector<std::string> files;
};

} // namespace cskpi
