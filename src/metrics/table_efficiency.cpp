// SPDX-License-Identifier: MIT
// The efficiency metrics (issue 31) from a costs file joined to the report's periods: burn
// multiple, CAC payback (new + expansion MRR, and new MRR only), magic number and Rule of 40.
// They describe the company as a whole, so only the whole base has them (no --by group), and
// only a run with a costs file. A period the costs file lacks has them null with the reason.
// What they need of other periods (the costs row before, the MRR a year before) comes joined
// in PeriodCosts (efficiency.hpp); the formulas stay pure.
#include "metrics/efficiency.hpp"
#include "metrics/formula.hpp"

#include "core/money.hpp"

namespace cskpi {

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

/// num / den as a real number, from exact integers.
double quotient(i128 num, i128 den) {
  return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
}

std::string money_text(i128 micros) {
  if (micros >= INT64_MIN && micros <= INT64_MAX)
    return format_money_fixed(Money{static_cast<std::int64_t>(micros)}, 2, true);
  return fmt::format("{:.2f}", static_cast<double>(static_cast<long double>(micros) / Money::k_scale));
}

/// The period's costs row, or nullptr with the reason in the record's note.
const CostRow* costs_row(const MetricInputs& in, MetricValue& m) {
  if (in.costs->now == nullptr)
    m.note = in.costs->why_none.empty() ? fmt::format("the costs file has no row for period {}", in.costs->period)
                                        : in.costs->why_none;
  return in.costs->now;
}

/// The gross margin in micro-units of the period: its costs row's, else --gross-margin, else
/// 1 (then the note says the payback is on revenue, not on gross profit). A row summed from
/// shorter ones whose margin cannot be known says why.
std::int64_t margin_of(const MetricInputs& in, const CostRow& row, MetricValue& m) {
  if (row.gross_margin) return row.gross_margin->micros;
  const std::string why = row.why_no_margin.empty() ? std::string{} : ": " + row.why_no_margin;
  if (in.ctx.gross_margin_given) {
    m.note = fmt::format("gross margin {} from --gross-margin (the costs row has none{})",
                         format_money_exact(in.ctx.gross_margin), why);
    return in.ctx.gross_margin.micros;
  }
  m.note = row.why_no_margin.empty()
      ? "no gross margin (costs file or --gross-margin): margin 1, a payback on revenue, not on gross profit"
      : fmt::format("no gross margin ({}; no --gross-margin): margin 1, a payback on revenue, not on gross profit",
                    row.why_no_margin);
  return Money::k_scale;
}

/// Months of gross profit on the MRR added that pay back the period's S&M spend.
void payback(const MetricInputs& in, MetricValue& m, i128 added, std::string_view what) {
  const CostRow* row = costs_row(in, m);
  if (row == nullptr) return;
  if (!in.ctx.columns.new_mrr && !in.ctx.columns.reactivation_mrr) {
    m.note = "the input has no new_mrr column: the MRR the spend bought is unknown";
    return;
  }
  const std::int64_t margin = margin_of(in, *row, m);
  m.numerator = Quantity::of_money(row->sales_marketing);
  m.denominator = Quantity::of_money(Money{div_round(added * margin, Money::k_scale)});
  m.n = in.t.customers;
  if (added <= 0) {
    add_note(m.note, fmt::format("no {} in the period: no payback", what));
    return;
  }
  m.value =
      Quantity::of_real(quotient(static_cast<i128>(row->sales_marketing.micros) * Money::k_scale, added * margin));
}

void burn_multiple(const MetricInputs& in, MetricValue& m) {
  const CostRow* row = costs_row(in, m);
  if (row == nullptr) return;
  const i128 net_new_arr = 12 * (static_cast<i128>(in.t.end_mrr.micros) - in.t.start.micros);
  m.numerator = Quantity::of_money(row->net_burn);
  m.denominator = money_or_real(net_new_arr);
  m.n = in.t.customers;
  if (net_new_arr <= 0) {
    m.note = fmt::format("net new ARR is {}: the MRR did not grow, so no burn bought growth", money_text(net_new_arr));
    return;
  }
  m.value = Quantity::of_real(quotient(row->net_burn.micros, net_new_arr));
  if (row->net_burn.micros < 0) m.note = "net burn is negative: the period generated cash";
}

void magic_number(const MetricInputs& in, MetricValue& m) {
  const CostRow* row = costs_row(in, m);
  if (row == nullptr) return;
  const PeriodCosts& pc = *in.costs;
  if (pc.before == nullptr) {
    m.note = pc.before_why_none.empty()
        ? fmt::format("the costs file has no row for the period before ({}): its S&M spend is unknown",
                      pc.before_period.empty() ? "none" : pc.before_period)
        : fmt::format("the period before ({}) has no costs figures, so its S&M spend is unknown: {}", pc.before_period,
                      pc.before_why_none);
    return;
  }
  const int k = periods_per_year(in.ctx.period_length);
  i128 delta = 0;
  if (row->revenue && pc.before->revenue) {
    delta = static_cast<i128>(row->revenue->micros) - pc.before->revenue->micros;
    m.note = "revenue from the costs file";
  } else {
    const int months = months_per_period(in.ctx.period_length);
    delta = (static_cast<i128>(in.t.end_mrr.micros) - in.t.start.micros) * months;
    const std::string& why = row->revenue ? pc.before->why_no_revenue : row->why_no_revenue;
    m.note = fmt::format("revenue from MRR: {} x ending MRR, the period before's {} x starting MRR ({}{}{})", months,
                         months, row->revenue ? "the costs row before has no revenue" : "no revenue in the costs row",
                         why.empty() ? "" : ": ", why);
  }
  m.numerator = money_or_real(delta * k);
  m.denominator = Quantity::of_money(pc.before->sales_marketing);
  m.n = in.t.customers;
  if (pc.before->sales_marketing.micros == 0) {
    add_note(m.note, fmt::format("no S&M spend in the period before ({})", pc.before_period));
    return;
  }
  m.value = Quantity::of_real(quotient(delta * k, pc.before->sales_marketing.micros));
}

void rule_of_40(const MetricInputs& in, MetricValue& m) {
  const CostRow* row = costs_row(in, m);
  if (row == nullptr) return;
  const PeriodCosts& pc = *in.costs;
  if (!row->revenue || !row->operating_income) {
    const std::string& why = !row->revenue ? row->why_no_revenue : row->why_no_income;
    m.note = fmt::format("the costs row of {} has no {}{}: no operating margin", pc.period,
                         !row->revenue ? "revenue" : "operating_income", why.empty() ? "" : " (" + why + ")");
    return;
  }
  if (row->revenue->micros <= 0) {
    m.note = "revenue is 0: no operating margin";
    return;
  }
  if (!pc.mrr_year_before || pc.mrr_year_before->micros <= 0) {
    m.note = pc.mrr_year_before
        ? fmt::format("no MRR a year before ({}): no ARR growth", pc.year_before_period)
        : fmt::format("needs 12 months of history: the input has no MRR for {} (a year before)", pc.year_before_period);
    return;
  }
  const double growth =
      percent(static_cast<i128>(in.t.end_mrr.micros) - pc.mrr_year_before->micros, pc.mrr_year_before->micros);
  const double margin = percent(row->operating_income->micros, row->revenue->micros);
  m.value = Quantity::of_real(growth + margin);
  m.n = in.t.customers;
  m.note = fmt::format("ARR growth {:.2f}% since {} + operating margin {:.2f}%", growth, pc.year_before_period, margin);
}

// Shape none: report/sql_costs.cpp writes their SQL, only with --costs-table; without it, this says why.
constexpr std::string_view k_no_sql_costs =
    "it needs a costs table beside the movements table: name it with --costs-table";

constexpr MetricDef k_efficiency[] = {
    {.id = "burn_multiple",
     .name = "Burn multiple",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::efficiency,
     .needs = N::costs,
     .formula = "net_burn / net new ARR, net new ARR = 12 x (ending MRR - starting MRR) of the period; undefined when "
                "net new ARR <= 0",
     .description = "How much cash the company burned for each unit of ARR it added in the period: lower is better. "
                    "Bands are David Sacks' words mapped onto the tiers: amazing < 1 best_in_class, great 1-1.5 good, "
                    "good 1.5-2 acceptable, suspect 2-3 warning, bad > 3 critical.",
     .sources = "David Sacks, \"The Burn Multiple\" (Craft Ventures, 2020): burn multiple = net burn / net new ARR "
                "over one period (his example: 3 M burned in a quarter for 1 M of net new ARR is 3); < 1 amazing, "
                "1-1.5 great, 1.5-2 good, 2-3 suspect, > 3 bad",
     .compute = burn_multiple,
     .band = "burn_multiple",
     .sql = {.why_not = k_no_sql_costs}},
    {.id = "cac_payback_months",
     .name = "CAC payback (months)",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::efficiency,
     .needs = N::costs,
     .formula = "sales_marketing / ((new MRR + expansion MRR) x gross margin), spend and MRR of the same period",
     .description = "Months of gross profit on the MRR the period added (new and expansion) that pay back the period's "
                    "sales and marketing spend. This is the blended, gross-margin-adjusted variant without a lag "
                    "(spend and MRR of one period; others divide the period before's spend, or use net new MRR); "
                    "cac_payback_new_months counts new MRR only. The gross margin is the costs row's, else "
                    "--gross-margin, else 1 with a note.",
     .sources = "-",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           payback(in, m, static_cast<i128>(in.t.new_mrr.micros) + in.t.expansion.micros, "new or expansion MRR");
         },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_costs}},
    {.id = "cac_payback_new_months",
     .name = "CAC payback on new MRR (months)",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::efficiency,
     .needs = N::costs,
     .formula = "sales_marketing / (new MRR x gross margin), spend and MRR of the same period",
     .description = "As cac_payback_months, with the MRR of new customers only: the spend is charged to the logos it "
                    "won, not to the expansion of customers it won before.",
     .sources = "-",
     .compute = [](const MetricInputs& in, MetricValue& m) { payback(in, m, in.t.new_mrr.micros, "new MRR"); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_costs}},
    {.id = "magic_number",
     .name = "Magic number",
     .unit = U::ratio,
     .annualization = A::none,
     .section = S::efficiency,
     .needs = N::costs,
     .formula = "(revenue - revenue of the period before) x periods per year / sales_marketing of the period before; "
                "revenue from the costs file, or without it months per period x MRR (ending MRR now, starting MRR "
                "for the period before)",
     .description = "Annualised new revenue per unit of the sales and marketing spend of the period before: how much "
                    "recurring revenue the spend bought. Thresholds differ between sources, so it is not rated.",
     .sources = "Scale Venture Partners, \"From $0 to $1M: The Magic Number\" (scalevp.com/insights/"
                "from-0-to-1m-the-magic-number): annualised new GAAP revenue over the quarter before's sales and "
                "marketing expense",
     .compute = magic_number,
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_costs}},
    {.id = "rule_of_40",
     .name = "Rule of 40",
     .unit = U::percent,
     .annualization = A::none,
     .section = S::efficiency,
     .needs = N::costs,
     .formula = "ARR growth over the trailing 12 months in % + operating margin in % (operating_income / revenue of "
                "the period); ARR a year before = the ending MRR of the period that ended 12 months earlier (or the "
                "starting MRR of the period after it) x 12",
     .description = "Growth and profit together: a healthy SaaS company's growth rate plus profit margin is at least "
                    "40 %. Rated good from 40, warning below.",
     .sources = "Brad Feld, \"The Rule of 40% For a Healthy SaaS Company\" (feld.com, 2015): growth rate + profit "
                "should add up to 40 % or more",
     .compute = rule_of_40,
     .band = "rule_of_40",
     .sql = {.why_not = k_no_sql_costs}},
};

} // namespace

std::span<const MetricDef> efficiency_metrics() noexcept { return k_efficiency; }

} // namespace cskpi
