// SPDX-License-Identifier: MIT
// The leading indicators (issue 7), from customers and responses files: surveys, health,
// time to value, renewals and churn reasons. Each entry is the whole definition of a metric.
#include "metrics/formula.hpp"

#include <algorithm>

namespace cskpi {

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

constexpr MetricSql k_not_in_sql = {.why_not = "customers and responses files are not in a movements table"};

std::size_t band_index(HealthBand b) { return static_cast<std::size_t>(b); }

std::uint64_t customers_in(const MetricInputs& in, HealthBand b) { return in.lead.band_customers[band_index(b)]; }

void unscored_note(const MetricInputs& in, MetricValue& m) {
  if (in.lead.unscored > 0)
    add_note(m.note, plural(in.lead.unscored, "customer without a score", "customers without a score"));
}

/// The share of the scored customers' MRR in health band `b`.
void mrr_share(const MetricInputs& in, MetricValue& m, HealthBand b) {
  const LeadingTotals& l = in.lead;
  Money scored{};
  for (const Money& x : l.band_mrr) checked_add(scored, x);
  m.numerator = Quantity::of_money(l.band_mrr[band_index(b)]);
  m.denominator = Quantity::of_money(scored);
  m.n = l.health_n;
  if (scored.micros <= 0) m.note = "no MRR among customers with a health score";
  else m.value = Quantity::of_real(percent(l.band_mrr[band_index(b)].micros, scored.micros));
}

/// The p-quantile of the days from signup to first value.
void ttv_percentile(const MetricInputs& in, MetricValue& m, double p) {
  m.n = in.lead.ttv_days.size();
  if (in.lead.ttv_days.empty()) m.note = "no customers with a value date";
  else m.value = Quantity::of_real(percentile(in.lead.ttv_days, p));
}

void ttv_signup_note(const MetricInputs& in, MetricValue& m) {
  if (in.lead.ttv_no_signup > 0)
    add_note(m.note,
             plural(in.lead.ttv_no_signup, "customer has a value date but no signup date",
                    "customers have a value date but no signup date"));
}

/// The churn-reason records of a group: one per reason, "(none given)" for churned
/// customers without one.
void churn_reason_records(const MetricInputs& in, const MetricDef& def, std::vector<MetricValue>& out) {
  const LeadingTotals& lead = in.lead;
  const bool mrr = def.id == "churn_reason_mrr";
  if (lead.churned == 0) {
    MetricValue m;
    m.def = &def;
    m.note = "no churned customers";
    out.push_back(std::move(m));
    return;
  }
  // Most frequent reason first; customers without one last.
  std::vector<std::pair<std::string_view, std::pair<std::uint64_t, Money>>> reasons(lead.reasons.begin(),
                                                                                    lead.reasons.end());
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
      if (lead.churned_mrr.micros > 0)
        m.value = Quantity::of_real(percent(figures.second.micros, lead.churned_mrr.micros));
      else m.note = "no churned MRR";
    } else {
      m.numerator = count(figures.first);
      m.denominator = count(lead.churned);
      m.value = Quantity::of_real(percent(figures.first, lead.churned));
    }
    out.push_back(std::move(m));
  }
}

constexpr MetricDef k_surveys[] = {
    {.id = "csat",
     .name = "CSAT (mean)",
     .unit = U::score,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::csat,
     .formula = "sum of CSAT answers / answers",
     .description = "Mean satisfaction on the survey's 1-5 or 1-10 scale (detected, or --csat-scale). Rated per scale: "
                    "excellent 4.5+/5 "
                    "or 9+/10, good 4.0+/5 or 8+/10, poor below.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           mean_of(m, in.lead.csat_sum, in.lead.csat_n, "no CSAT answers");
           m.band_key = fmt::format("csat:{}", in.lead.csat_scale);
           add_note(m.note, in.lead.csat_scale == 5 ? "scale 1-5" : "scale 1-10");
         },
     .band = "csat:5|10",
     .sql = k_not_in_sql},
    {.id = "csat_satisfied",
     .name = "CSAT satisfied",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::csat,
     .formula = "answers of 4-5 (of 5) or 8-10 (of 10) / answers * 100",
     .description = "Share of CSAT answers that are satisfied.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, in.lead.csat_satisfied, in.lead.csat_n, "no CSAT answers");
           add_note(m.note, in.lead.csat_scale == 5 ? "satisfied = 4 or 5 of 5" : "satisfied = 8 to 10 of 10");
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "ces",
     .name = "Customer effort score (mean)",
     .unit = U::score,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::ces,
     .formula = "sum of CES answers (1-7) / answers",
     .description =
         "How easy customers find it to get things done, 1 (very easy) to 7; the target is below 2.0. Effort predicts "
         "retention better than satisfaction.",
     .sources = "002",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { mean_of(m, in.lead.ces_sum, in.lead.ces_n, "no CES answers"); },
     .band = "ces",
     .sql = k_not_in_sql},
};

