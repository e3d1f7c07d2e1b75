// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cskpi {

/// How long one period of the input is, SPEC §2.3.
enum class PeriodLength : std::uint8_t { month, quarter, year };

/// 12, 4 or 1: the compounding exponent for annualisation.
int periods_per_year(PeriodLength p) noexcept;
/// 1, 3 or 12: months in one period (LTV's revenue per period).
int months_per_period(PeriodLength p) noexcept;
/// "month", "quarter", "year".
std::string_view to_string(PeriodLength p) noexcept;
/// Parses "month", "quarter", "year" (also "monthly", "m", "q", "y" ...).
std::optional<PeriodLength> parse_period_length(std::string_view text) noexcept;

/// A normalised period label with the length its form implies.
struct Period {
  std::string label; ///< "2026-10", "2026-Q3", "2026"
  PeriodLength length = PeriodLength::month;
};

/// The months a period covers, each as year * 12 + month - 1.
struct MonthSpan {
  int first = 0, last = 0;
};
MonthSpan month_span(const Period& p) noexcept;

/// Parses `YYYY-MM`, `YYYY-Qn`, `YYYY` or an ISO date `YYYY-MM-DD` (taken as its month).
/// Surrounding spaces are ignored; "q" may be lower case. Returns nullopt for anything else.
std::optional<Period> parse_period(std::string_view text);

} // namespace cskpi
