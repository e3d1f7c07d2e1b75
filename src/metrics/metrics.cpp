// SPDX-License-Identifier: MIT
#include "metrics/metrics.hpp"

#include "metrics/leading.hpp"

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
  case Unit::days: return "days";
  case Unit::score: return "score";
  }
  return "percent";
}

std::string_view to_string(Section s) noexcept {
  switch (s) {
  case Section::bridge: return "MRR bridge";
  case Section::revenue_retention: return "Revenue retention";
  case Section::logos: return "Logos";
  case Section::expansion: return "Expansion";
  case Section::value: return "Value";
  case Section::sentiment: return "Sentiment and risk";
  case Section::health: return "Customer health";
  case Section::onboarding: return "Time to value and renewals";
  case Section::churn_reasons: return "Churn reasons";
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
constexpr MetricDef k_metrics[] = {
    // The MRR bridge (issue 14): the first slide of a board pack, start to end in money and logos.
    {"mrr_start", "Starting MRR", U::currency, A::none, S::bridge, N::nothing, "S",
     "MRR of the starting customers at the start of the period.", "002"},
    {"mrr_new", "New MRR", U::currency, A::none, S::bridge, N::nothing,
     "end MRR - S - E - R + C + X (new_mrr, and what other rows starting at 0 brought in)",
     "MRR of customers that started the period at 0 and are not reactivations.", "002", false, false, "+"},
    {"mrr_expansion", "Expansion MRR", U::currency, A::none, S::bridge, N::nothing, "E",
     "MRR added by starting customers: upgrades, seats, add-ons.", "001", false, false, "+"},
    {"mrr_reactivation", "Reactivation MRR", U::currency, A::none, S::bridge, N::nothing, "R (reactivation_mrr)",
     "MRR of returning customers.", "-", false, false, "+"},
    {"mrr_contraction", "Contraction MRR", U::currency, A::none, S::bridge, N::nothing, "C",
     "MRR lost to downgrades of starting customers.", "002", false, false, "-"},
    {"mrr_churned", "Churned MRR", U::currency, A::none, S::bridge, N::nothing, "X",
     "MRR lost to cancellations of starting customers.", "002, 003", false, false, "-"},
    {"mrr_end", "Ending MRR", U::currency, A::none, S::bridge, N::nothing, "sum of end MRR over all rows",
     "MRR at the end of the period: starting + new + expansion + reactivation - contraction - churned.", "002", false, false, "="},
    {"arr", "ARR (12 x ending MRR)", U::currency, A::none, S::bridge, N::nothing, "12 * ending MRR",
     "Annual run rate: the ending MRR times twelve, whatever the period length.", "-"},
    {"customers_start", "Customers at start", U::count, A::none, S::bridge, N::nothing, "N",
     "Customers with MRR > 0 at the start of the period (the starting cohort).", "002"},
    {"customers_new", "New customers", U::count, A::none, S::bridge, N::nothing, "rows with start_mrr = 0",
     "Customers that started the period at 0: new and reactivated.", "002", false, false, "+"},
    {"customers_churned", "Churned customers", U::count, A::none, S::bridge, N::nothing, "L",
     "Starting customers that cancelled (churned_mrr > 0).", "002, 003", false, false, "-"},
    {"customers_end", "Customers at end", U::count, A::none, S::bridge, N::nothing, "rows with end MRR > 0",
     "Customers with MRR > 0 at the end of the period.", "002", false, false, "="},
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
     "adjusted Wald: 1.96 * sqrt((p' + d' - (p' - d')^2) / (n + 3)) * 100, p' = (promoters + 3/4) / (n + 3), d' likewise",
     "Half-width of the 95 % adjusted-Wald interval of the NPS, which stays honest for small and lopsided samples.",
     "002, 004"},
    {"nps_ci_low", "NPS 95 % interval, low", U::points, A::none, S::sentiment, N::nps, "(p' - d') * 100 - margin, at least -100",
     "Lower end of the adjusted-Wald interval (centred on p' - d', not on the raw NPS).", "004"},
    {"nps_ci_high", "NPS 95 % interval, high", U::points, A::none, S::sentiment, N::nps, "(p' - d') * 100 + margin, at most 100",
     "Upper end of the adjusted-Wald interval.", "004"},
    {"csat", "CSAT (mean)", U::score, A::none, S::sentiment, N::csat, "sum of CSAT answers / answers",
     "Mean satisfaction on the survey's 1-5 or 1-10 scale (detected, or --csat-scale). Rated per scale: excellent 4.5+/5 "
     "or 9+/10, good 4.0+/5 or 8+/10, poor below.",
     "002"},
    {"csat_satisfied", "CSAT satisfied", U::percent, A::none, S::sentiment, N::csat,
     "answers of 4-5 (of 5) or 8-10 (of 10) / answers * 100", "Share of CSAT answers that are satisfied.", "002"},
    {"ces", "Customer effort score (mean)", U::score, A::none, S::sentiment, N::ces, "sum of CES answers (1-7) / answers",
     "How easy customers find it to get things done, 1 (very easy) to 7; the target is below 2.0. Effort predicts "
     "retention better than satisfaction.",
     "002"},
    {"health_green", "Customers in green health", U::percent, A::none, S::health, N::health,
     "customers with green cut-off <= score (<= 100 under --health-scheme power-users) / customers with a score * 100",
     "Share of scored customers in green health (default cut-offs 80 and 50; --health-scheme). In the power-user "
     "scheme a score over 100 is a power user, counted in health_power_users and not here.", "002, 003", true},
    {"health_yellow", "Customers in yellow health", U::percent, A::none, S::health, N::health,
     "customers with yellow cut-off <= score < green cut-off / customers with a score * 100",
     "Share of scored customers in yellow health: at risk, an engagement plan is due.", "002, 003", true},
    {"health_red", "Customers in red health", U::percent, A::none, S::health, N::health,
     "customers with score < yellow cut-off / customers with a score * 100",
     "Share of scored customers in red health: critical, a save motion is due.", "002, 003", true},
    {"health_power_users", "Power users (health over 100)", U::percent, A::none, S::health, N::health,
     "customers with score > 100 / customers with a score * 100",
     "Share of scored customers above 100 in the power-user scheme (--health-scheme power-users): expansion candidates.",
     "003", true},
    {"health_over_80", "Customers with health over 80", U::percent, A::none, S::health, N::health,
     "customers with score > 80 / customers with a score * 100",
     "The common CS target: a health score above 80 for at least 70 % of customers.", "001", true},
    {"health_green_mrr", "MRR in green health", U::percent, A::none, S::health, N::health_mrr,
     "MRR of green customers / MRR of scored customers * 100",
     "Share of the scored customers' MRR in green health (power users, over 100, are scored but not green).", "002",
     true},
    {"health_yellow_mrr", "MRR in yellow health", U::percent, A::none, S::health, N::health_mrr,
     "MRR of yellow customers / MRR of scored customers * 100", "Share of the scored customers' MRR in yellow health.",
     "002", true},
    {"health_red_mrr", "MRR in red health", U::percent, A::none, S::health, N::health_mrr,
     "MRR of red customers / MRR of scored customers * 100", "Share of the scored customers' MRR in red health.", "002",
     true},
    {"health_at_risk_mrr", "MRR in yellow or red health", U::currency, A::none, S::health, N::health_mrr,
     "sum of end MRR of customers in yellow or red health",
     "The revenue the health score puts at risk: MRR at the end of the latest period of customers in yellow or red.",
     "002", true},
    {"ttv_median", "Time to value, median", U::days, A::none, S::onboarding, N::ttv,
     "median of first_value_date - signup_date (days)",
     "Typical days from signup to the first measurable result; rated against the segment's range: product-led 1-7, "
     "SMB 7-30, mid-market 30-60, enterprise 60-120 days.",
     "002, 000, 001", true},
    {"ttv_p75", "Time to value, 75th percentile", U::days, A::none, S::onboarding, N::ttv,
     "75th percentile of first_value_date - signup_date (interpolated like PERCENTILE.INC)",
     "Days within which three in four customers reached first value.", "002", true},
    {"ttv_p90", "Time to value, 90th percentile", U::days, A::none, S::onboarding, N::ttv,
     "90th percentile of first_value_date - signup_date (interpolated like PERCENTILE.INC)",
     "Days within which nine in ten customers reached first value: the slow tail of onboarding.", "002", true},
    {"ttv_within_30", "Value within 30 days", U::percent, A::none, S::onboarding, N::ttv,
     "customers with time to value <= 30 days / customers with a value date * 100",
     "Value within 30 days goes with three times the renewal odds.", "000", true},
    {"ttv_open", "Customers still without value", U::count, A::none, S::onboarding, N::ttv,
     "active customers with a signup date and no first_value_date",
     "Customers who have not reached first value yet; their median age is the next metric.", "001", true},
    {"ttv_open_age", "Age of customers without value, median", U::days, A::none, S::onboarding, N::ttv,
     "median of as-of date - signup_date over customers without a value date",
     "How long the open customers have been waiting for first value, as of the end of the latest period (or --as-of).",
     "001", true},
    {"renewal_rate", "Renewal rate", U::percent, A::none, S::onboarding, N::renewal,
     "renewed / renewals due in the period * 100",
     "Share of the renewals due in the period (renewal_date) that renewed; without a renewed column, a customer that "
     "did not churn in that period renewed.",
     "002"},
    {"churn_reason_logos", "Churned customers", U::percent, A::none, S::churn_reasons, N::churn_reason,
     "churned starting customers with this reason / churned starting customers * 100",
     "Share of the period's churned customers that gave this reason (churn_reason of the customers file).", "003, 001",
     false, true},
    {"churn_reason_mrr", "Churned MRR", U::percent, A::none, S::churn_reasons, N::churn_reason,
     "churned MRR of customers with this reason / churned MRR * 100",
     "Share of the period's churned MRR lost to this reason.", "003, 001", false, true},
};

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
  case Needs::nps: return ctx.columns.nps || ctx.attributes.score;
  case Needs::at_risk: return ctx.columns.at_risk;
  case Needs::cac: return ctx.columns.cac || ctx.cac.has_value();
  case Needs::health: return ctx.attributes.health;
  case Needs::health_mrr: return ctx.attributes.health && ctx.billing;
  case Needs::ttv: return ctx.attributes.signup && ctx.attributes.first_value;
  case Needs::renewal: return ctx.attributes.renewal;
  case Needs::churn_reason: return ctx.attributes.churn_reason && ctx.billing;
  case Needs::csat: return ctx.attributes.csat;
  case Needs::ces: return ctx.attributes.ces;
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
  case Needs::health: return "health_score";
  case Needs::health_mrr: return "health_score (with a billing file)";
  case Needs::ttv: return "signup_date and first_value_date";
  case Needs::renewal: return "renewal_date";
  case Needs::churn_reason: return "churn_reason (with a billing file)";
  case Needs::csat: return "csat";
  case Needs::ces: return "ces";
  }
  return "";
}

