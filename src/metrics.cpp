// SPDX-License-Identifier: MIT
#include "cskpi/metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <algorithm>
#include <cmath>
#include <vector>

namespace cskpi {

// Exact intermediate sums: products of int64 micro-units need 128 bits.
__extension__ typedef __int128 i128;

std::string_view to_string(Unit u) noexcept {
  switch (u) {
  case Unit::percent: return "percent";
  case Unit::currency: return "currency";
  case Unit::ratio: return "ratio";
  case Unit::points: return "points";
  case Unit::count: return "count";
  }
  return "percent";
}

std::string_view to_string(Section s) noexcept {
  switch (s) {
  case Section::revenue_retention: return "Revenue retention";
  case Section::logos: return "Logos";
  case Section::expansion: return "Expansion";
  case Section::value: return "Value";
  case Section::sentiment: return "Sentiment and risk";
  }
  return "";
}

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

// The metric table (SPEC §2.2). Adding a metric is one entry here plus its formula in
// compute_metrics(); bands live in bands.cpp, keyed by id.
constexpr std::array<MetricDef, 17> k_metrics{{
    {"nrr", "Net revenue retention", U::percent, A::retention, S::revenue_retention, N::nothing,
     "(S + E - C - X) / S * 100",
     "Share of starting MRR kept, counting expansion: above 100 % the base grows without new sales.", "001, 002"},
    {"grr", "Gross revenue retention", U::percent, A::retention, S::revenue_retention, N::nothing,
     "(S - C - X) / S * 100", "Share of starting MRR kept, ignoring expansion: the floor of the revenue base (at most 100 %).",
     "002, 000"},
    {"gross_mrr_churn", "Gross MRR churn rate", U::percent, A::churn, S::revenue_retention, N::nothing,
     "(C + X) / S * 100", "Starting MRR lost to downgrades and cancellations.", "002, 003"},
    {"net_mrr_churn", "Net MRR churn rate", U::percent, A::net_churn, S::revenue_retention, N::nothing,
     "(C + X - E) / S * 100", "MRR lost net of expansion; negative means net expansion. Annual: 100 - annual NRR.",
     "003"},
    {"contraction_mrr_rate", "Contraction MRR rate", U::percent, A::none, S::revenue_retention, N::nothing,
     "C / S * 100", "Starting MRR lost to downgrades (not annualised).", "002"},
    {"logo_churn", "Logo churn rate", U::percent, A::churn, S::logos, N::nothing, "L / N * 100",
     "Share of starting customers that cancelled.", "002, 003"},
    {"logo_retention", "Gross logo retention", U::percent, A::retention, S::logos, N::nothing, "(N - L) / N * 100",
     "Share of starting customers still customers at period end.", "001"},
    {"expansion_mrr_rate", "Expansion MRR rate", U::percent, A::expansion_mrr, S::expansion, N::nothing,
     "E / S * 100", "Starting MRR added by upgrades, seats and add-ons. Annual: annual NRR - annual GRR.", "001"},
    {"expansion_rate", "Customers expanding", U::percent, A::churn_estimate, S::expansion, N::nothing,
     "(customers in cohort with E > 0) / N * 100",
     "Share of starting customers that expanded. The annual figure is an estimate: 1 - (1 - e)^k.", "002"},
    {"quick_ratio", "SaaS quick ratio", U::ratio, A::none, S::expansion, N::new_mrr,
     "(new + reactivation + E) / (C + X)", "MRR gained per unit of MRR lost; above 4 is efficient growth.", "-"},
    {"arpa", "Average MRR per account", U::currency, A::none, S::value, N::nothing, "S / N",
     "Mean starting MRR of the starting customers.", "002, 003"},
    {"ltv", "Customer lifetime value", U::currency, A::none, S::value, N::nothing,
     "ARPA * months per period * gross margin / (gross MRR churn per period)",
     "Gross profit a customer brings over its expected lifetime; null when nothing churned (unbounded).",
     "002, 003"},
    {"ltv_cac", "LTV : CAC", U::ratio, A::none, S::value, N::cac, "ltv / mean CAC",
     "Lifetime value per unit of acquisition cost; 3 is the usual target.", "002, 003"},
    {"at_risk_mrr", "MRR at risk", U::currency, A::none, S::sentiment, N::at_risk, "sum of start MRR of at-risk rows",
     "Starting MRR of customers flagged at risk.", "002"},
    {"save_rate", "Save rate", U::percent, A::none, S::sentiment, N::at_risk, "saved at-risk / all at-risk * 100",
     "Share of at-risk customers kept.", "002"},
    {"nps", "Net Promoter Score", U::points, A::none, S::sentiment, N::nps,
     "% promoters (9-10) - % detractors (0-6) over responses",
     "Promoters minus detractors, from -100 to +100; under 30 responses is flagged low-confidence.", "002, 004"},
    {"nps_moe", "NPS margin of error (95 %)", U::points, A::none, S::sentiment, N::nps,
     "1.96 * sqrt((p + d - (p - d)^2) / n) * 100", "Half-width of the 95 % confidence interval of the NPS.",
     "002, 004"},
}};

/// num / den * 100 from exact integers; multiplying first keeps round values exact.
double percent(i128 num, i128 den) {
  return static_cast<double>(static_cast<long double>(num) * 100.0L / static_cast<long double>(den));
}

Quantity money_or_real(i128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return Quantity::of_money(Money{static_cast<std::int64_t>(v)});
  return Quantity::of_real(static_cast<double>(static_cast<long double>(v) / Money::k_scale));
}

Quantity count(std::uint64_t c) { return Quantity::of_count(static_cast<std::int64_t>(c)); }

/// Integer division rounded half-to-even.
std::int64_t div_round(i128 num, i128 den) {
  i128 q = num / den;
  i128 r = num % den;
  if (r < 0) r = -r;
  const bool negative = (num < 0) != (den < 0);
  const i128 twice = 2 * r;
  const i128 aden = den < 0 ? -den : den;
  if (twice > aden || (twice == aden && (q % 2) != 0)) q += negative ? -1 : 1;
  return static_cast<std::int64_t>(q);
}

void add_note(std::string& note, std::string_view text) {
  if (!note.empty()) note += "; ";
  note += text;
}

bool available(Needs needs, const MetricContext& ctx) {
  switch (needs) {
  case Needs::nothing: return true;
  case Needs::new_mrr: return ctx.columns.new_mrr || ctx.columns.reactivation_mrr;
  case Needs::nps: return ctx.columns.nps;
  case Needs::at_risk: return ctx.columns.at_risk;
  case Needs::cac: return ctx.columns.cac || ctx.cac.has_value();
  }
  return false;
}

} // namespace

