// SPDX-License-Identifier: MIT
// Definitions side by side (issue 30, report --compare): the split of a difference among the
// knobs adds up exactly, and the comparison's shortcuts (one reading, shared runs) give the
// figures a separate run per preset gives.
#include "app/compare.hpp"
#include "core/error.hpp"
#include "report/compare.hpp"

#include "random.hpp"

#include "app_sinks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace test_compare {

using namespace cskpi;

namespace {

struct Quiet : app::RunSink {
  std::vector<std::string> errors;
  void report(const Diagnostic& d) override {
    if (d.severity == Severity::error) errors.push_back(d.message);
  }
  void note(Severity severity, const std::string& text) override {
    if (severity == Severity::error) errors.push_back(text);
  }
};

using testing::write_file;

/// A Stripe export where the presets differ: once coupons (cus_2, cus_4) and an unpaid
/// subscription (cus_3).
app::ReportRequest stripe_request() {
  app::ReportRequest q;
  q.files = {write_file("cskpi_compare_coupons.csv",
                        "id,Percent Off,Amount Off,Currency,Duration,Duration In Months\n"
                        "ONCE50,50,,,once,\n"),
             write_file("cskpi_compare_subscriptions.csv",
                        "id,Customer ID,Status,Interval,Amount,Quantity,Currency,Start (UTC),Current Period Start "
                        "(UTC),Current Period End (UTC),Coupon,Canceled At (UTC),Cancel At Period End,Ended At (UTC)\n"
                        "sub_1,cus_1,active,month,100.00,1,usd,2026-01-05 00:00,2026-05-01 00:00,2026-06-01 "
                        "00:00,,,false,\n"
                        "sub_2,cus_2,active,month,200.00,1,usd,2026-02-10 00:00,2026-04-10 00:00,2026-05-10 "
                        "00:00,ONCE50,,false,\n"
                        "sub_3,cus_3,unpaid,month,300.00,1,usd,2026-01-03 00:00,2026-03-03 00:00,2026-04-03 "
                        "00:00,,,false,\n"
                        "sub_4,cus_4,active,month,50.00,1,usd,2026-01-20 00:00,2026-04-20 00:00,2026-05-20 "
                        "00:00,ONCE50,,false,\n")};
  q.min_group = 1;
  return q;
}

/// Every record's value (in millionths) by period and metric.
std::map<std::string, std::optional<std::int64_t>> values_of(const Report& r) {
  std::map<std::string, std::optional<std::int64_t>> out;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records)
      out[g.period.value_or("") + " " + std::string(rec.metric.def->id)] =
          rec.metric.value ? figure_millionths(*rec.metric.value) : std::nullopt;
  return out;
}

} // namespace