const MetricDef* find_metric(std::string_view id) noexcept {
  for (const MetricDef& m : k_metrics)
    if (m.id == id) return &m;
  return nullptr;
}

const MetricDef* find_band_metric(std::string_view key) noexcept {
  const std::size_t colon = key.find(':');
  if (colon == std::string_view::npos) return find_metric(key);
  const std::string_view id = key.substr(0, colon), qualifier = key.substr(colon + 1);
  if (id == "csat" && (qualifier == "5" || qualifier == "10")) return find_metric(id);
  if (id == "ttv_median")
    for (std::string_view m : {"product_led", "smb", "mid_market", "enterprise"})
      if (qualifier == m) return find_metric(id);
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

NpsInterval nps_adjusted_wald(std::uint64_t promoters, std::uint64_t detractors, std::uint64_t responses) noexcept {
  const double n = static_cast<double>(responses) + 3.0;
  const double p = (static_cast<double>(promoters) + 0.75) / n;
  const double d = (static_cast<double>(detractors) + 0.75) / n;
  const double variance = p + d - (p - d) * (p - d);
  NpsInterval out;
  out.centre = (p - d) * 100.0;
  out.margin = 1.96 * std::sqrt(variance > 0 ? variance / n : 0.0) * 100.0;
  out.low = std::max(-100.0, out.centre - out.margin);
  out.high = std::min(100.0, out.centre + out.margin);
  return out;
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

namespace {

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", group_thousands(n), n == 1 ? one : many);
}

/// The churn-reason records of a group: one per reason, "(none given)" for churned
/// customers without one.
void churn_reason_records(const MetricDef& def, const LeadingTotals& lead, std::vector<MetricValue>& out) {
  const bool mrr = def.id == "churn_reason_mrr";
  if (lead.churned == 0) {
    MetricValue m;
    m.def = &def;
    m.note = "no churned customers";
    out.push_back(std::move(m));
    return;
  }
  // Most frequent reason first; customers without one last.
  std::vector<std::pair<std::string_view, std::pair<std::uint64_t, Money>>> reasons(lead.reasons.begin(), lead.reasons.end());
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) {
    if (a.first.empty() != b.first.empty()) return b.first.empty();
    return a.second.first > b.second.first;
  });
  for (const auto& [reason, figures] : reasons) {
    MetricValue m;
    m.def = &def;
    m.key = reason.empty() ? "(none given)" : reason;
    m.n = figures.first;
    if (mrr) {
      m.numerator = Quantity::of_money(figures.second);
      m.denominator = Quantity::of_money(lead.churned_mrr);
      if (lead.churned_mrr.micros > 0) m.value = Quantity::of_real(percent(figures.second.micros, lead.churned_mrr.micros));
      else m.note = "no churned MRR";
    } else {
      m.numerator = count(figures.first);
      m.denominator = count(lead.churned);
      m.value = Quantity::of_real(percent(figures.first, lead.churned));
    }
    out.push_back(std::move(m));
  }
}

