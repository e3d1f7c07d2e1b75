// SPDX-License-Identifier: MIT
// Internal to the movements form: what its definition and general path (movements.cpp) and
// its fast path (movements_fast.cpp) share.
#pragma once

#include "ingest/engine/chunks.hpp"
#include "ingest/engine/line_source.hpp"
#include "ingest/engine/padded.hpp"
#include "ingest/engine/pass.hpp"
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include "core/csv.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi::ingest::movements {

/// Whether a key cell starts or ends with a space or a tab: only then is it trimmed (issue
/// 28: "A1", "A1 " and " A1" are one customer), so the common cell costs two compares.
[[gnu::always_inline]] inline bool padded(std::string_view v) noexcept {
  return !v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t');
}

enum Col : std::size_t {
  c_customer_id,
  c_start_mrr, // the six amounts of MovementRow, in its order (parse_fast stores them by index)
  c_expansion_mrr,
  c_contraction_mrr,
  c_churned_mrr,
  c_new_mrr,
  c_reactivation_mrr,
  c_end_mrr,
  c_cac,
  c_period,
  c_segment,
  c_nps,
  c_at_risk,
  c_saved,
  c_health_score,
  c_currency,
  c_count
};

constexpr std::array<std::string_view, c_count> k_col_names = {
    "customer_id",      "start_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "new_mrr",
    "reactivation_mrr", "end_mrr",   "cac",           "period",          "segment",     "nps",
    "at_risk",          "saved",     "health_score",  "currency"};
constexpr std::size_t k_required = 5;         // the first five columns
constexpr std::uint8_t k_group = c_count + 1; // the role of a --by column that is read for nothing else
constexpr std::uint8_t k_name = c_count + 2;  // the role of a name column, read when movers are asked for (issue 30)

/// The cross-column checks of SPEC §1.4 on one row's exact amounts, shared by the fast path
/// (which only asks ok()) and the general one (which words each failure).
struct Reconciled {
  bool overflow = false;      ///< the row's own sums leave int64
  bool overspent = false;     ///< contraction + churned > start + expansion + new + reactivation
  bool partial_churn = false; ///< churned > 0 but MRR is left at period end
  bool end_mismatch = false;  ///< end_mrr given and off by more than the tolerance
  Money inflow, outflow, end, off;
  bool ok() const { return !overflow && !overspent && !partial_churn && !end_mismatch; }
};

[[gnu::always_inline]] inline Reconciled reconcile(const MovementRow& r, std::optional<Money> end_given,
                                                   Money tolerance) {
  Reconciled x;
  x.inflow = r.start;
  x.outflow = r.contraction;
  if (!(checked_add(x.inflow, r.expansion) && checked_add(x.inflow, r.new_mrr) &&
        checked_add(x.inflow, r.reactivation) && checked_add(x.outflow, r.churned))) {
    x.overflow = true;
    return x;
  }
  if (x.outflow > x.inflow) {
    x.overspent = true;
    return x;
  }
  x.end = x.inflow;
  checked_sub(x.end, x.outflow);
  x.partial_churn = r.churned.micros > 0 && x.end > tolerance;
  if (end_given) {
    Money diff = x.end;
    checked_sub(diff, *end_given);
    x.off = Money{diff.micros < 0 ? -diff.micros : diff.micros};
    x.end_mismatch = x.off > tolerance;
  }
  return x;
}

// The row rule (SPEC §1.4), cell by cell: one definition, which slow_row() words and the fast
// path (movements_fast.cpp) only asks. With reconcile() above and RunningSums below.

/// A key cell's text ("A1 " is A1): trimmed only when it starts or ends with a space or tab.
[[gnu::always_inline]] inline std::string_view key_text(std::string_view v) noexcept {
  return padded(v) ? trim_spaces(v) : v;
}

/// What a customer_id cell holds: an id, or why the row is not a customer's.
enum class IdCell : std::uint8_t { id, totals, blank, nul };
inline IdCell customer_id_cell(std::string_view v) noexcept {
  if (totals_label(v)) return IdCell::totals;
  if (is_blank(v)) return IdCell::blank;
  if (v.find('\0') != std::string_view::npos) return IdCell::nul;
  return IdCell::id;
}

