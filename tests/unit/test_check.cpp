// SPDX-License-Identifier: MIT
#include "report/check.hpp"

#include <catch2/catch.hpp>

namespace test_check {

using namespace cskpi;

namespace {

/// The message and caret offset of a rule that must not parse.
std::pair<std::string, std::size_t> rejection(std::string_view text) {
  try {
    parse_rule(text);
  } catch (const RuleError& e) {
    CHECK(e.code() == ExitCode::usage);
    return {e.what(), e.offset()};
  }
  FAIL("rule parsed: " << text);
  return {};
}

Group group_with(std::optional<std::string> period, std::string segment, double nrr, std::optional<Tier> tier) {
  Group g;
  g.period = std::move(period);
  g.segment = std::move(segment);
  g.whole = g.segment == "all"; // a --by group named "all" is made by hand below
  Record r;
  r.metric.def = find_metric("nrr");
  r.metric.value = Quantity::of_real(nrr);
  r.metric.annualized = nrr + 10;
  r.rated_value = nrr + 10;
  r.tier = tier;
  g.records.push_back(r);
  Record nps;
  nps.metric.def = find_metric("nps");
  nps.metric.note = "no NPS responses";
  g.records.push_back(nps);
  return g;
}

} // namespace

TEST_CASE("parse_rule reads metric, suffix, operator and exact threshold", "[check]") {
  Rule r = parse_rule("nrr>=100");
  CHECK(r.metric == "nrr");
  CHECK_FALSE(r.annual);
  CHECK(r.op == BandOp::ge);
  CHECK(r.threshold == Money::from_units(100));
  CHECK(r.scope_column.empty());

  r = parse_rule("  grr@annual  >=  90.5  ");
  CHECK(r.text == "grr@annual  >=  90.5");
  CHECK(r.annual);
  CHECK(r.threshold == Money{90'500'000});

  r = parse_rule("Segment=SMB:logo_churn<=3");
  CHECK(r.scope_column == "segment");
  CHECK(r.scope_value == "SMB");
  CHECK(r.op == BandOp::le);

  r = parse_rule("period=2026-10-31:NPS>-5");
  CHECK(r.scope_column == "period");
  CHECK(r.scope_value == "2026-10");
  CHECK(r.metric == "nps");
  CHECK(r.op == BandOp::gt);
  CHECK(r.threshold == Money::from_units(-5));

  CHECK(parse_rule("nrr<100").op == BandOp::lt);
  CHECK(parse_rule("nrr==100").op == BandOp::eq);
  CHECK(parse_rule("region=DACH: Süd:arpa>1000").scope_value == "DACH: Süd");
}

TEST_CASE("parse_rule rejects adversarial rules with a message and a caret", "[check]") {
  CHECK(rejection("") ==
        std::pair<std::string, std::size_t>{"empty rule: expected METRIC OP NUMBER, e.g. nrr>=100", 0});
  CHECK(rejection("   ").first.rfind("empty rule", 0) == 0);
  CHECK(rejection("nrr>=") == std::pair<std::string, std::size_t>{"expected a number after >=", 5});
  CHECK(rejection(">=100") == std::pair<std::string, std::size_t>{"expected a metric id, e.g. nrr>=100", 0});
  CHECK(rejection("nrx>=100") == std::pair<std::string, std::size_t>{"unknown metric \"nrx\"; did you mean nrr?", 0});
  CHECK(rejection("zzzzzzzz>=1").first == "unknown metric \"zzzzzzzz\" (cskpi explain list shows all)");
  CHECK(rejection("nrr ≥ 100") == std::pair<std::string, std::size_t>{"expected one of >= > <= < == after nrr", 4});
  CHECK(rejection("nrr>=1e400") ==
        std::pair<std::string, std::size_t>{"\"1e400\" is not a number (use a decimal point: 99.5)", 5});
  CHECK(rejection("nrr>=99999999999999999999") ==
        std::pair<std::string, std::size_t>{"99999999999999999999 is too large", 5});
  CHECK(rejection("nrr>=100 extra").first == "\"100 extra\" is not a number (use a decimal point: 99.5)");
  CHECK(rejection("nrr=>100").second == 3);
  CHECK(rejection("nrr@yearly>=1") == std::pair<std::string, std::size_t>{"the only suffix is @annual", 3});
  CHECK(rejection("nps@annual>=1").first == "nps has no annual figure; drop @annual");
  CHECK(rejection("SMB:nrr>=1").first == "a scope is COLUMN=VALUE before ':', e.g. segment=SMB:grr>=85");
  CHECK(rejection("segment=:nrr>=1") == std::pair<std::string, std::size_t>{"the scope has no value after '='", 8});
  CHECK(rejection("period=Q3:nrr>=1").first == "period \"Q3\" is not a period (YYYY-MM, YYYY-Qn or YYYY)");
}

TEST_CASE("a retention threshold under 2 is the fraction mistake, not percent points", "[check]") {
  CHECK(rejection("nrr>=0.95") ==
        std::pair<std::string, std::size_t>{"nrr is in percent: did you mean nrr>=95? (write 0.95% if you mean that)",
                                            5});
  CHECK(rejection("segment=SMB:grr@annual >= 0.9").first ==
        "grr is in percent: did you mean segment=SMB:grr@annual >= 90? (write 0.9% if you mean that)");
  CHECK(rejection("logo_retention>1")
            .first.starts_with("logo_retention is in percent: did you mean logo_retention>100?"));
  CHECK(rejection("renewal_rate>=1.5").first.starts_with("renewal_rate is in percent"));
  CHECK(parse_rule("nrr>=95%").threshold == Money::from_units(95));
  CHECK(parse_rule("nrr>=0.95%").threshold == Money{950'000}); // the % says it is meant
  CHECK(parse_rule("nrr>=0").threshold == Money{});
  CHECK(parse_rule("nrr>=2").threshold == Money::from_units(2));
  // Rates that can be small are real gates at under 2 %.
  CHECK(parse_rule("logo_churn<=0.5").threshold == Money{500'000});
  CHECK(parse_rule("gross_mrr_churn@annual<1.5").threshold == Money{1'500'000});
  CHECK(parse_rule("expansion_rate>=1").threshold == Money::from_units(1));
  CHECK(parse_rule("health_red<=1").threshold == Money::from_units(1));
  CHECK(parse_rule("ltv_cac>=1.5").threshold == Money{1'500'000});
}

TEST_CASE("caret_line counts characters, not bytes", "[check]") {
  CHECK(caret_line("nrr>=", 5, 2) == "       ^");
  CHECK(caret_line("ü>=", 1, 0) == " ^");
  CHECK(caret_line("ü>=", 2, 0) == " ^");
}

TEST_CASE("judge applies unscoped rules to each period's whole base", "[check]") {
  const std::vector<Group> groups{group_with("2026-09", "all", 99, Tier::warning),
                                  group_with("2026-09", "SMB", 120, Tier::good),
                                  group_with("2026-10", "all", 101, Tier::acceptable)};
  const auto v = judge({parse_rule("nrr>=100")}, groups, {});
  REQUIRE(v.size() == 2);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].reason == "99.00% is not >= 100");
  CHECK(v[1].status == Verdict::Status::pass);
  CHECK(v[1].period == "2026-10");
  const auto annual = judge({parse_rule("nrr@annual>=100")}, groups, {});
  CHECK(annual[0].status == Verdict::Status::pass); // 109 annual
}

TEST_CASE("a --by group named all is not the whole base", "[check]") {
  Group named_all = group_with("2026-10", "all", 50, Tier::critical);
  named_all.whole = false;
  const std::vector<Group> groups{group_with("2026-10", "all", 101, Tier::acceptable), named_all};
  const auto v = judge({parse_rule("nrr>=100")}, groups, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::pass);
  const auto scoped = judge({parse_rule("segment=all:nrr>=100")}, groups, {});
  REQUIRE(scoped.size() == 1);
  CHECK(scoped[0].status == Verdict::Status::fail);
}

TEST_CASE("judge scopes rules to a group or a period", "[check]") {
  const std::vector<Group> groups{group_with("2026-09", "all", 99, {}), group_with("2026-09", "SMB", 120, {}),
                                  group_with("2026-10", "all", 101, {})};
  auto v = judge({parse_rule("segment=SMB:nrr>110")}, groups, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].segment == "SMB");
  CHECK(v[0].status == Verdict::Status::pass);
  v = judge({parse_rule("period=2026-10:nrr==101")}, groups, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::pass);
  v = judge({parse_rule("segment=Gold:nrr>100")}, groups, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].reason == "no group segment=Gold in the data");
}

TEST_CASE("money thresholds compare exactly, in micro-units and beyond", "[check]") {
  const Quantity mrr = Quantity::of_money(Money{13'301'114'520'000}); // 13,301,114.52
  CHECK(rule_holds(mrr, parse_rule("mrr_end>=13301114.52")));
  CHECK_FALSE(rule_holds(mrr, parse_rule("mrr_end>=13301114.53")));
  CHECK_FALSE(rule_holds(mrr, parse_rule("mrr_end==13301114.53")));
  CHECK_FALSE(rule_holds(mrr, parse_rule("mrr_end>13301114.52")));
  CHECK(rule_holds(mrr, parse_rule("mrr_end<13301114.520001")));
  // More decimals than money holds: compared exactly, not rounded to 13301114.52.
  CHECK_FALSE(rule_holds(mrr, parse_rule("mrr_end>=13301114.5200001")));
  CHECK(rule_holds(mrr, parse_rule("mrr_end<13301114.5200001")));
  CHECK(rule_holds(mrr, parse_rule("mrr_end==13301114.520000000")));
  CHECK(rule_holds(Quantity::of_money(Money{-1}), parse_rule("mrr_end<-0.0000009")));
  CHECK(rule_holds(Quantity::of_count(20), parse_rule("customers_churned<=20")));
  CHECK_FALSE(rule_holds(Quantity::of_count(20), parse_rule("customers_churned<=19.999999999")));
  const Rule r = parse_rule("mrr_end>=13301114.5200001");
  CHECK(threshold_text(r) == "13301114.5200001");
  CHECK(threshold_text(parse_rule("nps>=-0.05")) == "-0.05");
  CHECK(threshold_text(parse_rule("nrr>=100.000")) == "100");
  CHECK(rejection("mrr_end>=1.0000000000000000001").first ==
        "\"1.0000000000000000001\" has more digits than a rule compares exactly (18, with at most 18 decimals)");
}

TEST_CASE("ratio thresholds keep every written decimal and a tolerance below them", "[check]") {
  // Not rounded to 6 decimals: 88.5109796 is not 88.510980, 101.7014825 is not 101.701482.
  CHECK(rule_holds(Quantity::of_real(88.510979600638), parse_rule("grr@annual>=88.5109796")));
  CHECK_FALSE(rule_holds(Quantity::of_real(101.70148217), parse_rule("nrr>=101.7014825")));
  // An exact edge computed with floating-point noise, or from sums rounded to micro-units, holds...
  CHECK(rule_holds(Quantity::of_real(99.99999999999), parse_rule("nrr>=100")));
  CHECK(rule_holds(Quantity::of_real(100.00000001), parse_rule("nrr<=100")));
  // ...but not a difference the rule's own decimals can express,
  CHECK_FALSE(rule_holds(Quantity::of_real(99.99999999), parse_rule("nrr>=100.00000000")));
  CHECK(rule_holds(Quantity::of_real(88.51097960063801), parse_rule("grr>88.51097960063")));
  CHECK_FALSE(rule_holds(Quantity::of_real(88.51097960063801), parse_rule("grr==88.51097960063")));
  // nor one the table shows (two decimals).
  CHECK_FALSE(rule_holds(Quantity::of_real(99.9999998), parse_rule("nrr>=100")));
  CHECK_FALSE(rule_holds(Quantity::of_real(99.995), parse_rule("nrr>=100")));
}

TEST_CASE("a null or absent metric fails unless missing values are allowed", "[check]") {
  const std::vector<Group> groups{group_with(std::nullopt, "all", 100, {})};
  auto v = judge({parse_rule("nps>=0"), parse_rule("save_rate>=50")}, groups, {});
  REQUIRE(v.size() == 2);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].reason == "nps is undefined: no NPS responses");
  CHECK(v[1].status == Verdict::Status::fail);
  CHECK(v[1].reason == "save_rate is not computed: the input has no at_risk column");
  CheckOptions allow;
  allow.allow_missing = true;
  v = judge({parse_rule("nps>=0")}, groups, allow);
  CHECK(v[0].status == Verdict::Status::skip);
  CHECK(summary_line(summarize(1, v)) == "1 rule, 0 passed, 0 failed, 1 skipped");
}

