// SPDX-License-Identifier: MIT
#include "metrics/movers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace test_movers {

using namespace cskpi;

namespace {

struct Row {
  std::string id, period, group;
  std::int64_t start = 0, expansion = 0, contraction = 0, churned = 0, new_mrr = 0;
};

void feed(RowSink& sink, const Row& r) {
  MovementRow m;
  m.customer_id = r.id;
  m.period = r.period;
  m.group = r.group;
  m.start = Money::from_units(r.start);
  m.expansion = Money::from_units(r.expansion);
  m.contraction = Money::from_units(r.contraction);
  m.churned = Money::from_units(r.churned);
  m.new_mrr = Money::from_units(r.new_mrr);
  sink.add(m);
}

const MoverLine& line(const std::vector<MoverLine>& lines, std::string_view kind, std::string_view group = "",
                      bool whole = true) {
  for (const MoverLine& l : lines)
    if (l.kind_def().id == kind && l.group == group && l.whole == whole) return l;
  FAIL("no line " << kind << " " << group);
  throw;
}

std::vector<std::string> ids(const MoverLine& l) {
  std::vector<std::string> out;
  for (const Mover& m : l.movers) out.push_back(m.customer_id);
  return out;
}

} // namespace

TEST_CASE("the top-N sink keeps the largest movers of each line, ties by customer id", "[movers]") {
  MoversSink sink(2, false);
  feed(sink, {"C", "2026-10", "", 100, 0, 0, 100});
  feed(sink, {"A", "2026-10", "", 50, 0, 0, 50});
  feed(sink, {"B", "2026-10", "", 100, 0, 0, 100}); // ties with C: B ranks first
  feed(sink, {"D", "2026-10", "", 10, 5, 0, 0});
  const std::vector<MoverLine> lines = sink.lines();
  const MoverLine& churned = line(lines, "churned");
  CHECK(ids(churned) == std::vector<std::string>{"B", "C"});
  CHECK(churned.customers == 3);
  CHECK(churned.total == Money::from_units(250).micros);
  CHECK(churned.share(churned.movers[0]) == Approx(0.4));
  CHECK(ids(line(lines, "expansion")) == std::vector<std::string>{"D"});
}

TEST_CASE("movers count for the line the bridge puts them in", "[movers]") {
  MoversSink sink(0, false);
  // A row that starts at 0 is new MRR whatever columns it fills; churn needs a start.
  feed(sink, {"N", "", "", 0, 30, 0, 0, 20});
  feed(sink, {"S", "", "", 40, 0, 10, 0, 5});
  const std::vector<MoverLine> lines = sink.lines();
  const MoverLine& fresh = line(lines, "new");
  REQUIRE(fresh.movers.size() == 2);
  CHECK(fresh.movers[0].customer_id == "N");
  CHECK(fresh.movers[0].amount == Money::from_units(50));
  CHECK(fresh.movers[1].amount == Money::from_units(5));
  CHECK(ids(line(lines, "contraction")) == std::vector<std::string>{"S"});
  CHECK(std::none_of(lines.begin(), lines.end(), [](const MoverLine& l) { return l.kind_def().id == "expansion"; }));
}

TEST_CASE("merged forks give the top N of one sink fed every row, in any split", "[movers]") {
  std::mt19937 rng(7);
  std::vector<Row> rows;
  for (int i = 0; i < 400; ++i) {
    const std::int64_t churn = static_cast<std::int64_t>(rng() % 20); // many ties
    std::string id = "C"; // appended: GCC 12 takes "C" + a string here for an overlapping copy (-Wrestrict)
    id += std::to_string(i);
    rows.push_back({id, i % 3 ? "2026-10" : "2026-11", i % 2 ? "SMB" : "Enterprise", 100, 0, 0, churn > 10 ? 100 : 0});
    if (churn > 10) rows.back().churned = churn * 5 + 50;
    rows.back().start = std::max<std::int64_t>(rows.back().churned, 100);
  }
  for (const bool grouped : {false, true}) {
    MoversSink whole(5, grouped);
    for (const Row& r : rows) feed(whole, r);
    const std::vector<MoverLine> expected = whole.lines();

    std::shuffle(rows.begin(), rows.end(), rng);
    MoversSink merged(5, grouped);
    std::vector<std::unique_ptr<RowSink>> parts;
    for (int p = 0; p < 4; ++p) parts.push_back(merged.fork());
    for (std::size_t i = 0; i < rows.size(); ++i) feed(*parts[i % 4], rows[i]);
    for (auto& part : parts) CHECK(merged.merge(*part));
    const std::vector<MoverLine> got = merged.lines();

    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].period == expected[i].period);
      CHECK(got[i].group == expected[i].group);
      CHECK(got[i].whole == expected[i].whole);
      CHECK(got[i].total == expected[i].total);
      CHECK(got[i].customers == expected[i].customers);
      CHECK(ids(got[i]) == ids(expected[i]));
    }
    if (grouped) { // the whole base's top 5 is drawn from the groups'
      const MoverLine& all = line(got, "churned");
      CHECK(all.movers.size() == 5);
      CHECK(all.movers.front().amount >= all.movers.back().amount);
    }
  }
}