/// Without a saved column, a row is saved when it was at risk and did not churn.
[[gnu::always_inline]] inline void default_saved(MovementRow& r) noexcept {
  r.saved = r.at_risk && r.churned.micros == 0;
}

/// Sums of the four required amounts of the rows above, to spot a totals row whose
/// amounts are exactly those sums (issue 12).
struct RunningSums {
  Money start, expansion, contraction, churned;
  std::uint64_t rows = 0;
  bool overflow = false;
  void add(const MovementRow& r) { // inline, on every valid row
    overflow |= __builtin_add_overflow(start.micros, r.start.micros, &start.micros);
    overflow |= __builtin_add_overflow(expansion.micros, r.expansion.micros, &expansion.micros);
    overflow |= __builtin_add_overflow(contraction.micros, r.contraction.micros, &contraction.micros);
    overflow |= __builtin_add_overflow(churned.micros, r.churned.micros, &churned.micros);
    ++rows;
  }
  /// The row repeats the sums of at least two rows above, in at least two non-zero columns
  /// (one column alone, 100 + 100 = 200, is too easily a coincidence).
  bool matched_by(const MovementRow& r) const {
    if (overflow || rows < 2 || r.start != start || r.expansion != expansion || r.contraction != contraction ||
        r.churned != churned)
      return false;
    return (start.micros != 0) + (expansion.micros != 0) + (contraction.micros != 0) + (churned.micros != 0) >= 2;
  }
  /// The same sums as the engine's parallel pass carries them, and back.
  PassTotals::Sums pass() const {
    return {{start.micros, expansion.micros, contraction.micros, churned.micros}, rows, overflow};
  }
  static RunningSums of(const PassTotals::Sums& s) {
    return {Money{s.sums[0]}, Money{s.sums[1]}, Money{s.sums[2]}, Money{s.sums[3]}, s.rows, s.overflow};
  }
};

/// One data line on its way through the pipeline: read and pre-parsed by the reading
/// thread (parse_fast), then taken in line order by the thread that owns all mutable
/// state (take): period cache, duplicate index, counts, diagnostics and the sink.
struct Entry {
  std::uint64_t line = 0;
  PaddedLine text;   ///< a copy in the batch's arena
  bool fast = false; ///< parse_fast accepted it; `row`, `period_raw` and `currency` are set
  MovementRow row;
  std::string_view period_raw;
  std::string_view currency;
};

/// --fx-method transaction (issue 30; movements_fx.cpp): the file's rows wait with their native
/// amounts; at its end each customer's rows are carried in period order and go to the sink in
/// file order. A customer's MRR is held at the rate of the period of its last transaction (a
/// row with a movement): such a row's movements are at its period's rate and the MRR kept from
/// before, re-priced from its locked rate to that rate, is MovementRow::fx; a churn removes the
/// locked value; a row without a movement moves nothing. A currency change is a transaction at
/// the new currency's rate whose difference to the locked value is expansion or contraction.
class TransactionRows {
public:
  /// The row's native amounts and currency, before convert() converts them.
  void native(const MovementRow& r, std::string_view currency);
  /// Keeps a valid row (converted at its period's rate) with the amounts native() saw.
  void keep(const MovementRow& r);
  /// Values the rows and hands them to the sink.
  void finish(FileReader& rd);

private:
  struct Row {
    MovementRow row;
    std::string text; ///< file, customer_id, period, group and name, NUL-separated
    std::array<Money, 6> native;
    std::string currency;
    MonthIndex first_month = 0;
  };
  struct State {
    bool known = false;
    Money held, value; ///< the native MRR at the end of the customer's row before, and its locked value
    std::string currency;
  };
  void carry(const FxTable& fx, Row& k, State& s) const;
  std::vector<Row> m_rows;
  std::array<Money, 6> m_native{};
  std::string m_currency;
};

