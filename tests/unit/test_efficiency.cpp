// SPDX-License-Identifier: MIT
// The efficiency metrics of a costs file (issue 31): one formula per test, each with a worked
// example (Sacks' own for the burn multiple), and the undefined cases with their reasons.
#include "metrics/bands.hpp"
#include "metrics/efficiency.hpp"
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

namespace test_efficiency {

using namespace cskpi;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {

Money units(std::int64_t u) { return Money::from_units(u); }

const MetricValue& get(const std::vector<MetricValue>& ms, std::string_view id) {
  for (const MetricValue& m : ms)
    if (m.def->id == id) return m;
  FAIL("metric " << id << " missing");
  throw;
}

/// A whole base that starts at `start` and ends at `end`, with new and expansion MRR.
Totals base(Money start, Money end, Money new_mrr = {}, Money expansion = {}) {
  Totals t;
  t.customers = t.cohort = 10;
  t.start = start;
  t.end_mrr = end;
  t.new_mrr = new_mrr;
  t.expansion = expansion;
  return t;
}

MetricContext costs_context(PeriodLength length = PeriodLength::quarter) {
  MetricContext ctx;
  ctx.period_length = length;
  ctx.costs = true;
  ctx.columns.new_mrr = true;
  return ctx;
}

CostRow row(std::string period, std::int64_t sales_marketing, std::int64_t net_burn) {
  CostRow r;
  r.period = std::move(period);
  r.length = PeriodLength::quarter;
  r.sales_marketing = units(sales_marketing);
  r.net_burn = units(net_burn);
  return r;
}

} // namespace

TEST_CASE("burn multiple: Sacks' example, 3 M burned in a quarter for 1 M of net new ARR, is 3 (suspect)",
          "[efficiency]") {
  // Net new ARR of 1,000,000 is 83,333.333333 of MRR a month, to the micro-unit: 12 x that is
  // 999,999.999996, so the multiple is 3 within 4e-12.
  const CostRow now = row("2026-Q1", 0, 3'000'000);
  PeriodCosts pc;
  pc.period = "2026-Q1";
  pc.now = &now;
  const auto ms = compute_metrics(base(units(500'000), Money{500'000'000'000 + 83'333'333'333}), costs_context(),
                                  nullptr, nullptr, nullptr, &pc);
  const MetricValue& m = get(ms, "burn_multiple");
  REQUIRE(m.value);
  CHECK_THAT(m.value->real, WithinRel(3.0, 1e-11));
  CHECK(m.numerator->money == units(3'000'000));
  CHECK(m.denominator->money == Money{999'999'999'996});
  CHECK(BandTable::builtin().rate("burn_multiple", m.value->real) == Tier::warning); // 2-3 suspect
}

TEST_CASE("burn multiple: Sacks' words map onto the tiers at his edges", "[efficiency]") {
  const BandTable b = BandTable::builtin();
  CHECK(b.rate("burn_multiple", 0.99) == Tier::best_in_class); // < 1 amazing
  CHECK(b.rate("burn_multiple", 1.0) == Tier::good);           // 1-1.5 great
  CHECK(b.rate("burn_multiple", 1.5) == Tier::acceptable);     // 1.5-2 good
  CHECK(b.rate("burn_multiple", 2.0) == Tier::warning);        // 2-3 suspect
  CHECK(b.rate("burn_multiple", 3.0) == Tier::warning);
  CHECK(b.rate("burn_multiple", 3.01) == Tier::critical); // > 3 bad
  CHECK(b.rate("burn_multiple", -0.5) == Tier::best_in_class);
  CHECK_THAT(std::string(b.source_for("burn_multiple")), Contains("Sacks"));
}

TEST_CASE("burn multiple is undefined when net new ARR is 0 or less, and for a period without costs", "[efficiency]") {
  const CostRow now = row("2026-Q1", 100, 1'000);
  PeriodCosts pc;
  pc.period = "2026-Q1";
  pc.now = &now;
  const auto flat = compute_metrics(base(units(2'000), units(2'000)), costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK_FALSE(get(flat, "burn_multiple").value);
  CHECK(get(flat, "burn_multiple").note == "net new ARR is 0.00: the MRR did not grow, so no burn bought growth");
  const auto shrinking =
      compute_metrics(base(units(2'000), units(1'500)), costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(shrinking, "burn_multiple").note ==
        "net new ARR is -6,000.00: the MRR did not grow, so no burn bought growth");
  pc.now = nullptr;
  const auto missing =
      compute_metrics(base(units(2'000), units(3'000)), costs_context(), nullptr, nullptr, nullptr, &pc);
  for (const char* id :
       {"burn_multiple", "cac_payback_months", "cac_payback_new_months", "magic_number", "rule_of_40"}) {
    CHECK_FALSE(get(missing, id).value);
    CHECK(get(missing, id).note == "the costs file has no row for period 2026-Q1");
  }
}

TEST_CASE("CAC payback: S&M / ((new + expansion MRR) x gross margin), and on new MRR only", "[efficiency]") {
  // 6,000 spent; 2,000 new and 1,000 expansion MRR at a 75 % margin: 6,000 / 2,250 = 2.67
  // months; on the new MRR alone 6,000 / 1,500 = 4 months.
  CostRow now = row("2026-Q1", 6'000, 18'000);
  now.gross_margin = Money{750'000};
  PeriodCosts pc;
  pc.period = "2026-Q1";
  pc.now = &now;
  const auto ms = compute_metrics(base(units(2'000), units(5'000), units(2'000), units(1'000)), costs_context(),
                                  nullptr, nullptr, nullptr, &pc);
  const MetricValue& blended = get(ms, "cac_payback_months");
  CHECK_THAT(blended.value->real, WithinRel(8.0 / 3.0, 1e-15));
  CHECK(blended.denominator->money == units(2'250));
  CHECK(blended.note.empty());
  CHECK(get(ms, "cac_payback_new_months").value->real == 4.0);
}

TEST_CASE("CAC payback without a gross margin: --gross-margin, else 1 with a note, no new MRR: undefined",
          "[efficiency]") {
  const CostRow now = row("2026-Q1", 2'000, 0);
  PeriodCosts pc;
  pc.period = "2026-Q1";
  pc.now = &now;
  MetricContext ctx = costs_context();
  const Totals t = base(units(2'500), units(2'500), units(1'000));
  const auto plain = compute_metrics(t, ctx, nullptr, nullptr, nullptr, &pc);
  CHECK(get(plain, "cac_payback_months").value->real == 2.0);
  CHECK_THAT(get(plain, "cac_payback_months").note, Contains("margin 1"));
  ctx.gross_margin = Money{800'000};
  ctx.gross_margin_given = true;
  const auto given = compute_metrics(t, ctx, nullptr, nullptr, nullptr, &pc);
  CHECK(get(given, "cac_payback_new_months").value->real == 2.5); // 2,000 / (1,000 x 0.8)
  CHECK(get(given, "cac_payback_new_months").note == "gross margin 0.8 from --gross-margin (the costs row has none)");
  const auto none =
      compute_metrics(base(units(2'000), units(2'500), {}, units(500)), ctx, nullptr, nullptr, nullptr, &pc);
  CHECK_FALSE(get(none, "cac_payback_new_months").value);
  CHECK_THAT(get(none, "cac_payback_new_months").note, Contains("no new MRR in the period"));
  CHECK(get(none, "cac_payback_months").value->real == 5.0); // 2,000 / (500 x 0.8)
}

TEST_CASE("magic number: (revenue - revenue before) x periods per year / S&M before", "[efficiency]") {
  // A quarter: revenue 6,000 then 7,500, 3,000 spent the quarter before: 1,500 x 4 / 3,000 = 2.
  CostRow before = row("2025-Q1", 3'000, 4'000), now = row("2025-Q2", 3'000, 9'000);
  before.revenue = units(6'000);
  now.revenue = units(7'500);
  PeriodCosts pc;
  pc.period = "2025-Q2";
  pc.now = &now;
  pc.before_period = "2025-Q1";
  pc.before = &before;
  const Totals t = base(units(2'000), units(2'500), {}, units(500));
  const auto ms = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(ms, "magic_number").value->real == 2.0);
  CHECK(get(ms, "magic_number").note == "revenue from the costs file");
  // Without revenue: 3 x MRR a quarter, (2,500 - 2,000) x 3 x 4 / 3,000 = 2 again.
  now.revenue.reset();
  const auto mrr = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(mrr, "magic_number").value->real == 2.0);
  CHECK_THAT(get(mrr, "magic_number").note, Contains("revenue from MRR: 3 x ending MRR"));
  // Months: 1 x MRR and 12 periods a year, the same 500 of growth: 500 x 12 / 3,000 = 2.
  const auto monthly = compute_metrics(t, costs_context(PeriodLength::month), nullptr, nullptr, nullptr, &pc);
  CHECK(get(monthly, "magic_number").value->real == 2.0);
  pc.before = nullptr;
  const auto first = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK_FALSE(get(first, "magic_number").value);
  CHECK(get(first, "magic_number").note ==
        "the costs file has no row for the period before (2025-Q1): its S&M spend is unknown");
}

TEST_CASE("Rule of 40: ARR growth over 12 months + operating margin, in percent", "[efficiency]") {
  // ARR from 2,000 x 12 to 5,000 x 12: +150 %; margin 1,500 / 15,000 = 10 %: 160.
  CostRow now = row("2026-Q1", 6'000, 18'000);
  now.revenue = units(15'000);
  now.operating_income = units(1'500);
  PeriodCosts pc;
  pc.period = "2026-Q1";
  pc.now = &now;
  pc.year_before_period = "2025-Q1";
  pc.mrr_year_before = units(2'000);
  const Totals t = base(units(2'000), units(5'000));
  const auto ms = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(ms, "rule_of_40").value->real == 160.0);
  CHECK(get(ms, "rule_of_40").note == "ARR growth 150.00% since 2025-Q1 + operating margin 10.00%");
  CHECK(BandTable::builtin().rate("rule_of_40", 40.0) == Tier::good);
  CHECK(BandTable::builtin().rate("rule_of_40", 39.99) == Tier::warning);
  pc.mrr_year_before.reset();
  const auto young = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(young, "rule_of_40").note ==
        "needs 12 months of history: the input has no MRR for 2025-Q1 (a year before)");
  pc.mrr_year_before = units(2'000);
  now.operating_income.reset();
  const auto no_income = compute_metrics(t, costs_context(), nullptr, nullptr, nullptr, &pc);
  CHECK(get(no_income, "rule_of_40").note == "the costs row of 2026-Q1 has no operating_income: no operating margin");
}

TEST_CASE("the efficiency metrics: only with a costs file, and only for the whole base", "[efficiency]") {
  const Totals t = base(units(2'000), units(2'500));
  for (const MetricValue& m : compute_metrics(t, {})) CHECK(m.def->section != Section::efficiency);
  for (const MetricValue& m : compute_metrics(t, costs_context())) CHECK(m.def->section != Section::efficiency);
}

TEST_CASE("joining costs: the period before, a year before, and the periods the file lacks", "[efficiency]") {
  CHECK(shift_period("2026-01", -1, PeriodLength::month) == "2025-12");
  CHECK(shift_period("2026-Q1", -3, PeriodLength::quarter) == "2025-Q4");
  CHECK(shift_period("2026-Q1", -12, PeriodLength::quarter) == "2025-Q1");
  CHECK(shift_period("2026", -12, PeriodLength::year) == "2025");
  CHECK(shift_period("not a period", -1, PeriodLength::month).empty());
  CostsTable costs;
  costs.rows = {row("2025-Q1", 1, 1), row("2025-Q3", 1, 1), row("2025-Q4", 1, 1)};
  std::map<std::string, PeriodTotals, std::less<>> periods;
  periods["2025-Q1"].all = base(units(1'000), units(1'100));
  periods["2025-Q2"].all = base(units(1'100), units(1'200));
  periods["2026-Q1"].all = base(units(1'500), units(1'600));
  const CostsJoin j = join_costs(costs, periods, PeriodLength::quarter);
  CHECK(j.missing == std::vector<std::string>{"2025-Q2", "2026-Q1"});
  CHECK(j.periods.at("2025-Q2").before == &costs.rows[0]);
  CHECK(j.periods.at("2026-Q1").before == &costs.rows[2]);
  CHECK(j.periods.at("2026-Q1").mrr_year_before == units(1'100)); // 2025-Q1's ending MRR
  CHECK_FALSE(j.periods.at("2025-Q2").mrr_year_before);
  periods.erase("2025-Q1"); // a year before 2026-Q1 is then 2025-Q2's starting MRR
  CHECK(join_costs(costs, periods, PeriodLength::quarter).periods.at("2026-Q1").mrr_year_before == units(1'100));
}

namespace {

CostRow month(std::string period, std::int64_t revenue, std::int64_t margin_micros) {
  CostRow r = row(std::move(period), 100, 200);
  r.length = PeriodLength::month;
  if (revenue >= 0) r.revenue = units(revenue);
  if (margin_micros > 0) r.gross_margin = Money{margin_micros};
  r.operating_income = units(-10);
  return r;
}

std::map<std::string, PeriodTotals, std::less<>> one_quarter(const char* label) {
  std::map<std::string, PeriodTotals, std::less<>> periods;
  periods[label].all = base(units(1'000), units(1'100));
  return periods;
}

} // namespace

TEST_CASE("joining monthly costs to quarters: exact sums, the revenue-weighted margin, never a partial sum",
          "[efficiency]") {
  CostsTable costs;
  // Margins 0.8, 0.7, 0.6 on revenue 1,000, 2,000, 1,000: (800 + 1,400 + 600) / 4,000 = 0.7.
  costs.rows = {month("2026-01", 1'000, 800'000), month("2026-03", 1'000, 600'000), month("2026-02", 2'000, 700'000)};
  const CostsJoin j = join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter);
  const CostRow* q = j.periods.at("2026-Q1").now;
  REQUIRE(q != nullptr);
  CHECK(j.missing.empty());
  CHECK(j.unused.empty());
  CHECK(q->period == "2026-Q1");
  CHECK(q->summed_from == std::vector<std::string>{"2026-01", "2026-02", "2026-03"});
  CHECK(q->sales_marketing == units(300));
  CHECK(q->net_burn == units(600));
  CHECK(q->revenue == units(4'000));
  CHECK(q->operating_income == units(-30));
  CHECK(q->gross_margin == Money{700'000});
  // A month without revenue weighs nothing: 3 x 1 micro / 3 = 1 micro.
  costs.rows = {month("2026-01", 3, 1), month("2026-02", 0, 2), month("2026-03", 0, 2)};
  CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").now->gross_margin ==
        Money{1});
  // Rounded half-to-even to the micro-unit: (1 + 2) / 2 = 1.5 micro is 2, (3 + 2) / 2 = 2.5 is 2.
  costs.rows = {month("2026-01", 1, 1), month("2026-02", 1, 2), month("2026-03", 0, 5)};
  CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").now->gross_margin ==
        Money{2});
  costs.rows = {month("2026-01", 1, 3), month("2026-02", 1, 2), month("2026-03", 0, 5)};
  CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").now->gross_margin ==
        Money{2});

  SECTION("margins that differ need every month's revenue; equal margins do not") {
    costs.rows = {month("2026-01", 1'000, 800'000), month("2026-02", -1, 700'000), month("2026-03", 1'000, 800'000)};
    const CostsJoin partial = join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter);
    const CostRow* p = partial.periods.at("2026-Q1").now;
    REQUIRE(p != nullptr);
    CHECK_FALSE(p->revenue);
    CHECK(p->why_no_revenue == "the costs row of 2026-02 has no revenue");
    CHECK_FALSE(p->gross_margin);
    CHECK(p->why_no_margin == "the rows' gross margins differ and not every row has revenue to weight them by");
    costs.rows[1].gross_margin = Money{800'000};
    CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").now->gross_margin ==
          Money{800'000});
    costs.rows[1].gross_margin.reset();
    CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").now->why_no_margin ==
          "the costs row of 2026-02 has no gross_margin");
  }
  SECTION("a quarter without one of its months has no costs row, and says which month") {
    costs.rows = {month("2026-01", 1, 1), month("2026-03", 1, 1), month("2025-12", 1, 1)};
    const CostsJoin gap = join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter);
    CHECK(gap.missing == std::vector<std::string>{"2026-Q1"});
    CHECK(gap.periods.at("2026-Q1").now == nullptr);
    CHECK(gap.periods.at("2026-Q1").why_none ==
          "the costs file has no row for 2026-02 (a part of 2026-Q1), and a partial sum is not the quarter's");
    CHECK(gap.periods.at("2026-Q1").before == nullptr); // 2025-Q4 has one month of three
    CHECK(gap.periods.at("2026-Q1").before_why_none ==
          "the costs file has no row for 2025-10, 2025-11 (parts of 2025-Q4), and a partial sum is not the quarter's");
  }
  SECTION("a year from its quarters or months; a sum that overflows is no row") {
    std::vector<CostRow> rows;
    for (const char* label : {"2025-Q1", "2025-Q2", "2025-Q4"}) rows.push_back(row(label, 1, 2));
    costs.rows = rows;
    CHECK(join_costs(costs, one_quarter("2025"), PeriodLength::year).periods.at("2025").why_none ==
          "the costs file has no row for 2025-Q3 (a part of 2025), and a partial sum is not the year's");
    costs.rows.push_back(row("2025-Q3", 1, 2));
    // The join owns the rows it sums: keep it while its pointers are read.
    const CostsJoin year = join_costs(costs, one_quarter("2025"), PeriodLength::year);
    const CostRow* y = year.periods.at("2025").now;
    REQUIRE(y != nullptr);
    CHECK(y->net_burn == units(8));
    costs.rows = {month("2026-01", 1, 1), month("2026-02", 1, 1), month("2026-03", 1, 1)};
    costs.rows[0].net_burn = Money{INT64_MAX};
    CHECK(join_costs(costs, one_quarter("2026-Q1"), PeriodLength::quarter).periods.at("2026-Q1").why_none ==
          "the sums of the costs rows of 2026-Q1 overflow the money range");
  }
  SECTION("a quarter's row in a monthly report is left out") {
    costs.rows = {row("2026-Q1", 1, 1)};
    CHECK(join_costs(costs, one_quarter("2026-01"), PeriodLength::month).unused == std::vector<std::string>{"2026-Q1"});
  }
}

} // namespace test_efficiency
