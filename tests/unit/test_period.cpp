// SPDX-License-Identifier: MIT
#include "core/period.hpp"

#include <catch2/catch.hpp>

namespace test_period {

using namespace cskpi;

TEST_CASE("parse_period recognises months, quarters, years and ISO dates", "[period]") {
  CHECK(parse_period("2026-10")->label == "2026-10");
  CHECK(parse_period("2026-10")->length == PeriodLength::month);
  CHECK(parse_period("2026-Q3")->label == "2026-Q3");
  CHECK(parse_period("2026-q3")->label == "2026-Q3");
  CHECK(parse_period("2026-Q3")->length == PeriodLength::quarter);
  CHECK(parse_period("2026")->length == PeriodLength::year);
  CHECK(parse_period("2026-10-31")->label == "2026-10");
  CHECK(parse_period("2026-10-31T12:00:00Z")->label == "2026-10");
  CHECK(parse_period(" 2026-01 ")->label == "2026-01");
}

TEST_CASE("parse_period rejects impossible periods", "[period]") {
  for (const char* bad : {"", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-10", "2026/10", "2026-10-32",
                          "2026-02-30", "Oct 2026", "2026-1", "20261"})
    CHECK_FALSE(parse_period(bad).has_value());
}

TEST_CASE("period lengths map to compounding exponents", "[period]") {
  CHECK(periods_per_year(PeriodLength::month) == 12);
  CHECK(periods_per_year(PeriodLength::quarter) == 4);
  CHECK(periods_per_year(PeriodLength::year) == 1);
  CHECK(months_per_period(PeriodLength::quarter) == 3);
  CHECK(parse_period_length("quarterly") == PeriodLength::quarter);
  CHECK_FALSE(parse_period_length("week").has_value());
}

} // namespace test_period
