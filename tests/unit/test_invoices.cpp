// SPDX-License-Identifier: MIT
// Billings and recognised revenue from invoice lines (issue 31): the day splitting, the exact
// sums rounded once, each metric's formula on a worked example, and the property that
// deferred revenue is billings to date less revenue recognised to date, for random lines.
#include "core/attributes.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/invoices.hpp"
#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

namespace test_invoices {

using namespace cskpi;

namespace {

Day day(const char* iso) { return *parse_date(iso); }

InvoiceLine line(const char* customer, const char* invoiced, std::int64_t micros, const char* start = nullptr,
                 const char* end = nullptr) {
  InvoiceLine l;
  l.customer_id = customer;
  l.invoice_date = day(invoiced);
  l.amount = Money{micros};
  if (start != nullptr) {
    l.service_start = day(start);
    l.service_end = day(end);
  }
  return l;
}

std::int64_t units(std::int64_t u) { return u * Money::k_scale; }

const MetricValue& get(const std::vector<MetricValue>& ms, std::string_view id) {
  for (const MetricValue& m : ms)
    if (m.def->id == id) return m;
  FAIL("no record " << id);
  return ms.front();
}

/// The January 2026 book of `lines` for customers A (MRR 100 in January) and B (none).
InvoiceBook january(const std::vector<InvoiceLine>& lines) {
  std::map<std::string, InvoiceCustomer, std::less<>> customers;
  customers["A"].with_mrr.insert("2026-01");
  customers["B"];
  const std::vector<InvoicePeriod> periods = {*invoice_period("2026-01"), *invoice_period("2026-02")};
  return book_invoices(lines, periods, customers, false);
}

} // namespace

TEST_CASE("a line is recognised over the days of its service period, the end exclusive", "[invoices]") {
  // 310.00 for 2026-01-16 .. 2026-02-16 (31 days): 16 days in January (16th..31st), 15 in February.
  const InvoiceLine l = line("A", "2026-01-16", units(310), "2026-01-16", "2026-02-16");
  CHECK(service_days(l) == 31);
  const auto [jan, days] = recognised_within(l, day("2026-01-01"), day("2026-02-01"));
  CHECK(days == 31);
  CHECK(jan == static_cast<i128>(units(310)) * 16); // 160.00 once divided by 31
  const auto [feb, d2] = recognised_within(l, day("2026-02-01"), day("2026-03-01"));
  CHECK(feb == static_cast<i128>(units(310)) * 15);
  CHECK(d2 == 31);
}

TEST_CASE("a line without a service period is recognised whole on its invoice date", "[invoices]") {
  const InvoiceLine l = line("A", "2026-01-20", units(50));
  CHECK(recognised_within(l, day("2026-01-01"), day("2026-02-01")).first == units(50));
  CHECK(recognised_within(l, day("2026-02-01"), day("2026-03-01")).first == 0);
  // Zero service days (Stripe's one-off invoice item: period start = end) likewise.
  const InvoiceLine zero = line("A", "2026-01-20", units(50), "2026-01-05", "2026-01-05");
  CHECK(recognised_within(zero, day("2026-01-01"), day("2026-02-01")).first == units(50));
}

TEST_CASE("whole months: the same day of a later month, clamped to a shorter month's end", "[invoices]") {
  CHECK(whole_months(day("2026-01-15"), day("2026-02-15")));
  CHECK(whole_months(day("2026-01-01"), day("2027-01-01")));
  CHECK(whole_months(day("2026-01-31"), day("2026-02-28")));
  CHECK_FALSE(whole_months(day("2026-01-15"), day("2026-02-14")));
  CHECK_FALSE(whole_months(day("2026-01-15"), day("2026-01-15")));
  CHECK_FALSE(whole_months(day("2026-01-31"), day("2026-02-27")));
}

TEST_CASE("exact sums round once, half to even", "[invoices]") {
  ExactSum thirds;
  for (int i = 0; i < 3; ++i) thirds.add(1, 3);
  const auto c = thirds.combined();
  REQUIRE(c);
  CHECK(c->first == 1);
  CHECK(c->second == 1);
  CHECK(thirds.rounded() == 1); // per-line rounding would give 0 + 0 + 0
  ExactSum half;
  half.add(1, 2);
  CHECK(half.rounded() == 0); // 0.5 -> 0 (even)
  ExactSum one_and_half;
  one_and_half.add(3, 2);
  CHECK(one_and_half.rounded() == 2); // 1.5 -> 2 (even)
  ExactSum minus;
  minus.add(-5, 2);
  CHECK(minus.rounded() == -2); // -2.5 -> -2 (even)
}

TEST_CASE("billings count the lines invoiced in the period, credit notes negative", "[invoices]") {
  const InvoiceBook book = january({line("A", "2026-01-01", units(1200), "2026-01-01", "2027-01-01"),
                                    line("A", "2026-01-10", -units(30)), line("B", "2026-02-01", units(99))});
  Totals t;
  MetricContext ctx;
  ctx.invoices = true;
  const auto ms = compute_metrics(t, ctx, nullptr, nullptr, book.find("2026-01", nullptr));
  CHECK(get(ms, "billings").value->money == Money{units(1170)});
  CHECK(get(ms, "billings").n == 2);
}

TEST_CASE("recognised revenue, its reconciliation and deferred revenue: a worked January", "[invoices]") {
  // A has 100.00 MRR at January's end. Its lines:
  //  1. 100.00 for January (whole month)                 -> 100.00, recurring
  //  2. 1,200.00 for 2026-01-01 .. 2027-01-01 (365 days) -> 1,200 x 31 / 365 = 101.917808(2) -> 101.917808, recurring
  //  3. 20.00 set-up fee, no service period              -> 20.00 one-time
  //  4. 15.50 proration 2026-01-16 .. 2026-02-01 (16 d)  -> 15.50 proration
  //  5. -10.00 credit for January                        -> -10.00 credit
  // B (no MRR): 31.00 for 2026-01-01 .. 2026-02-01      -> 31.00 without MRR
  const InvoiceBook book = january({
      line("A", "2026-01-01", units(100), "2026-01-01", "2026-02-01"),
      line("A", "2026-01-01", units(1200), "2026-01-01", "2027-01-01"),
      line("A", "2026-01-05", units(20)),
      line("A", "2026-01-16", 15'500'000, "2026-01-16", "2026-02-01"),
      line("A", "2026-01-20", -units(10), "2026-01-01", "2026-02-01"),
      line("B", "2026-01-01", units(31), "2026-01-01", "2026-02-01"),
  });
  Totals t;
  t.end_mrr = Money{units(100)};
  t.ending = 1;
  MetricContext ctx;
  ctx.invoices = true;
  const auto ms = compute_metrics(t, ctx, nullptr, nullptr, book.find("2026-01", nullptr));
  // Recognised: 100 + 101.917808219... + 20 + 15.5 - 10 + 31 = 258.417808219... -> 258.417808
  CHECK(get(ms, "recognized_revenue").value->money == Money{258'417'808});
  CHECK(get(ms, "revenue_from_mrr").value->money == Money{units(100)});
  CHECK(get(ms, "revenue_one_time").value->money == Money{units(20)});
  CHECK(get(ms, "revenue_prorations").value->money == Money{15'500'000});
  CHECK(get(ms, "revenue_credits").value->money == Money{-units(10)});
  CHECK(get(ms, "revenue_without_mrr").value->money == Money{units(31)});
  // Unexplained: the annual line's January share, 101.917808.
  CHECK(get(ms, "revenue_unexplained").value->money == Money{101'917'808});
  // Deferred at January's end: billed 1,356.50 less recognised 258.417808219... = 1,098.082191780... -> 1,098.082192
  CHECK(get(ms, "deferred_revenue").value->money == Money{1'098'082'192});
  // February: the annual line's 28 days (92.054794520...) and nothing else; deferred 1,006.027397260...
  t.end_mrr = Money{};
  const auto feb = compute_metrics(t, ctx, nullptr, nullptr, book.find("2026-02", nullptr));
  CHECK(get(feb, "recognized_revenue").value->money == Money{92'054'795});
  CHECK(get(feb, "deferred_revenue").value->money == Money{1'006'027'397});
  CHECK(get(feb, "billings").value->money == Money{});
  CHECK(get(feb, "billings").note == "no invoice line dated in the period");
}

TEST_CASE("a group without invoice lines has zero billings and revenue, and says so", "[invoices]") {
  Totals t;
  MetricContext ctx;
  ctx.invoices = true;
  const auto ms = compute_metrics(t, ctx);
  CHECK(get(ms, "recognized_revenue").value->money == Money{});
  CHECK(get(ms, "recognized_revenue").note == "no invoice line recognised in the period");
  CHECK(get(ms, "deferred_revenue").value->money == Money{});
  MetricContext without;
  for (const MetricValue& m : compute_metrics(t, without)) CHECK(m.def->section != Section::invoicing);
}

TEST_CASE("property: deferred revenue = billings to date - recognised revenue to date, exactly",
          "[invoices][property]") {
  // Service lengths a billing system produces (months, quarters, years) and prorations of any
  // length up to a month, so that the exact sums stay within 128 bits.
  std::mt19937_64 rng(20261207);
  const std::vector<InvoicePeriod> periods = [] {
    std::vector<InvoicePeriod> out;
    for (int m = 0; m < 30; ++m) out.push_back(*invoice_period(fmt::format("{}-{:02}", 2025 + m / 12, m % 12 + 1)));
    return out;
  }();
  const Day first = periods.front().first, last = periods.back().end;
  for (int round = 0; round < 200; ++round) {
    std::vector<InvoiceLine> lines;
    const int n = static_cast<int>(rng() % 40) + 1;
    for (int i = 0; i < n; ++i) {
      InvoiceLine l;
      l.customer_id = fmt::format("C{}", rng() % 5);
      l.invoice_date = first + static_cast<Day>(rng() % static_cast<std::uint64_t>(last - first));
      l.amount = Money{static_cast<std::int64_t>(rng() % 2'000'000'000) - 400'000'000}; // credits too
      const std::uint64_t kind = rng() % 4;
      if (kind != 0) { // kind 0: no service period
        static constexpr int k_lengths[] = {28, 29, 30, 31, 90, 91, 92, 365, 366};
        const int days = kind == 1 ? static_cast<int>(rng() % 31) + 1 : k_lengths[rng() % 9];
        // In advance or in arrears of the invoice date.
        l.service_start = l.invoice_date + static_cast<Day>(rng() % 61) - 30;
        l.service_end = *l.service_start + days;
      }
      lines.push_back(l);
    }
    std::map<std::string, InvoiceCustomer, std::less<>> customers;
    customers["C1"].with_mrr.insert("2025-03");
    const InvoiceBook book = book_invoices(lines, periods, customers, false);
    ExactSum recognised_to_date;
    for (const InvoiceLine& l : lines) { // before the first period
      const auto [num, den] = recognised_within(l, INT32_MIN, first);
      recognised_to_date.add(num, den);
    }
    i128 billed_to_date = 0;
    for (const InvoiceLine& l : lines) billed_to_date += l.invoice_date < first ? l.amount.micros : 0;
    for (const InvoicePeriod& p : periods) {
      const InvoiceFigures& f = *book.find(p.label, nullptr);
      billed_to_date += f.billings;
      recognised_to_date.add(f.recognized);
      ExactSum difference = f.deferred; // deferred - (billed - recognised) must be 0
      difference.add(-billed_to_date, 1);
      difference.add(recognised_to_date);
      const auto exact = difference.combined();
      REQUIRE(exact);
      CHECK(exact->first == 0);
      // The residuals are parts of the recognised revenue: what is left is recurring, >= 0 here
      // only when no credit or one-time line overlaps, so just check that they add up exactly.
      ExactSum parts = f.credits;
      parts.add(f.one_time);
      parts.add(f.without_mrr);
      parts.add(f.prorations);
      ExactSum recurring = f.recognized;
      recurring.subtract(parts);
      REQUIRE(recurring.combined());
    }
  }
}

} // namespace test_invoices
