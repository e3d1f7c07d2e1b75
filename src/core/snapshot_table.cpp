// SPDX-License-Identifier: MIT
#include "core/snapshot_table.hpp"

#include "core/parallel.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <stdexcept>
#include <thread>

namespace cskpi {

namespace {

int number(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

constexpr std::array<std::string_view, 12> k_month_names = {"january",   "february", "march",    "april",
                                                            "may",       "june",     "july",     "august",
                                                            "september", "october",  "november", "december"};

/// "jan", "january", "sept" ... -> 1..12, or 0.
int month_from_name(std::string_view name) {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.size() < 3) return 0;
  for (std::size_t i = 0; i < k_month_names.size(); ++i)
    if (k_month_names[i].substr(0, lower.size()) == lower || (lower == "sept" && i == 8))
      return static_cast<int>(i) + 1;
  return 0;
}

} // namespace

std::optional<MonthIndex> parse_month(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() == 7 && text[4] == '-' && all_digits(text.substr(0, 4)) &&
      all_digits(text.substr(5, 2))) { // YYYY-MM, the common case
    const int month = number(text.substr(5, 2));
    if (month < 1 || month > 12) return std::nullopt;
    return number(text.substr(0, 4)) * 12 + month - 1;
  }
  if (text.size() >= 7 && all_digits(text.substr(0, 4)) && text[4] == '-') {
    const std::optional<Period> p = parse_period(text); // an ISO date
    if (!p || p->length != PeriodLength::month) return std::nullopt;
    return number(text.substr(0, 4)) * 12 + number(text.substr(5, 2)) - 1;
  }
  const std::size_t space = text.find_first_of(" -"); // "Oct 2026", or "Oct-2026" (Excel's mmm-yyyy)
  if (space == std::string_view::npos) return std::nullopt;
  const int month = month_from_name(text.substr(0, space));
  std::string_view year = text.substr(space + 1);
  while (!year.empty() && year.front() == ' ') year.remove_prefix(1);
  if (month == 0 || year.size() != 4 || !all_digits(year)) return std::nullopt;
  return number(year) * 12 + month - 1;
}

std::string month_label(MonthIndex m) { return fmt::format("{:04}-{:02}", m / 12, m % 12 + 1); }

std::string period_label(MonthIndex m, PeriodLength length) {
  switch (length) {
  case PeriodLength::month: return month_label(m);
  case PeriodLength::quarter: return fmt::format("{:04}-Q{}", m / 12, m % 12 / 3 + 1);
  case PeriodLength::year: return fmt::format("{:04}", m / 12);
  }
  return month_label(m);
}

// ---------------------------------------------------------------------------- SnapshotTable

namespace {
/// Marks a customer-month not written yet; never a valid MRR (those are >= 0).
constexpr Money k_unset{INT64_MIN};
} // namespace

void SnapshotTable::file(std::uint64_t hash, std::uint32_t c) noexcept {
  const std::size_t mask = m_slots.size() - 1;
  std::size_t i = hash & mask;
  while (m_slots[i] != 0) i = (i + 1) & mask;
  m_slots[i] = (hash >> 32 << 32) | (std::uint64_t{c} + 1);
}

std::uint32_t SnapshotTable::customer(std::string_view id, std::string_view group, std::uint64_t hash) {
  if (m_last != UINT32_MAX && m_ids[m_last] == id) return m_last;
  if (!m_slots.empty()) {
    const std::size_t mask = m_slots.size() - 1;
    const std::uint64_t tag = hash >> 32 << 32;
    for (std::size_t i = hash & mask; m_slots[i] != 0; i = (i + 1) & mask)
      if ((m_slots[i] & ~std::uint64_t{UINT32_MAX}) == tag) {
        const auto c = static_cast<std::uint32_t>((m_slots[i] & UINT32_MAX) - 1);
        if (m_ids[c] == id) return m_last = c;
      }
  }
  if (m_ids.size() >= UINT32_MAX - 1) throw std::length_error("more than 4 billion customers");
  const auto c = static_cast<std::uint32_t>(m_ids.size());
  m_ids.emplace_back(id);
  m_groups.emplace_back(group);
  if ((m_ids.size()) * 2 > m_slots.size()) { // grow: every id filed again
    m_slots.assign(std::max<std::size_t>(m_slots.size() * 2, 1024), 0);
    for (std::uint32_t k = 0; k < c; ++k) file(SnapshotTable::hash(m_ids[k]), k);
  }
  file(hash, c);
  return m_last = c;
}

std::vector<Money>& SnapshotTable::column(MonthIndex m) {
  if (m_columns.empty()) {
    m_first = m;
    m_columns.emplace_back();
  } else if (m < m_first) {
    m_columns.insert(m_columns.begin(), static_cast<std::size_t>(m_first - m), std::vector<Money>{});
    m_first = m;
  } else if (m > last()) {
    m_columns.resize(static_cast<std::size_t>(m - m_first) + 1);
  }
  return m_columns[static_cast<std::size_t>(m - m_first)];
}