class MovementsForm : public Form {
public:
  bool start(FileReader& rd) override;
  void read(FileReader& rd, LineSource& lines) override;
  void row(FileReader& rd, std::string_view text) override { slow_row(rd, text); }

  /// The fast path's parse of a plain valid row (movements_fast.cpp): one pass, plain
  /// numbers only, no allocation, all single-row checks. Reads only what start() fixed, so
  /// the reading thread may call it. False hands the line to the general path (slow_row).
  bool parse_fast(const FileReader& rd, PaddedLine text, std::uint64_t at_line, Entry& e) const {
    return m_by_has_role ? parse<true>(rd, text, at_line, e) : parse<false>(rd, text, at_line, e);
  }
  /// parse_fast for a --by column that is read for a role of its own (ByHasRole: each
  /// field is compared with it), or for none (its field has the role k_group).
  template <bool ByHasRole> bool parse(const FileReader& rd, PaddedLine text, std::uint64_t at_line, Entry& e) const;
  /// The end of parse(): the amounts (by Col - 1) into the row, and the row's cross-column checks.
  bool finish_row(const FileReader& rd, MovementRow& r, const std::int64_t (&amounts)[c_end_mrr]) const;
  /// Whether the file has column `c`.
  bool has(Col c) const noexcept { return m_pos[c] != k_absent; }
  /// Takes one entry in line order: the rest of the fast path, or the general one.
  void take(FileReader& rd, Entry& e);
  /// Retires every pending row, in line order.
  void flush(FileReader& rd);
  void reserve_rows(FileReader& rd, std::size_t rows) {
    DuplicateIndex& keys = rd.run.keys();
    keys.reserve(keys.size() + rows);
  }

  /// Estimates the file's row count from its first 1024 rows (reading thread), so the
  /// duplicate index is sized once instead of doubling (and briefly holding two tables).
  /// Returns the estimate once, then 0.
  std::size_t sample(const FileReader& rd, std::size_t line_length) {
    m_sampled_bytes += line_length + 1;
    if (++m_sampled_rows != 1024) return 0;
    return static_cast<std::size_t>(rd.file_size / (m_sampled_bytes / 1024) * 21 / 20);
  }
  bool sampling(const FileReader& rd) const { return m_sampled_rows < 1024 && rd.file_size > 0; }

private:
  /// Reads lines one by one (the Pipeline) from where `lines` stands until the end, or until
  /// a parallel pass may start: `lines` is at a line start at or past `serial_until`. True
  /// in that case.
  bool read_serially(FileReader& rd, LineSource& lines, bool threaded, std::uint64_t serial_until, bool parallel);
  /// Whether a parallel pass may start where `lines` stands.
  bool parallel_ready(const FileReader& rd, const LineSource& lines) const;
  /// Reads the rest of the file in chunks on every thread (engine/pass.hpp) with the fast
  /// path (PassParser). `first`: the file's first pass.
  PassEnd parallel_pass(FileReader& rd, LineSource& lines, unsigned threads, bool first);

  /// The general path: reads a row cell by cell and words every problem. The definition of
  /// a valid row; the fast path only skips work.
  void slow_row(FileReader& rd, std::string_view text);
  /// The cross-column checks of a row whose cells are valid (reconcile()).
  void check_reconciled(FileReader& rd, const MovementRow& r, Money end_given);
  /// Whether the row's key was seen before in the run: an error naming where.
  void check_repeat(FileReader& rd, const MovementRow& r);
  /// Keeps a valid row: what the fast path compares the next rows with, its attributes, the sink.
  void keep(FileReader& rd, const MovementRow& r, CustomerRecord& attrs);
  void row_error(FileReader& rd, std::size_t col, std::string message) {
    rd.field_error(m_pos[col], std::move(message));
  }
  /// Rejects the row as a totals row; the next group's subtotal sums the rows after it.
  void reject_totals(FileReader& rd, std::size_t col, std::string message) {
    row_error(rd, col, std::move(message));
    ++rd.summary.rows_rejected;
    m_since = RunningSums{};
    m_since_line = rd.line;
  }
  std::string_view cell(const FileReader& rd, std::size_t col) const {
    return m_pos[col] == k_absent ? std::string_view{} : rd.fields[m_pos[col]];
  }
  Money money(FileReader& rd, std::size_t col) {
    return m_pos[col] == k_absent ? Money{} : rd.amount(m_pos[col], k_col_names[col], false);
  }
  void period_cell(FileReader& rd, MovementRow& r);
  /// --fx-method period-end: MovementRow::fx of a row whose start_mrr, in `currency`, is `start`.
  void revalue(FileReader& rd, MovementRow& r, Money start, std::string_view currency);
  /// Converts the row's amounts with --fx; false (row rejected) when no rate is known.
  void convert(FileReader& rd, MovementRow& r);
  void accept(FileReader& rd, const MovementRow& r);

