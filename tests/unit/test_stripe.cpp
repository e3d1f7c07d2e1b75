// SPDX-License-Identifier: MIT
// Stripe exports under the rules every form shares (issue 28): duplicate subscriptions, empty
// amounts, trials without a Trial End, and amounts from a prices export.
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "sinks.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace test_stripe {

using namespace cskpi;

namespace {

using testing::Diags;
using testing::NoRows;

/// Reads `files` (name, text) in order into one run.
struct StripeRun {
  StripeRun() = default;
  explicit StripeRun(IngestOptions o) : options(std::move(o)) {}
  Diags diags;
  NoRows rows;
  IngestOptions options;
  Ingestor ingestor{options, diags};
  std::vector<InputSummary> read(std::initializer_list<std::pair<const char*, std::string>> files) {
    std::vector<InputSummary> out;
    for (const auto& [name, text] : files) {
      std::istringstream in(text);
      out.push_back(ingestor.read_stream(in, name, rows));
    }
    return out;
  }
  Money mrr(std::string_view id, const char* month) const {
    const SnapshotTable* t = ingestor.snapshots();
    if (t == nullptr) return Money{-1};
    for (std::uint32_t c = 0; c < t->customers(); ++c)
      if (t->id(c) == id) return t->at(c, *parse_month(month));
    return Money{-2};
  }
};

const std::string k_subs = "id,Customer ID,Plan,Quantity,Currency,Interval,Amount,Status,Start (UTC),"
                           "Current Period Start (UTC),Current Period End (UTC)\n";

} // namespace

TEST_CASE("Stripe: the same subscription id twice is an error naming both lines, padded ids are one",
          "[stripe][rules]") {
  StripeRun r;
  const auto s = r.read({{"s.csv",
                          k_subs +
                              "sub_1,cus_a,m,1,usd,month,10.00,active,2026-01-05,2026-03-05,2026-04-05\n"
                              " sub_2 ,cus_a ,m,1,usd,month,5.00,active,2026-02-05,2026-03-05,2026-04-05\n"
                              "sub_1 ,cus_a,m,1,usd,month,10.00,active,2026-01-05,2026-03-05,2026-04-05\n"}});
  CHECK(r.diags.lines ==
        std::vector<std::string>{"s.csv:4:1: error: subscription \"sub_1\" appears twice: lines 2 and 4"});
  CHECK(s[0].rows_used == 2);
  CHECK(s[0].rows_rejected == 1);
  CHECK(r.mrr("cus_a", "2026-02") == Money::from_units(15)); // " cus_a " is cus_a
}

TEST_CASE("Stripe: without an id column, a row repeating another cell for cell is the duplicate", "[stripe][rules]") {
  StripeRun r;
  const std::string header = "Customer ID,Interval,Amount,Status,Start (UTC)\n";
  r.read({{"s.csv",
           header +
               "cus_a,month,10,active,2026-01-05\ncus_a,month,10,active,2026-02-05\n"
               "cus_a ,month,10,active,2026-01-05\n"}});
  REQUIRE_FALSE(r.diags.lines.empty());
  CHECK(r.diags.lines[0] ==
        "s.csv:4:1: error: a subscription of Customer ID \"cus_a\" (no id column: every cell the "
        "same) appears twice: lines 2 and 4");
}

TEST_CASE("Stripe: an empty Amount is an error, a totals row is no customer", "[stripe][rules]") {
  StripeRun r;
  const auto s = r.read({{"s.csv",
                          k_subs +
                              "sub_1,cus_a,metered,,usd,month,,active,2026-01-05,2026-03-05,2026-04-05\n"
                              ",Total,,,,,10.00,,,,\n"}});
  REQUIRE(r.diags.lines.size() == 2);
  CHECK(r.diags.lines[0].starts_with("s.csv:2:7: error: Amount is empty: a tiered or metered price? "));
  CHECK(r.diags.lines[1] ==
        "s.csv:3:2: error: customer_id \"Total\" looks like a totals row, not a customer: delete the "
        "line from the export");
  CHECK(s[0].rows_rejected == 2);
}

