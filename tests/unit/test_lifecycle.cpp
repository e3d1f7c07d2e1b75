// SPDX-License-Identifier: MIT
// The lifecycle metrics of billing exports (issue 30): Stripe's scheduled cancellations,
// trials and payment-failure churn travel from the form through MovementRow::life into
// Totals, and become cmrr, the voluntary and involuntary churn and trial conversion.
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace test_lifecycle {

using namespace cskpi;

namespace {

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};

/// A Stripe export read into period totals.
struct LifecycleRun {
  Diags diags;
  IngestOptions options;
  Ingestor ingestor{options, diags};
  Aggregator totals{false};
  explicit LifecycleRun(const std::string& text) {
    std::istringstream in(text);
    ingestor.read_stream(in, "s.csv", totals);
  }
  const Totals& in(const char* period) const { return totals.periods().at(period).all; }
  /// The value of metric `id` in `period`, or nullopt when it is not computed or undefined.
  std::optional<double> metric(const char* period, std::string_view id) const {
    MetricContext ctx;
    ctx.columns = ingestor.columns();
    for (const MetricValue& m : compute_metrics(in(period), ctx))
      if (m.def->id == id) return m.value ? std::optional<double>(m.value->as_double()) : std::nullopt;
    return std::nullopt;
  }
};

const std::string k_header = "id,Customer ID,Quantity,Currency,Interval,Amount,Status,Start (UTC),Current Period Start "
                             "(UTC),Current Period End (UTC),Trial End (UTC),Canceled At (UTC),Cancel At Period "
                             "End,Cancel At (UTC),Ended At (UTC),Cancellation Reason\n";

// Exported on 2026-05-01 (cus_a renews that day): January opens the history, February to
// April are its periods.
const std::string k_export = k_header +
    "sub_a,cus_a,1,usd,month,100,active,2026-01-01,2026-05-01,2026-06-01,,,false,,,\n"
    // asked on 15 April to cancel at period end (10 May): scheduled at April's end
    "sub_b,cus_b,1,usd,month,50,active,2026-01-10,2026-04-10,2026-05-10,,2026-04-15,true,,,cancellation_requested\n"
    // the card failed: cancelled on 20 March (involuntary churn)
    "sub_c,cus_c,1,usd,month,30,canceled,2026-01-05,2026-03-05,2026-04-05,,2026-03-20,false,,2026-03-20,"
    "payment_failed\n"
    // cancelled at once on 10 March (voluntary churn)
    "sub_d,cus_d,1,usd,month,20,canceled,2026-01-05,2026-03-05,2026-04-05,,2026-03-10,false,,2026-03-10,"
    "cancellation_requested\n"
    // a trial that ended in February and converted; one that was cancelled at its end
    "sub_e,cus_e,1,usd,month,10,active,2026-02-01,2026-04-15,2026-05-15,2026-02-15,,false,,,\n"
    "sub_f,cus_f,1,usd,month,10,canceled,2026-02-03,2026-02-03,2026-02-17,2026-02-17,2026-02-16,false,,2026-02-17,"
    "cancellation_requested\n"
    // asked on 25 March to cancel on 1 June: scheduled at the ends of March and April
    "sub_g,cus_g,1,usd,month,40,active,2026-01-05,2026-04-05,2026-05-05,,2026-03-25,false,2026-06-01,,"
    "cancellation_requested\n";

} // namespace

TEST_CASE("Stripe lifecycle: scheduled cancellations, trials and payment-failure churn reach the totals",
          "[lifecycle][stripe]") {
  const LifecycleRun r(k_export);
  REQUIRE(r.diags.lines.empty());
  CHECK(r.ingestor.columns().scheduled);
  CHECK(r.ingestor.columns().trials);
  CHECK(r.ingestor.columns().churn_kind);
  const Totals& feb = r.in("2026-02");
  CHECK(feb.life.trials_ended == 2);
  CHECK(feb.life.trials_converted == 1);
  CHECK(feb.customers == 6); // a, b, c, d, g and the new e; f had no MRR at either end: no customer
  CHECK(feb.new_customers == 1);
  CHECK(feb.life.scheduled == Money{});
  const Totals& mar = r.in("2026-03");
  CHECK(mar.churned == Money::from_units(50));
  CHECK(mar.life.involuntary == Money::from_units(30));
  CHECK(mar.life.scheduled == Money::from_units(40)); // g, asked on 25 March
  const Totals& apr = r.in("2026-04");
  CHECK(apr.life.scheduled == Money::from_units(90)); // b and g
  CHECK(apr.end_mrr == Money::from_units(200));
}

