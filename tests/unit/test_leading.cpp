// SPDX-License-Identifier: MIT
// Issue 7: dates, health schemes, weighted scores, percentiles, the join of billing rows with
// customers and responses files, the leading-indicator formulas and their band edges.
#include "core/attributes.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace test_leading {

using namespace cskpi;
using Catch::Matchers::WithinRel;

namespace {

constexpr std::int64_t k = Money::k_scale;

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};

struct Null : RowSink {
  void add(const MovementRow&) override {}
};

const MetricValue& get(const std::vector<MetricValue>& ms, std::string_view id, std::string_view key = "") {
  for (const MetricValue& m : ms)
    if (m.def->id == id && m.key == key) return m;
  FAIL("no metric " << id << "[" << key << "]");
  throw std::logic_error("unreachable");
}

bool has(const std::vector<MetricValue>& ms, std::string_view id) {
  for (const MetricValue& m : ms)
    if (m.def->id == id) return true;
  return false;
}

} // namespace

TEST_CASE("dates parse, print and fall into periods", "[leading]") {
  CHECK(parse_date("1970-01-01") == 0);
  CHECK(parse_date("2026-10-31") == 20757);
  CHECK(parse_date(" 2024-02-29T10:00:00Z ") == 19782);
  CHECK(!parse_date("2025-02-29"));
  CHECK(!parse_date("2026-13-01"));
  CHECK(!parse_date("31.10.2026"));
  CHECK(format_date(20757) == "2026-10-31");
  CHECK(period_of_day(20757, PeriodLength::month) == "2026-10");
  CHECK(period_of_day(20757, PeriodLength::quarter) == "2026-Q4");
  CHECK(period_of_day(20757, PeriodLength::year) == "2026");
  CHECK(last_day_of_period("2024-02") == parse_date("2024-02-29"));
  CHECK(last_day_of_period("2026-Q3") == parse_date("2026-09-30"));
  CHECK(last_day_of_period("2026") == parse_date("2026-12-31"));
}

TEST_CASE("health schemes and their band edges", "[leading][bands]") {
  const HealthScheme d = *parse_health_scheme("default");
  CHECK(health_band(80 * k, d) == HealthBand::green);
  CHECK(health_band(80 * k - 1, d) == HealthBand::yellow);
  CHECK(health_band(50 * k, d) == HealthBand::yellow);
  CHECK(health_band(50 * k - 1, d) == HealthBand::red);
  CHECK(health_band(120 * k, d) == HealthBand::green); // no power users in this scheme

  const HealthScheme p = *parse_health_scheme("power-users");
  CHECK(p.power_users);
  CHECK(health_band(71 * k, p) == HealthBand::green);
  CHECK(health_band(70 * k, p) == HealthBand::yellow);
  CHECK(health_band(41 * k, p) == HealthBand::yellow);
  CHECK(health_band(40 * k, p) == HealthBand::red);
  CHECK(health_band(100 * k, p) == HealthBand::green);
  CHECK(health_band(100 * k + 1, p) == HealthBand::power_user);
  CHECK(parse_health_scheme("71/41")->power_users);

  const HealthScheme c = *parse_health_scheme("75/40.5");
  CHECK(c.name == "75/40.5");
  CHECK(health_band(40'500'000, c) == HealthBand::yellow);
  CHECK(!parse_health_scheme("40/75"));
  CHECK(!parse_health_scheme("120/50"));
  CHECK(!parse_health_scheme("green"));
}

TEST_CASE("weights must name components once and sum to 100", "[leading]") {
  const std::vector<Weight> w = parse_weights("usage=40, Engagement=30,support=15,outcomes=15");
  REQUIRE(w.size() == 4);
  CHECK(w[1].component == "engagement");
  CHECK(w[3].weight == 15);
  CHECK_THROWS_WITH(parse_weights("usage=40,engagement=30"), "--weights must sum to 100; these sum to 70");
  CHECK_THROWS_WITH(parse_weights("usage=50,usage=50"), "--weights: usage is named twice");
  CHECK_THROWS_AS(parse_weights("usage=forty,x=60"), Error);
  CHECK_THROWS_AS(parse_weights("usage"), Error);
}

