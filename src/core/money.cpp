// SPDX-License-Identifier: MIT
#include "core/money.hpp"

#include "core/text.hpp"

#include <cstdlib>

namespace cskpi {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

} // namespace

namespace {

/// The common form "123" or "123.45" (digits, at most 12 before and 6 after the separator
/// `dec`, nothing else) in one pass; false for anything else, which parse_money handles.
bool parse_plain(std::string_view text, char dec, std::int64_t& micros) noexcept {
  const std::size_t n = text.size();
  if (n == 0 || n > 19) return false;
  std::size_t i = 0;
  std::int64_t units = 0;
  for (; i < n && is_digit(text[i]); ++i) units = units * 10 + (text[i] - '0');
  if (i == 0 || i > 12) return false;
  std::int64_t frac = 0;
  std::int64_t scale = Money::k_scale;
  if (i < n) {
    if (text[i] != dec || i + 1 == n || n - i - 1 > 6) return false;
    for (++i; i < n; ++i) {
      if (!is_digit(text[i])) return false;
      frac = frac * 10 + (text[i] - '0');
      scale /= 10;
    }
  }
  micros = units * Money::k_scale + frac * scale;
  return true;
}

} // namespace

ParsedMoney parse_money(std::string_view text, DecimalStyle style) noexcept {
  using Status = ParsedMoney::Status;
  ParsedMoney out;
  if (parse_plain(text, style == DecimalStyle::point ? '.' : ',', out.value.micros)) {
    out.status = Status::ok;
    return out;
  }
  text = trim_blanks(text);
  if (text.empty()) {
    out.status = Status::empty;
    return out;
  }
  const char dec = style == DecimalStyle::point ? '.' : ',';
  const char group = style == DecimalStyle::point ? ',' : '.';

  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }

  // Integer part, with optional thousands grouping validated as we go.
  // Accumulate as unsigned magnitude of micro-units; the limit below keeps it in int64.
  constexpr std::uint64_t k_limit = static_cast<std::uint64_t>(INT64_MAX);
  std::uint64_t units = 0;
  std::size_t i = 0;
  std::size_t int_digits = 0;
  std::size_t group_len = 0; // digits since the last group separator
  bool grouped = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      if (units > (k_limit / Money::k_scale) / 10 + 1) {
        out.status = Status::overflow;
        return out;
      }
      units = units * 10 + static_cast<std::uint64_t>(c - '0');
      ++int_digits;
      ++group_len;
    } else if (c == group) {
      // The first group may have 1-3 digits, every later one exactly 3.
      if (int_digits == 0 || (grouped ? group_len != 3 : group_len > 3)) return out;
      grouped = true;
      group_len = 0;
    } else {
      break;
    }
  }
  if (grouped && group_len != 3) return out;

  // Fraction part.
  std::uint64_t frac = 0;
  std::size_t frac_digits = 0;
  bool round_up = false;
  if (i < text.size() && text[i] == dec) {
    ++i;
    bool seen_nonzero_after_7th = false;
    int seventh = -1;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      const int d = text[i] - '0';
      if (frac_digits < 6) {
        frac = frac * 10 + static_cast<std::uint64_t>(d);
      } else if (frac_digits == 6) {
        seventh = d;
      } else if (d != 0) {
        seen_nonzero_after_7th = true;
      }
      ++frac_digits;
    }
    if (frac_digits > 6) {
      out.rounded = true;
      // Half-to-even on the 7th digit and everything after it.
      if (seventh > 5 || (seventh == 5 && (seen_nonzero_after_7th || (frac % 2) == 1))) round_up = true;
    }
    for (std::size_t k = frac_digits; k < 6; ++k) frac *= 10;
  }
  if (i != text.size() || int_digits + frac_digits == 0) return out; // trailing junk or no digits

  if (units > k_limit / Money::k_scale) {
    out.status = Status::overflow;
    return out;
  }
  std::uint64_t magnitude = units * static_cast<std::uint64_t>(Money::k_scale) + frac + (round_up ? 1u : 0u);
  if (magnitude > k_limit) {
    out.status = Status::overflow;
    return out;
  }
  const auto signed_value = static_cast<std::int64_t>(magnitude);
  out.value = Money{negative ? -signed_value : signed_value};
  out.status = Status::ok;
  return out;
}

std::string group_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (i - lead) % 3 == 0 && i >= lead) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

namespace {

std::uint64_t magnitude_of(std::int64_t v) {
  return v < 0 ? static_cast<std::uint64_t>(-(v + 1)) + 1u : static_cast<std::uint64_t>(v);
}

std::string compose(bool negative, std::uint64_t units, std::string frac, bool grouping) {
  std::string out;
  if (negative && (units != 0 || frac.find_first_not_of('0') != std::string::npos)) out.push_back('-');
  out += grouping ? group_thousands(units) : std::to_string(units);
  if (!frac.empty()) {
    out.push_back('.');
    out += frac;
  }
  return out;
}

} // namespace

std::string format_money_exact(Money m, int min_decimals) {
  const std::uint64_t mag = magnitude_of(m.micros);
  const std::uint64_t units = mag / Money::k_scale;
  std::string frac = std::to_string(mag % Money::k_scale);
  frac.insert(0, 6 - frac.size(), '0');
  while (frac.size() > static_cast<std::size_t>(min_decimals) && frac.back() == '0') frac.pop_back();
  return compose(m.micros < 0, units, frac, false);
}

std::string format_money_fixed(Money m, int decimals, bool grouping) {
  if (decimals < 0) decimals = 0;
  if (decimals > 6) decimals = 6;
  std::uint64_t step = 1;
  for (int k = decimals; k < 6; ++k) step *= 10;
  const std::uint64_t mag = magnitude_of(m.micros);
  std::uint64_t q = mag / step;
  const std::uint64_t r = mag % step;
  if (r * 2 > step || (r * 2 == step && (q % 2) == 1)) ++q; // half-to-even
  std::uint64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  std::string frac;
  if (decimals > 0) {
    frac = std::to_string(q % scale);
    frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
  }
  return compose(m.micros < 0, q / scale, frac, grouping);
}

} // namespace cskpi
