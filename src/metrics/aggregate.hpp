// SPDX-License-Identifier: MIT
#pragma once

#include "core/money.hpp"
#include "core/records.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

/// Exact sums over one group of rows (SPEC §2.1). All money is integer micro-units, so
/// merging two Totals is exact and order-independent.
struct Totals {
  std::uint64_t customers = 0;     ///< rows in the group
  std::uint64_t new_customers = 0; ///< rows with start_mrr = 0
  // Starting cohort (start_mrr > 0): S, E, C, X, N, L of SPEC §2.1.
  std::uint64_t cohort = 0;
  std::uint64_t churned_logos = 0;
  std::uint64_t expanding = 0;
  Money start, expansion, contraction, churned;
  // Rows starting at 0 (new and reactivated customers): their contraction and churn, and the
  // rows that churned. Not in any rate; the bridge's contraction and churn lines show them, so
  // that New MRR is what such rows brought in (new + expansion), never below 0.
  Money new_contraction, new_churned;
  std::uint64_t new_churned_logos = 0;
  // All rows.
  Money new_mrr, reactivation, at_risk_mrr, cac_sum;
  Money end_mrr;            ///< MRR at period end (issue 14: the bridge's last line)
  std::uint64_t ending = 0; ///< rows with end MRR > 0
  std::uint64_t cac_count = 0;
  std::uint64_t at_risk = 0, saved = 0;
  std::uint64_t promoters = 0, passives = 0, detractors = 0;
  Lifecycle life; ///< billing exports' lifecycle facts (issue 30): zero from other forms
  // Segment transfers (issue 30): customers that started the period in this group but ended
  // the period before in another (in), or the reverse (out), and their start_mrr. The rows
  // above count a customer in the group of its row: the bridge starts at
  // start - transfer_in + transfer_out, the group's MRR at the end of the period before.
  Money transfer_in, transfer_out;
  /// --fx-method period-end: the starting cohort's revaluation, MovementRow::fx summed. The
  /// bridge starts at start - fx (the MRR at the period before's rate) and shows fx as a line.
  Money fx;
  std::uint64_t transfers_in = 0, transfers_out = 0;

  /// Adds one row; returns false if a money sum would overflow (then nothing is changed).
  bool add(const MovementRow& row) noexcept;
  /// Adds another group's sums; returns false on overflow (then nothing is changed).
  bool merge(const Totals& other) noexcept;

  std::uint64_t responses() const noexcept { return promoters + passives + detractors; }
};

/// Totals for one period: the whole (`all`) group and one per --by value, sorted.
struct PeriodTotals {
  Totals all;
  std::map<std::string, Totals, std::less<>> groups;
};

/// Streams rows into per-period, per-group totals. Throws an input Error naming the row
/// when a sum overflows int64 micro-units.
class Aggregator : public RowSink {
public:
  /// `grouped`: rows carry a --by value and per-group totals are kept beside `all`.
  explicit Aggregator(bool grouped) : m_grouped(grouped) {}
  void add(const MovementRow& row) override;
  /// Totals::add takes a row without MRR for its lifecycle facts alone.
  void add_lifecycle(const MovementRow& row) override { add(row); }
  /// A fork keeps only the --by groups per row; their sums make `all` when it is merged.
  std::unique_ptr<RowSink> fork() const override {
    auto part = std::make_unique<Aggregator>(m_grouped);
    part->m_all_from_groups = m_grouped;
    return part;
  }
  /// `part` must come from fork(); a fork can take in another.
  bool merge(RowSink& part) override;
  /// Adds a customer's change of group to the lines of both groups (not to `all`, where
  /// transfers cancel out).
  void transfer(const TransferRow& t) override;
  /// Some customer changed group.
  bool has_transfers() const noexcept { return m_transfers; }
  /// Periods sorted by label; the key is "" when the input has no period column.
  const std::map<std::string, PeriodTotals, std::less<>>& periods() const { return m_periods; }

private:
  bool m_grouped;
  bool m_transfers = false;
  bool m_all_from_groups = false; ///< `all` is left empty by add() and summed from the groups
  std::map<std::string, PeriodTotals, std::less<>> m_periods;
  PeriodTotals* m_last = nullptr; ///< rows of one period usually come together
  std::string m_last_period;
  static constexpr std::size_t k_recent = 8;
  std::vector<std::pair<std::string_view, Totals*>> m_recent; ///< groups of m_last: name (the map key), totals
};

} // namespace cskpi