constexpr MetricDef k_health[] = {
    {.id = "health_green",
     .name = "Customers in green health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health,
     .formula = "customers with green cut-off <= score (<= 100 under --health-scheme power-users) / customers with a "
                "score * 100",
     .description =
         "Share of scored customers in green health (default cut-offs 80 and 50; --health-scheme). In the power-user "
         "scheme a score over 100 is a power user, counted in health_power_users and not here.",
     .sources = "002, 003",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, customers_in(in, HealthBand::green), in.lead.health_n, "no customers with a health score");
           add_note(m.note, fmt::format("scheme {}", in.ctx.scheme.name));
           unscored_note(in, m);
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_yellow",
     .name = "Customers in yellow health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health,
     .formula = "customers with yellow cut-off <= score < green cut-off / customers with a score * 100",
     .description = "Share of scored customers in yellow health: at risk, an engagement plan is due.",
     .sources = "002, 003",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, customers_in(in, HealthBand::yellow), in.lead.health_n, "no customers with a health score");
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_red",
     .name = "Customers in red health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health,
     .formula = "customers with score < yellow cut-off / customers with a score * 100",
     .description = "Share of scored customers in red health: critical, a save motion is due.",
     .sources = "002, 003",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, customers_in(in, HealthBand::red), in.lead.health_n, "no customers with a health score");
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_power_users",
     .name = "Power users (health over 100)",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health,
     .formula = "customers with score > 100 / customers with a score * 100",
     .description = "Share of scored customers above 100 in the power-user scheme (--health-scheme power-users): "
                    "expansion candidates.",
     .sources = "003",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, customers_in(in, HealthBand::power_user), in.lead.health_n, "no customers with a health score");
         },
     .applies = [](const MetricContext& ctx) { return ctx.scheme.power_users; },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_over_80",
     .name = "Customers with health over 80",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health,
     .formula = "customers with score > 80 / customers with a score * 100",
     .description = "The common CS target: a health score above 80 for at least 70 % of customers.",
     .sources = "001",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, in.lead.over_80, in.lead.health_n, "no customers with a health score");
           unscored_note(in, m);
         },
     .band = "health_over_80",
     .sql = k_not_in_sql},
    {.id = "health_green_mrr",
     .name = "MRR in green health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health_mrr,
     .formula = "MRR of green customers / MRR of scored customers * 100",
     .description =
         "Share of the scored customers' MRR in green health (power users, over 100, are scored but not green).",
     .sources = "002",
     .latest_only = true,
     .compute = [](const MetricInputs& in, MetricValue& m) { mrr_share(in, m, HealthBand::green); },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_yellow_mrr",
     .name = "MRR in yellow health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health_mrr,
     .formula = "MRR of yellow customers / MRR of scored customers * 100",
     .description = "Share of the scored customers' MRR in yellow health.",
     .sources = "002",
     .latest_only = true,
     .compute = [](const MetricInputs& in, MetricValue& m) { mrr_share(in, m, HealthBand::yellow); },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_red_mrr",
     .name = "MRR in red health",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health_mrr,
     .formula = "MRR of red customers / MRR of scored customers * 100",
     .description = "Share of the scored customers' MRR in red health.",
     .sources = "002",
     .latest_only = true,
     .compute = [](const MetricInputs& in, MetricValue& m) { mrr_share(in, m, HealthBand::red); },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "health_at_risk_mrr",
     .name = "MRR in yellow or red health",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::health,
     .needs = N::health_mrr,
     .formula = "sum of end MRR of customers in yellow or red health",
     .description = "The revenue the health score puts at risk: MRR at the end of the latest period of customers in "
                    "yellow or red.",
     .sources = "002",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const LeadingTotals& l = in.lead;
           Money risk = l.band_mrr[band_index(HealthBand::red)];
           checked_add(risk, l.band_mrr[band_index(HealthBand::yellow)]);
           m.value = Quantity::of_money(risk);
           m.numerator = Quantity::of_money(risk);
           m.n = l.band_customers[band_index(HealthBand::red)] + l.band_customers[band_index(HealthBand::yellow)];
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
};

