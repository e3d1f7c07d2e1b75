// SPDX-License-Identifier: MIT
// Issue 30: the MRR bridge adds up in every group and in the whole. Customers change --by
// group between periods (segment transfers) and pay in other currencies (the FX line); per
// group and in the whole, start + new + expansion + reactivation + transfer_in - contraction
// - churned - transfer_out + fx = end, each group starts where it ended the period before, and
// the groups' lines sum to the whole's.
#include "app/run.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"

#include "random.hpp"

#include "app_sinks.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace test_bridge {

using namespace cskpi;

namespace {

using Quiet = testing::QuietRun;
using testing::write_file;

const char* const k_segments[] = {"SMB", "Mid", "Ent"};
const char* const k_currencies[] = {"EUR", "USD", "GBP"};

/// A random movements file: customers that start, grow, shrink, churn, come back, change
/// segment and pay in one of three currencies; every period continues the one before.
/// Amounts are whole units and rates multiples of 1/8, so conversions are exact.
std::string random_movements(test::Random& rnd, int customers, int periods, bool currencies) {
  std::vector<std::string> rows;
  for (int c = 0; c < customers; ++c) {
    std::int64_t mrr = 0;
    bool seen = false;
    int segment = static_cast<int>(rnd.below(3));
    const char* currency = currencies ? k_currencies[rnd.below(3)] : "EUR";
    for (int p = 0; p < periods; ++p) {
      std::int64_t start = mrr, nw = 0, react = 0, exp = 0, con = 0, churn = 0;
      if (mrr == 0) {
        if (!rnd.chance(35)) continue; // no row: not a customer this period
        (seen ? react : nw) = 10 + rnd.below(500);
      } else {
        if (rnd.chance(25)) segment = static_cast<int>(rnd.below(3)); // may stay where it is
        if (rnd.chance(10)) churn = mrr;
        else if (rnd.chance(25)) exp = 1 + rnd.below(300);
        else if (rnd.chance(20) && mrr > 1) con = 1 + rnd.below(mrr - 1);
      }
      seen = true;
      mrr = start + nw + react + exp - con - churn;
      rows.push_back(fmt::format("C{},{},2026-{:02},{},{},{},{},{},{},{}\n", c, k_segments[segment], p + 1, currency,
                                 start, nw, react, exp, con, churn));
    }
  }
  for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rnd.next() % i]); // any order
  std::string text =
      "customer_id,segment,period,currency,start_mrr,new_mrr,reactivation_mrr,expansion_mrr,contraction_mrr,"
      "churned_mrr\n";
  for (const std::string& r : rows) text += r;
  return text;
}

/// Rates into EUR per month: EUR 1, USD and GBP moving in steps of 1/8.
std::string random_rates(test::Random& rnd, int periods) {
  std::string text = "month,currency,rate\n";
  for (int p = 0; p <= periods; ++p) {
    text += fmt::format("2026-{:02},USD,{}\n", p + 1, 0.5 + 0.125 * static_cast<double>(rnd.below(8)));
    text += fmt::format("2026-{:02},GBP,{}\n", p + 1, 1.0 + 0.125 * static_cast<double>(rnd.below(8)));
  }
  return text;
}

/// A group's bridge lines: money in micro-units, counts as they are; absent lines are 0.
using Lines = std::map<std::string, std::int64_t>;
Lines lines_of(const Group& g) {
  Lines out;
  for (const Record& r : g.records) {
    if (r.metric.def->section != Section::bridge || !r.metric.value) continue;
    const Quantity& q = *r.metric.value;
    out[std::string(r.metric.def->id)] = q.kind == Quantity::Kind::money ? q.money.micros : q.count;
  }
  return out;
}

std::int64_t money_identity(Lines& l) {
  return l["mrr_start"] + l["mrr_new"] + l["mrr_expansion"] + l["mrr_reactivation"] + l["mrr_transfer_in"] -
      l["mrr_contraction"] - l["mrr_churned"] - l["mrr_transfer_out"] + l["mrr_fx"] - l["mrr_end"];
}

std::int64_t count_identity(Lines& l) {
  return l["customers_start"] + l["customers_new"] + l["customers_transfer_in"] - l["customers_churned"] -
      l["customers_transfer_out"] - l["customers_end"];
}