TEST_CASE("Stripe lifecycle: the metrics", "[lifecycle][metrics]") {
  const LifecycleRun r(k_export);
  CHECK(r.metric("2026-04", "cmrr").value_or(-1) == Approx(110.0));
  CHECK(r.metric("2026-03", "cmrr").value_or(-1) == Approx(160.0)); // 200 - 40
  CHECK(r.metric("2026-03", "churn_involuntary_mrr").value_or(-1) == Approx(30.0));
  CHECK(r.metric("2026-03", "churn_voluntary_mrr").value_or(-1) == Approx(20.0));
  CHECK(r.metric("2026-03", "churn_involuntary_rate").value_or(-1) == Approx(30.0 * 100 / 250));
  CHECK(r.metric("2026-03", "churn_voluntary_rate").value_or(-1) == Approx(20.0 * 100 / 250));
  CHECK(r.metric("2026-02", "trial_conversion").value_or(-1) == Approx(50.0));
  CHECK_FALSE(r.metric("2026-03", "trial_conversion")); // no trial ended: undefined
}

TEST_CASE("Stripe lifecycle: without a Canceled At date, a scheduled cancellation counts in the last month only",
          "[lifecycle][stripe]") {
  const LifecycleRun r(k_header + "sub_a,cus_a,1,usd,month,100,active,2026-01-01,2026-05-01,2026-06-01,,,true,,,\n");
  CHECK(r.in("2026-03").life.scheduled == Money{});
  CHECK(r.in("2026-04").life.scheduled == Money::from_units(100));
}

TEST_CASE("Stripe lifecycle: an export without the columns shows none of the metrics", "[lifecycle][stripe]") {
  const LifecycleRun r("id,Customer ID,Interval,Amount,Status,Start (UTC),Current Period Start (UTC)\n"
                       "sub_a,cus_a,month,100,active,2026-01-01,2026-05-01\n"
                       "sub_b,cus_b,month,50,canceled,2026-01-01,2026-03-01\n");
  CHECK_FALSE(r.ingestor.columns().scheduled);
  CHECK_FALSE(r.ingestor.columns().trials);
  CHECK_FALSE(r.ingestor.columns().churn_kind);
  for (const char* id : {"cmrr", "churn_voluntary_mrr", "churn_involuntary_rate", "trial_conversion"})
    CHECK_FALSE(r.metric("2026-04", id));
}

TEST_CASE("Stripe lifecycle: a bad Cancel At Period End or Cancellation Reason names its cell", "[lifecycle][stripe]") {
  const LifecycleRun r(k_header +
                       "sub_a,cus_a,1,usd,month,100,active,2026-01-01,2026-05-01,2026-06-01,,,maybe,,,\n"
                       "sub_b,cus_b,1,usd,month,100,canceled,2026-01-01,2026-03-01,2026-04-01,,2026-03-02,false,,"
                       "2026-03-02,card declined\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{"s.csv:2:13: error: Cancel At Period End \"maybe\" is not a boolean (use true/false, "
                                 "1/0, yes/no or y/n)",
                                 "s.csv:3:16: error: Cancellation Reason \"card declined\" is not one of Stripe's "
                                 "(cancellation_requested, payment_disputed, payment_failed)"});
}

TEST_CASE("Totals: lifecycle facts add and merge, a row without MRR counts only them", "[lifecycle][aggregate]") {
  Lifecycle life{Money::from_units(5), Money::from_units(3), 2, 1};
  MovementRow row;
  row.customer_id = "a";
  row.start = Money::from_units(10);
  row.churned = Money::from_units(10);
  row.life = &life;
  Totals t;
  REQUIRE(t.add(row));
  MovementRow trial;
  trial.customer_id = "b";
  trial.life = &life;
  REQUIRE(t.add(trial));
  CHECK(t.customers == 1);
  CHECK(t.new_customers == 0);
  CHECK(t.life.scheduled == Money::from_units(10));
  CHECK(t.life.trials_ended == 4);
  Totals other = t;
  REQUIRE(other.merge(t));
  CHECK(other.life.involuntary == Money::from_units(12));
  Lifecycle huge{Money{INT64_MAX}, Money{}, 0, 0};
  trial.life = &huge;
  const Totals before = t;
  CHECK_FALSE(t.add(trial)); // overflow: nothing changes
  CHECK(t.life.scheduled == before.life.scheduled);
  CHECK(t.customers == before.customers);
}

