// SPDX-License-Identifier: MIT
// The metrics of the movements file (SPEC §2.2): the MRR bridge, retention, value, risk and
// NPS. Each entry is the whole definition of a metric: what it is, its formula in C++ and
// in SQL, its bands and how reports show it.
#include "metrics/formula.hpp"

#include <cmath>

namespace cskpi {

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

/// LTV = gross profit per account and period / (gross MRR churn per period).
void compute_ltv(const MetricInputs& in, MetricValue& m) {
  const Totals& t = in.t;
  const i128 start = t.start.micros, logos = t.cohort;
  const i128 lost = static_cast<i128>(t.contraction.micros) + t.churned.micros;
  m.n = t.cohort;
  if (t.cohort == 0) {
    m.note = "no starting customers";
    return;
  }
  // Gross profit per account and period, exact to the micro-unit.
  const int months = months_per_period(in.ctx.period_length);
  const Money profit{div_round(start * months * in.ctx.gross_margin.micros, logos * Money::k_scale)};
  m.numerator = Quantity::of_money(profit);
  if (lost == 0) {
    m.denominator = Quantity::of_real(0.0);
    m.note = "no churn in period: LTV unbounded";
  } else {
    m.denominator =
        Quantity::of_real(static_cast<double>(static_cast<long double>(lost) / static_cast<long double>(start)));
    // LTV = profit / ((C + X) / S) = profit * S / (C + X), rounded to the micro-unit.
    const long double v =
        static_cast<long double>(profit.micros) * static_cast<long double>(start) / static_cast<long double>(lost);
    if (std::fabs(v) < 9.2e18L) m.value = Quantity::of_money(Money{static_cast<std::int64_t>(std::llround(v))});
    else m.value = Quantity::of_real(static_cast<double>(v / Money::k_scale));
  }
  add_note(m.note,
           fmt::format("gross margin {}%{}", format_money_exact(Money{in.ctx.gross_margin.micros * 100}),
                       in.ctx.gross_margin_given ? "" : " (default; set --gross-margin)"));
}

/// LTV (exact money only) over the mean CAC of the group, or --cac.
void compute_ltv_cac(const MetricInputs& in, MetricValue& m) {
  const MetricValue* ltv = in.earlier("ltv");
  std::optional<Money> ltv_money;
  if (ltv != nullptr && ltv->value && ltv->value->kind == Quantity::Kind::money) ltv_money = ltv->value->money;
  // Why LTV is undefined: its note up to the gross-margin remark.
  const std::string ltv_reason = ltv != nullptr && !ltv->value ? ltv->note.substr(0, ltv->note.find(';')) : "";
  Money mean_cac{};
  std::uint64_t cac_n = 0;
  if (in.ctx.cac) {
    mean_cac = *in.ctx.cac;
    cac_n = 1;
  } else if (in.t.cac_count > 0) {
    mean_cac = Money{div_round(in.t.cac_sum.micros, in.t.cac_count)};
    cac_n = in.t.cac_count;
  }
  m.n = cac_n;
  if (ltv_money) m.numerator = Quantity::of_money(*ltv_money);
  if (cac_n > 0) m.denominator = Quantity::of_money(mean_cac);
  if (!ltv_money) m.note = ltv_reason.empty() ? "LTV undefined" : ltv_reason;
  else if (cac_n == 0) m.note = "no CAC values in this group";
  else if (mean_cac.micros <= 0) m.note = "mean CAC is 0";
  else m.value = Quantity::of_real(static_cast<double>(static_cast<long double>(ltv_money->micros) / mean_cac.micros));
  if (in.ctx.cac) add_note(m.note, "CAC from --cac");
}

/// A figure of the NPS responses: `of` picks it from the adjusted-Wald interval; flagged
/// low-confidence under 30 responses.
void nps_figure(const MetricInputs& in, MetricValue& m, double (*of)(const MetricInputs&, const NpsInterval&)) {
  m.n = in.responses;
  if (in.responses == 0) {
    m.note = "no NPS responses";
    return;
  }
  m.value = Quantity::of_real(of(in, nps_adjusted_wald(in.promoters, in.detractors, in.responses)));
  if (in.responses < 30) m.note = fmt::format("low confidence: {} responses (< 30)", in.responses);
}

constexpr MetricDef k_bridge[] = {
    // The MRR bridge (issue 14): the first slide of a board pack, start to end in money and logos.
    {.id = "mrr_start",
     .name = "Starting MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "S - transfers in + transfers out - FX (S alone without transfers and an FX method)",
     .description = "MRR of the starting customers at the start of the period: in a group, of those that ended the "
                    "period before in it; with --fx-method period-end, at the period before's rates.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           const i128 v =
               static_cast<i128>(t.start.micros) - t.transfer_in.micros + t.transfer_out.micros - t.fx.micros;
           total(m, money_or_real(v), t.cohort - t.transfers_in + t.transfers_out);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "s", .n = "cohort"}},
    {.id = "mrr_new",
     .name = "New MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "end MRR - S - E - R + every row's contraction and churn (new_mrr + expansion of rows from 0)",
     .description = "MRR of customers that started the period at 0 and are not reactivations.",
     .sources = "002",
     .sign = "+",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           const i128 v = static_cast<i128>(t.end_mrr.micros) - t.start.micros - t.expansion.micros -
               t.reactivation.micros + t.contraction.micros + t.churned.micros + t.new_contraction.micros +
               t.new_churned.micros;
           total(m, money_or_real(v), t.new_customers);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "end_mrr - s - e - r + c + x + nc + nx", .n = "new_customers"}},
    {.id = "mrr_expansion",
     .name = "Expansion MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "E",
     .description = "MRR added by starting customers: upgrades, seats, add-ons.",
     .sources = "001",
     .sign = "+",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.expansion), in.t.cohort); },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "e", .n = "cohort"}},
    {.id = "mrr_reactivation",
     .name = "Reactivation MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "R (reactivation_mrr)",
     .description = "MRR of returning customers.",
     .sources = "-",
     .sign = "+",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.reactivation), in.t.new_customers); },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "r", .n = "new_customers"}},
    {.id = "mrr_transfer_in",
     .name = "MRR transferred in",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "start_mrr of the customers whose --by value was another group's at the end of the period before",
     .description = "MRR that entered the group with customers moving in from another group (a plan change, a "
                    "reassigned segment). Only in --by runs in which a customer changes group; 0 in the whole.",
     .sources = "-",
     .sign = "+",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.transfer_in), in.t.transfers_in); },
     .applies = [](const MetricContext& ctx) { return ctx.transfers; },
     .band = k_unrated,
     .sql = {.why_not = "a transfer needs each customer's group in the period before"}},
    {.id = "mrr_contraction",
     .name = "Contraction MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "C + contraction of rows starting at 0",
     .description = "MRR lost to downgrades of starting (C) and of new or reactivated customers.",
     .sources = "002",
     .sign = "-",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           total(m, money_or_real(static_cast<i128>(t.contraction.micros) + t.new_contraction.micros), t.cohort);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "c + nc", .n = "cohort"}},
    {.id = "mrr_churned",
     .name = "Churned MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "X + churned MRR of rows starting at 0",
     .description = "MRR lost to cancellations of starting (X) and of new or reactivated customers.",
     .sources = "002, 003",
     .sign = "-",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           total(m, money_or_real(static_cast<i128>(t.churned.micros) + t.new_churned.micros), t.cohort);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "x + nx", .n = "cohort"}},
    {.id = "mrr_transfer_out",
     .name = "MRR transferred out",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "start_mrr of the customers that ended the period before in the group and start this one in another",
     .description = "MRR that left the group with customers moving to another group. Only in --by runs in which a "
                    "customer changes group; 0 in the whole.",
     .sources = "-",
     .sign = "-",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.transfer_out), in.t.transfers_out); },
     .applies = [](const MetricContext& ctx) { return ctx.transfers; },
     .band = k_unrated,
     .sql = {.why_not = "a transfer needs each customer's group in the period before"}},
    {.id = "mrr_fx",
     .name = "FX impact",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "sum over starting customers of start_mrr at this period's rate - at the period before's",
     .description = "The starting MRR revalued from the period before's exchange rates to this period's: growth "
                    "or loss that is the currency, not the customers. Only with --fx and --fx-method period-end, or "
                    "transaction (the re-pricing of kept MRR when a customer's MRR changes).",
     .sources = "-",
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { total(m, Quantity::of_money(in.t.fx), in.t.cohort); },
     .applies = [](const MetricContext& ctx) { return ctx.fx_method != FxMethod::constant; },
     .band = k_unrated,
     .sql = {.why_not = "the FX line needs the rates file, which SQL does not read"}},
    {.id = "mrr_end",
     .name = "Ending MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "sum of end MRR over all rows",
     .description = "MRR at the end of the period: starting + new + expansion + reactivation - contraction - churned.",
     .sources = "002",
     .sign = "=",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, Quantity::of_money(in.t.end_mrr), in.t.customers); },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "end_mrr", .n = "customers"},
     .display = {.tile = 1}},
    {.id = "arr",
     .name = "ARR (12 x ending MRR)",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "12 * ending MRR",
     .description = "Annual run rate: the ending MRR times twelve, whatever the period length.",
     .sources = "-",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           total(m, money_or_real(static_cast<i128>(in.t.end_mrr.micros) * 12), in.t.customers);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "end_mrr * 12", .n = "customers"},
     .display = {.tile = 2}},
    {.id = "customers_start",
     .name = "Customers at start",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "N - customers transferred in + customers transferred out (N alone without transfers)",
     .description = "Customers with MRR > 0 at the start of the period (the starting cohort): in a group, those that "
                    "ended the period before in it.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           total(m, count(t.cohort - t.transfers_in + t.transfers_out), t.customers);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "cohort", .n = "customers"}},
    {.id = "customers_new",
     .name = "New customers",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "rows with start_mrr = 0",
     .description = "Customers that started the period at 0: new and reactivated.",
     .sources = "002",
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { total(m, count(in.t.new_customers), in.t.customers); },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "new_customers", .n = "customers"}},
    {.id = "customers_transfer_in",
     .name = "Customers transferred in",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "customers with start_mrr > 0 whose group at the end of the period before was another",
     .description = "Customers that moved into the group from another at the start of the period.",
     .sources = "-",
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { total(m, count(in.t.transfers_in), in.t.customers); },
     .applies = [](const MetricContext& ctx) { return ctx.transfers; },
     .band = k_unrated,
     .sql = {.why_not = "a transfer needs each customer's group in the period before"}},
    {.id = "customers_churned",
     .name = "Churned customers",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "L + rows starting at 0 that churned",
     .description = "Customers that cancelled (churned_mrr > 0): starting (L), new or reactivated.",
     .sources = "002, 003",
     .sign = "-",
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, count(in.t.churned_logos + in.t.new_churned_logos), in.t.customers); },
     .band = k_unrated,
     .sql = {.shape = SqlShape::total, .value = "churned_logos + new_churned_logos", .n = "customers"}},
    {.id = "customers_transfer_out",
     .name = "Customers transferred out",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "customers that ended the period before in the group and start this one in another",
     .description = "Customers that moved from the group to another at the start of the period.",
     .sources = "-",
     .sign = "-",
     .compute = [](const MetricInputs& in, MetricValue& m) { total(m, count(in.t.transfers_out), in.t.customers); },
     .applies = [](const MetricContext& ctx) { return ctx.transfers; },
     .band = k_unrated,
     .sql = {.why_not = "a transfer needs each customer's group in the period before"}},
    {.id = "customers_end",
     .name = "Customers at end",
     .unit = U::count,
     .annualization = A::none,
     .section = S::bridge,
     .needs = N::nothing,
     .formula = "rows with end MRR > 0",
     .description = "Customers with MRR > 0 at the end of the period.",
     .sources = "002",
     .sign = "=",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           total(m, count(t.ending), t.customers);
           // A churned row ends at 0 (SPEC §1.4), so only rows ending at 0 without churn make a gap.
           const std::uint64_t expected = t.cohort + t.new_customers - t.churned_logos - t.new_churned_logos;
           if (expected > t.ending)
             m.note = fmt::format("{} of the rows end at 0 MRR without churn", expected - t.ending);
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::ending_logos, .value = "ending", .n = "customers"},
     .display = {.tile = 11}},
};

