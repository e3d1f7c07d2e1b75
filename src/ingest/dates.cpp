// SPDX-License-Identifier: MIT
#include "ingest/dates.hpp"

#include "ingest/reader.hpp" // show()

#include "core/csv.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace cskpi::ingest {

namespace {

constexpr int k_min_year = 1900;
constexpr int k_max_year = 2199;

constexpr std::array<std::string_view, 12> k_month_names = {"January",   "February", "March",    "April",
                                                            "May",       "June",     "July",     "August",
                                                            "September", "October",  "November", "December"};

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
      std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

/// 1..12 for an English month name, in full or its first three letters (any case); else 0.
int month_from_name(std::string_view name) {
  for (std::size_t i = 0; i < k_month_names.size(); ++i)
    if (equal_nocase(name, k_month_names[i]) || equal_nocase(name, k_month_names[i].substr(0, 3)))
      return static_cast<int>(i) + 1;
  return 0;
}

bool take(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

std::size_t digit_run(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  return n;
}

/// Takes exactly `n` digits (n <= 4) from the front of `s`, whatever follows them.
std::optional<int> take_digits(std::string_view& s, std::size_t n) {
  if (digit_run(s) < n) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[i] - '0');
  s.remove_prefix(n);
  return v;
}

/// Takes a number of `min`..`max` digits (max <= 4) from the front of `s`; a longer run of
/// digits is no match, so "20261" is not a year.
std::optional<int> take_number(std::string_view& s, std::size_t min, std::size_t max) {
  const std::size_t n = digit_run(s);
  if (n < min || n > max) return std::nullopt;
  return take_digits(s, n);
}

/// True when `rest`, what follows a date, is empty or a time of day (which is ignored).
/// After an ISO date: `T` or ` `, HH:MM[:SS[.fff]] and an optional zone (Z, +02:00, +0200,
/// -05). After the other forms: ` `, H:MM[:SS] and an optional ` AM` or ` PM`.
bool time_ok(std::string_view rest, bool iso) {
  if (rest.empty()) return true;
  if (!take(rest, ' ') && !(iso && take(rest, 'T'))) return false;
  const auto h = take_number(rest, iso ? 2 : 1, 2);
  if (!h || *h > 23 || !take(rest, ':')) return false;
  const auto m = take_number(rest, 2, 2);
  if (!m || *m > 59) return false;
  if (take(rest, ':')) {
    const auto s = take_number(rest, 2, 2);
    if (!s || *s > 60) return false; // 60: a leap second
    if (iso && take(rest, '.')) {
      const std::size_t n = digit_run(rest);
      if (n == 0) return false;
      rest.remove_prefix(n);
    }
  }
  if (iso) {
    if (rest.empty()) return true;
    if (take(rest, 'Z')) return rest.empty();
    if (!take(rest, '+') && !take(rest, '-')) return false;
    const auto zh = take_digits(rest, 2); // +02, +02:00 or +0200
    if (!zh || *zh > 14) return false;
    if (rest.empty()) return true;
    take(rest, ':');
    const auto zm = take_digits(rest, 2);
    return zm && *zm <= 59 && rest.empty();
  }
  if (rest.empty()) return true;
  return take(rest, ' ') && *h >= 1 && *h <= 12 && (equal_nocase(rest, "AM") || equal_nocase(rest, "PM"));
}

enum class Shape : std::uint8_t { none, ymd, ym, dotted, slash, named };

/// A date's numbers as written. `a` is the day (ymd, dotted) or the first slash part; `b` is
/// the month (all forms but slash) or the second slash part. So (day a, month b) is always
/// the day-first reading.
struct Parsed {
  Shape shape = Shape::none;
  int a = 0, b = 0, year = 0;
};

/// Recognises the form of a trimmed cell; range checks are left to the caller.
Parsed parse(std::string_view t) {
  if (const auto y = take_number(t, 4, 4)) { // YYYY-MM-DD, YYYY/MM/DD, YYYY-MM
    const char sep = t.empty() ? '\0' : t.front();
    if (sep != '-' && sep != '/') return {};
    t.remove_prefix(1);
    const auto m = take_number(t, 2, 2);
    if (!m) return {};
    if (t.empty()) return sep == '-' ? Parsed{Shape::ym, 0, *m, *y} : Parsed{};
    const auto d = take(t, sep) ? take_number(t, 2, 2) : std::optional<int>{};
    if (!d || !time_ok(t, true)) return {};
    return {Shape::ymd, *d, *m, *y};
  }
  if (const auto a = take_number(t, 1, 2)) { // D.M.YYYY, D/M/YYYY, M/D/YYYY
    const char sep = t.empty() ? '\0' : t.front();
    if (sep != '.' && sep != '/') return {};
    t.remove_prefix(1);
    const auto b = take_number(t, 1, 2);
    const auto y = b && take(t, sep) ? take_number(t, 4, 4) : std::optional<int>{};
    if (!y || !time_ok(t, false)) return {};
    return {sep == '.' ? Shape::dotted : Shape::slash, *a, *b, *y};
  }
  std::size_t n = 0; // Oct 2026, October 2026, oct-2026
  while (n < t.size() && ((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z'))) ++n;
  const int month = month_from_name(t.substr(0, n));
  t.remove_prefix(n);
  if (month == 0 || !(take(t, '-') || take(t, ' '))) return {};
  while (take(t, ' ')) {}
  const auto y = take_number(t, 4, 4);
  if (!y || !t.empty()) return {};
  return {Shape::named, 0, month, *y};
}

bool valid_month(int year, int month) { return year >= k_min_year && year <= k_max_year && month >= 1 && month <= 12; }

/// The day, if it exists. parse_date owns the calendar, so the date goes through its ISO form.
std::optional<Day> civil_day(int year, int month, int day) {
  if (!valid_month(year, month) || day < 1 || day > 31) return std::nullopt;
  std::array<char, 10> iso{};
  fmt::format_to_n(iso.data(), iso.size(), "{:04}-{:02}-{:02}", year, month, day);
  return parse_date(std::string_view(iso.data(), iso.size()));
}

/// The only order a slash date is a valid date in; unknown when it is valid in both or neither.
DateOrder fitting_order(const Parsed& p) {
  const bool dmy = civil_day(p.year, p.b, p.a).has_value(), mdy = civil_day(p.year, p.a, p.b).has_value();
  return dmy == mdy ? DateOrder::unknown : dmy ? DateOrder::dmy : DateOrder::mdy;
}

/// A cell for a message, as ingest::show shows it (without depending on the reader):
} // namespace

std::optional<DateOrder> parse_date_order(std::string_view text) {
  text = trim_spaces(text);
  if (equal_nocase(text, "auto")) return DateOrder::unknown;
  if (equal_nocase(text, "DD/MM/YYYY") || equal_nocase(text, "dmy")) return DateOrder::dmy;
  if (equal_nocase(text, "MM/DD/YYYY") || equal_nocase(text, "mdy")) return DateOrder::mdy;
  return std::nullopt;
}

DateColumn::DateColumn(DateOrder given) : m_order(given) {}

DateOrder DateColumn::order() const { return m_order; }

DateColumn::Result DateColumn::read(std::string_view text, std::uint64_t line) {
  text = trim_spaces(text);
  if (text.empty()) return {};
  const Parsed p = parse(text);
  int day = p.a, month = p.b;
  switch (p.shape) {
  case Shape::none: return {Status::not_a_date, {}};
  case Shape::ym:
  case Shape::named:
    if (!valid_month(p.year, month)) return {Status::not_a_date, {}};
    return {Status::ok, {p.year * 12 + month - 1, std::nullopt}};
  case Shape::slash: {
    const DateOrder fits = fitting_order(p);
    if (fits != DateOrder::unknown) {
      if (m_order == DateOrder::unknown) decide(fits, text, line);
      else if (m_order != fits) return {Status::contradicts, {}};
    } else if (p.a != p.b && m_order == DateOrder::unknown && civil_day(p.year, p.b, p.a)) {
      return {Status::ambiguous, {}}; // valid both ways: 03/04/2026
    }
    if (m_order == DateOrder::mdy) std::swap(day, month);
    break;
  }
  case Shape::ymd:
  case Shape::dotted: break;
  }
  const std::optional<Day> d = civil_day(p.year, month, day);
  if (!d) return {Status::not_a_date, {}};
  return {Status::ok, {p.year * 12 + month - 1, d}};
}

void DateColumn::learn(std::string_view text, std::uint64_t line) {
  if (m_order != DateOrder::unknown) return;
  text = trim_spaces(text);
  const Parsed p = parse(text);
  const DateOrder fits = p.shape == Shape::slash ? fitting_order(p) : DateOrder::unknown;
  if (fits != DateOrder::unknown) decide(fits, text, line);
}

void DateColumn::decide(DateOrder order, std::string_view text, std::uint64_t line) {
  m_order = order;
  m_decided_by = text;
  m_decided_line = line;
}

std::string DateColumn::message(const Result& r, std::string_view column, std::string_view text) const {
  text = trim_spaces(text);
  const Parsed p = parse(text);
  switch (r.status) {
  case Status::ok: return {};
  case Status::empty: return fmt::format("{} is empty", column);
  case Status::ambiguous:
    if (p.shape == Shape::slash && valid_month(p.year, p.a) && valid_month(p.year, p.b))
      return fmt::format("{} {} could be {} {} or {} {}: pass --date-format DD/MM/YYYY or MM/DD/YYYY", column,
                         show(text), p.a, k_month_names[static_cast<std::size_t>(p.b - 1)],
                         k_month_names[static_cast<std::size_t>(p.a - 1)], p.b);
    break;
  case Status::contradicts: {
    const std::string_view order = m_order == DateOrder::dmy ? "DD/MM/YYYY" : "MM/DD/YYYY";
    if (m_decided_by.empty())
      return fmt::format("{} {} is not {}, the order given by --date-format", column, show(text), order);
    return fmt::format("{} {} is not {}, the order decided by {} on line {}; pass --date-format if the file mixes them",
                       column, show(text), order, show(m_decided_by), m_decided_line);
  }
  case Status::not_a_date: break;
  }
  return fmt::format("{} {} is not a date (use YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY with --date-format, "
                     "or Oct 2026)",
                     column, show(text));
}

} // namespace cskpi::ingest
