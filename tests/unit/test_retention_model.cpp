// SPDX-License-Identifier: MIT
// The sBG model against Fader & Hardie (2007): the published estimates from the published
// survivor counts, DERL against a direct sum, and the cohorts no model can be fitted to.
#include "app/forecast.hpp"
#include "metrics/cohorts.hpp"
#include "metrics/retention_model.hpp"
#include "report/forecast.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace test_retention_model {

using namespace cskpi;

namespace {

// Fader & Hardie (2007), Table 1: customers of the "regular" and "high end" segments still
// active at years 0 to 7 (of 1,000 acquired); the paper calibrates on years 1 to 7.
const SurvivorCounts k_regular{1000, 631, 468, 382, 326, 289, 262, 241};
const SurvivorCounts k_high_end{1000, 869, 743, 653, 593, 551, 517, 491};

SbgFit fit_one(const SurvivorCounts& c) { return fit_sbg(std::span<const SurvivorCounts>(&c, 1)); }

} // namespace

TEST_CASE("sBG reproduces Fader & Hardie's published estimates", "[retention_model]") {
  const SbgFit regular = fit_one(k_regular);
  const SbgFit high_end = fit_one(k_high_end);
  // This fit: regular alpha 0.704077, beta 1.182043 (LL -1680.265188, 77 iterations); high end
  // alpha 0.668088, beta 3.806095 (LL -1611.158147, 66 iterations).
  INFO("regular " << regular.alpha << ", " << regular.beta << "; high end " << high_end.alpha << ", " << high_end.beta);
  REQUIRE(regular.fitted);
  REQUIRE(high_end.fitted);
  // Published: regular alpha 0.704, beta 1.182; high end alpha 0.668, beta 3.806 (to three decimals).
  CHECK(std::round(regular.alpha * 1000) == 704);
  CHECK(std::round(regular.beta * 1000) == 1182);
  CHECK(std::round(high_end.alpha * 1000) == 668);
  CHECK(std::round(high_end.beta * 1000) == 3806);
  // The maximum: no nearby point does better.
  for (const double da : {-1e-4, 1e-4})
    for (const double db : {-1e-4, 1e-4}) {
      const SurvivorCounts* c = &k_regular;
      CHECK(sbg_log_likelihood(regular.alpha + da, regular.beta + db, std::span(c, 1)) <= regular.log_likelihood);
    }
}

TEST_CASE("sBG survival follows the recursion and starts at 1", "[retention_model]") {
  const std::vector<double> s = sbg_survival(0.704, 1.182, 3);
  REQUIRE(s.size() == 4);
  CHECK(s[0] == 1.0);
  CHECK(s[1] == Approx(1.182 / 1.886));
  CHECK(s[2] == Approx(s[1] * 2.182 / 2.886));
  CHECK(s[3] == Approx(s[2] * 3.182 / 3.886));
}

TEST_CASE("DERL equals the discounted sum of survival it stands for", "[retention_model]") {
  for (const double d : {0.10, 0.0079741404289, 0.5})
    for (const std::uint64_t n : {1u, 2u, 5u, 8u})
      for (const auto& [a, b] : {std::pair{0.704, 1.182}, std::pair{0.668, 3.806}, std::pair{2.5, 0.3}}) {
        // Sum over t >= n of S(t)/S(n-1) / (1+d)^(t-n), long enough for the tail to vanish.
        double direct = 0, ratio = 1, disc = 1;
        for (std::uint64_t t = n; t < n + 200000; ++t) {
          const auto td = static_cast<double>(t);
          ratio *= (b + td - 1) / (a + b + td - 1); // S(t)/S(n-1)
          direct += ratio * disc;
          disc /= 1 + d;
        }
        INFO("d " << d << " n " << n << " a " << a << " b " << b);
        CHECK(sbg_derl(a, b, n, d) == Approx(direct).epsilon(1e-9));
      }
}

TEST_CASE("Period discount rates compound to the annual one", "[retention_model]") {
  CHECK(std::pow(1 + period_discount_rate(0.10, 12), 12) == Approx(1.10));
  CHECK(period_discount_rate(0.10, 1) == Approx(0.10));
}

