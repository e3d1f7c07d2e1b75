// SPDX-License-Identifier: MIT
// Billings and recognised revenue from invoice lines (issue 31): straight-line daily
// recognition of each line over its service period, summed exactly per period and group,
// rounded once. Pure: no I/O.
#pragma once

#include "core/invoice.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

__extension__ typedef __int128 i128;

/// An exact sum of fractions num / den (den > 0), kept as one numerator per denominator so that
/// adding never rounds and never overflows before the end; rounded once by rounded().
class ExactSum {
public:
  void add(i128 num, std::int64_t den);
  void add(const ExactSum& other);
  void subtract(const ExactSum& other);
  /// The sum as one fraction in lowest terms (den > 0), or nullopt when the common denominator
  /// does not fit in 128 bits (many distinct service lengths).
  std::optional<std::pair<i128, i128>> combined() const;
  /// The sum rounded half-to-even to an integer (micro-units). Exact when combined() has a
  /// value; otherwise each denominator's part is rounded and `*exact` is set false.
  std::int64_t rounded(bool* exact = nullptr) const;
  bool empty() const noexcept { return m_parts.empty(); }

private:
  std::map<std::int64_t, i128> m_parts; ///< denominator -> sum of numerators
};

/// Days of a line's service period (end - start), 0 without one.
std::int64_t service_days(const InvoiceLine& line) noexcept;
/// The part of `line` recognised within days [from, to), exactly: amount x the service days
/// inside / the service days. A line without a service period (or with zero service days) is
/// recognised whole on its invoice date.
std::pair<i128, std::int64_t> recognised_within(const InvoiceLine& line, Day from, Day to) noexcept;
/// Whether [start, end) is a whole number (>= 1) of months: end is start moved on by whole
/// months, a day past a shorter month's end clamped to its last day (Jan 31 -> Feb 28).
bool whole_months(Day start, Day end) noexcept;
/// The first day of the month year * 12 + month - 1.
Day first_day_of_month(std::int32_t month_index) noexcept;

/// One report period in days: [first, end).
struct InvoicePeriod {
  std::string label;
  Day first = 0, end = 0;
};
/// The period labelled `label` ("2026-01", "2026-Q1", "2026") in days, or nullopt.
std::optional<InvoicePeriod> invoice_period(const std::string& label);

/// What the book needs of the MRR input about one customer: its --by group and the periods
/// whose end finds it with MRR above 0.
struct InvoiceCustomer {
  std::string group;
  std::set<std::string, std::less<>> with_mrr;
};

/// The exact figures of one period and group. `recognized` splits into the residuals of the
/// reconciliation: each line's part falls in the first that fits of credits (a negative
/// line), one_time (no service period), without_mrr (its customer has no MRR at the period's
/// end), prorations (a service period not a whole number of months); the rest is recurring.
struct InvoiceFigures {
  i128 billings = 0; ///< micro-units of the lines invoiced in the period
  ExactSum recognized, deferred;
  ExactSum credits, one_time, without_mrr, prorations;
  std::uint64_t lines_billed = 0;     ///< lines invoiced in the period
  std::uint64_t lines_recognized = 0; ///< lines with a part recognised in the period
  std::uint64_t lines_to_date = 0;    ///< lines invoiced before the period's end
};

struct InvoicePeriodFigures {
  InvoiceFigures all;
  std::map<std::string, InvoiceFigures, std::less<>> groups; ///< by the customer's --by value
};

struct InvoiceBook {
  std::map<std::string, InvoicePeriodFigures, std::less<>> periods; ///< by period label
  std::uint64_t lines = 0;
  std::uint64_t no_service = 0; ///< lines without a service period, recognised on their invoice date
  std::uint64_t unknown = 0;    ///< lines of customers the MRR input does not hold
  std::string unknown_example;
  /// The figures of a period and group (`segment` nullptr for all); nullptr if none.
  const InvoiceFigures* find(std::string_view period, const std::string* segment) const;
};

/// Books every line into the periods: billings by invoice date, recognition by service day,
/// deferred revenue at each period's end (billings to date - recognised to date, so service
/// delivered before its invoice, billed in arrears, lowers it). `grouped`: also per group, a
/// line in the group of its customer; customers not in `customers` count in `all` only.
InvoiceBook book_invoices(std::span<const InvoiceLine> lines, std::span<const InvoicePeriod> periods,
                          const std::map<std::string, InvoiceCustomer, std::less<>>& customers, bool grouped);

} // namespace cskpi