/// Checks every identity of issue 30 over the report of one random input.
void check_bridges(const Report& r, bool transfers_expected) {
  std::map<std::string, std::map<std::string, Lines>> by_period; // period -> segment -> lines
  for (const Group& g : r.groups) by_period[g.period.value_or("")][g.whole ? "*all" : g.segment] = lines_of(g);
  std::map<std::string, Lines> previous;
  bool transfers_seen = false;
  for (auto& [period, groups] : by_period) {
    INFO("period " << period);
    Lines sum;
    for (auto& [segment, l] : groups) {
      INFO("group " << segment);
      CHECK(money_identity(l) == 0);
      CHECK(count_identity(l) == 0);
      // Each group starts where it ended the period before (a group absent then ended at 0).
      if (!previous.empty()) {
        CHECK(l["mrr_start"] == previous[segment]["mrr_end"]);
        CHECK(l["customers_start"] == previous[segment]["customers_end"]);
      }
      if (segment == "*all") continue;
      for (const auto& [id, v] : l) sum[id] += v;
      transfers_seen = transfers_seen || l["mrr_transfer_in"] != 0;
    }
    Lines& all = groups["*all"];
    CHECK(all["mrr_transfer_in"] == 0); // transfers cancel out in the whole
    CHECK(all["mrr_transfer_out"] == 0);
    for (const char* id :
         {"mrr_start", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned", "mrr_fx",
          "mrr_end", "customers_start", "customers_new", "customers_churned", "customers_end"}) {
      INFO("line " << id);
      CHECK(sum[id] == all[id]);
    }
    CHECK(sum["mrr_transfer_in"] == sum["mrr_transfer_out"]);
    CHECK(sum["customers_transfer_in"] == sum["customers_transfer_out"]);
    previous = groups;
  }
  CHECK(transfers_seen == transfers_expected);
}

} // namespace

TEST_CASE("bridge: every group's bridge adds up over random segment changes", "[bridge]") {
  test::Random rnd{GENERATE(1u, 2u, 3u, 4u, 5u, 6u)};
  const int periods = 6;
  const std::string file = write_file(fmt::format("cskpi_test_bridge_{}.csv", rnd.state),
                                      random_movements(rnd, 12 + static_cast<int>(rnd.below(40)), periods, false));
  app::ReportRequest q;
  q.files = {file};
  q.by = "segment";
  Quiet sink;
  const std::optional<Report> r = app::run_report(q, sink);
  REQUIRE(r);
  CHECK(sink.problems.empty());
  check_bridges(*r, true);
  // Ungrouped: no transfer lines, the whole as before.
  q.by.clear();
  const std::optional<Report> whole = app::run_report(q, sink);
  REQUIRE(whole);
  for (const Group& g : whole->groups)
    for (const Record& rec : g.records) CHECK(rec.metric.def->id.find("transfer") == std::string_view::npos);
}

/// A random snapshots (long) file over `months` months from 2026-01: customers that start, grow,
/// shrink, churn and come back; some change currency once. A customer's group is its first
/// row's (the snapshot table keeps it), so there are no transfers.
std::string random_snapshots(test::Random& rnd, int customers, int months) {
  std::string text = "customer_id,segment,month,currency,mrr\n";
  for (int c = 0; c < customers; ++c) {
    std::int64_t mrr = rnd.chance(50) ? 10 + static_cast<std::int64_t>(rnd.below(500)) : 0;
    const char* currency = k_currencies[rnd.below(3)];
    const char* segment = k_segments[rnd.below(3)];
    for (int m = 1; m <= months; ++m) {
      if (m > 1) {
        if (mrr == 0) mrr = rnd.chance(30) ? 10 + static_cast<std::int64_t>(rnd.below(500)) : 0;
        else if (rnd.chance(12)) mrr = 0;
        else if (rnd.chance(25)) mrr += 1 + static_cast<std::int64_t>(rnd.below(300));
        else if (rnd.chance(20) && mrr > 1) mrr -= 1 + static_cast<std::int64_t>(rnd.below(mrr - 1));
        if (rnd.chance(5)) currency = k_currencies[rnd.below(3)]; // a currency change
      }
      if (mrr > 0 || rnd.chance(50)) text += fmt::format("C{},{},2026-{:02},{},{}\n", c, segment, m, currency, mrr);
    }
  }
  return text;
}

