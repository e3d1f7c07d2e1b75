// SPDX-License-Identifier: MIT
// The trailing projection of `cskpi forecast --model trailing` (issue 32): MRR month by month,
// each movement at its trailing-12-month rate, with an interval from the spread of the monthly
// rates. A projection of the recent past, not a forecast of deals. Pure: no I/O.
#pragma once

#include "core/money.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

/// The lines of the MRR bridge the projection carries forward, in bridge order.
enum class BridgeLine : std::uint8_t { new_mrr, reactivation, expansion, contraction, churned };
inline constexpr std::size_t k_bridge_lines = 5;
/// "new", "reactivation", "expansion", "contraction", "churned".
std::string_view to_string(BridgeLine line) noexcept;
/// +1 for the lines that add MRR, -1 for those that take it away.
int bridge_sign(BridgeLine line) noexcept;
/// Whether a line moves with the MRR it starts from (expansion, contraction, churned: what
/// existing customers do) rather than with the effort that wins customers (new, reactivation).
bool scales_with_base(BridgeLine line) noexcept;

/// One observed month of the whole base's bridge: start + new + reactivation + expansion
/// - contraction - churned = end (transfers cancel out in the whole base).
struct BridgeMonth {
  std::string label; ///< "2026-10"
  Money start;
  std::array<Money, k_bridge_lines> lines{}; ///< indexed by BridgeLine, each >= 0
  Money end;
};

struct ProjectionSettings {
  int horizon = 12;          ///< months to project
  int window = 12;           ///< trailing months the rates come from
  int min_history = 6;       ///< fewer observed months give no projection
  double coverage = 0.80;    ///< the interval's central probability
  std::optional<Money> cmrr; ///< committed MRR at the latest month's end, when the input knows it
};

/// A movement's trailing rate. A line that scales with the base moves sum / start_sum of each
/// month's starting MRR (an exact ratio of integers); new and reactivation MRR add the window's
/// mean per month, `per_month`, whatever the base.
struct TrailingRate {
  BridgeLine line = BridgeLine::new_mrr;
  Money sum;          ///< the movement summed over the window
  Money start_sum;    ///< starting MRR summed over the window
  Money per_month;    ///< sum / the window's months, rounded half to even
  double percent = 0; ///< sum / start_sum * 100: the line as a share of starting MRR, for display
};

struct ProjectedMonth {
  std::string label;
  Money start;
  std::array<Money, k_bridge_lines> lines{};
  Money end;
  Money low, high; ///< the interval around `end`
};

struct Projection {
  /// Empty when projected; else why not (too little history, a month without MRR, ...).
  std::string not_projected;
  std::vector<std::string> notes;        ///< what the reader should know (start point, short window)
  bool from_cmrr = false;                ///< the projection starts from CMRR, not ending MRR
  Money origin;                          ///< the MRR the projection starts from
  std::string window_first, window_last; ///< the months the rates come from
  int window_months = 0;
  std::vector<std::pair<std::string, Money>> observed; ///< each window month's ending MRR, for charts
  std::array<TrailingRate, k_bridge_lines> rates{};
  double net_percent = 0;    ///< the summed signed rates, per month
  double spread_percent = 0; ///< the standard deviation of the monthly net log growth, in %
  double z = 0;              ///< the normal quantile the interval uses
  std::vector<ProjectedMonth> months;
};

/// Projects `history` (consecutive months, oldest first) forward. Each projected month:
/// start = the month before's end (the first: CMRR when given, else the latest end); expansion,
/// contraction and churned = start x the line's trailing rate, rounded half-to-even to the
/// micro-unit; new and reactivation = the window's mean per month; end = start plus the signed
/// lines. The interval: end x exp(+-z x s x sqrt(h)) at month h, where s is the
/// sample standard deviation of the window's monthly log(end / start) and z the normal
/// quantile of the coverage: a random walk of the observed monthly growth.
Projection project_trailing(const std::vector<BridgeMonth>& history, const ProjectionSettings& settings);

/// The label of the month after `label` ("2026-12" -> "2027-01"); empty if it is not YYYY-MM.
std::string next_month_label(std::string_view label);

} // namespace cskpi