TEST_CASE("weighted health scores are exact and handle missing components explicitly", "[leading]") {
  const std::vector<Weight> w = parse_weights("usage=40,engagement=30,support=15,outcomes=15");
  // (40*80 + 30*60 + 15*90 + 15*50) / 100 = 71
  WeightedScore s = weighted_score(w, {80 * k, 60 * k, 90 * k, 50 * k}, MissingComponents::reweight);
  CHECK(s.score == 71 * k);
  CHECK(s.weakest == "outcomes");
  CHECK(s.missing.empty());
  // Without support: (3200 + 1800 + 750) / 85 = 67.6470588235... -> 67.647059
  const std::vector<std::optional<std::int64_t>> partial{80 * k, 60 * k, std::nullopt, 50 * k};
  s = weighted_score(w, partial, MissingComponents::reweight);
  CHECK(s.score == 67'647'059);
  CHECK(s.missing == std::vector<std::string>{"support"});
  s = weighted_score(w, partial, MissingComponents::zero);
  CHECK(s.score == 57'500'000);
  CHECK(s.weakest == "support");
  s = weighted_score(w, partial, MissingComponents::skip);
  CHECK(!s.score);
  CHECK(
      !weighted_score(w, {std::nullopt, std::nullopt, std::nullopt, std::nullopt}, MissingComponents::reweight).score);
}

TEST_CASE("percentiles interpolate like PERCENTILE.INC", "[leading]") {
  const std::vector<std::int32_t> v{1, 2, 3, 4};
  CHECK(percentile(v, 0.5) == 2.5);
  CHECK(percentile(v, 0.75) == 3.25);
  CHECK_THAT(percentile(v, 0.9), WithinRel(3.7, 1e-12));
  CHECK(percentile({7}, 0.9) == 7.0);
  CHECK(motion_of("Mid-Market") == "mid_market");
  CHECK(motion_of("PLG") == "product_led");
  CHECK(motion_of("Startups").empty());
}

TEST_CASE("the leading indicators' own bands: edges per scale and per motion", "[leading][bands]") {
  const BandTable b = BandTable::builtin();
  CHECK(b.rate("csat:5", 4.5) == Tier::best_in_class);
  CHECK(b.rate("csat:5", 4.49) == Tier::good);
  CHECK(b.rate("csat:5", 4.0) == Tier::good);
  CHECK(b.rate("csat:5", 3.99) == Tier::warning);
  CHECK(b.rate("csat:10", 9.0) == Tier::best_in_class);
  CHECK(b.rate("csat:10", 8.0) == Tier::good);
  CHECK(b.rate("csat:10", 7.99) == Tier::warning);
  CHECK(b.rate("ces", 1.99) == Tier::good);
  CHECK(b.rate("ces", 2.0) == Tier::warning);
  CHECK(b.rate("health_over_80", 70.0) == Tier::good);
  CHECK(b.rate("health_over_80", 69.99) == Tier::warning);
  CHECK(b.rate("ttv_median:product_led", 7.0) == Tier::good);
  CHECK(b.rate("ttv_median:product_led", 7.5) == Tier::warning);
  CHECK(b.rate("ttv_median:smb", 30.0) == Tier::good);
  CHECK(b.rate("ttv_median:smb", 30.5) == Tier::warning);
  CHECK(b.rate("ttv_median:mid_market", 60.0) == Tier::good);
  CHECK(b.rate("ttv_median:mid_market", 61.0) == Tier::warning);
  CHECK(b.rate("ttv_median:enterprise", 120.0) == Tier::good);
  CHECK(b.rate("ttv_median:enterprise", 120.5) == Tier::warning);
  CHECK(find_band_metric("ttv_median:smb") == find_metric("ttv_median"));
  CHECK(find_band_metric("ttv_median:startup") == nullptr);
  CHECK(find_band_metric("csat:7") == nullptr);
}