Money& SnapshotTable::slot(std::uint32_t c, MonthIndex m) {
  std::vector<Money>& col = column(m);
  if (c >= col.size()) col.resize(std::max<std::size_t>(c + 1, m_ids.size()), k_unset);
  return col[c];
}

bool SnapshotTable::set(std::uint32_t c, MonthIndex m, Money mrr) {
  Money& v = slot(c, m);
  if (v != k_unset) return false;
  v = mrr;
  ++m_cells;
  return true;
}

bool SnapshotTable::add(std::uint32_t c, MonthIndex m, Money delta) {
  Money& v = slot(c, m);
  if (v == k_unset) {
    v = Money{};
    ++m_cells;
  }
  return checked_add(v, delta);
}

void SnapshotTable::close_range() {
  for (std::vector<Money>& col : m_columns)
    for (Money& v : col)
      if (v == k_unset) v = Money{};
}

std::optional<std::pair<std::uint32_t, MonthIndex>> SnapshotTable::accumulate() {
  close_range();
  const std::size_t n = m_ids.size();
  for (std::vector<Money>& col : m_columns) col.resize(n, Money{});
  for (std::size_t i = 1; i < m_columns.size(); ++i)
    for (std::size_t c = 0; c < n; ++c)
      if (!checked_add(m_columns[i][c], m_columns[i - 1][c]))
        return std::pair{static_cast<std::uint32_t>(c), m_first + static_cast<MonthIndex>(i)};
  for (std::size_t i = 0; i < m_columns.size(); ++i)
    for (std::size_t c = 0; c < n; ++c)
      if (m_columns[i][c].micros < 0)
        return std::pair{static_cast<std::uint32_t>(c), m_first + static_cast<MonthIndex>(i)};
  return std::nullopt;
}

namespace {

bool add_holding(SnapshotTable::Holdings& h, std::string_view currency, Money native) {
  for (SnapshotTable::Holding& x : h)
    if (x.currency == currency) return checked_add(x.native, native);
  h.push_back(SnapshotTable::Holding{std::string(currency), native});
  return true;
}

} // namespace

bool SnapshotTable::hold(std::uint32_t c, MonthIndex m, std::string_view currency, Money native) {
  return add_holding(m_holdings[life_key(c, m)], currency, native);
}

bool SnapshotTable::hold_part(std::uint32_t c, MonthIndex m, Part part, std::string_view currency, Money native) {
  return add_holding(m_part_holdings[life_key(c, m)][static_cast<std::size_t>(part)], currency, native);
}

Money SnapshotTable::at(std::uint32_t c, MonthIndex m) const noexcept {
  if (m_columns.empty() || m < m_first || m > last()) return Money{};
  const std::vector<Money>& col = m_columns[static_cast<std::size_t>(m - m_first)];
  if (c >= col.size() || col[c] == k_unset) return Money{};
  return col[c];
}

// ---------------------------------------------------------------------------- derivation

Movement classify(Money p, Money c, bool active_before) noexcept {
  if (p.micros == 0 && c.micros == 0) return Movement::none;
  if (p.micros == 0) return active_before ? Movement::reactivation : Movement::new_business;
  if (c.micros == 0) return Movement::churn;
  if (c > p) return Movement::expansion;
  if (c < p) return Movement::contraction;
  return Movement::flat;
}

std::string_view to_string(Movement m) noexcept {
  switch (m) {
  case Movement::none: return "none";
  case Movement::new_business: return "new";
  case Movement::reactivation: return "reactivation";
  case Movement::expansion: return "expansion";
  case Movement::contraction: return "contraction";
  case Movement::churn: return "churn";
  case Movement::flat: return "flat";
  }
  return "none";
}

std::vector<DerivedPeriod> derivable_periods(const SnapshotTable& t, PeriodLength length) {
  std::vector<DerivedPeriod> out;
  if (t.empty()) return out;
  const int span = months_per_period(length);
  // The first whole period starting after the table's first month (its opening snapshot).
  MonthIndex first = t.first() + 1;
  while (first % span != 0) ++first;
  for (MonthIndex s = first; s + span - 1 <= t.last(); s += span)
    out.push_back(DerivedPeriod{s, s + span - 1, period_label(s, length)});
  return out;
}

