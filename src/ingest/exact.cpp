// SPDX-License-Identifier: MIT
#include "ingest/exact.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

namespace cskpi::ingest {

namespace {

__extension__ typedef __int128 i128;

constexpr int k_max_digits = 18; // 10^18 - 1 fits int64, so 18 digits always do

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

i128 pow10(int n) {
  i128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

/// q + r/den (0 <= r < den) rounded half-to-even, negated if `negative`, if it fits int64.
std::optional<Money> round_even(bool negative, i128 q, i128 r, i128 den) {
  if (2 * r > den || (2 * r == den && (q & 1) != 0)) ++q;
  const i128 v = negative ? -q : q;
  if (v < std::numeric_limits<std::int64_t>::min() || v > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return Money{static_cast<std::int64_t>(v)};
}

/// a * num / den rounded half-to-even; the caller keeps |a * num| below 2^127 and den > 0.
/// Rounding the magnitude makes ties symmetric around 0.
std::optional<Money> mul_div(i128 a, i128 num, i128 den) {
  i128 p = a * num;
  const bool negative = p < 0;
  if (negative) p = -p;
  return round_even(negative, p / den, p % den, den);
}

} // namespace

std::optional<Decimal> parse_decimal(std::string_view text) {
  text = trim(text);
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  for (const std::string_view part : {whole, fraction})
    for (const char c : part)
      if (c < '0' || c > '9') return std::nullopt; // signs, exponents, grouping, a second point
  if (fraction.size() > static_cast<std::size_t>(k_max_digits)) return std::nullopt;

  std::string digits(whole);
  digits += fraction;
  std::size_t scale = fraction.size();
  while (scale > 0 && digits.back() == '0') { // "1.50" and "1.5" are the same rate
    digits.pop_back();
    --scale;
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return std::nullopt; // zero is not positive
  if (digits.size() - first > static_cast<std::size_t>(k_max_digits)) return std::nullopt;
  Decimal d;
  for (std::size_t i = first; i < digits.size(); ++i) d.num = d.num * 10 + (digits[i] - '0');
  d.scale = static_cast<int>(scale);
  return d;
}

std::optional<Decimal> parse_decimal(std::string_view text, DecimalStyle style) {
  if (style == DecimalStyle::point) return parse_decimal(text);
  if (text.find('.') != std::string_view::npos) return std::nullopt; // a point where the file writes commas
  std::string swapped(text);
  std::replace(swapped.begin(), swapped.end(), ',', '.');
  return parse_decimal(swapped);
}

std::string to_string(Decimal d) {
  const bool negative = d.num < 0;
  std::uint64_t n = negative ? 0 - static_cast<std::uint64_t>(d.num) : static_cast<std::uint64_t>(d.num);
  int scale = d.scale;
  while (scale > 0 && n % 10 == 0) {
    n /= 10;
    --scale;
  }
  std::string s = std::to_string(n);
  if (scale > 0) {
    if (s.size() <= static_cast<std::size_t>(scale)) s.insert(0, static_cast<std::size_t>(scale) + 1 - s.size(), '0');
    s.insert(s.size() - static_cast<std::size_t>(scale), 1, '.');
  }
  return negative ? "-" + s : s;
}

std::optional<Money> scale_money(Money amount, std::int64_t num, std::int64_t den) {
  if (den <= 0) return std::nullopt;
  return mul_div(amount.micros, num, den);
}

std::optional<Money> convert(Money amount, Decimal rate) {
  if (rate.scale < 0 || rate.scale > k_max_digits) return std::nullopt;
  return mul_div(amount.micros, rate.num, pow10(rate.scale));
}

std::optional<ParsedInterval> parse_interval(std::string_view text) {
  std::string t(trim(text));
  for (char& c : t) c = ascii_lower(c);
  static constexpr std::pair<std::string_view, ParsedInterval> k_names[] = {
      {"day", {Interval::day, 1}},        {"days", {Interval::day, 1}},        {"daily", {Interval::day, 1}},
      {"week", {Interval::week, 1}},      {"weeks", {Interval::week, 1}},      {"weekly", {Interval::week, 1}},
      {"month", {Interval::month, 1}},    {"months", {Interval::month, 1}},    {"monthly", {Interval::month, 1}},
      {"year", {Interval::year, 1}},      {"years", {Interval::year, 1}},      {"yearly", {Interval::year, 1}},
      {"annual", {Interval::year, 1}},    {"annually", {Interval::year, 1}},   {"quarter", {Interval::month, 3}},
      {"quarters", {Interval::month, 3}}, {"quarterly", {Interval::month, 3}},
  };
  for (const auto& [name, interval] : k_names)
    if (t == name) return interval;
  return std::nullopt;
}

std::optional<Money> monthly(Money per_interval, Interval unit, int count) {
  if (count < 1) return std::nullopt;
  const i128 months = static_cast<i128>(12) * count;
  switch (unit) {
  case Interval::day: return mul_div(per_interval.micros, 365, months);
  case Interval::week: return mul_div(per_interval.micros, 52, months);
  case Interval::month: return mul_div(per_interval.micros, 1, count);
  case Interval::year: return mul_div(per_interval.micros, 1, months);
  }
  return std::nullopt;
}

bool coupon_applies(const Coupon& c, int months_since_start) noexcept {
  switch (c.duration) {
  case Coupon::Duration::once: return false;
  case Coupon::Duration::repeating: return months_since_start >= 0 && months_since_start < c.duration_in_months;
  case Coupon::Duration::forever: return true;
  }
  return false;
}

std::optional<Money> discounted(Money unit_amount, std::int64_t quantity, const Coupon* coupon) {
  if (quantity < 0) return std::nullopt;
  const std::optional<Money> gross = mul_div(unit_amount.micros, quantity, 1);
  if (!gross || coupon == nullptr) return gross;
  if (coupon->percent_off) {
    // g × (100 − p)/100 = g − g·num/10^(scale+2). The denominator reaches 10^20, past
    // int64, so take g·num/den apart exactly and round the difference once.
    const Decimal p = *coupon->percent_off;
    if (p.scale < 0 || p.scale > k_max_digits) return std::nullopt;
    const i128 den = pow10(p.scale + 2);
    if (p.num <= 0 || p.num > 100 * pow10(p.scale)) return std::nullopt;
    const bool negative = gross->micros < 0;
    const i128 g = negative ? -static_cast<i128>(gross->micros) : gross->micros;
    const i128 off = g * p.num;
    const i128 q = g - off / den, r = off % den;
    return r == 0 ? round_even(negative, q, 0, den) : round_even(negative, q - 1, den - r, den);
  }
  if (coupon->amount_off && gross->micros > 0) {
    if (coupon->amount_off->micros >= gross->micros) return Money{};
    return Money{gross->micros - coupon->amount_off->micros};
  }
  return gross;
}

FxTable::FxTable(std::string target) : m_target(std::move(target)) {}

bool FxTable::add(std::string currency, std::optional<MonthIndex> month, Decimal rate) {
  Rates& rates = m_rates[std::move(currency)];
  if (!month) {
    if (rates.flat) return false;
    rates.flat = rate;
    return true;
  }
  return rates.monthly.try_emplace(*month, rate).second;
}

std::optional<Decimal> FxTable::rate(std::string_view currency, MonthIndex month) const {
  if (currency == m_target) return Decimal{1, 0};
  const auto it = m_rates.find(currency);
  if (it == m_rates.end()) return std::nullopt;
  const auto m = it->second.monthly.find(month);
  return m != it->second.monthly.end() ? std::optional<Decimal>(m->second) : it->second.flat;
}

std::string currency_code(std::string_view text) {
  std::string code(trim(text));
  if (code.size() != 3) return {};
  for (char& c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return {};
  }
  return code;
}

bool stripe_zero_decimal(std::string_view code) noexcept {
  static constexpr std::string_view k_codes[] = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
                                                 "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
  return std::find(std::begin(k_codes), std::end(k_codes), code) != std::end(k_codes);
}

} // namespace cskpi::ingest
