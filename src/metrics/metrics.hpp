// SPDX-License-Identifier: MIT
#pragma once

#include "core/attributes.hpp"
#include "core/definitions.hpp"
#include "core/money.hpp"
#include "core/period.hpp"
#include "core/records.hpp"
#include "metrics/aggregate.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

enum class Unit : std::uint8_t { percent, currency, ratio, points, count, days, score };
std::string_view to_string(Unit u) noexcept;

/// How a period value becomes an annual one (SPEC §2.3).
enum class Annualization : std::uint8_t {
  none,           ///< point-in-time or not annualised: no annual value
  retention,      ///< r^k
  churn,          ///< 1 - (1 - c)^k
  net_churn,      ///< 100 - annualised nrr
  expansion_mrr,  ///< annualised nrr - annualised grr
  churn_estimate, ///< 1 - (1 - e)^k, flagged as an estimate
};

enum class Section : std::uint8_t {
  bridge,
  revenue_retention,
  logos,
  expansion,
  value,
  sentiment,
  health,
  onboarding,
  churn_reasons,
  lifecycle, ///< billing exports' lifecycle (issue 30)
  invoicing, ///< billings and recognised revenue from invoice lines (issue 31)
  efficiency ///< a costs file's burn multiple, CAC payback, magic number, Rule of 40 (issue 31)
};
std::string_view to_string(Section s) noexcept;

/// Which optional input a metric needs before it is computed at all.
enum class Needs : std::uint8_t {
  nothing,
  new_mrr,
  nps,
  at_risk,
  cac,
  // issue 7: customers and responses files
  health,
  health_mrr,
  ttv,
  renewal,
  churn_reason,
  csat,
  ces,
  // issue 30: billing exports' lifecycle facts
  scheduled,
  trials,
  churn_kind,
  // issue 31: invoice lines (--invoices)
  invoices,
  // issue 31: a costs file (--costs)
  costs
};

/// The input column a metric needs ("" for none).
std::string_view needed_column(Needs needs) noexcept;

struct MetricValue;
struct MetricContext;
struct MetricInputs; // metrics/formula.hpp: what a compute function reads

/// What `cskpi sql` (report/sql.cpp) builds a metric's record from. The expressions are over
/// the columns of its per-period sums (s, e, c, x, nw, r, end_mrr, cohort, customers, ...).
enum class SqlShape : std::uint8_t {
  none,          ///< not in `cskpi sql`; `why_not` says why
  total,         ///< value `value` (money or a count), n `n`
  sum,           ///< the same, the value also its numerator (money flagged in the rows)
  ending_logos,  ///< a total whose note counts rows ending at 0 without churn
  start_ratio,   ///< `value` / s * 100, figure columns `<column>_v` and, annualised, `_a`
  logo_ratio,    ///< `value` / cohort * 100, likewise
  ratio,         ///< `value` / `den`, n `n`, note `empty` where `den` is 0
  per_account,   ///< starting MRR per starting customer, exact to the micro-unit
  ltv,           ///< lifetime value from the profit per account and the period's churn
  ltv_cac,       ///< LTV over the mean CAC (or --cac)
  at_risk_share, ///< saved / at risk * 100 (saved derived without a saved column)
  nps,           ///< (promoters - detractors) / responses * 100
  nps_interval,  ///< `value` from the adjusted-Wald columns nps_centre and nps_moe
};

struct MetricSql {
  SqlShape shape = SqlShape::none;
  std::string_view value = "";   ///< an expression, or a ratio's numerator
  std::string_view den = "";     ///< ratio: the denominator
  std::string_view n = "";       ///< total, sum, ratio: the column counting customers
  std::string_view column = "";  ///< start_ratio, logo_ratio: the figure columns' stem
  std::string_view empty = "";   ///< ratio: the note when the denominator is 0
  std::string_view why_not = ""; ///< none: why the metric is not in SQL
};

/// The exact trailing-12-month cohort figure (issue 6) that replaces a compounded annual one.
enum class CohortAnnual : std::uint8_t { none, nrr, grr, logos, nrr_lost, grr_lost, logos_lost, nrr_minus_grr };

/// How a report shows a metric beyond its row.
struct MetricDisplay {
  int tile = 0;        ///< its place among the HTML headline tiles (1 first), 0 for none
  bool trend = false;  ///< charted over the periods in HTML, its bands shaded
  bool margin = false; ///< a half-width: shown as "+/-1.5"
};

/// The key of a metric without built-in bands (MetricDef::band).
inline constexpr std::string_view k_unrated = "unrated";