std::span<const MetricDef> metric_table() noexcept { return k_metrics; }

std::string_view needed_column(Needs needs) noexcept {
  switch (needs) {
  case Needs::nothing: return "";
  case Needs::new_mrr: return "new_mrr";
  case Needs::nps: return "nps";
  case Needs::at_risk: return "at_risk";
  case Needs::cac: return "cac (or --cac)";
  }
  return "";
}

const MetricDef* find_metric(std::string_view id) noexcept {
  for (const MetricDef& m : k_metrics)
    if (m.id == id) return &m;
  return nullptr;
}

double Quantity::as_double() const noexcept {
  switch (kind) {
  case Kind::money: return static_cast<double>(money.micros) / static_cast<double>(Money::k_scale);
  case Kind::count: return static_cast<double>(count);
  case Kind::real: return real;
  }
  return real;
}

double nps_margin_of_error(std::uint64_t promoters, std::uint64_t detractors, std::uint64_t responses) noexcept {
  if (responses == 0) return 0.0;
  const double n = static_cast<double>(responses);
  const double p = static_cast<double>(promoters) / n;
  const double d = static_cast<double>(detractors) / n;
  const double variance = p + d - (p - d) * (p - d);
  return 1.96 * std::sqrt(variance > 0 ? variance / n : 0.0) * 100.0;
}

double annualize_percent(Annualization kind, double v, int k) noexcept {
  if (k == 1) return v;
  switch (kind) {
  case Annualization::retention: return std::pow(v / 100.0, k) * 100.0;
  case Annualization::churn:
  case Annualization::churn_estimate: return (1.0 - std::pow(1.0 - v / 100.0, k)) * 100.0;
  default: return v;
  }
}