TEST_CASE("attribute: the shares and the interaction sum to the difference exactly", "[compare]") {
  test::Random rnd{30};
  for (int round = 0; round < 1000; ++round) {
    const auto any = [&] { return rnd.below(2'000'000'000) - 1'000'000'000; };
    const std::int64_t base = any(), preset = any();
    std::vector<std::optional<std::int64_t>> switched;
    for (std::int64_t k = rnd.below(4); k >= 0; --k) switched.push_back(any());
    const Attribution a = attribute(base, preset, switched);
    REQUIRE(a.difference);
    REQUIRE(a.interaction);
    std::int64_t sum = *a.interaction;
    for (std::size_t k = 0; k < switched.size(); ++k) {
      REQUIRE(a.shares[k]);
      CHECK(*a.shares[k] == *switched[k] - base);
      sum += *a.shares[k];
    }
    CHECK(sum == *a.difference);
    CHECK(*a.difference == preset - base);
  }
}

TEST_CASE("attribute: one knob takes the whole difference, an undefined figure leaves the rest unknown", "[compare]") {
  const Attribution one = attribute(100'000'000, 101'200'000, {101'200'000});
  CHECK(one.difference == 1'200'000);
  CHECK(one.shares == std::vector<std::optional<std::int64_t>>{1'200'000});
  CHECK(one.interaction == 0);
  const Attribution gap = attribute(100'000'000, 101'200'000, {std::nullopt, 100'400'000});
  CHECK(gap.difference == 1'200'000);
  CHECK(!gap.shares[0]);
  CHECK(gap.shares[1] == 400'000);
  CHECK(!gap.interaction);
  CHECK(!attribute(std::nullopt, 5, {}).difference);
}

TEST_CASE("figure_millionths: money exactly, counts and reals to six decimals", "[compare]") {
  CHECK(figure_millionths(Quantity::of_money(Money{1'234'567})) == 1'234'567);
  CHECK(figure_millionths(Quantity::of_count(63)) == 63'000'000);
  CHECK(figure_millionths(Quantity::of_real(100.4000004)) == 100'400'000);
  CHECK(figure_millionths(-0.0000015) == -2);
  CHECK(!figure_millionths(std::numeric_limits<double>::infinity()));
  CHECK(!figure_millionths(1e13));
}

TEST_CASE("parse_compare: presets in order, unknown, repeated or lone names are usage errors", "[compare][app]") {
  const auto presets = app::parse_compare({"cskpi", " ChartMogul ", "profitwell"});
  REQUIRE(presets.size() == 3);
  CHECK(presets[1]->name == "chartmogul");
  const auto message = [](const std::vector<std::string>& names) {
    try {
      app::parse_compare(names);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message({"cskpi", "chartmogl"}) ==
        "--compare: unknown preset \"chartmogl\" (did you mean chartmogul?); the "
        "presets are cskpi, smsb, chartmogul, profitwell (cskpi explain "
        "definitions)");
  CHECK(message({"cskpi", "baremetrics"}) ==
        "--compare: unknown preset \"baremetrics\"; the presets are cskpi, "
        "smsb, chartmogul, profitwell (cskpi explain definitions)");
  CHECK(message({"cskpi", "cskpi"}) == "--compare: cskpi is named twice");
  CHECK(message({"smsb"}) ==
        "--compare smsb names one preset: name two or more, the first the base (e.g. --compare "
        "cskpi,chartmogul), or report one with --definitions smsb");
}

TEST_CASE("run_comparison: each preset's figures are those of a run with --definitions", "[compare][app]") {
  app::ReportRequest q = stripe_request();
  q.compare = {"cskpi", "smsb", "chartmogul", "profitwell"};
  q.metrics = {"mrr_end", "nrr", "grr", "arpa"};
  Quiet sink;
  const std::optional<Comparison> c = app::run_comparison(q, sink);
  REQUIRE(c);
  CHECK(sink.errors.empty());
  REQUIRE(c->presets == 4);
  // chartmogul differs in three knobs, profitwell in one (a run it shares with the base's switch).
  REQUIRE(c->runs.size() == 6);
  CHECK(c->switched[2][0] == 3); // chartmogul's once coupons: profitwell's run
  CHECK(c->switched[1] == std::vector<std::size_t>(definition_knobs().size(), SIZE_MAX));
  for (std::size_t p = 0; p < c->presets; ++p) {
    app::ReportRequest alone = stripe_request();
    alone.definitions = c->runs[p].name;
    alone.metrics = q.metrics;
    const std::optional<Report> r = app::run_report(alone, sink);
    REQUIRE(r);
    INFO(c->runs[p].name);
    const auto expected = values_of(*r), got = values_of(c->runs[p].report);
    CHECK(got.size() == expected.size());
    for (const auto& [key, value] : expected) {
      INFO(key);
      REQUIRE(got.count(key) == 1);
      CHECK(value == got.at(key));
    }
  }
  // The once coupons and the unpaid subscription move the figures apart.
  CHECK(values_of(c->runs[0].report) != values_of(c->runs[2].report));
}

namespace {

/// Movements in USD and EUR reported in EUR with monthly rates: the presets differ in their FX
/// method (cskpi constant, chartmogul period-end, profitwell transaction) and nothing else that
/// acts on movements but chartmogul's annual-cohort reactivation.
app::ReportRequest fx_request() {
  app::ReportRequest q;
  q.files = {write_file("cskpi_compare_fx_moves.csv",
                        "customer_id,period,currency,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                        "U1,2026-01,USD,1000.00,0.00,0.00,0.00,0.00\n"
                        "U2,2026-01,USD,0.00,500.00,0.00,0.00,0.00\n"
                        "E1,2026-01,EUR,2000.00,0.00,0.00,0.00,0.00\n"
                        "U1,2026-02,USD,1000.00,0.00,100.00,0.00,0.00\n"
                        "U2,2026-02,USD,500.00,0.00,0.00,0.00,0.00\n"
                        "E1,2026-02,EUR,2000.00,0.00,0.00,0.00,0.00\n"
                        "U1,2026-03,USD,1100.00,0.00,0.00,0.00,0.00\n"
                        "U2,2026-03,USD,500.00,0.00,0.00,0.00,500.00\n"
                        "E1,2026-03,EUR,2000.00,0.00,0.00,200.00,0.00\n")};
  q.fx = write_file("cskpi_compare_fx_rates.csv",
                    "month,currency,rate\n2025-12,USD,0.95\n2026-01,USD,0.90\n"
                    "2026-02,USD,0.92\n2026-03,USD,0.88\n");
  q.currency = "EUR";
  q.min_group = 1;
  q.metrics = {"mrr_end", "nrr", "grr", "arpa"};
  q.compare = {"cskpi", "chartmogul", "profitwell"};
  return q;
}

std::size_t fx_knob() {
  const auto knobs = definition_knobs();
  for (std::size_t k = 0; k < knobs.size(); ++k)
    if (knobs[k].fx) return k;
  return SIZE_MAX;
}

} // namespace

TEST_CASE("run_comparison: with --fx each preset reads by its own FX method", "[compare][app]") {
  const std::size_t fx = fx_knob();
  REQUIRE(fx != SIZE_MAX);
  CHECK(definition_knobs()[fx].id == "fx_method");
  Quiet sink;
  const app::ReportRequest q = fx_request();
  const std::optional<Comparison> c = app::run_comparison(q, sink);
  REQUIRE(c);
  CHECK(sink.errors.empty());
  CHECK(c->fx);
  REQUIRE(c->presets == 3);
  CHECK(c->runs[1].definitions.fx_method == FxMethod::period_end);
  CHECK(c->runs[2].definitions.fx_method == FxMethod::transaction);
  REQUIRE(c->switched[1][fx] != SIZE_MAX);
  REQUIRE(c->switched[2][fx] != SIZE_MAX);
  CHECK(c->runs[c->switched[1][fx]].definitions.fx_method == FxMethod::period_end);
  for (std::size_t p = 0; p < c->presets; ++p) {
    app::ReportRequest alone = fx_request();
    alone.compare.clear();
    alone.definitions = c->runs[p].name;
    const std::optional<Report> r = app::run_report(alone, sink);
    REQUIRE(r);
    INFO(c->runs[p].name);
    CHECK(values_of(c->runs[p].report) == values_of(*r));
  }
  // Transaction rates move the figures apart (period-end only adds the FX line, not asked for).
  CHECK(values_of(c->runs[0].report) != values_of(c->runs[2].report));
  const std::string csv = render_comparison(*c, "csv");
  CHECK(csv.find(",fx_method,") != std::string::npos);
  CHECK(csv.find(",share_fx_method,") != std::string::npos);
  CHECK(csv.find(",chartmogul,true,true,false,period-end,") != std::string::npos);
}

TEST_CASE("run_comparison: --fx-method pins the FX knob, and without --fx it is not shown", "[compare][app]") {
  const std::size_t fx = fx_knob();
  REQUIRE(fx != SIZE_MAX);
  Quiet sink;
  app::ReportRequest pinned = fx_request();
  pinned.fx_method = "period-end";
  const std::optional<Comparison> c = app::run_comparison(pinned, sink);
  REQUIRE(c);
  for (std::size_t p = 0; p < c->presets; ++p) {
    CHECK(c->switched[p][fx] == SIZE_MAX);
    CHECK(c->runs[p].definitions.fx_method == FxMethod::period_end);
  }
  app::ReportRequest plain = fx_request();
  plain.fx.clear();
  plain.currency.clear();
  plain.files = {write_file("cskpi_compare_plain.csv",
                            "customer_id,period,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                            "A,2026-01,0.00,10.00,0.00,0.00,0.00\nA,2026-02,10.00,0.00,0.00,0.00,0.00\n")};
  const std::optional<Comparison> d = app::run_comparison(plain, sink);
  INFO((sink.errors.empty() ? std::string() : sink.errors.front()));
  REQUIRE(d);
  CHECK(!d->fx);
  for (std::size_t p = 0; p < d->presets; ++p) CHECK(d->switched[p][fx] == SIZE_MAX);
  CHECK(render_comparison(*d, "csv").find("fx_method") == std::string::npos);
  CHECK(render_comparison(*d, "json").find("fx_method") == std::string::npos);
  CHECK(sink.errors.empty());
}

namespace {

/// A run of one group (2026-07 · all) whose NRR is `nrr`.
ComparedRun nrr_run(const std::string& name, DefinitionPreset definitions, double nrr) {
  Record rec;
  rec.metric.def = find_metric("nrr");
  rec.metric.value = Quantity::of_real(nrr);
  Group g{std::string("2026-07"), "all", Totals{}, {rec}};
  g.whole = true;
  Report r{ReportSettings{}, {}, {g}, std::nullopt};
  return ComparedRun{name, definitions, r};
}

} // namespace

TEST_CASE("render_comparison: the shares shown add up to the difference shown", "[compare][report]") {
  // Exact shares of 0.005 each and an interaction of 0.005: rounded one by one they would show
  // 0.01 + 0.01 + 0.01 against a difference of 0.02; the running sum shows 0.01 + 0.00 + 0.01.
  // JSON keeps the exact figures.
  const DefinitionPreset base = *find_definition_preset("cskpi"), other = *find_definition_preset("chartmogul");
  DefinitionPreset once = base, unpaid = base;
  once.once_discounts_in_mrr = true;
  unpaid.unpaid_keeps_mrr = true;
  Comparison c;
  c.runs = {nrr_run("cskpi", base, 100.004), nrr_run("chartmogul", other, 100.019),
            nrr_run("cskpi+once_discounts_in_mrr", once, 100.009), nrr_run("cskpi+unpaid_keeps_mrr", unpaid, 100.009),
            nrr_run("cskpi+cohort_reactivation", base, 100.004)};
  c.presets = 2;
  c.switched = {{SIZE_MAX, SIZE_MAX, SIZE_MAX}, {2, 3, 4}};
  const std::string table = render_comparison(c, "table");
  INFO(table);
  // A knob whose share shows as 0.00 has no row.
  CHECK(table.find("\n  Net revenue retention    100.00%     100.02%\n"
                   "    vs cskpi                          +0.02 pp\n"
                   "      once coupons in MRR             +0.01 pp\n"
                   "      interaction                     +0.01 pp\n") != std::string::npos);
  const std::string json = render_comparison(c, "json");
  CHECK(json.find("\"difference\":0.015,\"shares\":[{\"knob\":\"once_discounts_in_mrr\",\"value\":100.009,\"share\":"
                  "0.005},{\"knob\":\"unpaid_keeps_mrr\",\"value\":100.009,\"share\":0.005},{\"knob\":"
                  "\"cohort_reactivation\",\"value\":100.004,\"share\":0}],\"interaction\":0.005}") !=
        std::string::npos);
}

} // namespace test_compare
