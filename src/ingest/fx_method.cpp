// SPDX-License-Identifier: MIT
// --fx-method for the snapshot-table forms (issue 30): one rule for snapshots, Stripe, Recurly,
// Kill Bill and Chargebee. The forms hand each amount to snapshot_value(); once the table is
// whole, apply_fx_method() values it by the method and sets each customer's FX line, which
// derive_movements() turns into MovementRow::fx. Constant does none of this.
#include "ingest/reader.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

namespace cskpi::ingest {

Money snapshot_value(FileReader& rd, SnapshotTable& t, std::uint32_t c, MonthIndex m, MonthIndex last, Money native,
                     std::string_view currency, std::size_t field) {
  if (!rd.run.fx || rd.options().fx_method == FxMethod::constant)
    return rd.convert(native, currency, last, field); // every month at the last month's rate
  // Period-end and transaction: the month's own rate (transaction re-prices later, but a month
  // without a rate is refused here, where the row is known).
  const Money value = rd.convert(native, currency, m, field);
  if (rd.row_ok && native.micros != 0 && !t.hold(c, m, currency_code(currency), native))
    rd.field_error(field, "the customer's MRR overflows the money range");
  return value;
}

void add_part(FileReader& rd, SnapshotTable& t, std::uint32_t c, MonthIndex m, SnapshotTable::Part part, Money value,
              Money native, std::string_view currency) {
  Lifecycle& l = t.lifecycle(c, m);
  (void)checked_add(part == SnapshotTable::Part::scheduled ? l.scheduled : l.involuntary, value);
  if (rd.run.fx && rd.options().fx_method == FxMethod::transaction)
    (void)t.hold_part(c, m, part, currency_code(currency), native); // no larger than the MRR's own holdings
}

namespace {

/// Per currency: what the customer holds, and (transaction) its locked value in the target.
using Book = std::map<std::string, std::pair<Money, Money>, std::less<>>;

/// The holdings of customer `c` in month `m`: as held, or the table's value in the target
/// currency (an amount given without a currency).
SnapshotTable::Holdings holdings(const SnapshotTable& t, const FxTable& fx, std::uint32_t c, MonthIndex m) {
  if (const SnapshotTable::Holdings* h = t.holdings_at(c, m)) return *h;
  const Money v = t.at(c, m);
  if (v.micros == 0) return {};
  return {SnapshotTable::Holding{fx.target(), v}};
}

/// `native` of `currency` at the rate of month `m`; nullopt without a rate or on overflow.
std::optional<Money> at_rate(const FxTable& fx, std::string_view currency, Money native, MonthIndex m) {
  const std::optional<Decimal> r = fx.rate(currency, m);
  return r ? convert(native, *r) : std::nullopt;
}

/// Period-end: the holdings at the period's opening month revalued to its last month's rates.
/// A currency without a rate in either month is not revalued.
Money period_end_fx(const SnapshotTable& t, const FxTable& fx, std::uint32_t c, const DerivedPeriod& p) {
  Money out;
  for (const SnapshotTable::Holding& h : holdings(t, fx, c, p.first_month - 1)) {
    const std::optional<Money> now = at_rate(fx, h.currency, h.native, p.last_month);
    const std::optional<Money> before = at_rate(fx, h.currency, h.native, p.first_month - 1);
    if (now && before) (void)checked_add(out, Money{now->micros - before->micros});
  }
  return out;
}

bool same(const SnapshotTable::Holdings& a, const Book& b) {
  std::size_t held = 0;
  for (const auto& [code, v] : b) held += v.first.micros != 0;
  if (a.size() != held) return false;
  for (const SnapshotTable::Holding& h : a) {
    const auto it = b.find(h.currency);
    if (it == b.end() || it->second.first != h.native) return false;
  }
  return true;
}

/// Transaction: the parts of a month's MRR (scheduled, involuntary) at the rates of month
/// `since`, where the customer's MRR is locked. An amount without a rate (given without a
/// currency) is in the target already.
void reprice_parts(const FxTable& fx, const SnapshotTable::PartHoldings& parts, MonthIndex since, Lifecycle& l) {
  Money* amounts[] = {&l.scheduled, &l.involuntary}; // in Part's order
  for (std::size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].empty()) continue;
    Money priced;
    for (const SnapshotTable::Holding& h : parts[p])
      (void)checked_add(priced, at_rate(fx, h.currency, h.native, since).value_or(h.native)); // a part: it fits
    *amounts[p] = priced;
  }
}

