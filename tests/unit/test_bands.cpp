// SPDX-License-Identifier: MIT
#include "metrics/bands.hpp"

#include "core/error.hpp"

#include <catch2/catch.hpp>

namespace test_bands {

using namespace cskpi;

namespace {
bool any_metric(std::string_view id) { return id == "nrr" || id == "grr"; }
} // namespace

TEST_CASE("built-in band edges are exactly the contract's", "[bands]") {
  const BandTable b = BandTable::builtin();
  CHECK(b.rate("nrr", 120) == Tier::best_in_class);
  CHECK(b.rate("nrr", 119.99) == Tier::good);
  CHECK(b.rate("nrr", 100) == Tier::acceptable);
  CHECK(b.rate("nrr", 99.999) == Tier::warning);
  CHECK(b.rate("nrr", 89.9) == Tier::critical);
  CHECK(b.rate("grr", 90) == Tier::good);
  CHECK(b.rate("grr", 79.99) == Tier::critical);
  CHECK(b.rate("logo_churn", 4.99) == Tier::best_in_class);
  CHECK(b.rate("logo_churn", 5) == Tier::good);
  CHECK(b.rate("logo_churn", 10) == Tier::acceptable);
  CHECK(b.rate("logo_churn", 15) == Tier::warning);
  CHECK(b.rate("logo_churn", 20) == Tier::warning);
  CHECK(b.rate("logo_churn", 20.01) == Tier::critical);
  CHECK(b.rate("logo_retention", 90) == Tier::acceptable);
  CHECK(b.rate("logo_retention", 80) == Tier::warning);
  CHECK(b.rate("expansion_rate", 9.99) == Tier::warning);
  CHECK(b.rate("expansion_mrr_rate", 20) == Tier::good);
  CHECK(b.rate("nps", 30) == Tier::good);
  CHECK(b.rate("nps", -40) == Tier::warning);
  CHECK(b.rate("save_rate", 69.9) == Tier::acceptable);
  CHECK(b.rate("save_rate", 39) == Tier::critical);
  CHECK(b.rate("ltv_cac", 3) == Tier::good);
  CHECK(b.rate("ltv_cac", 5) == Tier::best_in_class);
  CHECK_FALSE(b.rate("arpa", 100).has_value());
}

TEST_CASE("band edges survive floating-point noise", "[bands]") {
  const BandTable b = BandTable::builtin();
  CHECK(b.rate("logo_churn", 10.000000000001) == Tier::acceptable);
  CHECK(b.rate("nrr", 99.99999999999999) == Tier::acceptable);
  CHECK(b.rate("nrr", 99.99999995) == Tier::acceptable); // within 1e-9 of 100: noise
  CHECK(b.rate("nrr", 99.9999998) == Tier::warning);     // 2e-7 short: real
}

TEST_CASE("the tolerance stays below the bound's last written decimal", "[bands]") {
  CHECK(band_tolerance(100, 0) == Approx(1e-7));
  CHECK(band_tolerance(0.5, 1) == Approx(1e-9));
  CHECK(band_tolerance(1000.000001, 6) == Approx(1e-8));
  CHECK(written_decimals(Money::from_units(120)) == 0);
  CHECK(written_decimals(Money{4'500'000}) == 1);
  CHECK(written_decimals(Money{1'000'000'001}) == 6);
  CHECK(compare(88.51097960063801, BandOp::gt, 88.51097960063, 11));
  CHECK_FALSE(compare(88.51097960063801, BandOp::gt, 88.51097960063, 6));
  // A bound written to the micro-unit: 1e-9 of it (1e-6) would take 1000 as 1000.000001.
  BandTable b = BandTable::builtin();
  b.override_from_csv("nrr,good,1000.000001,>=\nnrr,warning,1000.000001,<\n", "m.csv", any_metric);
  CHECK(b.rate("nrr", 1000) == Tier::warning);
  CHECK(b.rate("nrr", 1000.000001) == Tier::good);
}

TEST_CASE("a bands file replaces a metric's rules and keeps the others", "[bands]") {
  BandTable b = BandTable::builtin();
  b.override_from_csv("metric,tier,bound,direction\nnrr,good,105,>=\nnrr,critical,105,<\n", "mine.csv", any_metric);
  CHECK(b.rate("nrr", 106) == Tier::good);
  CHECK(b.rate("nrr", 130) == Tier::good);
  CHECK(b.rate("nrr", 104) == Tier::critical);
  CHECK(b.rate("grr", 95) == Tier::best_in_class);
  CHECK(b.origin() == "mine.csv");
  CHECK(b.source_for("nrr") == "mine.csv");
}

TEST_CASE("a malformed bands file is a usage error naming line and column", "[bands]") {
  BandTable b = BandTable::builtin();
  CHECK_THROWS_WITH(b.override_from_csv("metric,tier,bound,direction\nnrx,good,1,>=\n", "m.csv", any_metric),
                    "m.csv:2:1: unknown metric \"nrx\" (see cskpi explain)");
  CHECK_THROWS_WITH(b.override_from_csv("nrr,great,1,>=\n", "m.csv", any_metric),
                    "m.csv:1:2: unknown tier \"great\" (best_in_class, good, acceptable, warning, critical)");
  CHECK_THROWS_WITH(b.override_from_csv("nrr,good,x,>=\n", "m.csv", any_metric),
                    "m.csv:1:3: bound \"x\" is not a number");
  CHECK_THROWS_WITH(b.override_from_csv("nrr,good,99.99999995,>=\n", "m.csv", any_metric),
                    "m.csv:1:3: bound \"99.99999995\" has more than 6 decimals");
  CHECK_THROWS_WITH(b.override_from_csv("nrr,good,1,=>\n", "m.csv", any_metric),
                    "m.csv:1:4: direction \"=>\" is not one of >=, >, <=, <");
  CHECK_THROWS_AS(b.override_from_csv("# nothing\n", "m.csv", any_metric), Error);
}

TEST_CASE("sources are cited by the titles of the reference articles", "[bands]") {
  const auto cited = cited_references("002 (001 agrees: 100-110 average, 120+ strong); 1002 is no reference");
  REQUIRE(cited.size() == 2);
  CHECK(cited[0].first == "\"Warum Customer Success in SaaS ...\"");
  CHECK(cited[0].second == "\"Warum Customer Success in SaaS über Erfolg oder Scheitern entscheidet\"");
  CHECK(cited[1].first == "\"Post-Sale Metrics Guide\"");
  CHECK(cite_sources("002 (001 agrees); 1002 and 0021 are not; 002") ==
        "\"Post-Sale Metrics Guide\" (\"Warum Customer Success in SaaS ...\" agrees); 1002 and 0021 are not; "
        "\"Post-Sale Metrics Guide\"");
  CHECK(reference_legend("-").empty());
  CHECK(reference_legend("003").find("Maddalena Ferracin") != std::string::npos);
}

} // namespace test_bands