TEST_CASE("a tee feeds both sinks and merges their forks", "[movers]") {
  MoversSink a(1, false), b(0, false);
  TeeSink tee(a, b);
  std::unique_ptr<RowSink> part = tee.fork();
  REQUIRE(part != nullptr);
  feed(*part, {"X", "", "", 10, 0, 0, 10});
  feed(tee, {"Y", "", "", 20, 0, 0, 20});
  CHECK(tee.merge(*part));
  CHECK(ids(line(a.lines(), "churned")) == std::vector<std::string>{"Y"});
  CHECK(ids(line(b.lines(), "churned")) == std::vector<std::string>{"Y", "X"});
}

TEST_CASE("mover kinds are found by id", "[movers]") {
  CHECK(mover_kind_index("churned") == 5);
  CHECK(k_mover_kinds[mover_kind_index("new")].line == "mrr_new");
  CHECK(mover_kind_index("transfer_in") == k_transfer_in);
  CHECK(mover_kind_index("transfer_out") == k_transfer_out);
  CHECK(is_transfer_kind(k_transfer_out));
  CHECK_FALSE(is_transfer_kind(mover_kind_index("churned")));
  CHECK(mover_kind_index("transfers") == k_mover_kind_count);
}

TEST_CASE("a change of group moves the customer out of one group's line and into the other's", "[movers]") {
  MoversSink sink(1, true);
  feed(sink, {"A", "2026-02", "Mid", 100, 400, 0, 0}); // A left SMB for Mid, and expanded there
  feed(sink, {"B", "2026-02", "SMB", 1000, 0, 200, 0});
  sink.transfer(TransferRow{"A", "2026-02", "SMB", "Mid", Money::from_units(100), "Alpen \"A\" AG"});
  sink.transfer(TransferRow{"B", "2026-02", "Mid", "SMB", Money::from_units(1000), ""});
  sink.transfer(TransferRow{"C", "2026-02", "Mid", "SMB", Money::from_units(3000), ""});
  const std::vector<MoverLine> lines = sink.lines();
  const MoverLine& in_mid = line(lines, "transfer_in", "Mid", false);
  CHECK(ids(in_mid) == std::vector<std::string>{"A"});
  CHECK(in_mid.movers[0].name == "Alpen \"A\" AG");
  CHECK(in_mid.share(in_mid.movers[0]) == Approx(1.0));
  CHECK(ids(line(lines, "transfer_out", "SMB", false)) == std::vector<std::string>{"A"});
  const MoverLine& in_smb = line(lines, "transfer_in", "SMB", false);
  CHECK(ids(in_smb) == std::vector<std::string>{"C"}); // the top 1 of two
  CHECK(in_smb.customers == 2);
  CHECK(in_smb.total == Money::from_units(4000).micros);
  CHECK(in_smb.share(in_smb.movers[0]) == Approx(0.75));
  // The whole base: transfers cancel out, its other lines are the groups' as ever.
  CHECK(
      std::none_of(lines.begin(), lines.end(), [](const MoverLine& l) { return l.whole && is_transfer_kind(l.kind); }));
  CHECK(ids(line(lines, "expansion")) == std::vector<std::string>{"A"});
  // In the bridge's order: transfer_in after reactivation, transfer_out after churned.
  std::vector<std::string_view> mid;
  for (const MoverLine& l : lines)
    if (!l.whole && l.group == "Mid") mid.push_back(l.kind_def().id);
  CHECK(mid == std::vector<std::string_view>{"expansion", "transfer_in", "transfer_out"});
}

TEST_CASE("a sink without groups takes no transfers", "[movers]") {
  MoversSink sink(0, false);
  sink.transfer(TransferRow{"A", "2026-02", "SMB", "Mid", Money::from_units(100), ""});
  CHECK(sink.lines().empty());
}

} // namespace test_movers
