// SPDX-License-Identifier: MIT
// MRR snapshots (issue 6): a customer x month MRR history and the movements derived from it.
// Pure: no I/O. The cohorts computed from it are in metrics/cohorts.hpp.
#pragma once

#include "core/money.hpp"
#include "core/period.hpp"
#include "core/records.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cskpi {

/// A calendar month as a count: year * 12 + (month - 1).
using MonthIndex = std::int32_t;

/// Parses a month: `YYYY-MM`, an ISO date `YYYY-MM-DD` (with an optional time part) taken as
/// its month, or `Jan 2026` / `January 2026` / `Jan-2026` (any case). Surrounding spaces are ignored.
std::optional<MonthIndex> parse_month(std::string_view text);
/// "2026-01".
std::string month_label(MonthIndex m);
/// The label of the period of `length` that month `m` ends or lies in: "2026-01", "2026-Q1", "2026".
std::string period_label(MonthIndex m, PeriodLength length);

/// MRR per customer at the end of each month (SPEC §1.1 snapshots). Month-major: one
/// column per month, each as long as the customers seen when it was last written; a
/// customer beyond a column's end has MRR 0 that month.
class SnapshotTable {
public:
  /// The customer's index, added on first sight with its --by value (kept from the first row).
  std::uint32_t customer(std::string_view id, std::string_view group) {
    if (m_last != UINT32_MAX && m_ids[m_last] == id) return m_last;
    return customer(id, group, hash(id));
  }
  /// The same, for a caller that knows the id's hash().
  std::uint32_t customer(std::string_view id, std::string_view group, std::uint64_t hash);
  /// The hash customer() files an id under.
  static std::uint64_t hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
  /// Brings the index entry of a hash into the cache ahead of a customer() call.
  void prefetch(std::uint64_t hash) const noexcept {
    if (!m_slots.empty()) __builtin_prefetch(&m_slots[hash & (m_slots.size() - 1)]);
  }
  /// Sets MRR; returns false if that customer and month already had a value (a duplicate).
  bool set(std::uint32_t customer, MonthIndex m, Money mrr);
  /// Replaces the MRR of a cell set() filled (amounts converted once a file is read whole).
  void replace(std::uint32_t customer, MonthIndex m, Money mrr) { slot(customer, m) = mrr; }
  /// Adds to a month's MRR (movement logs); false on overflow.
  bool add(std::uint32_t customer, MonthIndex m, Money delta);
  /// Turns per-month sums of movements into running MRR (ChartMogul logs): each month's MRR
  /// is the previous month's plus its movements. Returns the first (customer, month) whose
  /// MRR would fall below 0, if any (then the table is left as it is).
  std::optional<std::pair<std::uint32_t, MonthIndex>> accumulate();
  /// Fills the months between the first and the last with empty columns (MRR 0).
  void close_range();

  /// Names customer `c` (issue 30: movers show it): the first name given that is not empty is
  /// kept. Sparse: a table whose form reads no name column keeps none.
  void name(std::uint32_t c, std::string_view n) {
    if (n.empty()) return;
    if (m_names.size() <= c) m_names.resize(m_ids.size());
    if (m_names[c].empty()) m_names[c].assign(n);
  }
  /// Customer `c`'s name, "" without one.
  std::string_view name(std::uint32_t c) const noexcept {
    return c < m_names.size() ? std::string_view(m_names[c]) : std::string_view{};
  }

  Money at(std::uint32_t customer, MonthIndex m) const noexcept;
  std::size_t customers() const noexcept { return m_ids.size(); }
  const std::string& id(std::uint32_t c) const { return m_ids[c]; }
  const std::string& group(std::uint32_t c) const { return m_groups[c]; }
  bool empty() const noexcept { return m_columns.empty(); }
  MonthIndex first() const noexcept { return m_first; }
  MonthIndex last() const noexcept { return m_first + static_cast<MonthIndex>(m_columns.size()) - 1; }
  /// Customer-month values held (rows of a long file, non-empty cells of a wide one).
  std::uint64_t cells() const noexcept { return m_cells; }
  /// Whether month `m` had any value written (a row of a long file, a column of a wide one):
  /// a month between first() and last() that was never written is not in the file at all.
  bool written(MonthIndex m) const noexcept {
    return !empty() && m >= m_first && m <= last() && !m_columns[static_cast<std::size_t>(m - m_first)].empty();
  }

  /// A billing export's lifecycle facts of customer `c` in month `m` (issue 30): the MRR at the
  /// month's end scheduled to cancel after it, the MRR then of subscriptions that end from a
  /// failed payment, the trials that ended in the month. Sparse: kept only where a form adds.
  Lifecycle& lifecycle(std::uint32_t c, MonthIndex m) { return m_life[life_key(c, m)]; }
  const Lifecycle* lifecycle_at(std::uint32_t c, MonthIndex m) const {
    const auto it = m_life.find(life_key(c, m));
    return it == m_life.end() ? nullptr : &it->second;
  }
  bool has_lifecycle() const noexcept { return !m_life.empty(); }

