// SPDX-License-Identifier: MIT
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

namespace test_metrics {

using namespace cskpi;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

Money units(std::int64_t u) { return Money::from_units(u); }

const MetricValue& get(const std::vector<MetricValue>& ms, std::string_view id) {
  for (const MetricValue& m : ms)
    if (m.def->id == id) return m;
  FAIL("metric " << id << " missing");
  throw;
}

Totals cohort(std::uint64_t n, Money start, Money expansion, Money contraction, Money churned, std::uint64_t lost = 0) {
  Totals t;
  t.customers = t.cohort = n;
  t.start = start;
  t.expansion = expansion;
  t.contraction = contraction;
  t.churned = churned;
  t.churned_logos = lost;
  return t;
}

} // namespace

TEST_CASE("NRR of the reference example is 105 %", "[metrics]") {
  // 001: 1,000,000 start, +200,000 expansion, -50,000 contraction, -100,000 churn.
  const auto ms = compute_metrics(cohort(10, units(1'000'000), units(200'000), units(50'000), units(100'000), 1), {});
  const MetricValue& nrr = get(ms, "nrr");
  CHECK(nrr.value->real == 105.0);
  CHECK(nrr.numerator->money == units(1'050'000));
  CHECK(nrr.denominator->money == units(1'000'000));
  CHECK(nrr.n == 10);
  CHECK(get(ms, "grr").value->real == 85.0);
  CHECK(get(ms, "expansion_mrr_rate").value->real == 20.0);
  CHECK(get(ms, "gross_mrr_churn").value->real == 15.0);
  CHECK(get(ms, "net_mrr_churn").value->real == -5.0);
  CHECK(get(ms, "contraction_mrr_rate").value->real == 5.0);
}

TEST_CASE("GRR of 10 M start, 800 k churn, 200 k contraction is 90 %, not the article's 91 %", "[metrics]") {
  const auto ms = compute_metrics(cohort(100, units(10'000'000), {}, units(200'000), units(800'000)), {});
  CHECK(get(ms, "grr").value->real == 90.0);
}

TEST_CASE("LTV of a yearly file with ARPA 2,500, margin 0.8 and 10 % churn is 240,000", "[metrics]") {
  MetricContext ctx;
  ctx.period_length = PeriodLength::year;
  ctx.gross_margin = Money{800'000};
  ctx.gross_margin_given = true;
  const auto ms = compute_metrics(cohort(10, units(25'000), {}, {}, units(2'500), 1), ctx);
  CHECK(get(ms, "arpa").value->money == units(2'500));
  const MetricValue& ltv = get(ms, "ltv");
  CHECK(ltv.value->money == units(240'000));
  CHECK(ltv.numerator->money == units(24'000)); // 2,500 * 12 months * 0.8
  CHECK_THAT(ltv.denominator->real, WithinRel(0.1, 1e-12));
  CHECK(ltv.note == "gross margin 80%");
}

TEST_CASE("logo churn of 3 % a quarter is about 11.47 % a year", "[metrics]") {
  MetricContext ctx;
  ctx.period_length = PeriodLength::quarter;
  const auto ms = compute_metrics(cohort(100, units(100'000), {}, {}, units(3'000), 3), ctx);
  const MetricValue& churn = get(ms, "logo_churn");
  CHECK(churn.value->real == 3.0);
  CHECK_THAT(*churn.annualized, WithinRel(11.470719, 1e-7));
  CHECK_THAT(*get(ms, "logo_retention").annualized, WithinRel(88.529281, 1e-7));
}

TEST_CASE("annual NRR equals annual GRR plus annual expansion", "[metrics]") {
  const auto ms = compute_metrics(cohort(50, units(100'000), units(3'000), units(1'000), units(1'500), 2), {});
  const double nrr = *get(ms, "nrr").annualized, grr = *get(ms, "grr").annualized;
  CHECK_THAT(*get(ms, "expansion_mrr_rate").annualized, WithinAbs(nrr - grr, 1e-12));
  CHECK_THAT(*get(ms, "net_mrr_churn").annualized, WithinAbs(100 - nrr, 1e-12));
  CHECK_THAT(nrr, WithinRel(std::pow(1.005, 12) * 100, 1e-12));
  CHECK_FALSE(get(ms, "contraction_mrr_rate").annualized.has_value());
}

TEST_CASE("a yearly file's annual figures are its period figures exactly", "[metrics]") {
  MetricContext ctx;
  ctx.period_length = PeriodLength::year;
  const auto ms = compute_metrics(cohort(7, units(70'001), units(3'333), units(1'111), units(2'222), 1), ctx);
  for (const char* id : {"nrr", "grr", "gross_mrr_churn", "net_mrr_churn", "expansion_mrr_rate", "logo_churn",
                         "logo_retention", "expansion_rate"})
    CHECK(*get(ms, id).annualized == get(ms, id).value->real);
}

TEST_CASE("undefined ratios are null with a reason, never 0", "[metrics]") {
  MetricContext ctx;
  ctx.columns.nps = ctx.columns.at_risk = ctx.columns.new_mrr = true;
  ctx.cac = units(1'000);
  const auto ms = compute_metrics(Totals{}, ctx);
  for (const char* id : {"nrr", "grr", "logo_churn", "arpa", "ltv"}) {
    CHECK_FALSE(get(ms, id).value.has_value());
    CHECK(get(ms, id).note == "no starting customers");
  }
  CHECK(get(ms, "nps").note == "no NPS responses");
  CHECK(get(ms, "save_rate").note.rfind("no at-risk customers", 0) == 0);
  CHECK(get(ms, "quick_ratio").note == "no contraction or churn: quick ratio unbounded");
  CHECK(get(ms, "ltv_cac").note == "no starting customers; CAC from --cac");
  const auto no_churn = compute_metrics(cohort(3, units(300), {}, {}, {}), {});
  CHECK_FALSE(get(no_churn, "ltv").value.has_value());
  CHECK(get(no_churn, "ltv").note.rfind("no churn in period: LTV unbounded", 0) == 0);
}

TEST_CASE("metrics needing absent columns are not reported", "[metrics]") {
  const auto ms = compute_metrics(cohort(1, units(1), {}, {}, {}), {});
  for (const MetricValue& m : ms)
    for (const char* id : {"nps", "save_rate", "ltv_cac", "quick_ratio", "at_risk_mrr"}) CHECK(m.def->id != id);
}

TEST_CASE("NPS, its margin of error and the low-sample flag", "[metrics]") {
  MetricContext ctx;
  ctx.columns.nps = true;
  Totals t;
  t.promoters = 50;
  t.passives = 30;
  t.detractors = 20;
  auto ms = compute_metrics(t, ctx);
  CHECK(get(ms, "nps").value->real == 30.0);
  CHECK(get(ms, "nps").numerator->count == 30);
  CHECK(get(ms, "nps").n == 100);
  CHECK(get(ms, "nps").note.empty());
  // Adjusted Wald: n' = 103, p' = 50.75 / 103, d' = 20.75 / 103, centre 3000 / 103 = 29.1262...;
  // variance = 71.5 / 103 - (30 / 103)^2 = 0.609341..., margin = 1.96 * sqrt(variance / 103) * 100.
  CHECK_THAT(get(ms, "nps_moe").value->real, WithinRel(15.075360426756923, 1e-12));
  CHECK_THAT(get(ms, "nps_ci_low").value->real, WithinRel(14.050853165476088, 1e-12));
  CHECK_THAT(get(ms, "nps_ci_high").value->real, WithinRel(44.20157401898993, 1e-12));
  // Three promoters: the raw NPS is +100, the interval is centred on +50 and clipped at 100.
  const NpsInterval three = nps_adjusted_wald(3, 0, 3);
  CHECK_THAT(three.centre, WithinRel(50.0, 1e-12));
  CHECK_THAT(three.margin, WithinRel(56.58032638058332, 1e-12));
  CHECK_THAT(three.low, WithinRel(-6.5803263805833225, 1e-12));
  CHECK(three.high == 100.0);
  t.promoters = 5;
  t.passives = 0;
  t.detractors = 5;
  ms = compute_metrics(t, ctx);
  CHECK(get(ms, "nps").value->real == 0.0);
  CHECK(get(ms, "nps").note == "low confidence: 10 responses (< 30)");
}

TEST_CASE("save rate, quick ratio and LTV:CAC", "[metrics]") {
  MetricContext ctx;
  ctx.columns.at_risk = ctx.columns.saved = ctx.columns.new_mrr = ctx.columns.cac = true;
  Totals t = cohort(10, units(10'000), units(500), units(100), units(1'000), 1);
  t.at_risk = 4;
  t.saved = 3;
  t.at_risk_mrr = units(4'000);
  t.new_mrr = units(2'000);
  t.cac_sum = units(20'000);
  t.cac_count = 10;
  const auto ms = compute_metrics(t, ctx);
  CHECK(get(ms, "save_rate").value->real == 75.0);
  CHECK(get(ms, "at_risk_mrr").value->money == units(4'000));
  CHECK_THAT(get(ms, "quick_ratio").value->real, WithinRel(2500.0 / 1100.0, 1e-12));
  // ARPA 1,000; churn 11 % a month; LTV = 1,000 / 0.11 = 9,090.909091; mean CAC 2,000.
  CHECK(get(ms, "ltv").value->money == Money{9'090'909'091});
  CHECK_THAT(get(ms, "ltv_cac").value->real, WithinRel(9090.909091 / 2000.0, 1e-12));
}

TEST_CASE("the MRR bridge adds up from the rows: start + new + expansion + reactivation - contraction - churn = end",
          "[metrics]") {
  // Rows summed as the aggregator sums them: a starting customer that expands, one that
  // contracts to nothing without churning, one that churns, a new one with new_mrr, a new one
  // whose MRR comes as expansion (no new_mrr column), and a reactivation.
  Totals t;
  const auto row = [&](std::int64_t start, std::int64_t expansion, std::int64_t contraction, std::int64_t churned,
                       std::int64_t fresh, std::int64_t back) {
    MovementRow r;
    r.start = units(start);
    r.expansion = units(expansion);
    r.contraction = units(contraction);
    r.churned = units(churned);
    r.new_mrr = units(fresh);
    r.reactivation = units(back);
    REQUIRE(t.add(r));
  };
  row(100, 20, 0, 0, 0, 0);
  row(50, 0, 50, 0, 0, 0);
  row(70, 0, 0, 70, 0, 0);
  row(0, 0, 0, 0, 30, 0);
  row(0, 15, 0, 0, 0, 0);
  row(0, 0, 0, 0, 0, 40);
  const auto ms = compute_metrics(t, {});
  CHECK(get(ms, "mrr_start").value->money == units(220));
  CHECK(get(ms, "mrr_new").value->money == units(45)); // 30 new_mrr + 15 a new row brought as expansion
  CHECK(get(ms, "mrr_expansion").value->money == units(20));
  CHECK(get(ms, "mrr_reactivation").value->money == units(40));
  CHECK(get(ms, "mrr_contraction").value->money == units(50));
  CHECK(get(ms, "mrr_churned").value->money == units(70));
  CHECK(get(ms, "mrr_end").value->money == units(205)); // 120 + 30 + 15 + 40
  CHECK(get(ms, "arr").value->money == units(2'460));
  CHECK(get(ms, "customers_start").value->count == 3);
  CHECK(get(ms, "customers_new").value->count == 3);
  CHECK(get(ms, "customers_churned").value->count == 1);
  CHECK(get(ms, "customers_end").value->count == 4);
  CHECK(get(ms, "customers_end").note == "1 of the rows end at 0 MRR without churn");
  // Merged halves give the same sums.
  Totals half = t, other = t;
  REQUIRE(half.merge(other));
  CHECK(half.end_mrr == units(410));
  CHECK(half.ending == 8);
}

} // namespace test_metrics
