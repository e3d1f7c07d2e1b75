// SPDX-License-Identifier: MIT
#include "core/period.hpp"

#include "core/text.hpp"

namespace cskpi {

int periods_per_year(PeriodLength p) noexcept {
  switch (p) {
  case PeriodLength::month: return 12;
  case PeriodLength::quarter: return 4;
  case PeriodLength::year: return 1;
  }
  return 12;
}

int months_per_period(PeriodLength p) noexcept { return 12 / periods_per_year(p); }

std::string_view to_string(PeriodLength p) noexcept {
  switch (p) {
  case PeriodLength::month: return "month";
  case PeriodLength::quarter: return "quarter";
  case PeriodLength::year: return "year";
  }
  return "month";
}

std::optional<PeriodLength> parse_period_length(std::string_view text) noexcept {
  if (text == "month" || text == "monthly" || text == "m") return PeriodLength::month;
  if (text == "quarter" || text == "quarterly" || text == "q") return PeriodLength::quarter;
  if (text == "year" || text == "yearly" || text == "annual" || text == "y") return PeriodLength::year;
  return std::nullopt;
}

namespace {

int two_digits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

} // namespace

MonthSpan month_span(const Period& p) noexcept {
  const int year = two_digits(p.label) * 100 + two_digits(std::string_view(p.label).substr(2)); // labels start YYYY
  switch (p.length) {
  case PeriodLength::year: return {year * 12, year * 12 + 11};
  case PeriodLength::quarter: {
    const int first = year * 12 + (p.label[6] - '1') * 3;
    return {first, first + 2};
  }
  case PeriodLength::month: break;
  }
  const int m = year * 12 + two_digits(std::string_view(p.label).substr(5)) - 1;
  return {m, m};
}

std::optional<Period> parse_period(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() < 4 || !all_digits(text.substr(0, 4))) return std::nullopt;
  const std::string year(text.substr(0, 4));
  if (text.size() == 4) return Period{year, PeriodLength::year};
  if (text[4] != '-') return std::nullopt;
  const std::string_view rest = text.substr(5);
  if (rest.size() == 2 && (rest[0] == 'Q' || rest[0] == 'q') && rest[1] >= '1' && rest[1] <= '4')
    return Period{year + "-Q" + rest[1], PeriodLength::quarter};
  if (rest.size() < 2 || !all_digits(rest.substr(0, 2))) return std::nullopt;
  const int month = two_digits(rest);
  if (month < 1 || month > 12) return std::nullopt;
  if (rest.size() == 2) return Period{year + "-" + std::string(rest.substr(0, 2)), PeriodLength::month};
  // ISO date: YYYY-MM-DD, optionally followed by a time part ("T..." or " ...").
  if (rest.size() < 5 || rest[2] != '-' || !all_digits(rest.substr(3, 2))) return std::nullopt;
  static constexpr int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int day = two_digits(rest.substr(3, 2));
  if (day < 1 || day > k_days[month - 1]) return std::nullopt;
  if (rest.size() > 5 && rest[5] != 'T' && rest[5] != ' ') return std::nullopt;
  return Period{year + "-" + std::string(rest.substr(0, 2)), PeriodLength::month};
}

} // namespace cskpi