// Revenue and logo retention, expansion (SPEC §2.2).
constexpr MetricDef k_retention[] = {
    {.id = "nrr",
     .name = "Net revenue retention",
     .unit = U::percent,
     .annualization = A::retention,
     .section = S::revenue_retention,
     .needs = N::nothing,
     .formula = "(S + E - C - X) / S * 100",
     .description = "Share of starting MRR kept, counting expansion: above 100 % the base grows without new sales.",
     .sources = "001, 002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m,
                    static_cast<i128>(t.start.micros) + t.expansion.micros - t.contraction.micros - t.churned.micros);
         },
     .cohort = CohortAnnual::nrr,
     .band = "nrr",
     .sql = {.shape = SqlShape::start_ratio, .value = "s + e - c - x", .column = "nrr"},
     .display = {.tile = 3, .trend = true}},
    {.id = "grr",
     .name = "Gross revenue retention",
     .unit = U::percent,
     .annualization = A::retention,
     .section = S::revenue_retention,
     .needs = N::nothing,
     .formula = "(S - C - X) / S * 100",
     .description = "Share of starting MRR kept, ignoring expansion: the floor of the revenue base (at most 100 %).",
     .sources = "002, 000",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m, static_cast<i128>(t.start.micros) - t.contraction.micros - t.churned.micros);
         },
     .cohort = CohortAnnual::grr,
     .band = "grr",
     .sql = {.shape = SqlShape::start_ratio, .value = "s - c - x", .column = "grr"},
     .display = {.tile = 4, .trend = true}},
    {.id = "gross_mrr_churn",
     .name = "Gross MRR churn rate",
     .unit = U::percent,
     .annualization = A::churn,
     .section = S::revenue_retention,
     .needs = N::nothing,
     .formula = "(C + X) / S * 100",
     .description = "Starting MRR lost to downgrades and cancellations.",
     .sources = "002, 003",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m, static_cast<i128>(t.contraction.micros) + t.churned.micros);
         },
     .cohort = CohortAnnual::grr_lost,
     .band = k_unrated,
     .sql = {.shape = SqlShape::start_ratio, .value = "c + x", .column = "gross_churn"}},
    {.id = "net_mrr_churn",
     .name = "Net MRR churn rate",
     .unit = U::percent,
     .annualization = A::net_churn,
     .section = S::revenue_retention,
     .needs = N::nothing,
     .formula = "(C + X - E) / S * 100",
     .description = "MRR lost net of expansion; negative means net expansion. Annual: 100 - annual NRR.",
     .sources = "003",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m, static_cast<i128>(t.contraction.micros) + t.churned.micros - t.expansion.micros);
         },
     .cohort = CohortAnnual::nrr_lost,
     .band = k_unrated,
     .sql = {.shape = SqlShape::start_ratio, .value = "c + x - e", .column = "net_churn"}},
    {.id = "contraction_mrr_rate",
     .name = "Contraction MRR rate",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::revenue_retention,
     .needs = N::nothing,
     .formula = "C / S * 100",
     .description = "Starting MRR lost to downgrades (not annualised).",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m, static_cast<i128>(t.contraction.micros));
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::start_ratio, .value = "c", .column = "contraction"}},
    {.id = "logo_churn",
     .name = "Logo churn rate",
     .unit = U::percent,
     .annualization = A::churn,
     .section = S::logos,
     .needs = N::nothing,
     .formula = "L / N * 100",
     .description = "Share of starting customers that cancelled.",
     .sources = "002, 003",
     .compute = [](const MetricInputs& in, MetricValue& m) { of_logos(in, m, in.t.churned_logos); },
     .cohort = CohortAnnual::logos_lost,
     .band = "logo_churn",
     .sql = {.shape = SqlShape::logo_ratio, .value = "churned_logos", .column = "logo_churn"},
     .display = {.tile = 5, .trend = true}},
    {.id = "logo_retention",
     .name = "Gross logo retention",
     .unit = U::percent,
     .annualization = A::retention,
     .section = S::logos,
     .needs = N::nothing,
     .formula = "(N - L) / N * 100",
     .description = "Share of starting customers still customers at period end.",
     .sources = "001",
     .compute = [](const MetricInputs& in, MetricValue& m) { of_logos(in, m, in.t.cohort - in.t.churned_logos); },
     .cohort = CohortAnnual::logos,
     .band = "logo_retention",
     .sql = {.shape = SqlShape::logo_ratio, .value = "cohort - churned_logos", .column = "logo_retention"}},
    {.id = "expansion_mrr_rate",
     .name = "Expansion MRR rate",
     .unit = U::percent,
     .annualization = A::expansion_mrr,
     .section = S::expansion,
     .needs = N::nothing,
     .formula = "E / S * 100",
     .description = "Starting MRR added by upgrades, seats and add-ons. Annual: annual NRR - annual GRR.",
     .sources = "001",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           of_start(in, m, static_cast<i128>(t.expansion.micros));
         },
     .cohort = CohortAnnual::nrr_minus_grr,
     .band = "expansion_mrr_rate",
     .sql = {.shape = SqlShape::start_ratio, .value = "e", .column = "expansion_mrr"},
     .display = {.tile = 6}},
    {.id = "expansion_rate",
     .name = "Customers expanding",
     .unit = U::percent,
     .annualization = A::churn_estimate,
     .section = S::expansion,
     .needs = N::nothing,
     .formula = "(customers in cohort with E > 0) / N * 100",
     .description = "Share of starting customers that expanded. The annual figure is an estimate: 1 - (1 - e)^k.",
     .sources = "002",
     .compute = [](const MetricInputs& in, MetricValue& m) { of_logos(in, m, in.t.expanding); },
     .band = "expansion_rate",
     .sql = {.shape = SqlShape::logo_ratio, .value = "expanding", .column = "expansion_rate"}},
    {.id = "quick_ratio",
     .name = "SaaS quick ratio",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::expansion,
     .needs = N::new_mrr,
     .formula = "(new + reactivation + E) / (C + X)",
     .description = "MRR gained per unit of MRR lost; above 4 is efficient growth.",
     .sources = "-",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           const i128 gained = static_cast<i128>(t.new_mrr.micros) + t.reactivation.micros + t.expansion.micros;
           const i128 lost = static_cast<i128>(t.contraction.micros) + t.churned.micros;
           m.numerator = money_or_real(gained);
           m.denominator = money_or_real(lost);
           m.n = t.customers;
           if (lost == 0) m.note = "no contraction or churn: quick ratio unbounded";
           else
             m.value = Quantity::of_real(
                 static_cast<double>(static_cast<long double>(gained) / static_cast<long double>(lost)));
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::ratio,
             .value = "nw + r + e",
             .den = "c + x",
             .n = "customers",
             .empty = "no contraction or churn: quick ratio unbounded"},
     .display = {.tile = 7}},
};

