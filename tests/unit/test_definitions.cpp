// SPDX-License-Identifier: MIT
// Every metric definition is whole: a half-added metric fails here before it reaches a report.
#include "metrics/bands.hpp"
#include "metrics/formula.hpp"
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace test_definitions {

using namespace cskpi;

namespace {

/// The band keys a definition rates by: "csat:5|10" -> {"csat:5", "csat:10"}; its id alone
/// without qualifiers.
std::vector<std::string> band_keys(const MetricDef& def) {
  std::vector<std::string> out;
  std::string_view rest = def.band_qualifiers();
  if (rest.empty()) return {std::string(def.id)};
  while (!rest.empty()) {
    const std::size_t bar = rest.find('|');
    out.push_back(std::string(def.id) + ":" + std::string(rest.substr(0, bar)));
    rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
  }
  return out;
}

} // namespace

TEST_CASE("every metric definition is complete", "[metrics][definitions]") {
  const BandTable bands = BandTable::builtin();
  std::set<std::string_view> ids;
  int tiles = 0;
  for (const MetricDef& def : metric_table()) {
    INFO("metric " << def.id);
    CHECK(!def.id.empty());
    CHECK(ids.insert(def.id).second); // unique
    CHECK(!def.name.empty());
    CHECK(!def.formula.empty());
    CHECK(!def.description.empty());
    CHECK(!def.sources.empty());
    CHECK(to_string(def.unit) != "");
    CHECK(to_string(def.section) != "");
    // One way to compute it: a value per group, or records per key.
    CHECK((def.compute != nullptr) != (def.records != nullptr));
    CHECK(def.keyed == (def.records != nullptr));
    // Annual figures are percentages, and only those of a ratio can come from a cohort.
    if (def.annualization != Annualization::none) CHECK(def.unit == Unit::percent);
    if (def.cohort != CohortAnnual::none) CHECK(def.annualization != Annualization::none);
    // Bands: explicitly none, or rules for each key it rates by.
    REQUIRE(!def.band.empty());
    if (def.band == k_unrated) {
      CHECK(bands.rules_for(def.id).empty());
    } else {
      CHECK(def.band.substr(0, def.band.find(':')) == def.id);
      for (const std::string& key : band_keys(def)) {
        INFO("band key " << key);
        CHECK(!bands.rules_for(key).empty());
        CHECK(find_band_metric(key) == &def);
      }
    }
    // SQL: an expression of a known shape, or why not.
    const MetricSql& sql = def.sql;
    switch (sql.shape) {
    case SqlShape::none: CHECK(!sql.why_not.empty()); break;
    case SqlShape::total:
    case SqlShape::sum:
    case SqlShape::ending_logos: CHECK((!sql.value.empty() && !sql.n.empty())); break;
    case SqlShape::start_ratio:
    case SqlShape::logo_ratio:
      CHECK(!sql.value.empty());
      CHECK(!sql.column.empty());
      break;
    case SqlShape::ratio:
      CHECK((!sql.value.empty() && !sql.den.empty() && !sql.n.empty() && !sql.empty.empty()));
      break;
    case SqlShape::nps_interval: CHECK(!sql.value.empty()); break;
    default: break; // shapes whose expressions live in the planner (ltv, nps, ...)
    }
    if (sql.shape != SqlShape::none) {
      CHECK(sql.why_not.empty());
      CHECK(!def.latest_only); // a movements table has no "now"
      CHECK(!def.keyed);
    }
    if (def.display.tile > 0) ++tiles;
  }
  CHECK(tiles > 0);
}

TEST_CASE("every built-in band key rates a metric", "[metrics][definitions][bands]") {
  for (const std::string& key : BandTable::builtin().rated_metrics()) {
    INFO("band key " << key);
    const MetricDef* def = find_band_metric(key);
    REQUIRE(def != nullptr);
    CHECK(def->band != k_unrated);
  }
}

TEST_CASE("metric_table reads the families in report order, each metric once, in place", "[metrics][definitions]") {
  const std::vector<std::span<const MetricDef>> families = {
      bridge_metrics(), retention_metrics(),  value_risk_metrics(),   lifecycle_metrics(), survey_metrics(),
      health_metrics(), onboarding_metrics(), churn_reason_metrics(), invoice_metrics(),   efficiency_metrics()};
  std::vector<const MetricDef*> want;
  for (const std::span<const MetricDef> family : families)
    for (const MetricDef& def : family) want.push_back(&def);
  std::vector<const MetricDef*> got;
  for (const MetricDef& def : metric_table()) got.push_back(&def);
  CHECK(got == want); // the same definitions, not copies
  CHECK(metric_table().size() == want.size());
  CHECK(find_metric("nrr") ==
        &*std::find_if(metric_table().begin(), metric_table().end(), [](const MetricDef& d) { return d.id == "nrr"; }));
  // Empty families are stepped over, at the start, between and at the end.
  const MetricDef two[2] = {bridge_metrics().front(), retention_metrics().front()};
  const std::span<const MetricDef> none;
  const std::span<const MetricDef> parts[] = {none, std::span(two, 1), none, none, std::span(two + 1, 1), none};
  std::vector<std::string_view> ids;
  for (const MetricDef& def : MetricTable(parts)) ids.push_back(def.id);
  CHECK(ids == std::vector<std::string_view>{two[0].id, two[1].id});
  CHECK(MetricTable(parts).size() == 2);
  const std::span<const MetricDef> empty_parts[] = {none, none};
  CHECK(MetricTable(empty_parts).begin() == MetricTable(empty_parts).end());
}

TEST_CASE("the headline tiles have distinct places", "[metrics][definitions]") {
  std::set<int> places;
  for (const MetricDef& def : metric_table())
    if (def.display.tile > 0) CHECK(places.insert(def.display.tile).second);
}

} // namespace test_definitions
