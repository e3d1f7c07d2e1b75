// SPDX-License-Identifier: MIT
// Kill Bill's analytics_subscription_transitions (issue 32): transitions played into month-end
// MRR per account, billing periods normalised, and the rules every form shares.
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "sinks.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

namespace test_killbill {

using namespace cskpi;

namespace {

using testing::Diags;
using testing::NoRows;

/// Reads one transitions file; mrr() is an account's MRR at a month's end.
struct KillBillRun {
  Diags diags;
  NoRows rows;
  IngestOptions options;
  InputSummary summary;
  explicit KillBillRun(const std::string& text) {
    Ingestor ingestor{options, diags};
    std::istringstream in(text);
    summary = ingestor.read_stream(in, "kb.csv", rows);
    const SnapshotTable* t = ingestor.snapshots();
    if (t == nullptr) return;
    for (std::uint32_t c = 0; c < t->customers(); ++c)
      for (MonthIndex m = t->first(); m <= t->last(); ++m) {
        const std::string key = std::string(t->id(c)) + " " + month_label(m);
        mrr_of[key] = t->at(c, m).micros;
        if (const Lifecycle* l = t->lifecycle_at(c, m)) life[key] = *l;
      }
  }
  std::map<std::string, std::int64_t> mrr_of; ///< "account month" -> micros
  std::map<std::string, Lifecycle> life;      ///< "account month" -> its lifecycle facts
  std::int64_t mrr(const char* account, const char* month) const {
    const auto it = mrr_of.find(std::string(account) + " " + month);
    return it == mrr_of.end() ? -1 : it->second;
  }
};

const std::string k_header = "record_id,account_id,subscription_id,event,next_phase,next_billing_period,next_price,"
                             "next_currency,next_start_date,requested_timestamp,created_date,report_group\n";

/// A row: record, account, subscription, event, phase, period, price, effective day, asked day.
std::string row(int record, const char* account, const char* sub, const char* event, const char* phase,
                const char* period, const char* price, const char* day, const char* asked = nullptr,
                const char* group = "default") {
  return std::to_string(record) + "," + account + "," + sub + "," + event + "," + phase + "," + period + "," + price +
      ",USD," + day + "," + (asked ? asked : day) + "," + (asked ? asked : day) + " 10:00:00," + group + "\n";
}

/// The last line: a transition recorded on 2026-11-02 makes 2026-10 the last whole month.
const std::string k_export_day =
    row(99, "acc-z", "sub-z", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "0", "2026-11-02");

} // namespace

TEST_CASE("Kill Bill: billing periods are normalised to a month exactly", "[killbill]") {
  const KillBillRun r(k_header + row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "ANNUAL", "1200", "2026-09-10") +
                      row(2, "b", "s2", "START_BILLING_BASE", "EVERGREEN", "QUARTERLY", "300", "2026-09-10") +
                      row(3, "c", "s3", "START_BILLING_BASE", "EVERGREEN", "WEEKLY", "10", "2026-09-10") +
                      row(4, "d", "s4", "START_BILLING_BASE", "EVERGREEN", "THIRTY_DAYS", "36", "2026-09-10") +
                      row(5, "e", "s5", "START_BILLING_BASE", "EVERGREEN", "BIENNIAL", "2400", "2026-09-10") +
                      k_export_day);
  INFO(r.diags.lines.size());
  CHECK(r.diags.lines.empty());
  CHECK(r.mrr("a", "2026-10") == 100'000'000);
  CHECK(r.mrr("b", "2026-10") == 100'000'000);
  CHECK(r.mrr("c", "2026-10") == 43'333'333); // x52/12
  CHECK(r.mrr("d", "2026-10") == 36'500'000); // x365/360
  CHECK(r.mrr("e", "2026-10") == 100'000'000);
}

