// SPDX-License-Identifier: MIT
// Internal to ingest: the rules every input form applies to its rows (issue 28), one place
// each, so that a hostile export gets the same answer whatever its form:
// - keys (customer, subscription, segment values) are trimmed of spaces and tabs;
// - a totals or subtotal row is an error, never a customer;
// - the same key twice in one file is an error naming both lines;
// - an amount the form cannot do without is an error when its cell is empty.
// A form states its key, its duplicates, its totals rows and what an empty cell means in
// its FormInfo (RowRules); `cskpi explain inputs` prints that table.
#pragma once

#include "ingest/reader.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cskpi::ingest {

/// A key cell as every form reads it: spaces and tabs around it are not part of the key, so
/// "A1", " A1" and "A1 " are one customer. Amounts are trimmed the same way.
inline std::string_view key_cell(std::string_view cell) noexcept { return trim_spaces(cell); }

/// A totals label in a key cell: looks_like_totals_label ("Total", "Grand total:", "Summe");
/// "Total" or "Grand total" with a qualifier ("Total MRR", "Grand Total (USD)", "Grand Sum");
/// or a group's subtotal as a pivot table or a spreadsheet's subtotals write it, its last word
/// total, totals, subtotal, sum, summe, result or ergebnis after a space ("SMB Total",
/// "Enterprise Subtotal", "SMB Sum", "SMB Result"). "Total Fitness GmbH" is a customer.
bool totals_label(std::string_view cell) noexcept;
/// Whether `cell` ends as a subtotal label may (its last letter that of a word above, a
/// trailing ':' or space): a fast path asks this, with the first letter, before totals_label().
inline bool may_end_totals_label(std::string_view cell) noexcept {
  if (cell.empty()) return false;
  const char c = static_cast<char>(cell.back() | 0x20);
  return c == 'l' || c == 's' || c == 'm' || c == 'e' || c == 't' || cell.back() == ':' || cell.back() == '.' ||
      cell.back() == ' ' || cell.back() == '\t' || cell.back() == ')';
}

/// The key of a whole row, for forms whose rows are events with no key of their own: every
/// cell trimmed, joined by a unit separator. Two lines with the same row key are the same
/// line repeated, whatever spaces pad their cells.
std::string row_key(const FileReader& rd);

/// Totals and subtotal rows. A row is one when its key cell is a totals label ("Total",
/// "Grand total:", "Summe", "SMB Total", "Gesamtergebnis"; totals_label), or when its amounts
/// repeat, in at least two non-zero columns (one column alone, 100 + 100 = 200, is too easily a
/// coincidence), the sums of every row used above it (a grand total) or of the rows since the
/// last totals row (a group's subtotal, as a spreadsheet's subtotals write one after each group).
class TotalsRule {
public:
  /// True when the current row is a totals row: the row is rejected with an error on
  /// `key_field` (or on the first amount, for sums) that says to delete the line.
  /// `amounts` may be empty for a form whose rows hold one amount (labels only).
  bool reject(FileReader& rd, std::size_t key_field, std::span<const Money> amounts, std::size_t first_amount_field);
  /// Adds a used row's amounts to the sums the next rows are compared with.
  void add(std::span<const Money> amounts);

private:
  struct Sums {
    std::vector<Money> sums;
    std::uint64_t rows = 0;    ///< rows added
    std::uint64_t nonzero = 0; ///< of them, rows with an amount other than 0: a sums row needs two
    bool matches(std::span<const Money> amounts) const noexcept;
    bool add(std::span<const Money> amounts) noexcept; ///< false on overflow
  };
  Sums m_all;                     ///< every row used
  Sums m_since;                   ///< the rows used since the last totals row
  std::uint64_t m_since_line = 0; ///< the line of the last totals row found by its sums, 0 before one
  bool m_overflow = false;
};

/// Duplicate keys within one file (each form's key: a subscription id, a customer, a
/// customer and month). The second line is rejected, naming the first.
class DuplicateRule {
public:
  /// False (and an error on `field`: "<what> <key> appears twice: lines A and B[; fix]") when
  /// `key` was seen on an earlier line of the file.
  bool note(FileReader& rd, std::size_t field, std::string_view what, std::string_view shown, std::string key,
            std::string_view fix = {});

private:
  std::unordered_map<std::string, std::uint64_t> m_first;
};

/// An amount the form cannot do without: an empty cell is an error (`why_needed` says what
/// the amount is for and what to do), never a silent 0.
Money required_amount(FileReader& rd, std::size_t field, std::string_view what, std::string_view why_needed,
                      bool allow_negative);

/// --period-length against a period cell that says its length (2026-10 a month, 2026-Q3 a
/// quarter, 2026 a year): a usage error naming both when they differ. A date (2026-09-30)
/// ends a month, a quarter and a year alike, so it says nothing and the flag decides; so it
/// does without a period column. The one place every form with a period column asks.
void check_period_length(const FileReader& rd, std::string_view cell, const Period& p);
/// Whether the run's period length is fixed and --period-length, if given, is it: what a
/// pass that checks no period against the flag needs.
inline bool length_settled(const Run& run) noexcept {
  return run.period_length && (!run.options.period_length || *run.options.period_length == *run.period_length);
}

/// Each month's MRR summed over the customers, as a billing export's rows add it to the
/// snapshot table: a sum that leaves the money range is an error on the row that makes it,
/// not an overflow of the report's totals later with no line to name.
class MonthSums {
public:
  /// Adds `value` to month `m`'s sum; false (an error on `line` and the amount's `field` that
  /// leaves the history unread, saying which `what`'s amount made the sum overflow:
  /// "subscription", "row") when the sum would leave the range.
  bool add(FileReader& rd, std::uint64_t line, std::size_t field, std::string_view what, MonthIndex m, Money value);
  /// Month `m`'s running sum, for a parallel pass that checks a row's amount against it (with
  /// checked_add) before it keeps the row, and stores the new sum once it has.
  Money& sum(MonthIndex m) { return m_sums[m]; }

private:
  std::map<MonthIndex, Money> m_sums;
};

} // namespace cskpi::ingest