TEST_CASE("Cohorts no model fits say why", "[retention_model]") {
  const auto reason = [](const SurvivorCounts& c) {
    const SbgFit f = fit_one(c);
    CHECK_FALSE(f.fitted);
    return f.reason;
  };
  CHECK(reason({100, 100, 100, 100}).find("no customer lost") != std::string::npos);
  CHECK(reason({100}).find("fewer than three ages") != std::string::npos);
  CHECK(reason({100, 60}).find("fewer than three ages") != std::string::npos);
  CHECK(reason({100, 0, 0}).find("every customer lost in the first period") != std::string::npos);
  CHECK(reason({0, 0, 0}).find("no customers at age 0") != std::string::npos);
  CHECK(reason({100, 50, 60}).find("rise with age") != std::string::npos);
  CHECK(fit_one({}).reason.find("no customers") != std::string::npos);
  // Pooled: the two segments share one model; a cohort of one age adds nothing.
  const std::vector<SurvivorCounts> both{k_regular, k_high_end, SurvivorCounts{50}};
  const SbgFit pooled = fit_sbg(both);
  REQUIRE(pooled.fitted);
  CHECK(pooled.log_likelihood < fit_one(k_regular).log_likelihood + fit_one(k_high_end).log_likelihood);
}

TEST_CASE("Snapshot cohorts count a customer that stops paying as lost for good", "[retention_model]") {
  SnapshotTable t;
  const MonthIndex first = *parse_month("2025-01");
  const auto put = [&](std::string_view id, std::vector<std::int64_t> mrr, MonthIndex from) {
    const std::uint32_t c = t.customer(id, "");
    for (std::size_t m = 0; m < mrr.size(); ++m)
      REQUIRE(t.set(c, from + static_cast<MonthIndex>(m), Money::from_units(mrr[m])));
  };
  put("old", {10, 10, 10, 10}, first);   // already paying in the first month: age unknown
  put("stays", {0, 20, 20, 20}, first);  // acquired 2025-02
  put("returns", {0, 30, 0, 30}, first); // acquired 2025-02, lost at age 1: its return is not survival
  put("late", {0, 0, 0, 40}, first);     // acquired 2025-04
  t.close_range();
  const std::vector<CohortSurvivors> s = cohort_survivors(t);
  REQUIRE(s.size() == 3);
  CHECK(s[0].before_data);
  CHECK(s[1].month == first + 1);
  CHECK(s[1].alive == std::vector<std::uint64_t>{2, 1, 1});
  CHECK(s[1].mrr.back() == Money::from_units(20));
  CHECK(s[2].alive == std::vector<std::uint64_t>{1});
}

TEST_CASE("The forecast page draws a chart per fitted cohort and carries the JSON", "[retention_model]") {
  std::vector<app::CohortCounts> counts{
      {"Regular", k_regular, Money::from_units(241 * 50), Money::from_units(50000), {}},
      {"Flat", {10, 10, 10}, std::nullopt, std::nullopt, {}}};
  Forecast f;
  f.input = "paper.csv";
  app::ForecastSettings s;
  s.period = PeriodLength::year;
  s.gross_margin = Money::from_units(1);
  app::forecast_sbg(counts, s, f);
  REQUIRE(f.cohorts.size() == 2);
  CHECK(f.cohorts[0].arpa == Money::from_units(50));
  // LTV: ARPA x margin x DERL, to the cent.
  const double derl = sbg_derl(f.cohorts[0].fit.alpha, f.cohorts[0].fit.beta, 8, 0.10);
  CHECK(f.cohorts[0].ltv->micros == std::llround(50 * derl * 100) * 10'000);
  CHECK(f.cohorts[0].fitted.size() == 8 + 12);
  CHECK_FALSE(f.cohorts[1].fit.fitted);
  const std::string page = render_forecast(f, "html", "/* chart */");
  CHECK(page.find("<canvas data-cohort=\"0\"") != std::string::npos);
  CHECK(page.find("data-cohort=\"1\"") == std::string::npos); // not fitted: no chart
  CHECK(page.find("<canvas data-cohort=\"\" data-title=\"all cohorts, pooled\"") != std::string::npos);
  CHECK(page.find("id=\"cskpi-forecast\"") != std::string::npos);
  CHECK(page.find("not fitted: no customer lost") != std::string::npos);
  CHECK(page.find(" src=") == std::string::npos); // offline: nothing loaded from elsewhere
}

} // namespace test_retention_model
