// SPDX-License-Identifier: MIT
// The month-close lock (issue 30): `cskpi report --format json --lock` saves the figures of a
// closed period with a fingerprint of every customer's movements; `cskpi check --baseline`
// reads that file back and fails when a figure of a period it holds has changed since. The
// comparison is pure; src/app reads the file and taps the rows for the fingerprints.
#pragma once

#include "core/money.hpp"
#include "report/check.hpp"
#include "report/report.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One customer's movements in one period and --by group, as a fingerprint: a hash of the
/// sums of its rows' start, new, reactivation, expansion, contraction and churned MRR.
struct LedgerEntry {
  std::string period;   ///< "" without a period column
  std::string group;    ///< the --by value ("(blank)" for an empty one); "" without --by
  std::string customer; ///< the customer id
  std::uint64_t hash = 0;
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};
/// Every customer's fingerprint, sorted by period, customer and group.
using CustomerLedger = std::vector<LedgerEntry>;

/// The version of the "lock" member; a later one is refused by this cskpi.
inline constexpr int k_lock_version = 1;

/// The JSON report `json` (render_json's output) with a "lock" member appended: the ledger,
/// one [period, group, customer, hash] array a line. `grouped`: the run had --by.
std::string with_lock(std::string json, const CustomerLedger& ledger, bool grouped);

/// One figure of the baseline: a record of the report it was saved from.
struct BaselineFigure {
  std::optional<std::string> period;
  std::string segment;
  bool whole = false; ///< the record's "by" is null: the whole base
  std::string metric;
  std::string key;
  std::optional<std::string> value; ///< the JSON number as written; nullopt for null
  std::uint32_t line = 0;           ///< where the record is in the file
};

/// What `check --baseline` reads of a saved report.
struct Baseline {
  std::string file; ///< the name given, for messages
  int schema_version = 0;
  std::string tool_version;
  std::optional<std::string> by;
  std::string period_length;
  std::string definitions;
  std::string gross_margin;                ///< as written; compared exactly
  std::optional<std::string> cac;          ///< nullopt: no --cac
  std::optional<std::string> reactivation; ///< "include"/"exclude" for snapshot inputs
  std::vector<BaselineFigure> figures;
  std::optional<CustomerLedger> ledger; ///< set when it was saved with --lock
  /// The periods the figures belong to, sorted ("" without a period column).
  std::vector<std::string> periods() const;
};

/// Reads a baseline from the text of `file`. Throws an input error (exit 3) naming
/// `file:line:col` when it is not JSON, not a cskpi report, or from a schema this cskpi
/// cannot read.
Baseline parse_baseline(std::string_view text, const std::string& file);

/// Throws a usage error (exit 2) when `report` was made with other choices than the
/// baseline: --by, the period length, --definitions, --gross-margin, --cac, --reactivation.
/// Its figures would differ for that reason alone.
void check_compatible(const Baseline& b, const ReportSettings& s);

struct BaselineOptions {
  Money tolerance{};                ///< allowed |now - at close| in each figure's own unit
  bool allow_missing = false;       ///< a baseline period absent from the data is skipped, not failed
  std::size_t customers_shown = 10; ///< customers named per failure; the rest are counted
};

/// Compares every figure of the baseline with the report's. Per baseline period: one failed
/// verdict per figure changed beyond the tolerance, naming the customers whose movements
/// differ (when both ledgers are known), or one passed verdict when none changed. `now`: the
/// run's ledger (nullptr when the baseline has none).
std::vector<Verdict> judge_baseline(const Baseline& b, const Report& report, const CustomerLedger* now,
                                    const BaselineOptions& opts);

} // namespace cskpi