/// Transaction: customer `c`'s MRR, month by month, held at the rate of the month its holdings
/// last changed. Fills each month's book (index m - first) and the month of its last change
/// (or first - 1 before any). False on overflow.
bool transaction(SnapshotTable& t, const FxTable& fx, std::uint32_t c, std::vector<Book>& books,
                 std::vector<MonthIndex>& locked) {
  Book book; // currency -> (native held, locked value)
  MonthIndex since = t.first() - 1;
  for (MonthIndex m = t.first(); m <= t.last(); ++m) {
    const SnapshotTable::Holdings now = holdings(t, fx, c, m);
    Money value;
    if (same(now, book)) { // no transaction: the locked value, whatever the rates do
      for (const auto& [code, v] : book) (void)checked_add(value, v.second);
    } else {
      book.clear();
      for (const SnapshotTable::Holding& h : now) {
        const Money priced = at_rate(fx, h.currency, h.native, m).value_or(t.at(c, m));
        book[h.currency] = {h.native, priced};
        if (!checked_add(value, priced)) return false;
      }
      since = m;
    }
    if (value != t.at(c, m)) t.replace(c, m, value);
    if (const SnapshotTable::PartHoldings* parts = t.part_holdings_at(c, m))
      reprice_parts(fx, *parts, since, t.lifecycle(c, m));
    books[static_cast<std::size_t>(m - t.first())] = book;
    locked[static_cast<std::size_t>(m - t.first())] = since;
  }
  return true;
}

/// Transaction: the FX line of a period, the MRR the customer starts it with re-priced from its
/// locked rates to the rate of its last transaction in the period, for each currency it still
/// holds at the end. 0 without a transaction in the period, or when the customer left.
Money transaction_fx(const FxTable& fx, const Book& open, const Book& end, MonthIndex last_change,
                     MonthIndex open_month) {
  Money out;
  if (last_change <= open_month) return out;
  for (const auto& [code, v] : open) {
    if (v.first.micros == 0 || end.find(code) == end.end()) continue;
    if (const std::optional<Money> again = at_rate(fx, code, v.first, last_change))
      (void)checked_add(out, Money{again->micros - v.second.micros});
  }
  return out;
}

} // namespace

bool apply_fx_method(FileReader& rd, SnapshotTable& t, PeriodLength length) {
  const FxMethod method = rd.options().fx_method;
  if (!rd.run.fx || method == FxMethod::constant || t.empty() || !t.has_holdings()) return true;
  const FxTable& fx = *rd.run.fx;
  const std::vector<DerivedPeriod> periods = derivable_periods(t, length);
  const auto months = static_cast<std::size_t>(t.last() - t.first() + 1);
  std::vector<Book> books(months);
  std::vector<MonthIndex> locked(months);
  for (std::uint32_t c = 0; c < t.customers(); ++c) {
    if (method == FxMethod::period_end) {
      for (const DerivedPeriod& p : periods) t.set_fx(c, p.last_month, period_end_fx(t, fx, c, p));
      continue;
    }
    if (!transaction(t, fx, c, books, locked)) {
      rd.fatal(0, fmt::format("customer {}'s MRR at its transaction rates overflows the money range", show(t.id(c))));
      return false;
    }
    for (const DerivedPeriod& p : periods) {
      const auto open = static_cast<std::size_t>(p.first_month - 1 - t.first());
      const auto end = static_cast<std::size_t>(p.last_month - t.first());
      t.set_fx(c, p.last_month, transaction_fx(fx, books[open], books[end], locked[end], p.first_month - 1));
    }
  }
  return true;
}

} // namespace cskpi::ingest