  /// What customer `c` holds in month `m` in each currency before conversion (issue 30: --fx-method
  /// period-end and transaction revalue it). Sparse: kept only where a form calls hold().
  struct Holding {
    std::string currency; ///< an upper-case code such as USD
    Money native;
  };
  using Holdings = std::vector<Holding>;
  /// Adds `native` in `currency` to customer `c`'s holdings of month `m`; false on overflow.
  bool hold(std::uint32_t c, MonthIndex m, std::string_view currency, Money native);
  const Holdings* holdings_at(std::uint32_t c, MonthIndex m) const {
    const auto it = m_holdings.find(life_key(c, m));
    return it == m_holdings.end() ? nullptr : &it->second;
  }
  bool has_holdings() const noexcept { return !m_holdings.empty(); }
  /// The lifecycle amounts that are parts of a month's MRR: Lifecycle::scheduled and ::involuntary.
  enum class Part : std::uint8_t { scheduled, involuntary };
  using PartHoldings = std::array<Holdings, 2>; ///< indexed by Part
  /// Adds `native` in `currency` to what part `part` of customer `c`'s month `m` MRR holds
  /// (issue 30: --fx-method transaction prices a part at the rate its customer's MRR is locked
  /// at). Sparse: kept only where a form calls it. False on overflow.
  bool hold_part(std::uint32_t c, MonthIndex m, Part part, std::string_view currency, Money native);
  const PartHoldings* part_holdings_at(std::uint32_t c, MonthIndex m) const {
    const auto it = m_part_holdings.find(life_key(c, m));
    return it == m_part_holdings.end() ? nullptr : &it->second;
  }
  /// The FX line of customer `c` in the derived period ending with month `m` (MovementRow::fx):
  /// set by ingest for the run's FX method, 0 where none was set.
  void set_fx(std::uint32_t c, MonthIndex m, Money fx) {
    if (fx.micros != 0) m_fx[life_key(c, m)] = fx;
  }
  Money fx_at(std::uint32_t c, MonthIndex m) const {
    const auto it = m_fx.find(life_key(c, m));
    return it == m_fx.end() ? Money{} : it->second;
  }
  bool has_fx() const noexcept { return !m_fx.empty(); }

private:
  static std::uint64_t life_key(std::uint32_t c, MonthIndex m) noexcept {
    return (std::uint64_t{c} << 32) | static_cast<std::uint32_t>(m);
  }

  std::vector<Money>& column(MonthIndex m);
  /// The cell of customer `c` in month `m`, growing the month's column to reach it.
  Money& slot(std::uint32_t c, MonthIndex m);

  /// Files customer `c` in m_slots, which has room.
  void file(std::uint64_t hash, std::uint32_t c) noexcept;

  std::vector<std::string> m_ids, m_groups;
  std::vector<std::string> m_names; ///< name(): empty, or up to the last customer named
  /// The index, open addressing: per slot the upper 32 bits of an id's hash and its
  /// customer + 1, or 0 when free. Kept at most half full.
  std::vector<std::uint64_t> m_slots;
  std::uint32_t m_last = UINT32_MAX; ///< the customer of the previous call: rows often come grouped
  MonthIndex m_first = 0;
  std::vector<std::vector<Money>> m_columns; ///< m_columns[m - m_first][customer]
  std::uint64_t m_cells = 0;
  std::unordered_map<std::uint64_t, Lifecycle> m_life;             ///< lifecycle(): (customer, month) -> facts
  std::unordered_map<std::uint64_t, Holdings> m_holdings;          ///< hold(): (customer, month) -> native amounts
  std::unordered_map<std::uint64_t, PartHoldings> m_part_holdings; ///< hold_part(): the same, per part
  std::unordered_map<std::uint64_t, Money> m_fx;                   ///< set_fx(): (customer, period's last month) -> FX
};

/// What happened to a customer between two snapshots (issue 6 rules).
enum class Movement : std::uint8_t { none, new_business, reactivation, expansion, contraction, churn, flat };
/// previous = p, current = c: new (p = 0, never active before), reactivation (p = 0, active
/// before), expansion (c > p > 0), contraction (0 < c < p), churn (p > 0, c = 0), flat (c = p > 0),
/// none (both 0).
Movement classify(Money previous, Money current, bool active_before) noexcept;
std::string_view to_string(Movement m) noexcept;

/// One period that can be derived: it needs the snapshot of the month before it.
struct DerivedPeriod {
  MonthIndex first_month = 0, last_month = 0;
  std::string label;
};
/// Whole periods of `length` (calendar quarters and years) the table covers, oldest first:
/// each needs the month before its first month (the opening snapshot) and its last month.
std::vector<DerivedPeriod> derivable_periods(const SnapshotTable& t, PeriodLength length);

/// Emits one movements row per customer and derivable period, period by period, for every
/// customer with MRR at either end: start_mrr is the MRR at the end of the month before the
/// period, and exactly one of new, reactivation, expansion, contraction or churned carries
/// the difference to the MRR at the end of its last month. With an FX line (fx_at(), issue 30)
/// start_mrr is that MRR plus the FX line (the start revalued, as MovementRow::fx says) and
/// the movement carries the rest: start + FX + movements = end for every customer. Rows carry `file`, line 0, and the
/// customer's name where the table has one.
/// Returns the rows emitted. With `threads` > 1 and a sink that can fork(), ranges of
/// customers are derived on that many threads and merged; the sums are the same.
std::uint64_t derive_movements(const SnapshotTable& t, PeriodLength length, std::string_view file, RowSink& sink,
                               unsigned threads = 1);

} // namespace cskpi
