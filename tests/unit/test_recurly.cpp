// SPDX-License-Identifier: MIT
// Recurly's subscriptions export (issue 32): how a subscription becomes MRR (quantity, add-ons,
// the billing interval from the plan or the current period, trials, cancellations, pauses,
// --fx), and the rules every form shares (duplicate uuid, empty amount, totals row, padded
// keys, a file that changes while it is read).
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "sinks.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace test_recurly {

using namespace cskpi;

namespace {

using testing::Diags;
using testing::NoRows;

/// Reads one Recurly file into a run.
struct RecurlyRun {
  Diags diags;
  NoRows rows;
  IngestOptions options;
  InputSummary read(const std::string& text) {
    Ingestor ingestor{options, diags};
    std::istringstream in(text);
    InputSummary s = ingestor.read_stream(in, "r.csv", rows);
    const SnapshotTable* t = ingestor.snapshots();
    if (t != nullptr)
      for (std::uint32_t c = 0; c < t->customers(); ++c)
        for (MonthIndex m = t->first(); m <= t->last(); ++m)
          mrr[fmt::format("{} {}", t->id(c), month_label(m))] = t->at(c, m);
    return s;
  }
  std::map<std::string, Money> mrr; ///< "account month" -> MRR
  Money at(const std::string& account, const char* month) const {
    const auto it = mrr.find(fmt::format("{} {}", account, month));
    return it == mrr.end() ? Money{-1} : it->second;
  }
};

const std::string k_header = "uuid,account_code,plan_code,state,quantity,unit_amount,add_ons_total,currency,"
                             "activated_at,canceled_at,expires_at,current_period_started_at,current_period_ends_at,"
                             "trial_ends_at\n";

} // namespace

TEST_CASE("Recurly: quantity x unit_amount + add_ons_total, per month of the current period's interval", "[recurly]") {
  RecurlyRun r;
  const auto s = r.read(k_header +
                        // monthly (the period's day of month repeats): 3 x 10 + 5
                        "u1,a,team,active,3,10.00,5.00,USD,2026-01-10 09:00:00 PST,,,2026-03-10 09:00:00 PST,"
                        "2026-04-10 09:00:00 PST,\n"
                        // quarterly: 90 / 3
                        "u2,b,q,active,1,90.00,,USD,2026-01-31,,,2026-01-31,2026-04-30,\n"
                        // a 30-day pass: 30 x 365/12/30
                        "u3,c,pass,active,,30.00,0,USD,2026-01-05,,,2026-03-06,2026-04-05,\n"
                        // yearly: 1200 / 12
                        "u4,d,pro,active,1,1200.00,0.00,USD,2026-01-02,,,2026-01-02,2027-01-02,\n"
                        // a later start keeps the history open to 2026-03 (the export's date: 2026-04-01)
                        "u5,e,basic,active,1,10,0,USD,2026-04-01,,,2026-04-01,2026-05-01,\n");
  CHECK(s.rows_used == 5);
  CHECK(r.diags.lines.empty());
  CHECK(r.at("a", "2026-01") == Money::from_units(35));
  CHECK(r.at("a", "2026-03") == Money::from_units(35));
  CHECK(r.at("b", "2026-02") == Money::from_units(30));
  CHECK(r.at("c", "2026-02") == Money{30'416'667}); // 30 x 365/12/30, half to even
  CHECK(r.at("d", "2026-03") == Money::from_units(100));
  CHECK(r.at("e", "2026-03") == Money{}); // starts after the history's last month
}

TEST_CASE("Recurly: the plan's interval columns win over the current period", "[recurly]") {
  RecurlyRun r;
  r.read("uuid,account_code,state,unit_amount,plan_interval_length,plan_interval_unit,activated_at,"
         "current_period_started_at,current_period_ends_at\n"
         "u1,a,active,60,6,months,2026-01-01,2026-01-01,2026-02-15\n"
         "u2,b,active,14,14,days,2026-01-01,,\n"
         "u3,c,active,10,1,weeks,2026-01-01,,\n"
         "u4,d,active,10,1,months,2026-03-31,,\n");
  CHECK(r.at("a", "2026-02") == Money::from_units(10));
  CHECK(r.at("b", "2026-02") == Money{30'416'667});
  CHECK(r.diags.told("r.csv:4:6: error: plan_interval_unit \"weeks\" is not days or months"));
}

TEST_CASE("Recurly: trials count 0, canceled ends at expires_at and is scheduled, expired, paused, failed, future",
          "[recurly][lifecycle]") {
  RecurlyRun r;
  r.read(k_header +
         "u1,trial,m,active,1,10,,USD,2026-01-20,,,2026-02-03,2026-03-03,2026-02-03\n"
         "u2,canceled,m,canceled,1,20,,USD,2026-01-05,2026-02-10,2026-04-05,2026-03-05,2026-04-05,\n"
         "u3,expired,m,expired,1,30,,USD,2026-01-05,2026-01-20,2026-02-05,2026-01-05,2026-02-05,\n"
         "u4,paused,m,paused,1,40,,USD,2026-01-05,,,2026-02-05,2026-03-05,\n"
         "u5,failed,m,failed,1,50,,USD,,,,,,\n"
         "u6,future,m,future,1,60,,USD,,,,2026-05-01,2026-06-01,\n"
         "u7,last,m,active,1,5,,USD,2026-03-31,,,2026-03-31,2026-04-30,\n");
  CHECK(r.at("trial", "2026-01") == Money{}); // in trial at the month's end
  CHECK(r.at("trial", "2026-02") == Money::from_units(10));
  CHECK(r.at("canceled", "2026-03") == Money::from_units(20)); // ends 2026-04-05, after the history
  CHECK(r.at("expired", "2026-01") == Money::from_units(30));
  CHECK(r.at("expired", "2026-02") == Money{}); // expired on 2026-02-05
  CHECK(r.at("paused", "2026-01") == Money::from_units(40));
  CHECK(r.at("paused", "2026-02") == Money{}); // paused from its current period's start
  CHECK(r.at("failed", "2026-01") == Money{-1});
  CHECK(r.at("future", "2026-03") == Money{-1});
  CHECK(r.diags.told("left out of MRR: 1 failed subscription (never created), and 1 future subscription (not "
                     "started)"));
}