/// The leading indicator `id` of a group from its LeadingTotals (issue 7).
void leading_metric(MetricValue& m, const LeadingTotals& l, const MetricContext& ctx) {
  const std::string_view id = m.def->id;
  const auto share = [&](std::uint64_t num, std::uint64_t den, std::string_view empty) {
    m.numerator = count(num);
    m.denominator = count(den);
    m.n = den;
    if (den == 0) m.note = empty;
    else m.value = Quantity::of_real(percent(num, den));
  };
  const auto band = [](HealthBand b) { return static_cast<std::size_t>(b); };
  if (id.starts_with("health_")) {
    Money scored{};
    for (const Money& x : l.band_mrr) checked_add(scored, x);
    if (id == "health_green") share(l.band_customers[band(HealthBand::green)], l.health_n, "no customers with a health score");
    else if (id == "health_yellow") share(l.band_customers[band(HealthBand::yellow)], l.health_n, "no customers with a health score");
    else if (id == "health_red") share(l.band_customers[band(HealthBand::red)], l.health_n, "no customers with a health score");
    else if (id == "health_power_users") share(l.band_customers[band(HealthBand::power_user)], l.health_n, "no customers with a health score");
    else if (id == "health_over_80") share(l.over_80, l.health_n, "no customers with a health score");
    else if (id == "health_at_risk_mrr") {
      Money risk = l.band_mrr[band(HealthBand::red)];
      checked_add(risk, l.band_mrr[band(HealthBand::yellow)]);
      m.value = Quantity::of_money(risk);
      m.numerator = Quantity::of_money(risk);
      m.n = l.band_customers[band(HealthBand::red)] + l.band_customers[band(HealthBand::yellow)];
    } else {
      const HealthBand b = id == "health_green_mrr" ? HealthBand::green : id == "health_yellow_mrr" ? HealthBand::yellow : HealthBand::red;
      m.numerator = Quantity::of_money(l.band_mrr[band(b)]);
      m.denominator = Quantity::of_money(scored);
      m.n = l.health_n;
      if (scored.micros <= 0) m.note = "no MRR among customers with a health score";
      else m.value = Quantity::of_real(percent(l.band_mrr[band(b)].micros, scored.micros));
    }
    if (id == "health_green") add_note(m.note, fmt::format("scheme {}", ctx.scheme.name));
    if (l.unscored > 0 && (id == "health_green" || id == "health_over_80"))
      add_note(m.note, plural(l.unscored, "customer without a score", "customers without a score"));
  } else if (id == "ttv_median" || id == "ttv_p75" || id == "ttv_p90") {
    m.n = l.ttv_days.size();
    if (l.ttv_days.empty()) m.note = "no customers with a value date";
    else m.value = Quantity::of_real(percentile(l.ttv_days, id == "ttv_median" ? 0.5 : id == "ttv_p75" ? 0.75 : 0.9));
    if (id == "ttv_median") {
      if (!l.motion.empty()) m.band_key = fmt::format("ttv_median:{}", l.motion);
      else if (m.value) add_note(m.note, "rated per segment: name segments PLG, SMB, Mid-Market or Enterprise, or pass --motion");
    }
    if (l.ttv_no_signup > 0) add_note(m.note, plural(l.ttv_no_signup, "customer has a value date but no signup date", "customers have a value date but no signup date"));
  } else if (id == "ttv_within_30") {
    std::uint64_t within = 0;
    for (const std::int32_t d : l.ttv_days) within += d <= 30 ? 1 : 0;
    share(within, l.ttv_days.size(), "no customers with a value date");
  } else if (id == "ttv_open") {
    m.value = count(l.open_ages.size());
    m.n = l.open_ages.size();
    if (!ctx.as_of.empty()) add_note(m.note, "as of " + ctx.as_of);
  } else if (id == "ttv_open_age") {
    m.n = l.open_ages.size();
    if (l.open_ages.empty()) m.note = "no customers without value";
    else m.value = Quantity::of_real(percentile(l.open_ages, 0.5));
    if (!ctx.as_of.empty()) add_note(m.note, "as of " + ctx.as_of);
  } else if (id == "renewal_rate") {
    share(l.renewed, l.renewals_due, "no renewals due in the period");
    if (l.renewed_derived > 0)
      add_note(m.note, fmt::format("{} without a renewed value: renewed = did not churn", plural(l.renewed_derived, "renewal", "renewals")));
    if (l.renewals_unknown > 0)
      add_note(m.note, fmt::format("{} without a renewed value left out", plural(l.renewals_unknown, "renewal", "renewals")));
  } else if (id == "csat" || id == "csat_satisfied") {
    if (id == "csat") {
      m.numerator = count(l.csat_sum);
      m.denominator = count(l.csat_n);
      m.n = l.csat_n;
      if (l.csat_n == 0) m.note = "no CSAT answers";
      else m.value = Quantity::of_real(static_cast<double>(l.csat_sum) / static_cast<double>(l.csat_n));
      m.band_key = fmt::format("csat:{}", l.csat_scale);
    } else {
      share(l.csat_satisfied, l.csat_n, "no CSAT answers");
    }
    add_note(m.note, l.csat_scale == 5 ? (id == "csat" ? "scale 1-5" : "satisfied = 4 or 5 of 5")
                                       : (id == "csat" ? "scale 1-10" : "satisfied = 8 to 10 of 10"));
  } else if (id == "ces") {
    m.numerator = count(l.ces_sum);
    m.denominator = count(l.ces_n);
    m.n = l.ces_n;
    if (l.ces_n == 0) m.note = "no CES answers";
    else m.value = Quantity::of_real(static_cast<double>(l.ces_sum) / static_cast<double>(l.ces_n));
  }
}

} // namespace