TEST_CASE("Stripe: a trialing subscription without a Trial End is in trial to the end", "[stripe]") {
  for (const std::string& header : {k_subs, k_subs.substr(0, k_subs.size() - 1) + ",Trial End (UTC)\n"}) {
    const bool has_column = header.find("Trial End") != std::string::npos;
    StripeRun r;
    const std::string extra = has_column ? "," : "";
    r.read({{"s.csv",
             header + "sub_1,cus_a,m,1,usd,month,10.00,active,2026-01-05,2026-03-05,2026-04-05" + extra + "\n" +
                 "sub_2,cus_b,m,1,usd,month,20.00,trialing,2026-02-10,2026-03-10,2026-04-10" + extra + "\n"}});
    CHECK(r.diags.lines ==
          std::vector<std::string>{
              "s.csv: warning: left out of MRR: 1 subscription still in trial at the end of 2026-02 (1 "
              "trialing without a Trial End date)"});
    CHECK(r.mrr("cus_b", "2026-02") == Money{});
    CHECK(r.mrr("cus_a", "2026-02") == Money::from_units(10));
  }
}

TEST_CASE("Stripe: amounts from a prices export, joined on the plan, tiered and metered prices are errors",
          "[stripe][prices]") {
  StripeRun r;
  const std::string prices = "Price ID,Product ID,Amount,Currency,Interval,Interval Count,Usage Type,Billing Scheme\n"
                             "price_m,prod_1,30.00,usd,month,3,licensed,per_unit\n"
                             " price_y ,prod_2,1200.00,usd,year,1,licensed,per_unit\n"
                             "price_t,prod_3,,usd,month,1,licensed,tiered\n"
                             "price_u,prod_4,,usd,month,1,metered,per_unit\n";
  const std::string subs = "id,Customer ID,Plan,Quantity,Status,Start (UTC),Current Period Start (UTC)\n"
                           "sub_1,cus_a,price_m,2,active,2026-01-05,2026-03-05\n"
                           "sub_2,cus_a,price_y,1,active,2026-01-06,2026-01-06\n"
                           "sub_3,cus_b,price_t,1,active,2026-01-07,2026-03-07\n"
                           "sub_4,cus_c,price_u,1,active,2026-01-08,2026-03-08\n"
                           "sub_5,cus_d,price_x,1,active,2026-01-09,2026-03-09\n";
  const auto s = r.read({{"prices.csv", prices}, {"subs.csv", subs}});
  CHECK(s[0].role == "stripe prices");
  CHECK(s[0].rows_used == 4);
  CHECK(s[1].role == "stripe");
  CHECK(s[1].currency == "USD");
  REQUIRE(r.diags.lines.size() == 3);
  CHECK(r.diags.lines[0].starts_with(
      "subs.csv:4:3: error: price \"price_t\" is tiered (Billing Scheme tiered): it has no "
      "unit amount"));
  CHECK(r.diags.lines[1].starts_with("subs.csv:5:3: error: price \"price_u\" is metered (Usage Type metered)"));
  CHECK(r.diags.lines[2].starts_with("subs.csv:6:3: error: price \"price_x\" is not among the prices read from"));
  // 2 x 30.00 every 3 months = 20/month, and 1200/year = 100/month
  CHECK(r.mrr("cus_a", "2026-02") == Money::from_units(120));
}

TEST_CASE("Stripe: a subscriptions export without amounts and without a prices export says so", "[stripe][prices]") {
  StripeRun r;
  const auto s = r.read({{"subs.csv",
                          "id,Customer ID,Plan,Status,Created (UTC),Current Period End (UTC)\n"
                          "sub_1,cus_a,price_m,active,2026-01-05,2026-02-05\n"}});
  CHECK(s[0].role == "stripe");
  CHECK(s[0].unreadable);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].starts_with("subs.csv:1: error: this is a Stripe subscriptions export without its Amount and "
                                     "Interval columns"));
}