TEST_CASE("Recurly: amounts in cents, and currencies converted with --fx or refused", "[recurly][fx]") {
  RecurlyRun cents;
  cents.read("uuid,account_code,state,unit_amount_in_cents,add_ons_total_in_cents,quantity,activated_at,"
             "current_period_started_at,current_period_ends_at\n"
             "u1,a,active,1999,100,2,2026-01-01,2026-03-01,2026-04-01\n"
             "u2,b,active,500,,1,2026-01-01,2026-03-01,2026-04-01\n");
  CHECK(cents.at("a", "2026-02") == Money{40'980'000}); // the export's date: 2026-03-01
  RecurlyRun mixed;
  const std::string text = k_header +
      "u1,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
      "u2,b,m,active,1,10,,EUR,2026-01-01,,,2026-03-01,2026-04-01,\n";
  mixed.read(text);
  CHECK(mixed.diags.told("mixed currencies EUR (first at line 3), USD (first at line 2)"));
}

TEST_CASE("Recurly: a uuid twice, an empty unit_amount and a totals row are errors, padded keys are trimmed",
          "[recurly][rules]") {
  RecurlyRun r;
  const auto s = r.read(k_header +
                        "u1,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
                        " u2 , a ,m,active,1,5,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
                        "u1 ,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
                        "u3,b,m,active,1,,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
                        ",Grand Total,,,,25,,USD,,,,,,\n");
  CHECK(r.diags.told("r.csv:4:1: error: subscription \"u1\" appears twice: lines 2 and 4"));
  CHECK(r.diags.told("r.csv:5:6: error: unit_amount is empty"));
  CHECK(r.diags.told("r.csv:6:2: error:"));
  CHECK(s.rows_rejected == 3);
}

TEST_CASE("Recurly: padded keys give the same MRR", "[recurly][rules]") {
  RecurlyRun plain, padded;
  plain.read(k_header +
             "u1,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
             "u2,a,m,active,2,5,,USD,2026-02-01,,,2026-03-01,2026-04-01,\n");
  padded.read(k_header +
              " u1,a  ,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
              "u2 ,  a,m,active,2,5,,USD,2026-02-01,,,2026-03-01,2026-04-01,\n");
  CHECK(plain.diags.lines.empty());
  CHECK(padded.diags.lines.empty());
  CHECK(plain.mrr == padded.mrr);
  CHECK(plain.at("a", "2026-02") == Money::from_units(20));
}

TEST_CASE("Recurly: a file that changes while it is read is an error", "[recurly][rules]") {
  const std::string path = fmt::format("/tmp/cskpi_test_recurly_{}.csv", ::getpid());
  std::ofstream(path, std::ios::binary) << k_header << "u1,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n";
  Diags d;
  NoRows rows;
  IngestOptions o;
  bool changed = false;
  o.progress = [&](const std::string&, std::uint64_t, std::uint64_t) {
    if (changed) return;
    std::ofstream(path, std::ios::binary | std::ios::app) << "u2,b,m,active,1,10,,USD,2026-01-01,,,,,\n";
    changed = true;
  };
  InputSummary s;
  {
    Ingestor ingestor(o, d);
    s = ingestor.read_path(path, rows, true);
  }
  std::remove(path.c_str());
  REQUIRE(changed);
  CHECK(d.told("changed while it was read"));
  CHECK(s.unreadable);
}

TEST_CASE("Recurly: with --fx every month is at the last month's rate (constant currency)", "[recurly][fx]") {
  const std::string rates = fmt::format("/tmp/cskpi_test_recurly_fx_{}.csv", ::getpid());
  std::ofstream(rates) << "month,currency,rate\n2026-01,EUR,1.5\n2026-02,EUR,1.2\n";
  RecurlyRun r;
  r.options.fx_file = rates;
  r.options.currency = "USD";
  r.read(k_header +
         "u1,a,m,active,1,10,,USD,2026-01-01,,,2026-03-01,2026-04-01,\n"
         "u2,b,m,active,1,10,,EUR,2026-01-01,,,2026-03-01,2026-04-01,\n");
  std::remove(rates.c_str());
  CHECK(r.diags.lines.empty());
  CHECK(r.at("a", "2026-01") == Money::from_units(10));
  CHECK(r.at("b", "2026-01") == Money::from_units(12)); // February's rate, not January's
  CHECK(r.at("b", "2026-02") == Money::from_units(12));
}

} // namespace test_recurly
