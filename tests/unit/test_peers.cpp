// SPDX-License-Identifier: MIT
// Peer benchmark bands (issue 31, part 3): the built-in rows, band lookup, position, the
// --peers syntax, and a peer band file's errors.
#include "app/peers.hpp"
#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "metrics/peers.hpp"
#include "report/peers.hpp"

#include <catch2/catch.hpp>

namespace test_peers {

using namespace cskpi;

namespace {
bool known(std::string_view id) { return find_metric(id) != nullptr; }
const std::string k_header(k_peer_columns);
} // namespace

TEST_CASE("built-in peer rows name known metrics, a source, a definition and an address", "[peers]") {
  const PeerTable t = PeerTable::builtin();
  REQUIRE(t.rows().size() == 16);
  for (const PeerRow& r : t.rows()) {
    CHECK(find_metric(r.metric) != nullptr);
    CHECK_FALSE(r.source.empty());
    CHECK_FALSE(r.year.empty());
    CHECK_FALSE(r.sample.empty());
    CHECK_FALSE(r.definition.empty());
    CHECK(r.url.find("https://") != std::string::npos);
  }
}

TEST_CASE("peer band lookup: lower edge in, upper edge out, open ends", "[peers]") {
  const PeerTable t = PeerTable::builtin();
  // SaaS Capital 2023, median NRR by ACV.
  REQUIRE(t.lookup("nrr", PeerDimension::acv, 0) != nullptr);
  CHECK(t.lookup("nrr", PeerDimension::acv, 11999.99)->median == 100);
  CHECK(t.lookup("nrr", PeerDimension::acv, 12000)->median == 102);
  CHECK(t.lookup("nrr", PeerDimension::acv, 24999)->median == 102);
  CHECK(t.lookup("nrr", PeerDimension::acv, 25000)->median == 103);
  CHECK(t.lookup("nrr", PeerDimension::acv, 1e9)->median == 110);
  CHECK(t.lookup("grr", PeerDimension::acv, 60000)->median == 93);
  CHECK(t.lookup("nrr", PeerDimension::acv, 12000)->band_label() == "ACV $12k-25k");
  CHECK(t.lookup("nrr", PeerDimension::acv, 5)->band_label() == "ACV under $12k");
  CHECK(t.lookup("nrr", PeerDimension::acv, 3e5)->band_label() == "ACV $250k and more");
  // ChartMogul's ARPA bands: only the two ends are published in text; the middle is no band.
  CHECK(t.lookup("logo_churn", PeerDimension::arpa, 9.99)->median == 6.8);
  CHECK(t.lookup("logo_churn", PeerDimension::arpa, 10) == nullptr);
  CHECK(t.lookup("logo_churn", PeerDimension::arpa, 499.99) == nullptr);
  CHECK(t.lookup("logo_churn", PeerDimension::arpa, 500)->median == 1.9);
  // MRR $10k-50k kept as ARR $120k-600k.
  CHECK(t.lookup("logo_churn", PeerDimension::arr, 120000)->median == 4.6);
  CHECK(t.lookup("logo_churn", PeerDimension::arr, 600000) == nullptr);
  CHECK(t.bands_of("logo_churn", PeerDimension::arpa) == "ARPA under $10, ARPA $500 and more");
  CHECK_FALSE(t.rates("nrr", PeerDimension::arpa));
  CHECK(t.rates("logo_churn", PeerDimension::arr));
}

TEST_CASE("peer position against published quartiles", "[peers]") {
  PeerRow r;
  r.median = 100;
  CHECK(peer_position(r, 99.9) == PeerPosition::below_median);
  CHECK(peer_position(r, 100) == PeerPosition::at_median);
  CHECK(peer_position(r, 100.0000000001) == PeerPosition::at_median); // floating-point noise
  CHECK(peer_position(r, 150) == PeerPosition::above_median);         // no p75 published: no further
  r.p25 = 90;
  r.p75 = 110;
  CHECK(peer_position(r, 89.99) == PeerPosition::below_p25);
  CHECK(peer_position(r, 90) == PeerPosition::below_median);
  CHECK(peer_position(r, 110) == PeerPosition::above_median);
  CHECK(peer_position(r, 110.01) == PeerPosition::above_p75);
}

TEST_CASE("the built-in peer bands survive their own CSV", "[peers]") {
  const PeerTable t = PeerTable::builtin();
  const std::vector<PeerRow> again = PeerTable::parse_csv(render_peer_bands(t, "csv"), "again", known);
  REQUIRE(again.size() == t.rows().size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    CHECK(again[i].band_label() == t.rows()[i].band_label());
    CHECK(again[i].median == t.rows()[i].median);
    CHECK(again[i].caveat == t.rows()[i].caveat);
    CHECK(again[i].url == t.rows()[i].url);
  }
}

TEST_CASE("a peer band file replaces the rows of the metrics it names", "[peers]") {
  PeerTable t = PeerTable::builtin();
  t.override_from_csv(k_header + "\nnrr,arr,1000000,,95,104,112,cohort_12m,higher,Mine 2025,2024,n,d,,https://x\n",
                      "mine.csv", known);
  CHECK_FALSE(t.rates("nrr", PeerDimension::acv));
  REQUIRE(t.lookup("nrr", PeerDimension::arr, 2e6) != nullptr);
  CHECK(*t.lookup("nrr", PeerDimension::arr, 2e6)->p25 == 95);
  CHECK(t.rates("grr", PeerDimension::acv)); // untouched
  CHECK(t.origin() == "mine.csv");
}

TEST_CASE("a malformed peer band file names file, line and column", "[peers]") {
  const auto error_of = [](const std::string& row) {
    try {
      (void)PeerTable::parse_csv(k_header + "\n" + row + "\n", "p.csv", known);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("nope,acv,,1,,1,,month,higher,S,2024,n,d,,u") ==
        "p.csv:2:1: unknown metric \"nope\" (see cskpi explain)");
  CHECK(error_of("nrr,size,,1,,1,,month,higher,S,2024,n,d,,u") ==
        "p.csv:2:2: dimension \"size\" is not arpa, acv or arr");
  CHECK(error_of("nrr,acv,5,5,,1,,month,higher,S,2024,n,d,,u").starts_with("p.csv:2:4: "));
  CHECK(error_of("nrr,acv,,1,,,,month,higher,S,2024,n,d,,u").starts_with("p.csv:2:6: "));
  CHECK(error_of("nrr,acv,,1,5,1,,month,higher,S,2024,n,d,,u").starts_with("p.csv:2:5: p25 <= median"));
  CHECK(error_of("nrr,acv,,1,,1,,week,higher,S,2024,n,d,,u").starts_with("p.csv:2:8: "));
  CHECK(error_of("nrr,acv,,1,,1,,month,up,S,2024,n,d,,u").starts_with("p.csv:2:9: "));
  CHECK(error_of("nrr,acv,,1,,1,,month,higher,,2024,n,d,,u").starts_with("p.csv:2:10: "));
  CHECK(error_of("nrr,acv,,1").starts_with("p.csv:2:1: expected the 15 fields"));
}

TEST_CASE("report's --peers takes a dimension and an optional value in USD", "[peers]") {
  CHECK(app::parse_peer_choice("arpa").dimension == PeerDimension::arpa);
  CHECK_FALSE(app::parse_peer_choice("ACV").value);
  CHECK(*app::parse_peer_choice("arpa=450").value == 450);
  CHECK(*app::parse_peer_choice("acv=12k").value == 12000);
  CHECK(*app::parse_peer_choice("arr=2.4M").value == 2400000);
  CHECK_THROWS_WITH(app::parse_peer_choice("size"), Catch::Contains("\"size\" is not arpa, acv or arr"));
  CHECK_THROWS_WITH(app::parse_peer_choice("acv=-1"), Catch::Contains("\"-1\" is not a non-negative amount"));
  CHECK_THROWS_WITH(app::parse_peer_choice("acv="), Catch::Contains("is not a non-negative amount"));
}

namespace {

Record record_of(std::string_view id, double value, std::optional<double> annual = std::nullopt,
                 std::string_view method = "") {
  Record rec;
  rec.metric.def = find_metric(id);
  rec.metric.value = Quantity::of_real(value);
  rec.metric.annualized = annual;
  rec.metric.method = method;
  return rec;
}

/// One group with ending MRR 6,000 over 10 customers: ARPA 600, ACV 7,200, ARR 72,000.
Report report_of(PeriodLength length, std::vector<Record> records) {
  Report r;
  r.settings.period_length = length;
  Group g;
  g.totals.end_mrr = Money::from_units(6000);
  g.totals.ending = 10;
  g.records = std::move(records);
  r.groups.push_back(std::move(g));
  return r;
}

} // namespace

TEST_CASE("report --peers takes the group's ARPA, ACV or ARR and compares like with like only", "[peers]") {
  const PeerTable t = PeerTable::builtin();
  SECTION("a monthly churn against a monthly median, by ARPA") {
    Report r = report_of(PeriodLength::month, {record_of("logo_churn", 1.0), record_of("nrr", 101)});
    rate_against_peers(r, t, {PeerDimension::arpa, std::nullopt});
    const Record& churn = r.groups[0].records[0];
    REQUIRE(churn.peers);
    CHECK(*churn.peers->company_value == 600);
    CHECK(churn.peers->row->median == 1.9);
    CHECK(churn.peers->position == PeerPosition::below_median);
    CHECK(peer_note(*churn.peers) == "vs peers: below median, better (ChartMogul, ARPA $500 and more, median 1.9%)");
    CHECK_FALSE(r.groups[0].records[1].peers); // no NRR row by ARPA: nothing said
  }
  SECTION("a quarter's churn is not turned into a month's") {
    Report r = report_of(PeriodLength::quarter, {record_of("logo_churn", 3.0)});
    rate_against_peers(r, t, {PeerDimension::arpa, std::nullopt});
    const PeerRating& p = *r.groups[0].records[0].peers;
    CHECK_FALSE(p.position);
    CHECK(p.reason == "not comparable: a monthly rate there, quarters here");
  }
  SECTION("a 12-month cohort against an exact annual figure only") {
    Report r =
        report_of(PeriodLength::month, {record_of("nrr", 100.5, 106, "cohort"), record_of("grr", 99, 88, "compound")});
    rate_against_peers(r, t, {PeerDimension::acv, std::nullopt}); // ACV 7,200: under $12k
    const PeerRating& nrr = *r.groups[0].records[0].peers;
    CHECK(nrr.compared == 106);
    CHECK(nrr.position == PeerPosition::above_median);
    CHECK(peer_note(nrr) == "vs peers: above median, better (SaaS Capital 2023, ACV under $12k, median 100%)");
    const PeerRating& grr = *r.groups[0].records[1].peers;
    CHECK_FALSE(grr.position);
    CHECK(grr.reason == "not comparable: a 12-month cohort there, compounded from monthly periods here");
  }
  SECTION("a given value outside every band, and a group without customers at its end") {
    Report r = report_of(PeriodLength::month, {record_of("logo_churn", 1.0)});
    rate_against_peers(r, t, {PeerDimension::arpa, 150.0});
    CHECK(peer_note(*r.groups[0].records[0].peers) ==
          "vs peers: no band for ARPA $150 (published: ARPA under $10, ARPA $500 and more)");
    r.groups[0].totals.ending = 0;
    rate_against_peers(r, t, {PeerDimension::arpa, std::nullopt});
    CHECK(r.groups[0].records[0].peers->reason == "no customers at the period's end to take an ARPA from");
  }
}

} // namespace test_peers