namespace {

// A hand-sized run: five customers, one month, a customers file and a survey.
const char* k_customers =
    "customer_id,segment,health_score,signup_date,first_value_date,renewal_date,renewed,churn_reason\n"
    "a,SMB,90,2026-01-01,2026-01-11,2026-10-15,,\n"
    "b,SMB,60,2026-02-01,2026-03-03,,,\n"
    "c,Enterprise,30,2026-03-01,,2026-10-20,,price\n"
    "d,Enterprise,85,2026-09-01,,,,\n"
    "z,SMB,50,,,,,\n";
const char* k_billing = "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                        "a,SMB,2026-10,100,0,0,0\n"
                        "b,SMB,2026-10,200,0,0,0\n"
                        "c,Enterprise,2026-10,300,0,0,300\n"
                        "d,Enterprise,2026-10,400,0,0,0\n"
                        "e,SMB,2026-10,50,0,0,0\n";
const char* k_survey = "customer_id,date,score,csat,ces\n"
                       "a,2026-10-05,10,5,1\n"
                       "d,2026-10-06,3,4,3\n"
                       ",2026-10-07,8,,\n"
                       "x,2026-10-08,9,,\n"
                       "b,2026-09-30,9,,\n";

struct Joined {
  Leading leading;
  Totals all;
  MetricContext ctx;
};

Joined join_sample(bool grouped) {
  Diags diags;
  IngestOptions opts;
  if (grouped) opts.by_column = "segment";
  Ingestor ingestor(opts, diags);
  Aggregator agg(grouped);
  Joiner joiner(agg, [&ingestor] { return ingestor.attributes(); });
  for (const char* text : {k_customers, k_survey, k_billing}) {
    std::istringstream in(text);
    ingestor.read_stream(in, "t.csv", joiner);
  }
  REQUIRE(diags.lines.empty());
  LeadingOptions lo;
  lo.grouped = grouped;
  Joined j{joiner.join(*ingestor.attributes(), lo, true), agg.periods().at("2026-10").all, {}};
  j.ctx.columns = ingestor.columns();
  j.ctx.attributes = ingestor.attributes()->columns;
  return j;
}

} // namespace

TEST_CASE("the join counts what matched and what did not", "[leading]") {
  const Joined j = join_sample(false);
  const JoinSummary& s = j.leading.summary;
  CHECK(s.customer_records == 5);
  CHECK(s.customers_without_billing == 1); // z
  CHECK(s.unbilled_examples == std::vector<std::string>{"z"});
  CHECK(s.billed_without_record == 1); // e
  CHECK(s.responses == 5);
  CHECK(s.responses_anonymous == 1);
  CHECK(s.responses_unknown_customer == 1); // x
  CHECK(s.responses_outside == 1);          // b, dated in September
  CHECK(s.as_of == parse_date("2026-10-31"));
  CHECK(s.latest_period == "2026-10");
  CHECK(s.csat_scale == 5);
}

TEST_CASE("leading indicators from the joined files, by hand", "[leading][metrics]") {
  const Joined j = join_sample(false);
  const LeadingTotals& l = j.leading.periods.at("2026-10").all;
  const std::vector<MetricValue> ms = compute_metrics(j.all, j.ctx, nullptr, &l);
  // Active at the end of October: a (100, health 90), b (200, 60), d (400, 85), e (50, no record).
  CHECK_THAT(get(ms, "health_green").value->real, WithinRel(200.0 / 3.0, 1e-12));
  CHECK(get(ms, "health_green").n == 3);
  CHECK(get(ms, "health_green").note == "scheme 80/50; 1 customer without a score");
  CHECK_THAT(get(ms, "health_yellow").value->real, WithinRel(100.0 / 3.0, 1e-12));
  CHECK(get(ms, "health_red").value->real == 0.0);
  CHECK_THAT(get(ms, "health_over_80").value->real, WithinRel(200.0 / 3.0, 1e-12));
  CHECK(!has(ms, "health_power_users"));
  CHECK_THAT(get(ms, "health_green_mrr").value->real, WithinRel(500.0 / 7.0, 1e-12));
  CHECK(get(ms, "health_at_risk_mrr").value->money == Money::from_units(200));
  // Time to value: a 10 days, b 30 days; d signed up on 1 September and waits 60 days.
  CHECK(get(ms, "ttv_median").value->real == 20.0);
  CHECK(get(ms, "ttv_p75").value->real == 25.0);
  CHECK(get(ms, "ttv_p90").value->real == 28.0);
  CHECK(get(ms, "ttv_within_30").value->real == 100.0);
  CHECK(get(ms, "ttv_open").value->count == 1);
  CHECK(get(ms, "ttv_open_age").value->real == 60.0);
  CHECK(get(ms, "ttv_median").band_key.empty()); // `all` has no motion without --motion
  // Renewals due in October: a renewed (did not churn), c did not.
  CHECK(get(ms, "renewal_rate").value->real == 50.0);
  CHECK(get(ms, "renewal_rate").note == "2 renewals without a renewed value: renewed = did not churn");
  // Churn: c, 300 MRR, "price".
  CHECK(get(ms, "churn_reason_logos", "price").value->real == 100.0);
  CHECK(get(ms, "churn_reason_mrr", "price").numerator->money == Money::from_units(300));
  // Survey in October: promoters a, x; passive (anonymous); detractor d.
  CHECK(get(ms, "nps").value->real == 25.0);
  CHECK(get(ms, "nps").n == 4);
  CHECK(get(ms, "csat").value->real == 4.5);
  CHECK(get(ms, "csat").band_key == "csat:5");
  CHECK(get(ms, "csat_satisfied").value->real == 100.0);
  CHECK(get(ms, "ces").value->real == 2.0);
}

