// SPDX-License-Identifier: MIT
// Issue 30: --fx-method period-end and transaction, figures worked out by hand, on a snapshot
// file (the snapshot table every billing export shares) and on a movements file.
#include "app/run.hpp"
#include "metrics/aggregate.hpp"

#include "app_sinks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace test_fx_methods {

using namespace cskpi;

namespace {

using Quiet = testing::QuietRun;
using testing::write_file;

/// USD into EUR: 0.90, 0.92, 0.88, 0.80 from January to April 2026 (0.95 in December 2025).
std::string rates() {
  return write_file("cskpi_test_fx_rates.csv",
                    "month,currency,rate\n2025-12,USD,0.95\n2026-01,USD,0.90\n"
                    "2026-02,USD,0.92\n2026-03,USD,0.88\n2026-04,USD,0.80\n");
}

/// The whole's money figures of one section (the bridge lines by default) of each period, in
/// cents as integers.
using Bridge = std::map<std::string, std::map<std::string, std::int64_t>>;
Bridge run(const std::string& file, const std::string& method, Quiet& sink, Section section = Section::bridge) {
  app::ReportRequest q;
  q.files = {file};
  q.fx = rates();
  q.currency = "EUR";
  q.fx_method = method;
  Bridge out;
  const std::optional<Report> r = app::run_report(q, sink);
  if (!r) return out;
  for (const Group& g : r->groups) {
    if (!g.whole) continue;
    for (const Record& rec : g.records)
      if (rec.metric.def->section == section && rec.metric.value && rec.metric.value->kind == Quantity::Kind::money)
        out[g.period.value_or("")][std::string(rec.metric.def->id)] = rec.metric.value->money.micros / 10000;
  }
  return out;
}

} // namespace

TEST_CASE("fx: period-end values each month at its rate on a snapshot file", "[fx]") {
  // A pays 100 USD throughout; B 50, then 60 EUR.
  const std::string file = write_file("cskpi_test_fx_snap_pe.csv",
                                      "customer_id,month,mrr,currency\n"
                                      "A,2026-01,100,USD\nA,2026-02,100,USD\n"
                                      "A,2026-03,100,USD\nB,2026-01,50,EUR\n"
                                      "B,2026-02,60,EUR\nB,2026-03,60,EUR\n");
  Quiet sink;
  Bridge b = run(file, "period-end", sink);
  CHECK(sink.problems.empty());
  // February: 90 + 50 = 140 at January's rate; A re-valued 100 x (0.92 - 0.90) = 2.
  CHECK(b["2026-02"]["mrr_start"] == 14000);
  CHECK(b["2026-02"]["mrr_expansion"] == 1000);
  CHECK(b["2026-02"]["mrr_fx"] == 200);
  CHECK(b["2026-02"]["mrr_end"] == 15200);
  // March: 100 x (0.88 - 0.92) = -4.
  CHECK(b["2026-03"]["mrr_fx"] == -400);
  CHECK(b["2026-03"]["mrr_end"] == 14800);
  // Constant: every month at March's 0.88, no FX line.
  Bridge c = run(file, "constant", sink);
  CHECK(c["2026-02"]["mrr_start"] == 13800);
  CHECK(c["2026-03"]["mrr_end"] == 14800);
  CHECK(c["2026-03"].count("mrr_fx") == 0);
}

TEST_CASE("fx: transaction holds a snapshot customer's MRR at the rate of its last change", "[fx]") {
  // A: 100 USD in January and February, 150 in March, gone in April. B: 50 EUR, then 60 USD
  // from March (a currency change).
  const std::string file = write_file("cskpi_test_fx_snap_tx.csv",
                                      "customer_id,month,mrr,currency\n"
                                      "A,2026-01,100,USD\nA,2026-02,100,USD\n"
                                      "A,2026-03,150,USD\nA,2026-04,0,USD\n"
                                      "B,2026-01,50,EUR\nB,2026-02,50,EUR\n"
                                      "B,2026-03,60,USD\nB,2026-04,60,USD\n");
  Quiet sink;
  Bridge b = run(file, "transaction", sink);
  CHECK(sink.problems.empty());
  // February: nothing changes, so nothing moves though USD went 0.90 -> 0.92.
  CHECK(b["2026-02"]["mrr_start"] == 14000); // A 100 x 0.90 + B 50
  CHECK(b["2026-02"]["mrr_fx"] == 0);
  CHECK(b["2026-02"]["mrr_end"] == 14000);
  // March at 0.88: A's 100 kept is re-priced 100 x 0.88 - 90 = -2 (FX), its 50 more is 44;
  // B leaves 50 EUR and comes in at 60 x 0.88 = 52.80: 2.80 expansion, no FX.
  CHECK(b["2026-03"]["mrr_expansion"] == 4680);
  CHECK(b["2026-03"]["mrr_fx"] == -200);
  CHECK(b["2026-03"]["mrr_end"] == 18480);
  // April at 0.80: A churns at its locked 132; B does not change and stays at 52.80.
  CHECK(b["2026-04"]["mrr_churned"] == 13200);
  CHECK(b["2026-04"]["mrr_fx"] == 0);
  CHECK(b["2026-04"]["mrr_end"] == 5280);
}