std::vector<MetricValue> compute_metrics(const Totals& t, const MetricContext& ctx, const CohortFigures* cohort,
                                         const LeadingTotals* lead) {
  const int k = periods_per_year(ctx.period_length);
  const i128 S = t.start.micros, E = t.expansion.micros, C = t.contraction.micros, X = t.churned.micros;
  const i128 N = t.cohort;
  const bool no_cohort = t.cohort == 0 || t.start.micros == 0;
  std::optional<double> nrr_annual, grr_annual;
  std::optional<Money> ltv_money;
  std::string ltv_reason;

  // NPS from responses files when the run has them (issue 7), else from the nps column.
  const bool survey = lead != nullptr && ctx.attributes.score;
  const std::uint64_t promoters = survey ? lead->promoters : t.promoters;
  const std::uint64_t detractors = survey ? lead->detractors : t.detractors;
  const std::uint64_t responses = survey ? lead->responses() : t.responses();
  static const LeadingTotals k_none{};
  const LeadingTotals& l = lead != nullptr ? *lead : k_none;

  std::vector<MetricValue> out;
  out.reserve(std::size(k_metrics));
  for (const MetricDef& def : k_metrics) {
    if (!available(def.needs, ctx)) continue;
    if (def.needs == Needs::nothing && !ctx.billing) continue; // revenue metrics need billing data
    if (def.latest_only && !l.as_of) continue;
    if (def.id == "health_power_users" && !ctx.scheme.power_users) continue;
    if (def.keyed) {
      churn_reason_records(def, l, out);
      continue;
    }
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

    // A sum of the bridge: exact money, or a count.
    const auto total = [&](Money v, std::uint64_t n) {
      m.value = Quantity::of_money(v);
      m.n = n;
    };
    const auto logos = [&](std::uint64_t v) {
      m.value = count(v);
      m.n = t.customers;
    };
    if (id == "mrr_start") total(t.start, t.cohort);
    else if (id == "mrr_new") {
      const i128 v = static_cast<i128>(t.end_mrr.micros) - S - E - t.reactivation.micros + C + X;
      m.value = money_or_real(v);
      m.n = t.new_customers;
    } else if (id == "mrr_expansion") total(t.expansion, t.cohort);
    else if (id == "mrr_reactivation") total(t.reactivation, t.new_customers);
    else if (id == "mrr_contraction") total(t.contraction, t.cohort);
    else if (id == "mrr_churned") total(t.churned, t.cohort);
    else if (id == "mrr_end") total(t.end_mrr, t.customers);
    else if (id == "arr") {
      m.value = money_or_real(static_cast<i128>(t.end_mrr.micros) * 12);
      m.n = t.customers;
    } else if (id == "customers_start") logos(t.cohort);
    else if (id == "customers_new") logos(t.new_customers);
    else if (id == "customers_churned") logos(t.churned_logos);
    else if (id == "customers_end") {
      logos(t.ending);
      // A churned row ends at 0 (SPEC §1.4), so only rows ending at 0 without churn make a gap.
      const std::uint64_t expected = t.cohort + t.new_customers - t.churned_logos;
      if (expected > t.ending) m.note = fmt::format("{} of the rows end at 0 MRR without churn", expected - t.ending);
    } else if (id == "nrr") of_start(S + E - C - X);
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
    } else if (id.starts_with("nps")) {
      const std::uint64_t n = responses;
      m.n = n;
      if (id == "nps") {
        m.numerator = Quantity::of_count(static_cast<std::int64_t>(promoters) - static_cast<std::int64_t>(detractors));
        m.denominator = count(n);
      }
      if (n == 0) {
        m.note = "no NPS responses";
      } else {
        const NpsInterval ci = nps_adjusted_wald(promoters, detractors, n);
        m.value = Quantity::of_real(id == "nps"       ? percent(static_cast<i128>(promoters) - detractors, n)
                                    : id == "nps_moe" ? ci.margin
                                    : id == "nps_ci_low" ? ci.low
                                                         : ci.high);
        if (n < 30) m.note = fmt::format("low confidence: {} responses (< 30)", n);
      }
      if (survey && id == "nps") add_note(m.note, "from the responses file");
    } else {
      leading_metric(m, l, ctx);
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

std::string suggest_metric(std::string_view id) {
  std::string best;
  // Only close matches: one edit for a short id, up to three for a long one ("foo" is not "nps").
  std::size_t best_d = std::clamp<std::size_t>(id.size() / 3, 1, 3) + 1;
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
