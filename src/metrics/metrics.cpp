// SPDX-License-Identifier: MIT
#include "metrics/metrics.hpp"

#include "metrics/formula.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace cskpi {

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
  case Section::lifecycle: return "Billing lifecycle";
  case Section::invoicing: return "Billings and recognised revenue";
  case Section::efficiency: return "Efficiency";
  }
  return "";
}

namespace {

bool available(Needs needs, const MetricContext& ctx) {
  switch (needs) {
  case Needs::nothing: return true;
  case Needs::new_mrr: return ctx.columns.new_mrr;
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
  case Needs::scheduled: return ctx.columns.scheduled;
  case Needs::trials: return ctx.columns.trials;
  case Needs::churn_kind: return ctx.columns.churn_kind;
  case Needs::invoices: return ctx.invoices;
  case Needs::costs: return ctx.costs;
  }
  return false;
}

} // namespace

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

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", group_thousands(n), n == 1 ? one : many);
}

void of_start(const MetricInputs& in, MetricValue& m, i128 num) {
  m.numerator = money_or_real(num);
  m.denominator = Quantity::of_money(in.t.start);
  m.n = in.t.cohort;
  if (in.t.cohort == 0 || in.t.start.micros == 0) m.note = "no starting customers";
  else m.value = Quantity::of_real(percent(num, in.t.start.micros));
}

void of_logos(const MetricInputs& in, MetricValue& m, std::uint64_t num) {
  m.numerator = count(num);
  m.denominator = count(in.t.cohort);
  m.n = in.t.cohort;
  if (in.t.cohort == 0) m.note = "no starting customers";
  else m.value = Quantity::of_real(percent(num, in.t.cohort));
}

void share(MetricValue& m, std::uint64_t num, std::uint64_t den, std::string_view empty) {
  m.numerator = count(num);
  m.denominator = count(den);
  m.n = den;
  if (den == 0) m.note = empty;
  else m.value = Quantity::of_real(percent(num, den));
}

void mean_of(MetricValue& m, std::uint64_t sum, std::uint64_t n, std::string_view empty) {
  m.numerator = count(sum);
  m.denominator = count(n);
  m.n = n;
  if (n == 0) m.note = empty;
  else m.value = Quantity::of_real(static_cast<double>(sum) / static_cast<double>(n));
}

MetricTable metric_table() noexcept {
  static const std::array<std::span<const MetricDef>, 10> k_families = {
      bridge_metrics(), retention_metrics(),  value_risk_metrics(),   lifecycle_metrics(), survey_metrics(),
      health_metrics(), onboarding_metrics(), churn_reason_metrics(), invoice_metrics(),   efficiency_metrics()};
  return MetricTable(k_families);
}

std::size_t MetricTable::size() const noexcept {
  std::size_t n = 0;
  for (const std::span<const MetricDef> family : m_families) n += family.size();
  return n;
}

std::string_view MetricDef::band_qualifiers() const noexcept {
  const std::size_t colon = band.find(':');
  return colon == std::string_view::npos ? std::string_view{} : band.substr(colon + 1);
}

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
  // issue 30: the export's columns, and a subscription of its data that uses them
  case Needs::scheduled:
    return "Cancel At Period End or Cancel At (Stripe), status non_renewing (Chargebee), state canceled "
           "(Recurly), or a STOP asked for before it takes effect (Kill Bill)";
  case Needs::trials:
    return "Trial End (Stripe), status_previous in_trial (Chargebee), trial_ends_at (Recurly), or a TRIAL "
           "phase (Kill Bill)";
  case Needs::churn_kind: return "Cancellation Reason (Stripe)";
  case Needs::invoices: return "invoice lines (--invoices FILE)";
  case Needs::costs: return "sales_marketing (a costs file: --costs)";
  }
  return "";
}

const MetricDef* find_metric(std::string_view id) noexcept {
  for (const MetricDef& m : metric_table())
    if (m.id == id) return &m;
  return nullptr;
}

