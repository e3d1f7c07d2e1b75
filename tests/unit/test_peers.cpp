// SPDX-License-Identifier: MIT
// Peer benchmark bands (issue 31, part 3): the built-in rows, band lookup, position, the
// --peers syntax, and a peer band file's errors.
#include "app/peers.hpp"
#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "metrics/peers.hpp"
#include "report/peers.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("--peers takes a dimension and an optional value in USD", "[peers]") {
  CHECK(app::parse_peer_choice("arpa").dimension == PeerDimension::arpa);
  CHECK_FALSE(app::parse_peer_choice("ACV").value);
  CHECK(*app::parse_peer_choice("arpa=450").value == 450);
  CHECK(*app::parse_peer_choice("acv=12k").value == 12000);
  CHECK(*app::parse_peer_choice("arr=2.4M").value == 2400000);
  CHECK_THROWS_WITH(app::parse_peer_choice("size"), Catch::Contains("\"size\" is not arpa, acv or arr"));
  CHECK_THROWS_WITH(app::parse_peer_choice("acv=-1"), Catch::Contains("\"-1\" is not a non-negative amount"));
  CHECK_THROWS_WITH(app::parse_peer_choice("acv="), Catch::Contains("is not a non-negative amount"));
}