namespace {

/// The lifecycle facts of customer `c` in period `p` (issue 30): scheduled at its end, the
/// involuntary part of a churn (the opening MRR of subscriptions that ended from a failed
/// payment, at most the churned MRR), its months' trials. False when there are none.
bool period_lifecycle(const SnapshotTable& t, std::uint32_t c, const DerivedPeriod& p, Movement m, Money churned,
                      Lifecycle& out) {
  out = Lifecycle{};
  if (const Lifecycle* end = t.lifecycle_at(c, p.last_month)) out.scheduled = end->scheduled;
  if (const Lifecycle* open = m == Movement::churn ? t.lifecycle_at(c, p.first_month - 1) : nullptr)
    out.involuntary = std::min(open->involuntary, churned);
  for (MonthIndex k = p.first_month; k <= p.last_month; ++k)
    if (const Lifecycle* l = t.lifecycle_at(c, k)) {
      out.trials_ended += l->trials_ended;
      out.trials_converted += l->trials_converted;
    }
  return out.scheduled.micros != 0 || out.involuntary.micros != 0 || out.trials_ended != 0;
}

/// The rows of customers [from, to), period by period.
std::uint64_t derive_range(const SnapshotTable& t, const std::vector<DerivedPeriod>& periods, std::string_view file,
                           RowSink& sink, std::uint32_t from, std::uint32_t to) {
  // active_before[c - from]: the customer had MRR in some month before the current period.
  std::vector<bool> active_before(to - from, false);
  MonthIndex seen_through = t.first() - 1; // months folded into active_before so far
  std::uint64_t rows = 0;
  MovementRow r;
  r.file = file;
  const bool lifecycle = t.has_lifecycle();
  const bool fx = t.has_fx(); // --fx-method period-end or transaction (issue 30)
  Lifecycle life;
  for (const DerivedPeriod& p : periods) {
    for (; seen_through < p.first_month - 1; ++seen_through)
      for (std::uint32_t c = from; c < to; ++c)
        if (t.at(c, seen_through + 1).micros > 0) active_before[c - from] = true;
    r.period = p.label;
    for (std::uint32_t c = from; c < to; ++c) {
      const Money before = t.at(c, p.first_month - 1), after = t.at(c, p.last_month);
      const Movement m = classify(before, after, active_before[c - from]);
      const bool has_life = lifecycle && period_lifecycle(t, c, p, m, before, life);
      r.life = has_life ? &life : nullptr;
      r.customer_id = t.id(c);
      r.group = t.group(c);
      r.name = t.name(c);
      if (m == Movement::none) {
        if (has_life) { // no MRR at either end: its lifecycle facts alone (a trial that did not convert)
          r.start = r.expansion = r.contraction = r.churned = r.new_mrr = r.reactivation = Money{};
          sink.add_lifecycle(r);
        }
        continue;
      }
      // With an FX line the start is revalued and the movement is what is left of the change.
      r.fx = fx && before.micros > 0 ? t.fx_at(c, p.last_month) : Money{};
      r.start = Money{before.micros + r.fx.micros};
      r.expansion = r.contraction = r.churned = r.new_mrr = r.reactivation = Money{};
      const std::int64_t change = after.micros - r.start.micros;
      switch (m) {
      case Movement::new_business: r.new_mrr = after; break;
      case Movement::reactivation: r.reactivation = after; break;
      case Movement::expansion:
      case Movement::contraction:
      case Movement::flat:
        if (change > 0) r.expansion = Money{change};
        else r.contraction = Money{-change};
        break;
      case Movement::churn: r.churned = r.start; break;
      case Movement::none: break;
      }
      sink.add(r);
      ++rows;
    }
  }
  return rows;
}

} // namespace

std::uint64_t derive_movements(const SnapshotTable& t, PeriodLength length, std::string_view file, RowSink& sink,
                               unsigned threads) {
  const auto n = static_cast<std::uint32_t>(t.customers());
  const std::vector<DerivedPeriod> periods = derivable_periods(t, length);
  const unsigned parts = parts_for(n, threads);
  if (std::unique_ptr<RowSink> total = parts > 1 ? sink.fork() : nullptr) {
    // Each range into a fork of the sink; the forks into one, and that into the sink. A sum
    // that overflows anywhere leaves the sink as it was, and the rows are derived again on
    // this thread, where the sink names the row.
    std::vector<std::unique_ptr<RowSink>> forks(parts);
    std::vector<std::uint64_t> rows(parts, 0);
    for (std::unique_ptr<RowSink>& f : forks) f = sink.fork();
    bool summed = true;
    try {
      parallel_for(parts, parts, [&](std::size_t i) {
        const PartRange r = part_range(n, parts, i);
        rows[i] = derive_range(t, periods, file, *forks[i], static_cast<std::uint32_t>(r.from),
                               static_cast<std::uint32_t>(r.to));
      });
    } catch (const Error&) {
      summed = false;
    }
    for (unsigned i = 0; summed && i < parts; ++i) summed = total->merge(*forks[i]);
    if (summed && sink.merge(*total)) {
      std::uint64_t all = 0;
      for (std::uint64_t r : rows) all += r;
      return all;
    }
  }
  return derive_range(t, periods, file, sink, 0, n);
}

} // namespace cskpi