TEST_CASE("Chargebee lifecycle: non_renewing is scheduled to cancel, in_trial before and not now, a trial that ended",
          "[lifecycle][chargebee]") {
  const LifecycleRun r( // tests/data/chargebee_lifecycle.csv
      "id,customer_id,subscription_id,reporting_timezone,reporting_month,status,status_previous,billing_currency_code,"
      "mrr_billing_currency,mrr_previous_billing_currency,reporting_currency_code,exchange_rate,exchange_rate_"
      "previous\n"
      "mrrsum_0001,cust_1,cb_1,Etc/UTC,2026-07-31,active,,USD,100.00,,USD,1,\n"
      "mrrsum_0002,cust_1,cb_1,Etc/UTC,2026-08-31,active,active,USD,100.00,100.00,USD,1,1\n"
      "mrrsum_0003,cust_1,cb_1,Etc/UTC,2026-09-30,active,active,USD,100.00,100.00,USD,1,1\n"
      "mrrsum_0004,cust_1,cb_1,Etc/UTC,2026-10-31,non_renewing,active,USD,100.00,100.00,USD,1,1\n"
      "mrrsum_0005,cust_2,cb_2,Etc/UTC,2026-07-31,in_trial,,USD,0.00,,USD,1,\n"
      "mrrsum_0006,cust_2,cb_2,Etc/UTC,2026-08-31,active,in_trial,USD,50.00,0.00,USD,1,1\n"
      "mrrsum_0007,cust_2,cb_2,Etc/UTC,2026-09-30,active,active,USD,50.00,50.00,USD,1,1\n"
      "mrrsum_0008,cust_2,cb_2,Etc/UTC,2026-10-31,active,active,USD,50.00,50.00,USD,1,1\n"
      "mrrsum_0009,cust_3,cb_3,Etc/UTC,2026-08-31,in_trial,,USD,0.00,,USD,1,\n"
      "mrrsum_0010,cust_3,cb_3,Etc/UTC,2026-09-30,cancelled,in_trial,USD,0.00,0.00,USD,1,1\n"
      "mrrsum_0011,cust_4,cb_4,Etc/UTC,2026-07-31,active,,USD,80.00,,USD,1,\n"
      "mrrsum_0012,cust_4,cb_4,Etc/UTC,2026-08-31,active,active,USD,80.00,80.00,USD,1,1\n"
      "mrrsum_0013,cust_4,cb_4,Etc/UTC,2026-09-30,non_renewing,active,USD,80.00,80.00,USD,1,1\n"
      "mrrsum_0014,cust_4,cb_4,Etc/UTC,2026-10-31,cancelled,non_renewing,USD,0.00,80.00,USD,1,1\n"
      "mrrsum_0015,cust_5,cb_5,Etc/UTC,2026-07-31,active,,USD,40.00,,USD,1,\n"
      "mrrsum_0016,cust_5,cb_5,Etc/UTC,2026-08-31,active,active,USD,40.00,40.00,USD,1,1\n"
      "mrrsum_0017,cust_5,cb_5,Etc/UTC,2026-09-30,active,active,USD,40.00,40.00,USD,1,1\n"
      "mrrsum_0018,cust_5,cb_5,Etc/UTC,2026-10-31,active,active,USD,40.00,40.00,USD,1,1\n");
  REQUIRE(r.diags.lines.empty());
  CHECK(r.in("2026-09").life.scheduled == Money::from_units(80));
  CHECK(r.metric("2026-09", "cmrr").value_or(-1) == Approx(190.0)); // 270 - 80
  CHECK(r.metric("2026-10", "cmrr").value_or(-1) == Approx(90.0));  // 190 - 100
  CHECK(r.metric("2026-08", "trial_conversion").value_or(-1) == Approx(100.0));
  CHECK(r.metric("2026-09", "trial_conversion").value_or(-1) == Approx(0.0));
  CHECK_FALSE(r.ingestor.columns().churn_kind); // no cancellation reason in the summary
}

} // namespace test_lifecycle
