// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cskpi {

/// An exact amount of money in micro-units (1e-6 of the currency unit), SPEC §1.3.
/// Never converted through floating point on the way in; sums are overflow-checked.
struct Money {
  std::int64_t micros = 0;

  static constexpr std::int64_t k_scale = 1'000'000;
  static constexpr Money from_units(std::int64_t units) { return Money{units * k_scale}; }

  friend constexpr bool operator==(Money, Money) = default;
  friend constexpr auto operator<=>(Money, Money) = default;
};

/// Adds `b` to `a` in place; returns false (leaving `a` unchanged) if the sum leaves int64.
/// Inline: the sums of every row go through it.
inline bool checked_add(Money& a, Money b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a.micros, b.micros, &r)) return false;
  a.micros = r;
  return true;
}
/// a - b, or false on overflow.
inline bool checked_sub(Money& a, Money b) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a.micros, b.micros, &r)) return false;
  a.micros = r;
  return true;
}

/// Which characters separate decimals and thousands.
enum class DecimalStyle : std::uint8_t {
  point, ///< 1,234.56
  comma, ///< 1.234,56
};

struct ParsedMoney {
  enum class Status : std::uint8_t { ok, empty, invalid, overflow };
  Status status = Status::invalid;
  Money value{};
  bool rounded = false; ///< more than 6 decimals were rounded half-to-even
};

/// Parses a decimal number into micro-units without using floating point.
/// Accepts optional surrounding spaces, an optional leading '-', digits with optional
/// thousands grouping (groups of exactly three after the first), and an optional decimal
/// separator followed by digits (`5.`, `.5` are accepted). Exponents, '+', hex, NaN and
/// other scripts' digits are rejected. Empty (or all-space) text gives Status::empty.
ParsedMoney parse_money(std::string_view text, DecimalStyle style) noexcept;

/// Exact decimal text of `m` with trailing fractional zeros removed, at least
/// `min_decimals` decimals, '.' as separator and no grouping: "1234.5", "-0.000001".
std::string format_money_exact(Money m, int min_decimals = 0);

/// `m` rounded half-to-even to `decimals` (0..6) decimals, optionally with ',' thousands
/// grouping: format_money_fixed(Money{1234567890}, 2, true) == "1,234.57".
std::string format_money_fixed(Money m, int decimals, bool grouping);

/// Groups the digits of a non-negative integer in threes: 1234567 -> "1,234,567".
std::string group_thousands(std::uint64_t n);

} // namespace cskpi