TEST_CASE("fail-on judges every rated metric against the tier", "[check]") {
  const std::vector<Group> groups{group_with("2026-10", "all", 99, Tier::acceptable),
                                  group_with("2026-10", "SMB", 80, Tier::warning)};
  CheckOptions opts;
  opts.fail_on = Tier::warning;
  const auto v = judge({}, groups, opts);
  REQUIRE(v.size() == 2);
  CHECK(v[0].status == Verdict::Status::pass);
  CHECK(v[1].status == Verdict::Status::fail);
  CHECK(v[1].rule == "fail-on warning: nrr@annual");
  CHECK(v[1].reason == "tier warning");
  CHECK(summary_line(summarize(1, v)) == "1 rule (2 checks), 1 passed, 1 failed");
}

TEST_CASE("fail-on that rates nothing says why", "[check]") {
  Group small = group_with("2026-10", "all", 99, std::nullopt);
  small.totals.cohort = 3;
  Group big = group_with("2026-11", "all", 99, std::nullopt);
  big.totals.cohort = 40;
  CheckOptions opts;
  CHECK(fail_on_judged_nothing({small}, opts, 30).empty()); // no --fail-on
  opts.fail_on = Tier::warning;
  CHECK(fail_on_judged_nothing({small}, opts, 30) ==
        "no group has --min-group 30 starting customers: nothing was rated, so --fail-on judged nothing; lower "
        "--min-group to rate smaller groups");
  CHECK(fail_on_judged_nothing({small}, opts, 3).starts_with("no metric of this run was rated"));
  CHECK(fail_on_judged_nothing({small, big}, opts, 30).starts_with("no metric of this run was rated"));
  CHECK(fail_on_judged_nothing({small, group_with("2026-11", "all", 99, Tier::good)}, opts, 30).empty());
  opts.closed_periods = {"2026-10"}; // judged against the baseline alone
  CHECK(fail_on_judged_nothing({small}, opts, 30).empty());
}

TEST_CASE("check renderers escape for their targets", "[check]") {
  Verdict v;
  v.status = Verdict::Status::fail;
  v.rule = "segment=A,B:nrr>=100";
  v.metric = "nrr";
  v.segment = "A,B";
  v.value = 50;
  v.expect = ">= 100";
  v.reason = "50.00% is not >= 100";
  const CheckSummary s = summarize(1, {v});
  CHECK(render_check_github({v}, s, "exports/a:b.csv") ==
        "::error file=exports/a%3Ab.csv,title=cskpi FAIL segment=A%2CB%3Anrr>=100::A,B: nrr = 50.00%25 (needs >= 100); "
        "50.00%25 is not >= 100\n1 rule, 0 passed, 1 failed\n");
  CHECK(render_check_table({v}, s, false) ==
        "FAIL  50.00%  segment=A,B:nrr>=100  A,B  (50.00% is not >= 100)\n1 rule, 0 passed, 1 failed\n");
  CHECK(render_check_markdown({v}, s).find(
            "| ❌ FAIL | 50.00% | segment=A,B:nrr&gt;=100 | A,B | 50.00% is not &gt;= 100 |") != std::string::npos);
}

} // namespace test_check
