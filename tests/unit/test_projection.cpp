// SPDX-License-Identifier: MIT
#include "metrics/projection.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace test_projection {

using namespace cskpi;

namespace {

Money units(std::int64_t u) { return Money::from_units(u); }

/// A month of `start` with the lines new, reactivation, expansion, contraction, churned (units).
BridgeMonth month(std::string label, std::int64_t start, std::array<std::int64_t, 5> lines) {
  BridgeMonth m{std::move(label), units(start), {}, {}};
  std::int64_t end = start;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    m.lines[k] = units(lines[k]);
    end += bridge_sign(static_cast<BridgeLine>(k)) * lines[k];
  }
  m.end = units(end);
  return m;
}

/// `n` months from 2026-01, each starting where the last ended, with the same lines.
std::vector<BridgeMonth> steady(int n, std::int64_t start, std::array<std::int64_t, 5> lines) {
  std::vector<BridgeMonth> h;
  std::string label = "2026-01";
  for (int i = 0; i < n; ++i) {
    h.push_back(month(label, start, lines));
    start = h.back().end.micros / Money::k_scale;
    label = next_month_label(label);
  }
  return h;
}

ProjectionSettings horizon(int months) {
  ProjectionSettings s;
  s.horizon = months;
  return s;
}

} // namespace

TEST_CASE("next month labels roll over the year and refuse what is not a month", "[projection]") {
  CHECK(next_month_label("2026-11") == "2026-12");
  CHECK(next_month_label("2026-12") == "2027-01");
  CHECK(next_month_label("2026-Q4").empty());
  CHECK(next_month_label("2026-13").empty());
  CHECK(next_month_label("26-01").empty());
}