TEST_CASE("the join groups responses and customers through the billing segment", "[leading]") {
  const Joined j = join_sample(true);
  const LeadingPeriod& p = j.leading.periods.at("2026-10");
  const LeadingTotals& smb = p.groups.at("SMB");
  const LeadingTotals& ent = p.groups.at("Enterprise");
  CHECK(smb.promoters == 1);  // a; x is unknown and counts in `all` only
  CHECK(ent.detractors == 1); // d
  CHECK(smb.health_n == 2);   // a and b; e has no record
  CHECK(smb.unscored == 1);
  CHECK(ent.health_n == 1); // d; c churned
  CHECK(ent.open_ages == std::vector<std::int32_t>{60});
  CHECK(ent.reasons.at("price").first == 1);
  CHECK(p.all.promoters == 2);
}

TEST_CASE("health and time to value belong to the latest period only", "[leading][metrics]") {
  MetricContext ctx;
  ctx.attributes.health = ctx.attributes.signup = ctx.attributes.first_value = true;
  LeadingTotals earlier; // as_of false
  CHECK(!has(compute_metrics(Totals{}, ctx, nullptr, &earlier), "health_green"));
  CHECK(!has(compute_metrics(Totals{}, ctx, nullptr, &earlier), "ttv_median"));
  LeadingTotals latest;
  latest.as_of = true;
  const auto ms = compute_metrics(Totals{}, ctx, nullptr, &latest);
  CHECK(get(ms, "health_green").note.starts_with("no customers with a health score"));
  CHECK(get(ms, "ttv_median").note == "no customers with a value date");
}

TEST_CASE("customers and responses files: every bad cell is named", "[leading][ingest]") {
  Diags diags;
  IngestOptions opts;
  opts.csat_scale = 5;
  Ingestor ingestor(opts, diags);
  Null sink;
  std::istringstream customers("customer_id,health_score,signup_date,first_value_date,renewed\n"
                               "a,101,2026-01-01,2026-01-05,yes\n"
                               "b,80,2026-02-10,2026-02-01,\n"
                               "c,70,2026-02-30,,\n"
                               "d,70,,,maybe\n"
                               "e,70,,,\n"
                               "e,71,,,\n");
  const InputSummary cs = ingestor.read_stream(customers, "c.csv", sink);
  std::istringstream responses("customer_id,score,csat,ces\n"
                               "a,11,,\n"
                               "a,,6,\n"
                               "a,,,0\n"
                               "a,9.5,,\n"
                               "a,9,4,2\n");
  const InputSummary rs = ingestor.read_stream(responses, "r.csv", sink);
  CHECK(cs.role == "customers");
  CHECK(rs.role == "responses");
  CHECK(diags.lines ==
        std::vector<std::string>{
            "c.csv:2:2: error: health_score \"101\" is not a number from 0 to 100",
            "c.csv:3:4: error: first_value_date \"2026-02-01\" is before signup_date \"2026-02-10\"",
            "c.csv:4:3: error: signup_date \"2026-02-30\" is not a date (use YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or "
            "DD/MM/YYYY "
            "with --date-format, or Oct 2026)",
            "c.csv:5:5: error: renewed \"maybe\" is not a boolean (use 1/0, true/false, yes/no or y/n)",
            "c.csv:7:1: error: customer_id \"e\" appears twice in the customers files (first at line 6)",
            "r.csv:2:2: error: score \"11\" is not a whole number from 0 to 10",
            "r.csv:3:3: error: csat \"6\" is not a whole number from 1 to 5",
            "r.csv:4:4: error: ces \"0\" is not a whole number from 1 to 7",
            "r.csv:5:2: error: score \"9.5\" is not a whole number from 0 to 10",
        });
  CHECK(cs.rows_read == cs.rows_used + cs.rows_rejected);
  CHECK(cs.rows_used == 1);
  CHECK(rs.rows_used == 1);
  CHECK(ingestor.attributes()->customers.size() == 1);
  CHECK(ingestor.attributes()->responses.size() == 1);
}

