// SPDX-License-Identifier: MIT
// The sBG model against Fader & Hardie (2007): the published estimates from the published
// survivor counts, DERL against a direct sum, and the cohorts no model can be fitted to.
#include "metrics/retention_model.hpp"

#include <catch2/catch.hpp>

#include <cmath>

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
  INFO("regular " << regular.alpha << ", " << regular.beta << "; high end " << high_end.alpha << ", "
                  << high_end.beta);
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