constexpr MetricDef k_onboarding[] = {
    {.id = "ttv_median",
     .name = "Time to value, median",
     .unit = U::days,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "median of first_value_date - signup_date (days)",
     .description =
         "Typical days from signup to the first measurable result; rated against the segment's range: product-led 1-7, "
         "SMB 7-30, mid-market 30-60, enterprise 60-120 days.",
     .sources = "002, 000, 001",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           ttv_percentile(in, m, 0.5);
           if (!in.lead.motion.empty()) m.band_key = fmt::format("ttv_median:{}", in.lead.motion);
           else if (m.value)
             add_note(m.note, "rated per segment: name segments PLG, SMB, Mid-Market or Enterprise, or pass --motion");
           ttv_signup_note(in, m);
         },
     .band = "ttv_median:product_led|smb|mid_market|enterprise",
     .sql = k_not_in_sql},
    {.id = "ttv_p75",
     .name = "Time to value, 75th percentile",
     .unit = U::days,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "75th percentile of first_value_date - signup_date (interpolated like PERCENTILE.INC)",
     .description = "Days within which three in four customers reached first value.",
     .sources = "002",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           ttv_percentile(in, m, 0.75);
           ttv_signup_note(in, m);
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "ttv_p90",
     .name = "Time to value, 90th percentile",
     .unit = U::days,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "90th percentile of first_value_date - signup_date (interpolated like PERCENTILE.INC)",
     .description = "Days within which nine in ten customers reached first value: the slow tail of onboarding.",
     .sources = "002",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           ttv_percentile(in, m, 0.9);
           ttv_signup_note(in, m);
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "ttv_within_30",
     .name = "Value within 30 days",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "customers with time to value <= 30 days / customers with a value date * 100",
     .description = "Value within 30 days goes with three times the renewal odds.",
     .sources = "000",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           std::uint64_t within = 0;
           for (const std::int32_t d : in.lead.ttv_days) within += d <= 30 ? 1 : 0;
           share(m, within, in.lead.ttv_days.size(), "no customers with a value date");
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "ttv_open",
     .name = "Customers still without value",
     .unit = U::count,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "active customers with a signup date and no first_value_date",
     .description = "Customers who have not reached first value yet; their median age is the next metric.",
     .sources = "001",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           total(m, count(in.lead.open_ages.size()), in.lead.open_ages.size());
           if (!in.ctx.as_of.empty()) add_note(m.note, "as of " + in.ctx.as_of);
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "ttv_open_age",
     .name = "Age of customers without value, median",
     .unit = U::days,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::ttv,
     .formula = "median of as-of date - signup_date over customers without a value date",
     .description = "How long the open customers have been waiting for first value, as of the end of the latest period "
                    "(or --as-of).",
     .sources = "001",
     .latest_only = true,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           m.n = in.lead.open_ages.size();
           if (in.lead.open_ages.empty()) m.note = "no customers without value";
           else m.value = Quantity::of_real(percentile(in.lead.open_ages, 0.5));
           if (!in.ctx.as_of.empty()) add_note(m.note, "as of " + in.ctx.as_of);
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "renewal_rate",
     .name = "Renewal rate",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::onboarding,
     .needs = N::renewal,
     .formula = "renewed / renewals due in the period * 100",
     .description = "Share of the renewals due in the period (renewal_date) that renewed; without a renewed column, a "
                    "customer that "
                    "did not churn in that period renewed.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const LeadingTotals& l = in.lead;
           share(m, l.renewed, l.renewals_due, "no renewals due in the period");
           if (l.renewed_derived > 0)
             add_note(m.note,
                      fmt::format("{} without a renewed value: renewed = did not churn",
                                  plural(l.renewed_derived, "renewal", "renewals")));
           if (l.renewals_unknown > 0)
             add_note(
                 m.note,
                 fmt::format("{} without a renewed value left out", plural(l.renewals_unknown, "renewal", "renewals")));
         },
     .band = k_unrated,
     .sql = k_not_in_sql},
};

constexpr MetricDef k_churn_reasons[] = {
    {.id = "churn_reason_logos",
     .name = "Churned customers",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::churn_reasons,
     .needs = N::churn_reason,
     .formula = "churned starting customers with this reason / churned starting customers * 100",
     .description =
         "Share of the period's churned customers that gave this reason (churn_reason of the customers file).",
     .sources = "003, 001",
     .keyed = true,
     .records = churn_reason_records,
     .band = k_unrated,
     .sql = k_not_in_sql},
    {.id = "churn_reason_mrr",
     .name = "Churned MRR",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::churn_reasons,
     .needs = N::churn_reason,
     .formula = "churned MRR of customers with this reason / churned MRR * 100",
     .description = "Share of the period's churned MRR lost to this reason.",
     .sources = "003, 001",
     .keyed = true,
     .records = churn_reason_records,
     .band = k_unrated,
     .sql = k_not_in_sql},
};

} // namespace

std::span<const MetricDef> survey_metrics() noexcept { return k_surveys; }
std::span<const MetricDef> health_metrics() noexcept { return k_health; }
std::span<const MetricDef> onboarding_metrics() noexcept { return k_onboarding; }
std::span<const MetricDef> churn_reason_metrics() noexcept { return k_churn_reasons; }

} // namespace cskpi