TEST_CASE("bridge: with period-end and transaction FX a snapshot file's bridges add up", "[bridge]") {
  const std::string method = GENERATE("period-end", "transaction");
  const std::string length = GENERATE("month", "quarter");
  test::Random rnd{GENERATE(21u, 22u, 23u, 24u, 25u)};
  const int months = 10;
  INFO(method << " " << length << " seed " << rnd.state);
  const std::string file = write_file(fmt::format("cskpi_test_bridge_snap_{}.csv", rnd.state),
                                      random_snapshots(rnd, 20 + static_cast<int>(rnd.below(40)), months));
  const std::string rates =
      write_file(fmt::format("cskpi_test_bridge_snap_rates_{}.csv", rnd.state), random_rates(rnd, months));
  app::ReportRequest q;
  q.files = {file};
  q.by = "segment";
  q.fx = rates;
  q.currency = "EUR";
  q.fx_method = method;
  q.period_length = length;
  Quiet sink;
  const std::optional<Report> r = app::run_report(q, sink);
  REQUIRE(r);
  CHECK(sink.problems.empty());
  check_bridges(*r, false);
}

TEST_CASE("bridge: with period-end and transaction FX every group's bridge adds up in the reporting currency",
          "[bridge]") {
  const std::string method = GENERATE("period-end", "transaction");
  test::Random rnd{GENERATE(11u, 12u, 13u, 14u)};
  INFO(method << " seed " << rnd.state);
  const int periods = 5;
  const std::string file = write_file(fmt::format("cskpi_test_bridge_fx_{}.csv", rnd.state),
                                      random_movements(rnd, 15 + static_cast<int>(rnd.below(30)), periods, true));
  const std::string rates =
      write_file(fmt::format("cskpi_test_bridge_rates_{}.csv", rnd.state), random_rates(rnd, periods));
  app::ReportRequest q;
  q.files = {file};
  q.by = "segment";
  q.fx = rates;
  q.currency = "EUR";
  q.fx_method = method;
  Quiet sink;
  const std::optional<Report> r = app::run_report(q, sink);
  REQUIRE(r);
  CHECK(sink.problems.empty()); // the starts continue the ends before: no continuity warning
  check_bridges(*r, true);
  bool fx_line = false;
  for (const Group& g : r->groups)
    for (const Record& rec : g.records)
      fx_line = fx_line || (rec.metric.def->id == "mrr_fx" && rec.metric.value->money.micros != 0);
  CHECK(fx_line);
}

TEST_CASE("bridge: transfers are found across one file per period, in any order", "[bridge]") {
  test::Random rnd{GENERATE(21u, 22u, 23u)};
  const int periods = 4;
  const std::string text = random_movements(rnd, 30, periods, false);
  // One file per month, as month-end exports come; given newest first.
  const std::size_t header_end = text.find('\n') + 1;
  std::vector<std::string> parts(periods, text.substr(0, header_end));
  for (std::size_t at = header_end; at < text.size();) {
    const std::size_t end = text.find('\n', at) + 1;
    const std::string row = text.substr(at, end - at);
    const std::size_t month = static_cast<std::size_t>(std::stoi(row.substr(row.find(",2026-") + 6, 2)) - 1);
    parts[month] += row;
    at = end;
  }
  app::ReportRequest split, whole;
  for (int p = periods - 1; p >= 0; --p)
    split.files.push_back(
        write_file(fmt::format("cskpi_test_bridge_part_{}_{}.csv", rnd.state, p), parts[static_cast<std::size_t>(p)]));
  whole.files = {write_file(fmt::format("cskpi_test_bridge_whole_{}.csv", rnd.state), text)};
  split.by = whole.by = "segment";
  Quiet sink;
  const std::optional<Report> a = app::run_report(split, sink), b = app::run_report(whole, sink);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(sink.problems.empty());
  check_bridges(*a, true);
  REQUIRE(a->groups.size() == b->groups.size());
  for (std::size_t i = 0; i < a->groups.size(); ++i) CHECK(lines_of(a->groups[i]) == lines_of(b->groups[i]));
}

TEST_CASE("bridge: standard input cannot be read again, so a change of group is a warning", "[bridge]") {
  struct Diags : DiagnosticSink {
    std::vector<std::string> lines;
    void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
  } d;
  IngestOptions o;
  o.by_column = "segment";
  Aggregator agg(true);
  Ingestor ingestor(o, d);
  std::istringstream in("customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                        "A,SMB,2026-09,100,0,0,0\n"
                        "A,Mid,2026-10,100,0,0,0\n");
  ingestor.read_stream(in, "<stdin>", agg);
  ingestor.finish(&agg);
  REQUIRE(d.lines.size() == 1);
  CHECK_THAT(d.lines[0],
             Catch::Contains("customers change their segment between 2026-09 and 2026-10") &&
                 Catch::Contains("name the file instead"));
  CHECK_FALSE(agg.has_transfers());
}

} // namespace test_bridge