  // Rows the fast path accepted wait here while their duplicate-index slot is prefetched:
  // at 10 M rows the index is far larger than the caches, and a lookup that waits for
  // memory costs more than parsing the row.
  struct Pending {
    MovementRow row;
    std::string_view text; ///< in a batch arena; the ring is flushed before a batch is reused
    std::uint64_t line = 0;
    DuplicateIndex::Probe probe;
  };
  void defer(FileReader& rd, const MovementRow& r, std::string_view text, std::uint64_t at_line);
  void retire_one(FileReader& rd);

  // Fixed by start() and read by the reading thread on every row (parse_fast, sample)...
  std::array<std::size_t, c_count> m_pos{};
  std::vector<std::uint8_t> m_roles; ///< per field: its Col, c_count for a column we ignore, or k_group
  std::size_t m_name_pos = k_absent; ///< the customer name column, read only when IngestOptions::names
  bool m_by_has_role = false;        ///< the --by column is one of the Col columns but segment
  bool m_row_attributes = false;     ///< attribute columns: rows update their customer's record
  std::uint64_t m_sampled_bytes = 0, m_sampled_rows = 0;
  // ...and the taking thread's state, on cache lines of its own: a row's writes here must not
  // evict what the reading thread reads (false sharing cost 25 % of the 2-thread wall time).
  alignas(64) std::array<Pending, 16> m_ring;
  std::size_t m_ring_head = 0, m_ring_size = 0;
  std::string m_period_label;
  std::string m_last_period_raw;   ///< the period text of the last valid row...
  std::string m_last_period_label; ///< ...and its normalised label
  std::string m_last_currency;     ///< the currency text of the last valid row
  bool m_period_seen = false;      ///< a valid period was read from this file
  AttributeCells m_attr;
  CurrencyCheck m_currencies;
  RunningSums m_sums;                              ///< of the file's valid rows so far
  RunningSums m_since;                             ///< of those since the last totals row (a group's)
  std::uint64_t m_since_line = 0;                  ///< the line of that totals row, 0 before one
  std::unique_ptr<TransactionRows> m_transactions; ///< --fx-method transaction only
};

/// The fast path as the engine's parallel pass sees it (a RowParser): parse_fast, then the
/// state the general path would check the row against at that point, which the pass fixes
/// at its start: the period length and the currency of the rows before.
class PassParser {
public:
  struct State {
    Entry entry;
    std::map<std::string, std::string, std::less<>> labels; ///< period text -> label
    std::string_view raw, label;                            ///< the last row's, in `labels`
  };
  PassParser(const MovementsForm& form, const FileReader& rd, PeriodLength length, std::string currency)
      : m_form(&form), m_rd(&rd), m_length(length), m_currency(std::move(currency)) {}
  /// None: a blank line ends a chunk, for the general path to count it with the others.
  bool blank(std::string_view) const { return false; }
  const MovementRow* row(State& s, PaddedLine text, std::uint64_t line) const;

private:
  const MovementsForm* m_form;
  const FileReader* m_rd;
  PeriodLength m_length;
  std::string m_currency; ///< every row's currency cell, without --fx
};

} // namespace cskpi::ingest::movements