namespace {

/// The exact annual figure of metric `id` from a trailing-12-month cohort, for the metrics
/// that follow from revenue and logo retention; nullopt for others or an empty cohort.
std::optional<double> cohort_annual(std::string_view id, const CohortFigures& c) {
  if (c.start.micros <= 0) return std::nullopt;
  const double nrr = percent(c.end.micros, c.start.micros);
  const double grr = percent(c.capped_end.micros, c.start.micros);
  const double logos = percent(static_cast<i128>(c.retained), c.customers);
  if (id == "nrr") return nrr;
  if (id == "grr") return grr;
  if (id == "logo_retention") return logos;
  if (id == "logo_churn") return 100.0 - logos;
  if (id == "gross_mrr_churn") return 100.0 - grr;
  if (id == "net_mrr_churn") return 100.0 - nrr;
  if (id == "expansion_mrr_rate") return nrr - grr;
  return std::nullopt;
}

} // namespace

std::vector<MetricValue> compute_metrics(const Totals& t, const MetricContext& ctx, const CohortFigures* cohort) {
  const int k = periods_per_year(ctx.period_length);
  const i128 S = t.start.micros, E = t.expansion.micros, C = t.contraction.micros, X = t.churned.micros;
  const i128 N = t.cohort;
  const bool no_cohort = t.cohort == 0 || t.start.micros == 0;
  std::optional<double> nrr_annual, grr_annual;
  std::optional<Money> ltv_money;
  std::string ltv_reason;

  std::vector<MetricValue> out;
  out.reserve(k_metrics.size());
  for (const MetricDef& def : k_metrics) {
    if (!available(def.needs, ctx)) continue;
    MetricValue m;
    m.def = &def;
    const std::string_view id = def.id;
    // A ratio of starting MRR or starting customers: sets numerator/denominator and value.
    const auto of_start = [&](i128 num) {
      m.numerator = money_or_real(num);
      m.denominator = Quantity::of_money(t.start);
      m.n = t.cohort;
      if (no_cohort) m.note = "no starting customers";
      else m.value = Quantity::of_real(percent(num, S));
    };
    const auto of_logos = [&](std::uint64_t num) {
      m.numerator = count(num);
      m.denominator = count(t.cohort);
      m.n = t.cohort;
      if (t.cohort == 0) m.note = "no starting customers";
      else m.value = Quantity::of_real(percent(num, N));
    };

    if (id == "nrr") of_start(S + E - C - X);
    else if (id == "grr") of_start(S - C - X);
    else if (id == "gross_mrr_churn") of_start(C + X);
    else if (id == "net_mrr_churn") of_start(C + X - E);
    else if (id == "contraction_mrr_rate") of_start(C);
    else if (id == "expansion_mrr_rate") of_start(E);
    else if (id == "logo_churn") of_logos(t.churned_logos);
    else if (id == "logo_retention") of_logos(t.cohort - t.churned_logos);
    else if (id == "expansion_rate") of_logos(t.expanding);
    else if (id == "quick_ratio") {
      const i128 gained = static_cast<i128>(t.new_mrr.micros) + t.reactivation.micros + E;
      m.numerator = money_or_real(gained);
      m.denominator = money_or_real(C + X);
      m.n = t.customers;
      if (C + X == 0) m.note = "no contraction or churn: quick ratio unbounded";
      else m.value = Quantity::of_real(static_cast<double>(static_cast<long double>(gained) / static_cast<long double>(C + X)));
    } else if (id == "arpa") {
      m.numerator = Quantity::of_money(t.start);
      m.denominator = count(t.cohort);
      m.n = t.cohort;
      if (t.cohort == 0) m.note = "no starting customers";
      else m.value = Quantity::of_money(Money{div_round(S, N)});
    } else if (id == "ltv") {
      m.n = t.cohort;
      const int months = months_per_period(ctx.period_length);
      if (t.cohort == 0) {
        m.note = "no starting customers";
      } else {
        // Gross profit per account and period, exact to the micro-unit.
        const Money profit{div_round(S * months * ctx.gross_margin.micros, N * Money::k_scale)};
        m.numerator = Quantity::of_money(profit);
        if (C + X == 0) {
          m.denominator = Quantity::of_real(0.0);
          m.note = "no churn in period: LTV unbounded";
        } else {
          m.denominator = Quantity::of_real(static_cast<double>(static_cast<long double>(C + X) / static_cast<long double>(S)));
          // LTV = profit / ((C + X) / S) = profit * S / (C + X), rounded to the micro-unit.
          const long double v = static_cast<long double>(profit.micros) * static_cast<long double>(S) / static_cast<long double>(C + X);
          if (std::fabs(v) < 9.2e18L) {
            ltv_money = Money{static_cast<std::int64_t>(std::llround(v))};
            m.value = Quantity::of_money(*ltv_money);
          } else {
            m.value = Quantity::of_real(static_cast<double>(v / Money::k_scale));
          }
        }
        add_note(m.note, fmt::format("gross margin {}%{}", format_money_exact(Money{ctx.gross_margin.micros * 100}),
                                     ctx.gross_margin_given ? "" : " (default; set --gross-margin)"));
      }
      ltv_reason = m.value ? "" : m.note.substr(0, m.note.find(';'));
    } else if (id == "ltv_cac") {
      Money mean_cac{};
      std::uint64_t cac_n = 0;
      if (ctx.cac) {
        mean_cac = *ctx.cac;
        cac_n = 1;
      } else if (t.cac_count > 0) {
        mean_cac = Money{div_round(t.cac_sum.micros, t.cac_count)};
        cac_n = t.cac_count;
      }
      m.n = cac_n;
      if (ltv_money) m.numerator = Quantity::of_money(*ltv_money);
      if (cac_n > 0) m.denominator = Quantity::of_money(mean_cac);
      if (!ltv_money) m.note = ltv_reason.empty() ? "LTV undefined" : ltv_reason;
      else if (cac_n == 0) m.note = "no CAC values in this group";
      else if (mean_cac.micros <= 0) m.note = "mean CAC is 0";
      else m.value = Quantity::of_real(static_cast<double>(static_cast<long double>(ltv_money->micros) / mean_cac.micros));
      if (ctx.cac) add_note(m.note, "CAC from --cac");
    } else if (id == "at_risk_mrr") {
      m.value = Quantity::of_money(t.at_risk_mrr);
      m.numerator = Quantity::of_money(t.at_risk_mrr);
      m.n = t.at_risk;
    } else if (id == "save_rate") {
      m.numerator = count(t.saved);
      m.denominator = count(t.at_risk);
      m.n = t.at_risk;
      if (t.at_risk == 0) m.note = "no at-risk customers";
      else m.value = Quantity::of_real(percent(t.saved, t.at_risk));
      if (!ctx.columns.saved) add_note(m.note, "saved = at risk and not churned (no saved column)");
    } else if (id == "nps" || id == "nps_moe") {
      const std::uint64_t n = t.responses();
      m.n = n;
      if (id == "nps") {
        m.numerator = Quantity::of_count(static_cast<std::int64_t>(t.promoters) - static_cast<std::int64_t>(t.detractors));
        m.denominator = count(n);
      }
      if (n == 0) {
        m.note = "no NPS responses";
      } else {
        m.value = Quantity::of_real(id == "nps" ? percent(static_cast<i128>(t.promoters) - t.detractors, n)
                                                : nps_margin_of_error(t.promoters, t.detractors, n));
        if (n < 30) m.note = fmt::format("low confidence: {} responses (< 30)", n);
      }
    }

    // Annual figures, SPEC §2.3.
    if (m.value && def.annualization != Annualization::none) {
      const double v = m.value->as_double();
      switch (def.annualization) {
      case Annualization::retention:
      case Annualization::churn: m.annualized = annualize_percent(def.annualization, v, k); break;
      case Annualization::churn_estimate:
        m.annualized = annualize_percent(def.annualization, v, k);
        if (k != 1) add_note(m.note, "annual figure is a compounded estimate");
        break;
      case Annualization::net_churn:
        m.annualized = k == 1 ? v : (nrr_annual ? std::optional<double>(100.0 - *nrr_annual) : std::nullopt);
        break;
      case Annualization::expansion_mrr:
        m.annualized = k == 1 ? v
                              : (nrr_annual && grr_annual ? std::optional<double>(*nrr_annual - *grr_annual) : std::nullopt);
        break;
      case Annualization::none: break;
      }
      m.method = k == 1 ? "period" : "compound";
      if (const std::optional<double> exact = cohort != nullptr ? cohort_annual(id, *cohort) : std::nullopt) {
        m.annualized = exact;
        m.method = "cohort";
      }
      if (id == "nrr") nrr_annual = m.annualized;
      if (id == "grr") grr_annual = m.annualized;
    }
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      prev = cur;
    }
  }
  return row[b.size()];
}

} // namespace

std::string suggest_metric(std::string_view id) {
  std::string best;
  std::size_t best_d = 4; // suggest only close matches
  for (const MetricDef& m : metric_table()) {
    const std::size_t d = edit_distance(id, m.id);
    if (d < best_d) {
      best_d = d;
      best = m.id;
    }
  }
  return best;
}

} // namespace cskpi