TEST_CASE("Kill Bill: a trial, a change, a pause and a stop played in effective order", "[killbill]") {
  const KillBillRun r(k_header + row(1, "a", "s1", "START_ENTITLEMENT_BASE", "TRIAL", "", "", "2026-06-05") +
                      row(2, "a", "s1", "START_BILLING_BASE", "TRIAL", "", "", "2026-06-05") +
                      // Out of order in the file: the phase is played before the change by its effective day.
                      row(5, "a", "s1", "CHANGE_BASE", "EVERGREEN", "MONTHLY", "80", "2026-08-20") +
                      row(3, "a", "s1", "SYSTEM_CHANGE_BASE", "EVERGREEN", "MONTHLY", "50", "2026-07-05") +
                      row(6, "a", "s1", "PAUSE_BILLING_BASE", "EVERGREEN", "MONTHLY", "80", "2026-09-01") +
                      row(7, "a", "s1", "RESUME_BILLING_BASE", "EVERGREEN", "MONTHLY", "80", "2026-09-30") +
                      // Asked for in October, effective in November: scheduled, still counted in October.
                      row(8, "a", "s1", "STOP_BILLING_BASE", "", "", "", "2026-11-15", "2026-10-20") +
                      row(9, "a", "s2", "START_BILLING_ADD_ON", "EVERGREEN", "MONTHLY", "20", "2026-07-31") +
                      row(10, "a", "s2", "STOP_BILLING_ADD_ON", "", "", "", "2026-10-31") + k_export_day);
  CHECK(r.diags.lines.empty());
  CHECK(r.mrr("a", "2026-06") == 0);          // in trial
  CHECK(r.mrr("a", "2026-07") == 70'000'000); // 50 after the trial, and the add-on from its last day
  CHECK(r.mrr("a", "2026-08") == 100'000'000);
  CHECK(r.mrr("a", "2026-09") == 100'000'000); // resumed on the month's last day
  CHECK(r.mrr("a", "2026-10") == 80'000'000);  // the add-on stopped on the 31st: not counted that day
  REQUIRE(r.life.count("a 2026-07") == 1);     // the trial ended in July and converted
  CHECK(r.life.at("a 2026-07").trials_ended == 1);
  CHECK(r.life.at("a 2026-07").trials_converted == 1);
  REQUIRE(r.life.count("a 2026-10") == 1); // the stop asked for on 2026-10-20 is scheduled
  CHECK(r.life.at("a 2026-10").scheduled.micros == 80'000'000);
  CHECK(r.life.count("a 2026-09") == 0);
}

TEST_CASE("Kill Bill: a file of entitlement transitions only is played on them, with a warning", "[killbill]") {
  const KillBillRun r(k_header +
                      row(1, "a", "s1", "START_ENTITLEMENT_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                      row(2, "a", "s1", "STOP_ENTITLEMENT_BASE", "", "", "", "2026-10-31") +
                      row(3, "b", "s2", "START_ENTITLEMENT_BASE", "EVERGREEN", "MONTHLY", "30", "2026-10-02") +
                      row(4, "z", "sz", "START_ENTITLEMENT_BASE", "EVERGREEN", "MONTHLY", "0", "2026-11-02"));
  CHECK(r.mrr("a", "2026-09") == 10'000'000);
  CHECK(r.mrr("a", "2026-10") == 0); // stopped on the month's last day
  CHECK(r.mrr("b", "2026-10") == 30'000'000);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("MRR follows the entitlement transitions") != std::string::npos);
}

TEST_CASE("Kill Bill: test accounts are left out with a warning", "[killbill]") {
  const KillBillRun r(
      k_header + row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01", nullptr, "test") +
      row(2, "b", "s2", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "30", "2026-09-02") + k_export_day);
  CHECK(r.mrr("a", "2026-10") == -1);
  CHECK(r.mrr("b", "2026-10") == 30'000'000);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0] == "kb.csv: warning: left out of MRR: 1 transition of test accounts (report_group test)");
}

TEST_CASE("Kill Bill: the shared rules name the line", "[killbill][rules]") {
  SECTION("a record_id twice") {
    const KillBillRun r(k_header + row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        k_export_day);
    CHECK(r.diags.lines ==
          std::vector<std::string>{"kb.csv:3:1: error: transition record_id \"1\" appears twice: "
                                   "lines 2 and 3"});
  }
  SECTION("an empty price of a monthly phase; a trial's is 0") {
    const KillBillRun r(k_header + row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "", "2026-09-01") +
                        row(2, "b", "s2", "START_BILLING_BASE", "TRIAL", "", "", "2026-09-01") + k_export_day);
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0].starts_with("kb.csv:2:7: error: next_price is empty"));
    CHECK(r.summary.rows_rejected == 1);
  }
  SECTION("a totals row") {
    const KillBillRun r(k_header + row(1, "a", "s1", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        "2,Grand Total,,,,,10,,,,,\n" + k_export_day);
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0].starts_with("kb.csv:3:2: error: account_id \"Grand Total\" looks like a totals row"));
  }
  SECTION("padded keys are the same account and subscription") {
    const KillBillRun r(k_header +
                        row(1, " a", "s1 ", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        row(2, "a\t", " s1", "CHANGE_BASE", "EVERGREEN", "MONTHLY", "15", "2026-10-03") + k_export_day);
    CHECK(r.diags.lines.empty());
    CHECK(r.mrr("a", "2026-10") == 15'000'000);
  }
  SECTION("a subscription without its start") {
    const KillBillRun r(k_header + row(1, "a", "s1", "CHANGE_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        k_export_day);
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0].find("has no START_BILLING transition") != std::string::npos);
  }
  SECTION("an unknown event") {
    const KillBillRun r(k_header + row(1, "a", "s1", "UPGRADE", "EVERGREEN", "MONTHLY", "10", "2026-09-01") +
                        k_export_day);
    REQUIRE_FALSE(r.diags.lines.empty());
    CHECK(r.diags.lines[0].starts_with("kb.csv:2:4: error: event \"UPGRADE\" is not a transition"));
  }
}

