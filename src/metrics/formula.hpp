// SPDX-License-Identifier: MIT
// What the metric definitions (metrics/table_*.cpp) compute with: the inputs of one group
// and the shapes formulas share. Internal to src/metrics.
#pragma once

#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

// Exact intermediate sums: products of int64 micro-units need 128 bits.
__extension__ typedef __int128 i128;

/// Everything a compute function may read for one group.
struct MetricInputs {
  const Totals& t;
  const MetricContext& ctx;
  const LeadingTotals& lead; ///< empty when the run has no customers or responses files
  /// NPS from responses files when the run has them (issue 7), else from the nps column.
  bool survey = false;
  std::uint64_t promoters = 0, detractors = 0, responses = 0;
  /// The records computed before this one, in table order (ltv_cac reads ltv).
  const std::vector<MetricValue>& done;
  /// The group's invoice figures (issue 31), nullptr when it has none.
  const InvoiceFigures* invoices = nullptr;
  /// The period's costs and what the efficiency metrics need of other periods (issue 31).
  const PeriodCosts* costs = nullptr;

  /// The record of an earlier metric, or nullptr.
  const MetricValue* earlier(std::string_view id) const noexcept {
    for (const MetricValue& m : done)
      if (m.def->id == id) return &m;
    return nullptr;
  }
};

/// num / den * 100 from exact integers; multiplying first keeps round values exact.
inline double percent(i128 num, i128 den) {
  return static_cast<double>(static_cast<long double>(num) * 100.0L / static_cast<long double>(den));
}

/// Exact money when it fits in int64 micro-units, else a real number of currency units.
inline Quantity money_or_real(i128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return Quantity::of_money(Money{static_cast<std::int64_t>(v)});
  return Quantity::of_real(static_cast<double>(static_cast<long double>(v) / Money::k_scale));
}

inline Quantity count(std::uint64_t c) { return Quantity::of_count(static_cast<std::int64_t>(c)); }

/// Integer division rounded half-to-even.
std::int64_t div_round(i128 num, i128 den);

/// Appends `text` to a record's note, "; " between.
void add_note(std::string& note, std::string_view text);

/// "1 customer" or "1,200 customers".
std::string plural(std::uint64_t n, std::string_view one, std::string_view many);

/// A sum of the bridge: exact money, or a count, over `n` customers.
inline void total(MetricValue& m, Quantity v, std::uint64_t n) {
  m.value = v;
  m.n = n;
}

/// A ratio of starting MRR in percent: (num / S) * 100 over the starting customers.
void of_start(const MetricInputs& in, MetricValue& m, i128 num);
/// A ratio of starting customers in percent: (num / N) * 100.
void of_logos(const MetricInputs& in, MetricValue& m, std::uint64_t num);
/// num / den * 100 of two counts, `empty` the note when den is 0.
void share(MetricValue& m, std::uint64_t num, std::uint64_t den, std::string_view empty);
/// A mean of survey answers: sum / n, `empty` the note when there are none.
void mean_of(MetricValue& m, std::uint64_t sum, std::uint64_t n, std::string_view empty);

/// The metric families, in report order. metric_table() is their concatenation.
std::span<const MetricDef> bridge_metrics() noexcept;       ///< the MRR bridge (issue 14)
std::span<const MetricDef> retention_metrics() noexcept;    ///< revenue and logo retention, expansion
std::span<const MetricDef> value_risk_metrics() noexcept;   ///< value, risk and NPS
std::span<const MetricDef> lifecycle_metrics() noexcept;    ///< billing exports' lifecycle (issue 30)
std::span<const MetricDef> survey_metrics() noexcept;       ///< CSAT and CES (issue 7)
std::span<const MetricDef> health_metrics() noexcept;       ///< customer health (issue 7)
std::span<const MetricDef> onboarding_metrics() noexcept;   ///< time to value and renewals (issue 7)
std::span<const MetricDef> churn_reason_metrics() noexcept; ///< churn reasons (issue 7)
std::span<const MetricDef> invoice_metrics() noexcept;      ///< billings and recognised revenue (issue 31)
std::span<const MetricDef> efficiency_metrics() noexcept;   ///< a costs file's efficiency (issue 31)

} // namespace cskpi