constexpr MetricDef k_value_risk[] = {
    {.id = "arpa",
     .name = "Average MRR per account",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::value,
     .needs = N::nothing,
     .formula = "S / N",
     .description = "Mean starting MRR of the starting customers.",
     .sources = "002, 003",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const Totals& t = in.t;
           m.numerator = Quantity::of_money(t.start);
           m.denominator = count(t.cohort);
           m.n = t.cohort;
           if (t.cohort == 0) m.note = "no starting customers";
           else m.value = Quantity::of_money(Money{div_round(t.start.micros, t.cohort)});
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::per_account}},
    {.id = "ltv",
     .name = "Customer lifetime value",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::value,
     .needs = N::nothing,
     .formula = "ARPA * months per period * gross margin / (gross MRR churn per period)",
     .description = "Gross profit a customer brings over its expected lifetime; null when nothing churned (unbounded).",
     .sources = "002, 003",
     .compute = compute_ltv,
     .band = k_unrated,
     .sql = {.shape = SqlShape::ltv}},
    {.id = "ltv_cac",
     .name = "LTV : CAC",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::value,
     .needs = N::cac,
     .formula = "ltv / mean CAC",
     .description = "Lifetime value per unit of acquisition cost; 3 is the usual target.",
     .sources = "002, 003",
     .compute = compute_ltv_cac,
     .band = "ltv_cac",
     .sql = {.shape = SqlShape::ltv_cac},
     .display = {.tile = 8}},
    {.id = "at_risk_mrr",
     .name = "MRR at risk",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::at_risk,
     .formula = "sum of start MRR of at-risk rows",
     .description = "Starting MRR of customers flagged at risk.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           m.value = Quantity::of_money(in.t.at_risk_mrr);
           m.numerator = Quantity::of_money(in.t.at_risk_mrr);
           m.n = in.t.at_risk;
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::sum, .value = "at_risk_mrr", .n = "at_risk"}},
    {.id = "save_rate",
     .name = "Save rate",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::at_risk,
     .formula = "saved at-risk / all at-risk * 100",
     .description = "Share of at-risk customers kept.",
     .sources = "002",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           share(m, in.t.saved, in.t.at_risk, "no at-risk customers");
           if (!in.ctx.columns.saved) add_note(m.note, "saved = at risk and not churned (no saved column)");
         },
     .band = "save_rate",
     .sql = {.shape = SqlShape::at_risk_share},
     .display = {.tile = 10}},
    {.id = "nps",
     .name = "Net Promoter Score",
     .unit = U::points,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::nps,
     .formula = "% promoters (9-10) - % detractors (0-6) over responses",
     .description = "Promoters minus detractors, from -100 to +100; under 30 responses is flagged low-confidence.",
     .sources = "002, 004",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           m.numerator =
               Quantity::of_count(static_cast<std::int64_t>(in.promoters) - static_cast<std::int64_t>(in.detractors));
           m.denominator = count(in.responses);
           nps_figure(in, m, [](const MetricInputs& i, const NpsInterval&) {
             return percent(static_cast<i128>(i.promoters) - i.detractors, i.responses);
           });
           if (in.survey) add_note(m.note, "from the responses file");
         },
     .band = "nps",
     .sql = {.shape = SqlShape::nps},
     .display = {.tile = 9}},
    {.id = "nps_moe",
     .name = "NPS margin of error (95 %)",
     .unit = U::points,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::nps,
     .formula = "adjusted Wald: 1.96 * sqrt((p' + d' - (p' - d')^2) / (n + 3)) * 100, p' = (promoters + 3/4) / (n + "
                "3), d' likewise",
     .description =
         "Half-width of the 95 % adjusted-Wald interval of the NPS, which stays honest for small and lopsided samples.",
     .sources = "002, 004",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           nps_figure(in, m, [](const MetricInputs&, const NpsInterval& ci) { return ci.margin; });
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::nps_interval, .value = "nps_moe"},
     .display = {.margin = true}},
    {.id = "nps_ci_low",
     .name = "NPS 95 % interval, low",
     .unit = U::points,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::nps,
     .formula = "(p' - d') * 100 - margin, at least -100",
     .description = "Lower end of the adjusted-Wald interval (centred on p' - d', not on the raw NPS).",
     .sources = "004",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           nps_figure(in, m, [](const MetricInputs&, const NpsInterval& ci) { return ci.low; });
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::nps_interval, .value = "GREATEST(-100, nps_centre - nps_moe)"}},
    {.id = "nps_ci_high",
     .name = "NPS 95 % interval, high",
     .unit = U::points,
     .annualization = A::none,
     .section = S::sentiment,
     .needs = N::nps,
     .formula = "(p' - d') * 100 + margin, at most 100",
     .description = "Upper end of the adjusted-Wald interval.",
     .sources = "004",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           nps_figure(in, m, [](const MetricInputs&, const NpsInterval& ci) { return ci.high; });
         },
     .band = k_unrated,
     .sql = {.shape = SqlShape::nps_interval, .value = "LEAST(100, nps_centre + nps_moe)"}},
};

} // namespace

std::span<const MetricDef> bridge_metrics() noexcept { return k_bridge; }
std::span<const MetricDef> retention_metrics() noexcept { return k_retention; }
std::span<const MetricDef> value_risk_metrics() noexcept { return k_value_risk; }

} // namespace cskpi