TEST_CASE("Stripe prices: the API's unit_amount is in cents, duplicates and totals rows are errors",
          "[stripe][prices]") {
  const std::string subs = "id,Customer ID,Price ID,Status,Created (UTC),Current Period Start (UTC)\n"
                           "sub_1,cus_a,price_a,active,2026-01-05,2026-03-05\n";
  StripeRun r;
  const auto s = r.read({{"p.csv",
                          "id,unit_amount,currency,recurring_interval,billing_scheme\n"
                          "price_a,1999,usd,month,per_unit\nprice_a,1999,usd,month,per_unit\nTotal,3998,,,\n"},
                         {"subs.csv", subs}});
  CHECK(s[0].role == "stripe prices");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "p.csv:3:1: error: price \"price_a\" appears twice: lines 2 and 3",
            "p.csv:4:1: error: id \"Total\" looks like a totals row, not a customer: delete the line "
            "from the export"});
  CHECK(r.mrr("cus_a", "2026-02") == Money{19'990'000});
  // A zero-decimal currency's unit_amount is in whole units.
  StripeRun yen;
  yen.read({{"p.csv", "id,unit_amount,currency,recurring_interval,billing_scheme\nprice_a,500,jpy,month,per_unit\n"},
            {"subs.csv", subs}});
  CHECK(yen.diags.lines.empty());
  CHECK(yen.mrr("cus_a", "2026-02") == Money::from_units(500));
}

TEST_CASE("Stripe: an empty Amount takes its price's, a price in another currency is an error", "[stripe][prices]") {
  StripeRun r;
  r.read({{"prices.csv",
           "Price ID,Amount,Currency,Interval,Billing Scheme\nprice_m,40.00,usd,month,per_unit\n"
           "price_e,40.00,eur,month,per_unit\n"},
          {"subs.csv",
           k_subs +
               "sub_1,cus_a,price_m,2,usd,month,,active,2026-01-05,2026-03-05,2026-04-05\n"
               "sub_2,cus_b,price_e,1,usd,month,,active,2026-01-05,2026-03-05,2026-04-05\n"}});
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "subs.csv:3:5: error: the subscription is billed in USD, but its price \"price_e\" is in EUR "
            "(prices file line 3)"});
  CHECK(r.mrr("cus_a", "2026-02") == Money::from_units(80));
}

TEST_CASE("Stripe: a coupon discounts the months its invoice covers, a yearly plan's whole year", "[stripe]") {
  const std::string coupons = "id,Percent Off,Amount Off,Currency,Duration,Duration In Months\n"
                              "HALF3,50,,,repeating,3\nONCE,50,,,once,\n";
  const std::string subs = "id,Customer ID,Quantity,Currency,Interval,Amount,Status,Start (UTC),Trial End (UTC),"
                           "Coupon\n"
                           "s1,year3,1,usd,year,1200.00,active,2026-01-10,,HALF3\n"
                           "s2,month3,1,usd,month,100.00,active,2026-01-10,,HALF3\n"
                           "s3,quarter3,1,usd,quarter,300.00,active,2026-01-10,,HALF3\n"
                           "s4,year_once,1,usd,year,1200.00,active,2026-01-10,,ONCE\n"
                           "s5,trial_once,1,usd,month,100.00,active,2026-01-10,2026-02-10,ONCE\n"
                           "s6,late,1,usd,month,1.00,active,2027-03-05,,\n";
  IngestOptions chartmogul;
  chartmogul.once_discounts_in_mrr = true; // --definitions chartmogul
  StripeRun r(chartmogul);
  r.read({{"c.csv", coupons}, {"s.csv", subs}});
  CHECK(r.diags.lines.empty());
  // 3 months from the start: the first yearly invoice, all of it; monthly, three invoices.
  CHECK(r.mrr("year3", "2026-12") == Money{50'000'000});
  CHECK(r.mrr("year3", "2027-01") == Money{100'000'000});
  CHECK(r.mrr("month3", "2026-03") == Money{50'000'000});
  CHECK(r.mrr("month3", "2026-04") == Money{100'000'000});
  CHECK(r.mrr("quarter3", "2026-03") == Money{50'000'000}); // the invoice of January to March
  CHECK(r.mrr("quarter3", "2026-04") == Money{100'000'000});
  // A once coupon, in MRR: the months its first invoice covers, after the trial when there is one.
  CHECK(r.mrr("year_once", "2026-12") == Money{50'000'000});
  CHECK(r.mrr("year_once", "2027-01") == Money{100'000'000});
  CHECK(r.mrr("trial_once", "2026-01") == Money{0});
  CHECK(r.mrr("trial_once", "2026-02") == Money{50'000'000});
  CHECK(r.mrr("trial_once", "2026-03") == Money{100'000'000});
}

} // namespace test_stripe