TEST_CASE("Kill Bill: a file that changes while it is read is an error, as every form's", "[killbill][rules]") {
  // The engine checks every form after its last read (Ingestor::read_path): nothing of the form's own.
  const std::string path = "/tmp/cskpi_test_killbill_" + std::to_string(::getpid()) + ".csv";
  std::string text = k_header;
  for (int i = 1; i <= 2'000; ++i)
    text += row(i, ("acc-" + std::to_string(i % 50)).c_str(), ("sub-" + std::to_string(i)).c_str(),
                "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01");
  std::ofstream(path, std::ios::binary) << text << k_export_day;
  IngestOptions o;
  o.threads = 1;
  o.chunk_bytes = 4'096;
  bool appended = false;
  o.progress = [&](const std::string&, std::uint64_t, std::uint64_t) {
    if (appended) return;
    std::ofstream(path, std::ios::binary | std::ios::app)
        << row(5'000, "acc-x", "sub-x", "START_BILLING_BASE", "EVERGREEN", "MONTHLY", "10", "2026-09-01");
    appended = true;
  };
  Diags d;
  NoRows rows;
  InputSummary s;
  {
    Ingestor ingestor(o, d);
    s = ingestor.read_path(path, rows, true);
  }
  std::remove(path.c_str());
  REQUIRE(appended);
  CHECK(s.unreadable);
  CHECK(std::any_of(d.lines.begin(), d.lines.end(),
                    [](const std::string& l) { return l.find("changed while it was read") != std::string::npos; }));
}

TEST_CASE("Kill Bill: without next_price, the plugin's next_mrr, currencies must not mix", "[killbill]") {
  const std::string header = "record_id,account_id,subscription_id,event,next_mrr,next_currency,next_start_date\n";
  SECTION("an empty next_mrr on a change is an error: no billing period or phase says it is a trial") {
    const KillBillRun r(header + "1,a,s1,START_BILLING_BASE,124.1667,USD,2026-09-03\n" +
                        "2,a,s1,CHANGE_BASE,,USD,2026-10-03\n" + "3,z,sz,START_BILLING_BASE,0,USD,2026-11-02\n");
    REQUIRE(r.diags.lines.size() == 2);
    CHECK(r.diags.lines[0].starts_with("kb.csv:3:5: error: next_mrr is empty"));
    // The subscription is left out whole: its other transition is a rejected row too, named.
    CHECK(r.diags.lines[1].starts_with("kb.csv:2:3: error: subscription \"s1\" has an invalid transition on line 3, "
                                       "so its other transition (line 2) is left out with it"));
    CHECK(r.summary.rows_read == 3);
    CHECK(r.summary.rows_used == 1);
    CHECK(r.summary.rows_rejected == 2);
  }
  SECTION("two currencies without --fx") {
    const KillBillRun r(header + "1,a,s1,START_BILLING_BASE,10,USD,2026-09-03\n" +
                        "2,b,s2,START_BILLING_BASE,10,EUR,2026-09-03\n" +
                        "3,z,sz,START_BILLING_BASE,0,USD,2026-11-02\n");
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0].find("mixed currencies") != std::string::npos);
  }
  SECTION("next_mrr as the plugin computed it, in one currency") {
    const KillBillRun r(header + "1,a,s1,START_BILLING_BASE,124.1667,USD,2026-09-03\n" +
                        "3,z,sz,START_BILLING_BASE,0,USD,2026-11-02\n");
    CHECK(r.diags.lines.empty());
    CHECK(r.mrr("a", "2026-10") == 124'166'700);
    CHECK(r.summary.currency == "USD");
  }
}

} // namespace test_killbill
