// SPDX-License-Identifier: MIT
#include "metrics/invoices.hpp"

#include "core/attributes.hpp"
#include "core/period.hpp"
#include "metrics/formula.hpp"

#include <cmath>
#include <numeric>

namespace cskpi {

namespace {

i128 abs128(i128 v) { return v < 0 ? -v : v; }

i128 gcd128(i128 a, i128 b) {
  a = abs128(a);
  b = abs128(b);
  while (b != 0) {
    const i128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

int days_in_month(int y, int m) {
  return days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - days_from_civil(y, m, 1);
}

} // namespace

void ExactSum::add(i128 num, std::int64_t den) {
  if (num == 0) return;
  m_parts[den] += num;
}

void ExactSum::add(const ExactSum& other) {
  for (const auto& [den, num] : other.m_parts) m_parts[den] += num;
}

void ExactSum::subtract(const ExactSum& other) {
  for (const auto& [den, num] : other.m_parts) m_parts[den] -= num;
}

std::optional<std::pair<i128, i128>> ExactSum::combined() const {
  i128 num = 0, den = 1;
  for (const auto& [d, n] : m_parts) {
    if (n == 0) continue;
    // num/den + n/d over lcm(den, d), reduced as it goes.
    const i128 g = gcd128(den, d);
    const i128 scale_this = d / g, scale_that = den / g;
    i128 lcm = 0, a = 0, b = 0, sum = 0;
    if (__builtin_mul_overflow(den, scale_this, &lcm) || __builtin_mul_overflow(num, scale_this, &a) ||
        __builtin_mul_overflow(n, scale_that, &b) || __builtin_add_overflow(a, b, &sum))
      return std::nullopt;
    const i128 r = gcd128(sum, lcm);
    num = r == 0 ? 0 : sum / r;
    den = r == 0 ? 1 : lcm / r;
  }
  return std::make_pair(num, den);
}

std::int64_t ExactSum::rounded(bool* exact) const {
  if (const auto c = combined()) {
    if (exact != nullptr) *exact = true;
    return div_round(c->first, c->second);
  }
  if (exact != nullptr) *exact = false;
  std::int64_t out = 0;
  for (const auto& [d, n] : m_parts) out += div_round(n, d);
  return out;
}

std::int64_t service_days(const InvoiceLine& line) noexcept {
  if (!line.has_service()) return 0;
  return static_cast<std::int64_t>(*line.service_end) - *line.service_start;
}

std::pair<i128, std::int64_t> recognised_within(const InvoiceLine& line, Day from, Day to) noexcept {
  const std::int64_t days = service_days(line);
  if (days <= 0) return {line.invoice_date >= from && line.invoice_date < to ? line.amount.micros : 0, 1};
  const Day lo = std::max(from, *line.service_start), hi = std::min(to, *line.service_end);
  const std::int64_t inside = hi > lo ? static_cast<std::int64_t>(hi) - lo : 0;
  return {static_cast<i128>(line.amount.micros) * inside, days};
}

bool whole_months(Day start, Day end) noexcept {
  if (end <= start) return false;
  const Civil s = civil_from_days(start), e = civil_from_days(end);
  const int months = (e.y - s.y) * 12 + (e.m - s.m);
  if (months < 1) return false;
  return e.d == std::min(s.d, days_in_month(e.y, e.m));
}

Day first_day_of_month(std::int32_t month_index) noexcept {
  const int y = month_index >= 0 ? month_index / 12 : (month_index - 11) / 12;
  return days_from_civil(y, month_index - y * 12 + 1, 1);
}

std::optional<InvoicePeriod> invoice_period(const std::string& label) {
  const std::optional<Period> p = parse_period(label);
  if (!p) return std::nullopt;
  const MonthSpan span = month_span(*p);
  return InvoicePeriod{label, first_day_of_month(span.first), first_day_of_month(span.last + 1)};
}

const InvoiceFigures* InvoiceBook::find(std::string_view period, const std::string* segment) const {
  const auto pit = periods.find(period);
  if (pit == periods.end()) return nullptr;
  if (segment == nullptr) return &pit->second.all;
  const auto git = pit->second.groups.find(*segment);
  return git != pit->second.groups.end() ? &git->second : nullptr;
}

namespace {

/// Books one line into one period's figures (of `all` or of a group).
void book_line(InvoiceFigures& f, const InvoiceLine& line, const InvoicePeriod& p, bool has_mrr) {
  if (line.invoice_date >= p.first && line.invoice_date < p.end) {
    f.billings += line.amount.micros;
    ++f.lines_billed;
  }
  // Billed to date less recognised to date: the unrecognised part of what was billed.
  if (line.invoice_date < p.end) {
    f.deferred.add(line.amount.micros, 1);
    ++f.lines_to_date;
  }
  const auto [before, days] = recognised_within(line, INT32_MIN, p.end);
  f.deferred.add(-before, days);
  const auto [num, den] = recognised_within(line, p.first, p.end);
  if (num == 0) return;
  ++f.lines_recognized;
  f.recognized.add(num, den);
  if (line.amount.micros < 0) f.credits.add(num, den);
  else if (service_days(line) <= 0) f.one_time.add(num, den);
  else if (!has_mrr) f.without_mrr.add(num, den);
  else if (!whole_months(*line.service_start, *line.service_end)) f.prorations.add(num, den);
}

} // namespace

InvoiceBook book_invoices(std::span<const InvoiceLine> lines, std::span<const InvoicePeriod> periods,
                          const std::map<std::string, InvoiceCustomer, std::less<>>& customers, bool grouped) {
  InvoiceBook book;
  for (const InvoicePeriod& p : periods) book.periods[p.label];
  for (const InvoiceLine& line : lines) {
    ++book.lines;
    if (service_days(line) <= 0) ++book.no_service;
    const auto cit = customers.find(line.customer_id);
    const InvoiceCustomer* c = cit != customers.end() ? &cit->second : nullptr;
    if (c == nullptr && book.unknown++ == 0) book.unknown_example = line.customer_id;
    for (const InvoicePeriod& p : periods) {
      if (line.invoice_date >= p.end && (!line.has_service() || *line.service_start >= p.end)) continue;
      const bool has_mrr = c != nullptr && c->with_mrr.contains(p.label);
      InvoicePeriodFigures& pf = book.periods[p.label];
      book_line(pf.all, line, p, has_mrr);
      if (grouped && c != nullptr) book_line(pf.groups[c->group], line, p, has_mrr);
    }
  }
  return book;
}

} // namespace cskpi
