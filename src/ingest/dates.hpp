// SPDX-License-Identifier: MIT
// Internal to ingest: date cells as people write them (ISO, German dotted, US and European
// slash dates, month names) and the per-column choice between DD/MM and MM/DD. Pure: no I/O.
#pragma once

#include "core/attributes.hpp"
#include "core/snapshot_table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cskpi::ingest {

/// How day and month are ordered in a slash date (3/4/2026).
enum class DateOrder : std::uint8_t { unknown, dmy, mdy };

/// Parses a --date-format value: "auto" (unknown), "DD/MM/YYYY" or "dmy", "MM/DD/YYYY" or
/// "mdy" (any case, surrounding spaces ignored); nullopt otherwise.
std::optional<DateOrder> parse_date_order(std::string_view text);

/// A date cell read: the day when the text has one, else only the month (e.g. "Oct 2026",
/// "2026-10").
struct DateCell {
  MonthIndex month = 0;
  std::optional<Day> day;
};

/// One date column of one file. Accepted forms (surrounding spaces ignored, years 1900-2199,
/// impossible dates such as 2026-02-30 rejected, two-digit years never accepted):
///  - `YYYY-MM-DD` or `YYYY/MM/DD`, optionally with a time: `T12:00:00Z`, `T12:00:00.123+02:00`,
///    ` 12:00`, ` 12:00:00`. The date is taken as written: the time and zone are ignored,
///    so 2026-10-31T23:30:00-05:00 is 31 October, not 1 November UTC;
///  - `YYYY-MM` (month only);
///  - `D.M.YYYY` (German, always day first; 1-2 digit day and month), optionally ` HH:MM[:SS]`;
///  - `D/M/YYYY` or `M/D/YYYY` (1-2 digit parts), optionally ` HH:MM[:SS]` and ` AM`/` PM`;
///  - `Oct 2026`, `October 2026`, `oct-2026`: English three-letter or full month names, any
///    case (month only).
/// The order of slash dates is fixed by --date-format, or by the first value that decides it
/// (a first number above 12 means DD/MM, a second above 12 means MM/DD); a later value that
/// contradicts it is an error, never a silent swap. A value with equal parts (05/05/2026)
/// reads the same either way and decides nothing.
class DateColumn {
public:
  explicit DateColumn(DateOrder given = DateOrder::unknown);

  enum class Status : std::uint8_t {
    ok,
    empty,       ///< nothing but spaces
    not_a_date,  ///< no accepted form, or an impossible date
    ambiguous,   ///< a slash date with both parts <= 12 while the order is unknown
    contradicts, ///< a slash date only valid in the order not chosen
  };
  struct Result {
    Status status = Status::empty;
    DateCell value; ///< set when ok
  };

  /// Reads one cell at `line` (1-based line of the file, kept to say where the order was
  /// decided). An ambiguous value does not decide the order.
  Result read(std::string_view text, std::uint64_t line);
  /// The slash-date order: given, learnt or decided by a value read; unknown until then.
  DateOrder order() const;
  /// The error message for a failed read of `text` in column `column` (e.g. "signup_date"):
  ///  not_a_date:  signup_date "31/31/2026" is not a date (use YYYY-MM-DD, DD.MM.YYYY,
  ///               MM/DD/YYYY or DD/MM/YYYY with --date-format, or Oct 2026)
  ///  ambiguous:   signup_date "03/04/2026" could be 3 April or March 4: pass --date-format
  ///               DD/MM/YYYY or MM/DD/YYYY
  ///  contradicts: signup_date "13/04/2026" is not MM/DD/YYYY, the order decided by
  ///               "04/13/2026" on line 7; pass --date-format if the file mixes them
  ///               (or "..., the order given by --date-format" when it was given)
  /// Values are shown quoted with control bytes escaped and cut at 40 characters. Empty for
  /// ok; "signup_date is empty" for empty.
  std::string message(const Result& r, std::string_view column, std::string_view text) const;
  /// Feeds a value only to decide the order (a look-ahead over the file's first lines);
  /// never fails, and does nothing once the order is known.
  void learn(std::string_view text, std::uint64_t line);

private:
  /// Fixes the order, decided by `text` on `line`.
  void decide(DateOrder order, std::string_view text, std::uint64_t line);

  DateOrder m_order;
  std::string m_decided_by; ///< the value that decided the order ("" when given)
  std::uint64_t m_decided_line = 0;
};

} // namespace cskpi::ingest