TEST_CASE("fx: transaction prices a billing export's scheduled and involuntary MRR at the locked rate", "[fx]") {
  // Stripe, USD into EUR, every subscription since January (locked at 0.90). A is scheduled to
  // cancel from March 20; C's two subscriptions end on March 15, 30 from a failed payment.
  const std::string file = write_file(
      "cskpi_test_fx_stripe_tx.csv",
      "id,Customer ID,Plan,Quantity,Currency,Interval,Amount,Status,Created (UTC),Start (UTC),"
      "Current Period Start (UTC),Current Period End (UTC),Canceled At (UTC),Cancel At Period End,Ended At (UTC),"
      "Cancellation Reason\n"
      "sub_A,cus_A,team,1,usd,month,100.00,active,2026-01-05,2026-01-05,2026-04-05,2026-05-05,2026-03-20,true,,\n"
      "sub_B,cus_B,team,1,usd,month,50.00,active,2026-01-05,2026-01-05,2026-04-05,2026-05-05,,false,,\n"
      "sub_C1,cus_C,team,1,usd,month,30.00,canceled,2026-01-05,2026-01-05,2026-03-05,2026-04-05,2026-03-15,false,"
      "2026-03-15,payment_failed\n"
      "sub_C2,cus_C,team,1,usd,month,70.00,canceled,2026-01-05,2026-01-05,2026-03-05,2026-04-05,2026-03-15,false,"
      "2026-03-15,cancellation_requested\n");
  Quiet sink;
  Bridge b = run(file, "transaction", sink);
  REQUIRE(sink.problems.empty());
  CHECK(b["2026-03"]["mrr_churned"] == 9000); // C's 100 at 0.90
  CHECK(b["2026-03"]["mrr_end"] == 13500);    // A 90 + B 45
  Bridge life = run(file, "transaction", sink, Section::lifecycle);
  // A's 100 scheduled is the 90 it counts in ending MRR, not 100 x March's 0.88 = 88.
  CHECK(life["2026-03"]["cmrr"] == 4500);
  // Of C's churned 90, the 30 from a failed payment at 0.90 = 27 (not February's 0.92: 27.60).
  CHECK(life["2026-03"]["churn_involuntary_mrr"] == 2700);
  CHECK(life["2026-03"]["churn_voluntary_mrr"] == 6300);
  // Period-end values everything at the month's own rate: A's 88 of ending MRR is scheduled.
  Bridge pe = run(file, "period-end", sink, Section::lifecycle);
  CHECK(pe["2026-03"]["cmrr"] == 50 * 88);
}

