// SPDX-License-Identifier: MIT
// The lifecycle metrics of billing exports (issue 30, Stripe's subscriptions export):
// committed MRR, voluntary and involuntary churn, trial conversion. Their facts travel in
// MovementRow::life and Totals::life; only a form that knows them fills them, and each metric
// needs its fact in the run's data (ColumnSet), so other runs never show them. Beside the MRR
// bridge in table_billing.cpp, in a file of their own (each file stays under 700 lines).
#include "metrics/formula.hpp"

namespace cskpi {

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

/// The churned MRR that did not end from a failed payment.
i128 voluntary(const Totals& t) { return static_cast<i128>(t.churned.micros) - t.life.involuntary.micros; }

constexpr MetricDef k_lifecycle[] = {
    {.id = "cmrr",
     .name = "Committed MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::scheduled,
     .formula = "ending MRR - MRR scheduled to cancel after the period (Stripe: Cancel At Period End, or a Cancel At "
                "after the period's last day, asked for by then: Canceled At on or before it; Chargebee: status "
                "non_renewing at the period's end)",
     .description = "The ending MRR the customers have committed to: what is left once the cancellations they have "
                    "already scheduled take effect.",
     .sources =
         "ChartMogul, Understanding Committed Monthly Recurring Revenue (CMRR): MRR projected with the "
         "scheduled changes, such as a future cancellation the customer has already communicated "
         "(help.chartmogul.com/hc/en-us/articles/4465296662812); Stripe API, the subscription object: "
         "cancel_at_period_end, cancel_at, canceled_at (docs.stripe.com/api/subscriptions/object); "
         "Chargebee: a cancellation at the end of the term makes the subscription non_renewing "
         "(chargebee.com/docs/1.0/subscriptions/articles-and-faq/how-can-i-cancel-a-subscription-using-the-apis.html)",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           total(m, money_or_real(static_cast<i128>(t.end_mrr.micros) - t.life.scheduled.micros), t.ending);
           if (t.life.scheduled.micros > 0)
             m.note =
                 fmt::format("{} of ending MRR scheduled to cancel", format_money_fixed(t.life.scheduled, 2, true));
         },
     .band = k_unrated,
     .sql = {.why_not =
                 "a movements table has no scheduled cancellations: they come from Stripe's or Chargebee's export"}},
    {.id = "churn_voluntary_mrr",
     .name = "Voluntary churned MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::churn_kind,
     .formula = "X - involuntary churned MRR",
     .description = "Churned MRR of customers that chose to leave: every churn that did not end from a failed payment.",
     .sources = "Chargebee, Voluntary and involuntary churn (support.chargebee.com/support/solutions/articles/257268)",
     .compute = [](const MetricInputs& in, MetricValue& m) { total(m, money_or_real(voluntary(in.t)), in.t.cohort); },
     .band = k_unrated,
     .sql = {.why_not = "a movements table has no cancellation reasons: they come from Stripe's export"}},
    {.id = "churn_involuntary_mrr",
     .name = "Involuntary churned MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::churn_kind,
     .formula = "starting MRR of churned customers' subscriptions that ended unpaid or past due, or cancelled with "
                "the reason payment_failed (at most X per customer)",
     .description = "Churned MRR lost to failed payments (dunning) rather than to a decision; with the voluntary part "
                    "it adds up to churned MRR.",
     .sources = "Chargebee, Involuntary Cancellation MRR: MRR lost from subscriptions cancelled for a payment failure "
                "(chargebee.com/docs/1.0/reports-and-analytics/articles-and-faq/"
                "what-is-involuntary-cancellation-mrr-metric-report.html); Stripe API, the subscription object: "
                "cancellation_details.reason payment_failed, status unpaid and past_due "
                "(docs.stripe.com/api/subscriptions/object)",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.life.involuntary), in.t.cohort); },
     .band = k_unrated,
     .sql = {.why_not = "a movements table has no cancellation reasons: they come from Stripe's export"}},
    {.id = "churn_voluntary_rate",
     .name = "Voluntary MRR churn rate",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::churn_kind,
     .formula = "voluntary churned MRR / S * 100",
     .description = "Starting MRR lost to customers that chose to leave (not annualised: the two parts of a compounded "
                    "churn would not add up).",
     .sources = "Chargebee, Voluntary and involuntary churn (support.chargebee.com/support/solutions/articles/257268)",
     .compute = [](const MetricInputs& in, MetricValue& m) { of_start(in, m, voluntary(in.t)); },
     .band = k_unrated,
     .sql = {.why_not = "a movements table has no cancellation reasons: they come from Stripe's export"}},
    {.id = "churn_involuntary_rate",
     .name = "Involuntary MRR churn rate",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::churn_kind,
     .formula = "involuntary churned MRR / S * 100",
     .description = "Starting MRR lost to failed payments (not annualised); with the voluntary rate it adds up to the "
                    "churned part of the gross MRR churn rate.",
     .sources = "Chargebee, Involuntary Cancellation MRR (chargebee.com/docs/1.0/reports-and-analytics/"
                "articles-and-faq/what-is-involuntary-cancellation-mrr-metric-report.html)",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { of_start(in, m, static_cast<i128>(in.t.life.involuntary.micros)); },
     .band = k_unrated,
     .sql = {.why_not = "a movements table has no cancellation reasons: they come from Stripe's export"}},
    {.id = "trial_conversion",
     .name = "Trial conversion",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::lifecycle,
     .needs = N::trials,
     .formula = "trials that ended in the period and were paying after it / trials that ended in the period * 100 "
                "(Stripe: Trial End in the period; Chargebee: in_trial at the month before's end, not now)",
     .description = "Share of the trials ending in the period that became paying subscriptions: not cancelled, paused "
                    "or unpaid at the trial's end.",
     .sources = "ChartMogul, Trial-to-paid conversion rate, which counts trials by the period they started in "
                "(help.chartmogul.com/hc/en-us/articles/115000865205); Chargebee, Trial conversion rate "
                "(support.chargebee.com/support/solutions/articles/251832)",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, in.t.life.trials_converted, in.t.life.trials_ended, "no trial ended in the period");
         },
     .band = k_unrated,
     .sql = {.why_not = "a movements table has no trials: they come from Stripe's or Chargebee's export"}},
};

} // namespace

std::span<const MetricDef> lifecycle_metrics() noexcept { return k_lifecycle; }

} // namespace cskpi
