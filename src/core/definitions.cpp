// SPDX-License-Identifier: MIT
#include "core/definitions.hpp"

namespace cskpi {

namespace {

// Sources: the vendors' own help pages, read for issue 12 (ChartMogul help center: churn
// recognition, MRR movements, Net MRR Retention chart, past-due subscriptions; Paddle
// ProfitWell Metrics help: churn, discounts, first-month cancellations; the SaaS Metrics
// Standards Board's GRR definition as cited by secondary sources).
constexpr DefinitionPreset k_presets[] = {
    {"cskpi", false, false, true,
     "when the subscription ends (Stripe: Ended At, or the period end of a cancellation at period end), not when it is "
     "requested",
     "a customer who paid before and returns after a month at 0 MRR, however long the gap; exact cohorts count them",
     "invisible: MRR is read at each month's end, so a subscription that starts and ends within one month never counts",
     "GRR caps each customer at its starting MRR (expansion never offsets churn); NRR has no cap",
     "repeating and forever coupons lower MRR while they apply; a once coupon is a one-off, not recurring revenue",
     "past_due keeps its MRR; unpaid and paused stop counting from their unpaid or paused period",
     "cskpi's own; SPEC.md and the reference articles", FxMethod::constant,
     "snapshot files and billing exports value every month at the history's last month's rate, movements "
     "files each row at its own period's rate; no FX line (cskpi's choice)"},
    {"smsb", false, false, true, "when the subscription ends (not documented by SMSB; cskpi's choice)",
     "not documented by SMSB; cskpi's choice (counted in exact cohorts)",
     "not documented by SMSB; invisible at month-end snapshots",
     "GRR = (starting ARR - contraction - churn) / starting ARR on the customers at period start, capped at 100 % by "
     "definition (cskpi caps each customer)",
     "not documented by SMSB; cskpi's choice", "not documented by SMSB; cskpi's choice",
     "SaaS Metrics Standards Board, Gross Revenue Retention (as cited by secondary sources; the NRR text was not "
     "available)",
     FxMethod::constant, "not documented by SMSB; cskpi's choice"},
    {"chartmogul", true, true, false,
     "when the subscription is cancelled or expires in the billing system (ChartMogul's default churn recognition)",
     "a previously paying customer back on a paid plan, any gap; the Net MRR Retention chart excludes reactivation, so "
     "exact cohorts leave returning customers out (its cohort view includes them: --reactivation include)",
     "not documented; at month-end snapshots such a subscription is invisible",
     "Gross MRR retention excludes expansion (at most 100 %)",
     "every discount is deducted before MRR, a once coupon too (the months its first invoice covers)",
     "past-due subscriptions keep their MRR until cancelled (default; Stripe's unpaid is treated as past due)",
     "ChartMogul help center: Churn recognition; MRR movements explained; Chart: Net MRR Retention; Handling past-due "
     "subscriptions",
     FxMethod::period_end,
     "the daily rate at the service period's start, with no expansion or contraction from rates: they show in an "
     "Exchange Rate Impact row; with monthly rates, period-end"},
    {"profitwell", true, false, true,
     "at the end of the billing cycle; a cancellation request only marks the customer as cancelled",
     "a customer who churned and comes back, within any period of time",
     "ignored entirely: a customer who signs up and churns in the same calendar month is not counted (month-end "
     "snapshots do the same)",
     "not documented (cskpi's GRR cap applies)",
     "discounts and credits are always subtracted, regardless of frequency: a once coupon too",
     "past-due customers stay active through dunning, then churn as delinquent (Stripe's unpaid)",
     "Paddle ProfitWell Metrics help: Churn; Discounts; Are cancellations in the first month counted as churn?",
     FxMethod::transaction,
     "the rate of the date the customer purchased the subscription, never revalued (cskpi's reading: each "
     "customer's MRR at the rate of the month it last changed)"},
};

} // namespace

std::span<const DefinitionPreset> definition_presets() noexcept { return k_presets; }

std::string_view to_string(FxMethod m) noexcept {
  switch (m) {
  case FxMethod::constant: return "constant";
  case FxMethod::period_end: return "period-end";
  case FxMethod::transaction: return "transaction";
  }
  return "constant";
}

std::optional<FxMethod> parse_fx_method(std::string_view text) noexcept {
  for (const FxMethod m : {FxMethod::constant, FxMethod::period_end, FxMethod::transaction})
    if (to_string(m) == text) return m;
  return std::nullopt;
}

const DefinitionPreset* find_definition_preset(std::string_view name) noexcept {
  for (const DefinitionPreset& p : k_presets)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

template <bool DefinitionPreset::*M> int get_flag(const DefinitionPreset& d) { return d.*M ? 1 : 0; }
template <bool DefinitionPreset::*M> void set_flag(DefinitionPreset& d, int v) { d.*M = v != 0; }
int get_fx(const DefinitionPreset& d) { return static_cast<int>(d.fx_method); }
void set_fx(DefinitionPreset& d, int v) { d.fx_method = static_cast<FxMethod>(v); }

} // namespace

std::span<const DefinitionKnob> definition_knobs() noexcept {
  using P = DefinitionPreset;
  static constexpr DefinitionKnob k_knobs[] = {
      {"once_discounts_in_mrr", "once coupons in MRR", "stripe", get_flag<&P::once_discounts_in_mrr>,
       set_flag<&P::once_discounts_in_mrr>},
      {"unpaid_keeps_mrr", "unpaid keeps MRR", "stripe", get_flag<&P::unpaid_keeps_mrr>,
       set_flag<&P::unpaid_keeps_mrr>},
      {"cohort_reactivation", "reactivated in annual cohorts", "", get_flag<&P::cohort_reactivation>,
       set_flag<&P::cohort_reactivation>},
      {"fx_method", "FX method", "", get_fx, set_fx, true},
  };
  return k_knobs;
}

std::string_view knob_text(const DefinitionKnob& k, int value) noexcept {
  if (k.fx) return to_string(static_cast<FxMethod>(value));
  return value != 0 ? "true" : "false";
}

} // namespace cskpi
