// SPDX-License-Identifier: MIT
// Text helpers the layers share. No locale: a cell's bytes are taken as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cskpi {

/// 'A'-'Z' as 'a'-'z'; any other byte as it is.
constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Not empty, and nothing but '0'-'9'.
constexpr bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

/// `s` without leading and trailing spaces and tabs (csv.hpp's trim_spaces() also drops a
/// trailing carriage return).
constexpr std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The columns `s` takes on a terminal: East Asian wide and fullwidth characters (CJK, Hangul,
/// fullwidth forms, most emoji) two, combining marks and zero-width characters none, any
/// other character (or a byte that is not UTF-8) one.
std::size_t display_width(std::string_view s);
/// `s` padded with spaces on the right (pad_right) or left (pad_left) to `width` columns.
std::string pad_right(std::string_view s, std::size_t width);
std::string pad_left(std::string_view s, std::size_t width);

} // namespace cskpi