TEST_CASE("each line is projected at its exact trailing rate, the end at the summed signed lines", "[projection]") {
  // 12 flat months of 10,000 with new 500, expansion 200, contraction 100, churned 600: the
  // rates are exactly 5 %, 0 %, 2 %, 1 % and 6 %, net 0, so every month repeats the bridge.
  const auto history = steady(12, 10'000, {500, 0, 200, 100, 600});
  const Projection p = project_trailing(history, horizon(3));
  REQUIRE(p.not_projected.empty());
  CHECK(p.window_first == "2026-01");
  CHECK(p.window_last == "2026-12");
  CHECK(p.window_months == 12);
  CHECK(p.rates[0].percent == 5.0);
  CHECK(p.rates[4].percent == 6.0);
  CHECK(p.net_percent == Approx(0.0).margin(1e-12));
  CHECK(p.spread_percent == 0.0);
  REQUIRE(p.months.size() == 3);
  CHECK(p.months[0].label == "2027-01");
  CHECK(p.months[2].label == "2027-03");
  for (const ProjectedMonth& m : p.months) {
    CHECK(m.start == units(10'000));
    CHECK(m.lines[0] == units(500));
    CHECK(m.lines[2] == units(200));
    CHECK(m.lines[4] == units(600));
    CHECK(m.end == units(10'000));
    CHECK(m.low == m.end); // no spread, no width
    CHECK(m.high == m.end);
  }
}

TEST_CASE("new MRR adds the window's mean per month, not a share of the base", "[projection]") {
  // Six months: new is 0 in five and 600 in one, on a base of 1,000 then 1,600 ...
  std::vector<BridgeMonth> h = steady(5, 1'000, {0, 0, 0, 0, 0});
  h.push_back(month("2026-06", 1'000, {600, 0, 0, 0, 0}));
  const Projection p = project_trailing(h, horizon(2));
  REQUIRE(p.not_projected.empty());
  // New MRR is 600 / 6,000 = 10 % of starting MRR, but it does not grow with the base: each
  // projected month adds the window's mean, 600 / 6 = 100.
  CHECK(p.rates[0].sum == units(600));
  CHECK(p.rates[0].start_sum == units(6'000));
  CHECK(p.rates[0].percent == 10.0);
  CHECK(p.rates[0].per_month == units(100));
  CHECK(p.months[0].start == units(1'600));
  CHECK(p.months[0].lines[0] == units(100));
  CHECK(p.months[0].end == units(1'700));
  CHECK(p.months[1].lines[0] == units(100));
  // A window shorter than 12 months is said.
  REQUIRE_FALSE(p.notes.empty());
  CHECK(p.notes.front().find("6 months, not 12") != std::string::npos);
}

TEST_CASE("churn pools the window: its sum over the summed starting MRR, not a mean of monthly rates", "[projection]") {
  // Five quiet months of 1,000, then one of 5,000 losing 500 (10 % that month): the pooled rate
  // is 500 / 10,000 = 5 % (a mean of the monthly rates would say 1.67 %).
  std::vector<BridgeMonth> h = steady(5, 1'000, {0, 0, 0, 0, 0});
  h.push_back(month("2026-06", 5'000, {0, 0, 0, 0, 500}));
  const Projection p = project_trailing(h, horizon(1));
  REQUIRE(p.not_projected.empty());
  CHECK(p.rates[4].percent == 5.0);
  CHECK(p.months[0].start == units(4'500));
  CHECK(p.months[0].lines[4] == units(225));
  CHECK(p.months[0].end == units(4'275));
}

TEST_CASE("a projected line rounds half to even at the micro-unit", "[projection]") {
  // A 1/3 churn rate on 10 micro-units gives 3.33..., on 15 gives 5 exactly.
  std::vector<BridgeMonth> h;
  std::string label = "2026-01";
  for (int i = 0; i < 6; ++i) {
    BridgeMonth m{label, Money{3}, {}, Money{2}};
    m.lines[4] = Money{1};
    h.push_back(m);
    label = next_month_label(label);
  }
  ProjectionSettings s = horizon(2);
  s.cmrr = Money{10};
  const Projection p = project_trailing(h, s);
  REQUIRE(p.not_projected.empty());
  CHECK(p.from_cmrr);
  CHECK(p.origin == Money{10});
  CHECK(p.months[0].lines[4] == Money{3}); // 10 / 3 = 3.33 -> 3
  CHECK(p.months[0].end == Money{7});
  CHECK(p.months[1].lines[4] == Money{2}); // 7 / 3 = 2.33 -> 2
  CHECK(p.months[1].end == Money{5});
}

TEST_CASE("the interval widens with the square root of the horizon", "[projection]") {
  // Alternating months of +10 % and -10 % growth give a spread; the central path is flat.
  std::vector<BridgeMonth> h;
  std::string label = "2026-01";
  for (int i = 0; i < 12; ++i) {
    h.push_back(i % 2 == 0 ? month(label, 1'000, {100, 0, 0, 0, 0}) : month(label, 1'100, {0, 0, 0, 0, 100}));
    label = next_month_label(label);
  }
  const Projection p = project_trailing(h, horizon(4)); // the default coverage: 80 %
  REQUIRE(p.not_projected.empty());
  CHECK(p.z == Approx(1.2815516).epsilon(1e-6));
  CHECK(p.spread_percent > 0);
  const double w1 =
      std::log(static_cast<double>(p.months[0].high.micros) / static_cast<double>(p.months[0].end.micros));
  const double w4 =
      std::log(static_cast<double>(p.months[3].high.micros) / static_cast<double>(p.months[3].end.micros));
  CHECK(w4 / w1 == Approx(2.0).epsilon(1e-6));
  CHECK(p.months[0].low < p.months[0].end);
  CHECK(p.months[0].high > p.months[0].end);
}

TEST_CASE("the projection says why it cannot project", "[projection]") {
  SECTION("too little history") {
    const Projection p = project_trailing(steady(5, 1'000, {10, 0, 0, 0, 5}), {});
    CHECK(p.not_projected == "needs at least 6 months of history, the input has 5");
    CHECK(p.months.empty());
  }
  SECTION("a gap between months") {
    auto h = steady(6, 1'000, {10, 0, 0, 0, 5});
    h[3].label = "2026-09";
    CHECK(project_trailing(h, {}).not_projected.find("not consecutive") != std::string::npos);
  }
  SECTION("quarters") {
    auto h = steady(6, 1'000, {10, 0, 0, 0, 5});
    h.back().label = "2026-Q2";
    CHECK(project_trailing(h, {}).not_projected.find("not a month") != std::string::npos);
  }
  SECTION("a month that ends at zero") {
    auto h = steady(6, 1'000, {0, 0, 0, 0, 0});
    h.back().lines[4] = units(1'000);
    h.back().end = Money{};
    CHECK(project_trailing(h, {}).not_projected == "2026-06 ends without MRR, so it has no growth to measure");
  }
  SECTION("only the window must be clean: an empty first year is outside it") {
    auto h = steady(18, 1'000, {10, 0, 0, 0, 5});
    h[0].start = Money{};
    CHECK(project_trailing(h, {}).not_projected.empty());
  }
}

} // namespace test_projection