TEST_CASE("a movements file missing columns is not taken for a customers file", "[leading][ingest]") {
  Diags diags;
  Ingestor ingestor({}, diags);
  Null sink;
  std::istringstream in("customer_id,start,expansion_mrr,health_score\na,1,0,50\n");
  const InputSummary s = ingestor.read_stream(in, "m.csv", sink);
  CHECK(s.role == "movements");
  CHECK(s.unreadable);
  REQUIRE(diags.lines.size() == 1);
  CHECK(diags.lines[0].find("missing required columns start_mrr") != std::string::npos);
}

TEST_CASE("an unbilled customer's answer counts in all only, never in a group of its own", "[leading]") {
  Diags diags;
  IngestOptions opts;
  opts.by_column = "segment";
  Ingestor ingestor(opts, diags);
  Aggregator agg(true);
  Joiner joiner(agg, [&ingestor] { return ingestor.attributes(); });
  for (const char* text : {"customer_id,segment,signup_date\na,SMB,2026-01-01\nt,Enterprise,2026-10-20\n",
                           "customer_id,date,score\na,2026-10-05,10\nt,2026-10-25,2\n",
                           "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                           "a,SMB,2026-10,100,0,0,0\n"}) {
    std::istringstream in(text);
    ingestor.read_stream(in, "t.csv", joiner);
  }
  REQUIRE(diags.lines.empty());
  LeadingOptions lo;
  lo.grouped = true;
  const Leading l = joiner.join(*ingestor.attributes(), lo, true);
  const LeadingPeriod& p = l.periods.at("2026-10");
  CHECK(p.groups.count("Enterprise") == 0); // t, a trial user: no billing row
  CHECK(p.groups.at("SMB").promoters == 1);
  CHECK(p.groups.at("SMB").detractors == 0);
  CHECK(p.all.promoters == 1);
  CHECK(p.all.detractors == 1); // counted, not reported on
  CHECK(l.summary.customers_without_billing == 1);
}

TEST_CASE("a customers file of customer_id and columns without a role is a customers file", "[leading][ingest]") {
  const auto role = [](const char* text) {
    Diags diags;
    Ingestor ingestor({}, diags);
    Null sink;
    std::istringstream in(text);
    const InputSummary s = ingestor.read_stream(in, "c.csv", sink);
    return std::pair<std::string, std::vector<std::string>>{s.role, diags.lines};
  };
  CHECK(role("customer_id,segment\na,SMB\nb,Enterprise\n").first == "customers");
  CHECK(role("customer_id,usage,engagement\na,40,50\n").first == "customers");
  CHECK(role("Customer ID,Region\na,EMEA\n").first == "customers");
  // A column that reads as money or time: an export we did not recognise, refused with the
  // movements form's error and its --map hint, never a list of customers with nothing read.
  for (const char* text :
       {"customer_id,revenue\na,100\n", "customer_id,MRR Start\na,100\n", "customer_id,period\na,2026-10\n",
        "customer_id,Amount (EUR)\na,100\n", "customer_id,Closing ARR\na,1200\n", "customer_id\na\n"}) {
    const auto [r, lines] = role(text);
    CHECK(r == "movements");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("missing required column") != std::string::npos);
  }
}

TEST_CASE("cskpi health reads no column it does not score from", "[leading][ingest]") {
  Diags diags;
  IngestOptions opts;
  opts.components = {"usage"};
  Ingestor ingestor(opts, diags);
  Null sink;
  // 03/04/2027 is undecided (DD/MM or MM/DD) and 2026-02-30 no date: neither is read.
  std::istringstream in("customer_id,renewal_date,signup_date,usage\na,03/04/2027,2026-02-30,80\nb,05/06/2027,,40\n");
  const InputSummary s = ingestor.read_stream(in, "c.csv", sink);
  CHECK(diags.lines.empty());
  CHECK(s.role == "customers");
  CHECK(s.rows_used == 2);
  REQUIRE(ingestor.attributes()->customers.size() == 2);
  CHECK(!ingestor.attributes()->customers[0].renewal);
}

} // namespace test_leading