TEST_CASE("fx: transaction prices scheduled MRR at the locked rate in Recurly, Chargebee and Kill Bill", "[fx]") {
  // In each export A (100 USD) and B (50 USD) pay since January, locked at 0.90; A's cancellation
  // is asked for on March 20 and takes effect after March. Committed MRR in March is B's 45.
  const std::vector<std::string> files = {
      write_file("cskpi_test_fx_recurly_tx.csv",
                 "uuid,account_code,state,quantity,unit_amount,add_ons_total,currency,activated_at,canceled_at,"
                 "expires_at,current_period_started_at,current_period_ends_at\n"
                 "r1,acct-A,canceled,1,100.00,0.00,USD,2026-01-05,2026-03-20,,2026-04-05,2026-05-05\n"
                 "r2,acct-B,active,1,50.00,0.00,USD,2026-01-05,,,2026-04-05,2026-05-05\n"),
      write_file("cskpi_test_fx_chargebee_tx.csv",
                 "customer_id,subscription_id,reporting_month,status,billing_currency_code,mrr_billing_currency\n"
                 "cust_A,cb_A,2026-01-31,active,USD,100.00\ncust_A,cb_A,2026-02-28,active,USD,100.00\n"
                 "cust_A,cb_A,2026-03-31,non_renewing,USD,100.00\ncust_B,cb_B,2026-01-31,active,USD,50.00\n"
                 "cust_B,cb_B,2026-02-28,active,USD,50.00\ncust_B,cb_B,2026-03-31,active,USD,50.00\n"),
      write_file("cskpi_test_fx_killbill_tx.csv",
                 "record_id,subscription_id,requested_timestamp,event,next_mrr,next_currency,next_start_date,"
                 "account_id\n"
                 "1,sA,2026-01-05,START_BILLING_BASE,100.0000,USD,2026-01-05,acct-A\n"
                 "2,sB,2026-01-05,START_BILLING_BASE,50.0000,USD,2026-01-05,acct-B\n"
                 "3,sA,2026-03-20,STOP_BILLING_BASE,,,2026-04-05,acct-A\n"
                 "4,sC,2026-04-10,START_BILLING_BASE,10.0000,USD,2026-04-10,acct-C\n")};
  for (const std::string& file : files) {
    INFO(file);
    Quiet sink;
    Bridge b = run(file, "transaction", sink);
    REQUIRE(sink.problems.empty());
    CHECK(b["2026-03"]["mrr_end"] == 13500);
    CHECK(run(file, "transaction", sink, Section::lifecycle)["2026-03"]["cmrr"] == 4500); // not 135 - 88
  }
}

TEST_CASE("fx: period-end needs a rate for every month, and names the row without one", "[fx]") {
  const std::string file = write_file("cskpi_test_fx_snap_gbp.csv",
                                      "customer_id,month,mrr,currency\n"
                                      "A,2026-01,100,USD\nA,2026-02,100,GBP\n"
                                      "A,2026-03,100,USD\n");
  Quiet sink;
  for (const char* method : {"period-end", "transaction"}) {
    sink.problems.clear();
    (void)run(file, method, sink);
    bool named = false;
    for (const std::string& p : sink.problems)
      named = named || p.find("cskpi_test_fx_snap_gbp.csv:3:") != std::string::npos;
    CHECK(named);
  }
}

TEST_CASE("fx: transaction on a movements file carries each customer in period order", "[fx]") {
  // Shuffled rows. X: new 100 USD in January, +50 in February, churns in March. Y: 100 EUR
  // new in January, billed 120 USD from February (a currency change).
  const std::string file =
      write_file("cskpi_test_fx_moves_tx.csv",
                 "customer_id,period,currency,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                 "X,2026-03,USD,150,0,0,0,150\n"
                 "Y,2026-02,USD,120,0,0,0,0\n"
                 "X,2026-01,USD,0,100,0,0,0\n"
                 "Y,2026-01,EUR,0,100,0,0,0\n"
                 "X,2026-02,USD,100,0,50,0,0\n"
                 "Y,2026-03,USD,120,0,0,0,0\n");
  Quiet sink;
  Bridge b = run(file, "transaction", sink);
  CHECK(sink.problems.empty());
  CHECK(b["2026-01"]["mrr_new"] == 19000); // 100 x 0.90 + 100
  CHECK(b["2026-01"]["mrr_end"] == 19000);
  // February at 0.92: X's 100 re-priced 92 - 90 = 2 (FX), +50 x 0.92 = 46; Y's 100 EUR leaves
  // and 120 x 0.92 = 110.40 comes in: 10.40 expansion.
  CHECK(b["2026-02"]["mrr_start"] == 19000);
  CHECK(b["2026-02"]["mrr_fx"] == 200);
  CHECK(b["2026-02"]["mrr_expansion"] == 5640);
  CHECK(b["2026-02"]["mrr_end"] == 24840);
  // March at 0.88: X churns at its locked 138; Y does not change.
  CHECK(b["2026-03"]["mrr_churned"] == 13800);
  CHECK(b["2026-03"]["mrr_fx"] == 0);
  CHECK(b["2026-03"]["mrr_end"] == 11040);
}

TEST_CASE("fx: transaction on a movements file rejects a row without a rate and counts it", "[fx]") {
  const std::string file =
      write_file("cskpi_test_fx_moves_norate.csv",
                 "customer_id,period,currency,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                 "X,2026-01,USD,0,100,0,0,0\n"
                 "Z,2026-01,GBP,0,100,0,0,0\n");
  Quiet sink;
  Bridge b = run(file, "transaction", sink);
  bool named = false;
  for (const std::string& p : sink.problems)
    named = named || p.find("cskpi_test_fx_moves_norate.csv:3:") != std::string::npos;
  CHECK(named);
}

} // namespace test_fx_methods