/// One row of the metric table: the single place that defines a metric. Adding a metric is
/// one entry in a family table (metrics/table_*.cpp) plus its tests.
struct MetricDef {
  std::string_view id;
  std::string_view name;
  Unit unit;
  Annualization annualization;
  Section section;
  Needs needs;
  std::string_view formula;
  std::string_view description;
  std::string_view sources; ///< reference articles in shared/reference/
  /// Describes customers as they are now (health, time to value): computed for the latest
  /// period only (issue 7).
  bool latest_only = false;
  /// One record per key (churn reasons), the key naming what the record counts.
  bool keyed = false;
  /// How a line of the MRR bridge adds up: "+", "-" or "=" before its name in the table and
  /// markdown ("" for the others).
  std::string_view sign = "";
  /// The value of one group (`m.def` set, the rest empty); nullptr for keyed metrics.
  void (*compute)(const MetricInputs& in, MetricValue& m) = nullptr;
  /// Keyed metrics: appends one record per key.
  void (*records)(const MetricInputs& in, const MetricDef& def, std::vector<MetricValue>& out) = nullptr;
  /// Beyond `needs`: whether the run computes it at all (nullptr: always).
  bool (*applies)(const MetricContext& ctx) = nullptr;
  CohortAnnual cohort = CohortAnnual::none;
  /// Its built-in bands (metrics/bands.cpp): its id, k_unrated, or its id with the
  /// qualifiers its compute function rates by ("csat:5|10" rates as "csat:5" or "csat:10").
  std::string_view band = "";
  MetricSql sql = {};
  MetricDisplay display = {};

  /// The band key's qualifiers ("5|10"), empty when rated by the id alone or unrated.
  std::string_view band_qualifiers() const noexcept;
};

/// All metrics in report order: the families (formula.hpp) one after the other, read where
/// they are defined. A run used to copy them into one vector first, 20 KiB of heap that a
/// 100-row report faulted in for nothing.
class MetricTable {
public:
  class iterator {
  public:
    using value_type = MetricDef;
    using difference_type = std::ptrdiff_t;
    using pointer = const MetricDef*;
    using reference = const MetricDef&;
    using iterator_category = std::forward_iterator_tag;
    iterator() = default;
    reference operator*() const noexcept { return (*m_family)[m_at]; }
    pointer operator->() const noexcept { return &(*m_family)[m_at]; }
    iterator& operator++() noexcept {
      if (++m_at == m_family->size()) skip_to_next_family();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const iterator& o) const noexcept { return m_family == o.m_family && m_at == o.m_at; }

  private:
    friend class MetricTable;
    iterator(const std::span<const MetricDef>* family, const std::span<const MetricDef>* end) noexcept
        : m_family(family), m_end(end) {
      if (m_family != m_end && m_family->empty()) skip_to_next_family();
    }
    void skip_to_next_family() noexcept {
      m_at = 0;
      do ++m_family;
      while (m_family != m_end && m_family->empty());
    }
    const std::span<const MetricDef>* m_family = nullptr;
    const std::span<const MetricDef>* m_end = nullptr;
    std::size_t m_at = 0;
  };
  explicit MetricTable(std::span<const std::span<const MetricDef>> families) noexcept : m_families(families) {}
  iterator begin() const noexcept { return {m_families.data(), m_families.data() + m_families.size()}; }
  iterator end() const noexcept {
    return {m_families.data() + m_families.size(), m_families.data() + m_families.size()};
  }
  std::size_t size() const noexcept;

private:
  std::span<const std::span<const MetricDef>> m_families;
};
MetricTable metric_table() noexcept;
/// The metric with this id, or nullptr.
const MetricDef* find_metric(std::string_view id) noexcept;
/// The metric a band key rates: its id, or "ID:QUALIFIER" for per-scale and per-motion
/// bands ("csat:10", "ttv_median:smb"); nullptr for an unknown key.
const MetricDef* find_band_metric(std::string_view key) noexcept;
/// Levenshtein distance: insertions, deletions and substitutions from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The metric id closest to a misspelt one (edit distance <= 3), or "" if none is close.
std::string suggest_metric(std::string_view id);

/// A number with its kind: exact money, a count, or a real-valued ratio.
struct Quantity {
  enum class Kind : std::uint8_t { money, count, real };
  Kind kind = Kind::real;
  Money money{};
  std::int64_t count = 0;
  double real = 0.0;