const MetricDef* find_band_metric(std::string_view key) noexcept {
  const std::size_t colon = key.find(':');
  if (colon == std::string_view::npos) return find_metric(key);
  const MetricDef* def = find_metric(key.substr(0, colon));
  if (def == nullptr) return nullptr;
  // One of the qualifiers its definition lists: "csat:5|10" takes "csat:5" and "csat:10".
  const std::string_view qualifier = key.substr(colon + 1);
  std::string_view rest = def->band_qualifiers();
  while (!rest.empty()) {
    const std::size_t bar = rest.find('|');
    if (rest.substr(0, bar) == qualifier) return def;
    rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
  }
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

/// The exact annual figure of a metric from a trailing-12-month cohort, for the metrics that
/// follow from revenue and logo retention; nullopt for others or an empty cohort.
std::optional<double> cohort_annual(CohortAnnual kind, const CohortFigures& c) {
  if (c.start.micros <= 0) return std::nullopt;
  const double nrr = percent(c.end.micros, c.start.micros);
  const double grr = percent(c.capped_end.micros, c.start.micros);
  const double logos = percent(static_cast<i128>(c.retained), c.customers);
  switch (kind) {
  case CohortAnnual::none: return std::nullopt;
  case CohortAnnual::nrr: return nrr;
  case CohortAnnual::grr: return grr;
  case CohortAnnual::logos: return logos;
  case CohortAnnual::nrr_lost: return 100.0 - nrr;
  case CohortAnnual::grr_lost: return 100.0 - grr;
  case CohortAnnual::logos_lost: return 100.0 - logos;
  case CohortAnnual::nrr_minus_grr: return nrr - grr;
  }
  return std::nullopt;
}

/// The annual figure of an earlier metric ("nrr"), or nullopt.
std::optional<double> annual_of(const MetricInputs& in, std::string_view id) {
  const MetricValue* m = in.earlier(id);
  return m != nullptr ? m->annualized : std::nullopt;
}

/// The annual figure of a computed record (SPEC §2.3): compounded from the period figure, or
/// from the trailing-12-month cohort when there is one.
void annualize(const MetricInputs& in, const CohortFigures* cohort, MetricValue& m) {
  const MetricDef& def = *m.def;
  if (!m.value || def.annualization == Annualization::none) return;
  const int k = periods_per_year(in.ctx.period_length);
  const double v = m.value->as_double();
  switch (def.annualization) {
  case Annualization::retention:
  case Annualization::churn: m.annualized = annualize_percent(def.annualization, v, k); break;
  case Annualization::churn_estimate:
    m.annualized = annualize_percent(def.annualization, v, k);
    if (k != 1) add_note(m.note, "annual figure is a compounded estimate");
    break;
  case Annualization::net_churn: {
    const std::optional<double> nrr = annual_of(in, "nrr");
    m.annualized = k == 1 ? v : (nrr ? std::optional<double>(100.0 - *nrr) : std::nullopt);
    break;
  }
  case Annualization::expansion_mrr: {
    const std::optional<double> nrr = annual_of(in, "nrr"), grr = annual_of(in, "grr");
    m.annualized = k == 1 ? v : (nrr && grr ? std::optional<double>(*nrr - *grr) : std::nullopt);
    break;
  }
  case Annualization::none: break;
  }
  m.method = k == 1 ? "period" : "compound";
  if (const std::optional<double> exact = cohort != nullptr ? cohort_annual(def.cohort, *cohort) : std::nullopt) {
    m.annualized = exact;
    m.method = "cohort";
  }
}

/// Whether the run computes `def` at all.
bool computed(const MetricDef& def, const MetricContext& ctx, const LeadingTotals& lead) {
  if (!available(def.needs, ctx)) return false;
  if (def.needs == Needs::nothing && !ctx.billing) return false; // revenue metrics need billing data
  if (def.latest_only && !lead.as_of) return false;
  return def.applies == nullptr || def.applies(ctx);
}

} // namespace

std::vector<MetricValue> compute_metrics(const Totals& t, const MetricContext& ctx, const CohortFigures* cohort,
                                         const LeadingTotals* lead, const InvoiceFigures* invoices,
                                         const PeriodCosts* costs) {
  static const LeadingTotals k_none{};
  std::vector<MetricValue> out;
  MetricInputs in{.t = t, .ctx = ctx, .lead = lead != nullptr ? *lead : k_none, .done = out, .invoices = invoices};
  // NPS from responses files when the run has them (issue 7), else from the nps column.
  in.survey = lead != nullptr && ctx.attributes.score;
  in.promoters = in.survey ? lead->promoters : t.promoters;
  in.detractors = in.survey ? lead->detractors : t.detractors;
  in.responses = in.survey ? lead->responses() : t.responses();
  in.costs = costs;

  out.reserve(metric_table().size());
  for (const MetricDef& def : metric_table()) {
    if (!computed(def, ctx, in.lead)) continue;
    if (def.needs == Needs::costs && costs == nullptr) continue; // costs are the whole company's: no --by group
    if (def.records != nullptr) {
      def.records(in, def, out);
      continue;
    }
    MetricValue m;
    m.def = &def;
    def.compute(in, m);
    annualize(in, cohort, m);
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