  static Quantity of_money(Money m) { return Quantity{Kind::money, m, 0, 0.0}; }
  static Quantity of_count(std::int64_t c) { return Quantity{Kind::count, {}, c, 0.0}; }
  static Quantity of_real(double r) { return Quantity{Kind::real, {}, 0, r}; }
  /// The value as a double (money in currency units).
  double as_double() const noexcept;
};

/// A trailing-12-month cohort's exact sums (issue 6): the customers with MRR > 0 at the
/// window's start, their MRR then and at its end.
struct CohortFigures {
  Money start;      ///< the cohort's MRR at the window start
  Money end;        ///< its MRR at the window end (reactivated customers per the setting)
  Money capped_end; ///< the same, each customer capped at its starting MRR (for GRR)
  std::uint64_t customers = 0, retained = 0;
};

/// One computed metric for one group.
struct MetricValue {
  const MetricDef* def = nullptr;
  std::optional<Quantity> value; ///< nullopt: undefined, `note` says why
  std::optional<double> annualized;
  /// How `annualized` was found: "compound" (period figure compounded), "cohort" (exact
  /// trailing-12-month cohort), "period" (the period is a year); empty when not annualised.
  std::string_view method;
  std::optional<Quantity> numerator;
  std::optional<Quantity> denominator;
  std::uint64_t n = 0;
  std::string note;
  std::string key;      ///< keyed metrics: what this record counts ("price"); empty otherwise
  std::string band_key; ///< the band rules that rate it when not its id ("ttv_median:smb", "csat:10")
};

/// Run-level settings the formulas need.
struct MetricContext {
  PeriodLength period_length = PeriodLength::month;
  Money gross_margin = Money::from_units(1); ///< as a fraction in micro-units: 0.8 = 800000
  bool gross_margin_given = false;
  std::optional<Money> cac;    ///< --cac: overrides the cac column
  ColumnSet columns;           ///< which optional columns the run has
  bool billing = true;         ///< the run has billing data (issue 7: it may have only customers)
  AttributeColumns attributes; ///< columns of the run's customers and responses files
  HealthScheme scheme;         ///< health cut-offs
  std::string as_of;           ///< the date health and time to value describe, for notes
  /// Rating: a group with fewer starting customers (customer records without billing) is
  /// not rated against the bands; its records say so (issue 12).
  std::uint64_t min_group = 30;
  /// A --by run in which some customer changed group (issue 30): the bridges get transfer lines.
  bool transfers = false;
  /// --fx-method with --fx (issue 30): a method other than constant gives the bridge an FX line.
  FxMethod fx_method = FxMethod::constant;
  /// The run has invoice lines (issue 31, --invoices): billings and recognised revenue.
  bool invoices = false;
  /// A costs file (issue 31): the efficiency metrics are computed for the whole base.
  bool costs = false;
};

struct LeadingTotals;
struct InvoiceFigures; // metrics/invoices.hpp
struct PeriodCosts;

/// Computes every metric the columns allow, in table order. Pure: no I/O, no throwing on
/// ordinary data; undefined ratios come back with an empty value and a reason.
/// With `cohort`, the annual revenue and logo retention figures (and the churn and
/// expansion figures derived from them) come from it instead of compounding.
/// With `lead`, the leading indicators of the group (issue 7) too; survey counts from
/// responses files replace the nps column's.
/// With `invoices`, the group's invoice figures (issue 31); none count as zero when
/// ctx.invoices is set. With `costs` (issue 31: the whole base of a run with a costs file), the
/// efficiency metrics.
std::vector<MetricValue> compute_metrics(const Totals& t, const MetricContext& ctx,
                                         const CohortFigures* cohort = nullptr, const LeadingTotals* lead = nullptr,
                                         const InvoiceFigures* invoices = nullptr, const PeriodCosts* costs = nullptr);

/// The adjusted-Wald 95 % interval of an NPS (issue 7): add 3 to n and 3/4 to promoters
/// and to detractors, p' = (P + 3/4) / (n + 3), d' likewise, centre = p' - d',
/// half-width = 1.96 * sqrt((p' + d' - (p' - d')^2) / (n + 3)); all in points (x 100),
/// the bounds clipped to -100..100.
struct NpsInterval {
  double centre = 0, margin = 0, low = 0, high = 0;
};
NpsInterval nps_adjusted_wald(std::uint64_t promoters, std::uint64_t detractors, std::uint64_t responses) noexcept;

/// Annualises a period value (in percent) of the given kind with k periods per year.
double annualize_percent(Annualization kind, double period_percent, int k) noexcept;

} // namespace cskpi
