// SPDX-License-Identifier: MIT
// Movements files (SPEC §1.2): one customer in one period with its MRR movements. Big
// files are read by one thread and taken by another (Pipeline, below); the common valid
// row takes a fast path that parses it in one pass.
#include "ingest/engine/chunks.hpp"
#include "ingest/engine/line_source.hpp"
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace cskpi {

std::optional<bool> parse_bool(std::string_view text) noexcept {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() > 5) return std::nullopt;
  char buf[6] = {};
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    buf[i] = c;
  }
  const std::string_view t(buf, text.size());
  if (t.empty() || t == "0" || t == "false" || t == "no" || t == "n") return false;
  if (t == "1" || t == "true" || t == "yes" || t == "y") return true;
  return std::nullopt;
}

bool looks_like_totals_label(std::string_view text) noexcept {
  text = trim_spaces(text);
  if (text.empty()) return false;
  switch (text.front()) { // the common customer id is rejected by its first letter
  case 't': case 'T': case 's': case 'S': case 'g': case 'G': case 'i': case 'I': break;
  default: return false;
  }
  while (!text.empty() && (text.back() == ':' || text.back() == '.')) text.remove_suffix(1);
  if (text.empty() || text.size() > 16) return false;
  char buf[16];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view t(buf, text.size());
  static constexpr std::string_view k_words[] = {"total",  "totals",      "grand total", "sum",       "summe",
                                                 "gesamt", "gesamtsumme", "insgesamt",   "gesamtergebnis", "subtotal"};
  for (std::string_view w : k_words)
    if (t == w) return true;
  return false;
}

} // namespace cskpi

namespace cskpi::ingest {

namespace {

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
    "customer_id", "start_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "new_mrr",      "reactivation_mrr", "end_mrr",
    "cac",         "period",    "segment",       "nps",             "at_risk",     "saved",        "health_score",     "currency"};
constexpr std::size_t k_required = 5; // the first five columns
constexpr std::uint8_t k_group = c_count + 1; // the role of a --by column that is read for nothing else

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

[[gnu::always_inline]] inline Reconciled reconcile(const MovementRow& r, std::optional<Money> end_given, Money tolerance) {
  Reconciled x;
  x.inflow = r.start;
  x.outflow = r.contraction;
  if (!(checked_add(x.inflow, r.expansion) && checked_add(x.inflow, r.new_mrr) && checked_add(x.inflow, r.reactivation) &&
        checked_add(x.outflow, r.churned))) {
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
};

class MovementsForm;

/// One data line on its way through the pipeline: read and pre-parsed by the reading
/// thread (parse_fast), then taken in line order by the thread that owns all mutable
/// state (take): period cache, duplicate index, counts, diagnostics and the sink.
struct Entry {
  std::uint64_t line = 0;
  std::string_view text; ///< a copy in the batch's arena
  bool fast = false;     ///< parse_fast accepted it; `row`, `period_raw` and `currency` are set
  MovementRow row;
  std::string_view period_raw;
  std::string_view currency;
};

class MovementsForm : public Form {
public:
  bool start(FileReader& rd) override;
  void read(FileReader& rd, LineSource& lines) override;
  void row(FileReader& rd, std::string_view text) override { slow_row(rd, text); }

  /// The fast path's parse of a plain valid row: one pass, plain numbers only, no
  /// allocation, all single-row checks. Reads only what start() fixed, so the reading
  /// thread may call it. False hands the line to the general path (slow_row). The byte after
  /// `text` must be readable and a '\n' or '\r' (a sentinel; see the definition).
  bool parse_fast(const FileReader& rd, std::string_view text, std::uint64_t at_line, Entry& e) const {
    return m_by_has_role ? parse<true>(rd, text, at_line, e) : parse<false>(rd, text, at_line, e);
  }
  /// parse_fast for a --by column that is read for a role of its own (ByHasRole: each
  /// field is compared with it), or for none (its field has the role k_group).
  template <bool ByHasRole> bool parse(const FileReader& rd, std::string_view text, std::uint64_t at_line, Entry& e) const;
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
  /// Reads the rest of the file in chunks on every thread and keeps the longest run of
  /// chunks from the start that hold only rows the fast path takes (see Pass). `first`: the
  /// file's first pass.
  PassEnd parallel_pass(FileReader& rd, LineSource& lines, unsigned threads, bool first);
  struct Pass;
  struct Scanner;
  void scan(const FileReader& rd, Pass& pass, std::size_t k, Scanner& w) const;
  /// Gives the row parse_fast read its period's label, as a pass does; false for a period
  /// the pass does not take (a date, or a period of another length than `length`).
  bool pass_period(Scanner& w, PeriodLength length, Entry& e) const;
  /// The keys of the lines that start in bytes [begin, end) of file `fd`, which a pass read
  /// (every line there is blank or one the fast path takes), read with `buf` and `e`: for
  /// PendingKeys::reread, and for a chunk whose rows stop being ordered. With a `range`,
  /// they must be its keys, increasing in `order`. Throws FileChanged if not.
  void reread_keys(const FileReader& rd, Scanner& w, ChunkBuffer& buf, Entry& e, int fd, std::uint64_t begin,
                   std::uint64_t end, PeriodLength length, const KeyRange* range, KeyOrder order,
                   std::vector<KeyPartitions::Found>& keys) const;
  /// Calls f(row, line) for each row of the lines that start in bytes [begin, end) of file
  /// `fd`, as reread_keys() reads them.
  template <class F>
  void each_row_again(const FileReader& rd, Scanner& w, ChunkBuffer& buf, Entry& e, int fd, std::uint64_t begin,
                      std::uint64_t end, PeriodLength length, F&& f) const;
  /// After an ordered pass: which of the chunks [0, kept) that kept no keys stay so, the
  /// others getting their keys' words, so that no repeat among the pass's rows and the keys
  /// read before goes unseen. False when none stays so.
  bool settle_order(const FileReader& rd, Pass& pass, std::size_t kept, unsigned threads) const;

  void slow_row(FileReader& rd, std::string_view text);
  void row_error(FileReader& rd, std::size_t col, std::string message) { rd.field_error(m_pos[col], std::move(message)); }
  std::string_view cell(const FileReader& rd, std::size_t col) const {
    return m_pos[col] == k_absent ? std::string_view{} : rd.fields[m_pos[col]];
  }
  Money money(FileReader& rd, std::size_t col) {
    return m_pos[col] == k_absent ? Money{} : rd.amount(m_pos[col], k_col_names[col], false);
  }
  void period_cell(FileReader& rd, MovementRow& r);
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
  RunningSums m_sums; ///< of the file's valid rows so far
};

bool MovementsForm::start(FileReader& rd) {
  Run& run = rd.run;
  m_pos.fill(k_absent);
  m_roles.assign(rd.field_count, static_cast<std::uint8_t>(c_count));
  for (std::size_t i = 0; i < rd.names.size(); ++i) {
    const std::string& n = rd.names[i];
    for (std::size_t c = 0; c < c_count; ++c) {
      if (n != k_col_names[c] && !(c == c_currency && n == "currency_code")) continue;
      if (m_pos[c] != k_absent) {
        rd.fatal(rd.line, fmt::format("column {} appears twice in the header (fields {} and {})", n, m_pos[c] + 1, i + 1));
        return false;
      }
      m_pos[c] = i;
      m_roles[i] = static_cast<std::uint8_t>(c);
    }
  }
  m_by_has_role = false;
  if (rd.by_pos != k_absent && rd.by_pos < m_roles.size()) {
    std::uint8_t& by = m_roles[rd.by_pos];
    if (by == c_count || by == c_segment) by = k_group;
    else m_by_has_role = true;
  }
  FileRole role = FileRole::unknown;
  if (run.snapshots) {
    rd.fatal(rd.line, "a movements file cannot be read with a snapshot file in one run; report them separately");
    return false;
  }
  std::vector<std::string_view> missing;
  for (std::size_t c = 0; c < k_required; ++c)
    if (m_pos[c] == k_absent) missing.push_back(k_col_names[c]);
  if (!missing.empty()) {
    // Which form this header came closest to, and a --map that would fix the likely cause.
    std::vector<std::string_view> have;
    for (std::size_t c = 1; c < k_required; ++c)
      if (m_pos[c] != k_absent) have.push_back(k_col_names[c]);
    std::string hint;
    if (m_pos[c_start_mrr] == k_absent)
      for (const std::string_view guess : {"mrr", "starting_mrr", "mrr_start", "opening_mrr", "start"})
        if (const std::size_t at = rd.find({guess}); at != k_absent) {
          hint = fmt::format("; is {} the start_mrr column? then pass --map 'start_mrr={}'", show(rd.fields[at]),
                             trim_spaces(rd.fields[at]));
          break;
        }
    rd.fatal(rd.line, fmt::format("missing required column{} {} (delimiter {}; columns found: {}); {}{}. The input forms "
                                  "are: {} (cskpi explain inputs; --map 'start_mrr=Your Name' reads other column names)",
                                  missing.size() > 1 ? "s" : "", fmt::join(missing, ", "), delimiter_name(rd.summary.delimiter),
                                  shown_columns(rd.names),
                                  have.empty() ? std::string("no input form recognises this header")
                                               : fmt::format("read as movements because it has {}", fmt::join(have, ", ")),
                                  hint, list_forms()));
    return false;
  }
  rd.check_by_column();
  ColumnSet& cs = run.columns;
  cs.period |= m_pos[c_period] != k_absent;
  cs.segment |= m_pos[c_segment] != k_absent;
  cs.new_mrr |= m_pos[c_new_mrr] != k_absent;
  cs.reactivation_mrr |= m_pos[c_reactivation_mrr] != k_absent;
  cs.end_mrr |= m_pos[c_end_mrr] != k_absent;
  cs.nps |= m_pos[c_nps] != k_absent;
  cs.at_risk |= m_pos[c_at_risk] != k_absent;
  cs.saved |= m_pos[c_saved] != k_absent;
  cs.health_score |= m_pos[c_health_score] != k_absent;
  cs.cac |= m_pos[c_cac] != k_absent;
  cs.billing = true;
  role = k_movements_form.recognise(rd.header());
  if (role == FileRole::billing_with_attributes) {
    m_attr.locate(rd);
    m_row_attributes = true;
  }
  ++run.movement_files;
  if (m_pos[c_period] != k_absent && run.options.continuity) { // its periods' continuity is checked at the run's end
    ContinuityRun& c = run.continuity;
    c.file_on = true;
    if (c.columns.size() <= rd.file_index) c.columns.resize(rd.file_index + 1);
    c.columns[rd.file_index] = {static_cast<std::uint32_t>(m_pos[c_customer_id] + 1), static_cast<std::uint32_t>(m_pos[c_start_mrr] + 1)};
  }
  return true;
}

/// First bytes after which a customer id is neither blank nor a totals label (the letters
/// looks_like_totals_label looks at, and the spaces both skip): most ids start with one.
constexpr std::array<bool, 256> k_plain_id_start = [] {
  std::array<bool, 256> t{};
  for (int c = 1; c < 256; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view(" \t\rtTsSgGiI")) t[static_cast<unsigned char>(c)] = false;
  return t;
}();

// The fast path for the common valid row: one pass over the bytes, plain numbers only, no
// allocation. Anything unusual (a quoted known field, a number with grouping or more than 6
// decimals, any failed check) returns false; so do, later in take() and retire_one(), a new
// period or currency text, a duplicate and a row that repeats the sums above it. Such a
// line goes to slow_row() with full diagnostics. So the two paths cannot disagree on a
// valid row: the slow one is the definition, this one only skips work.
//
// `text` is followed by a readable '\n' or '\r' (ChunkLines and the Pipeline's arena see to
// it): no digit, delimiter or quote, so the loops below stop at the line's end without
// comparing with it. A field ends at a delimiter (the next field follows) or anywhere else
// (the line must end there, after the last field).
template <bool ByHasRole>
bool MovementsForm::parse(const FileReader& rd, std::string_view text, std::uint64_t at_line, Entry& e) const {
  static constexpr std::int64_t k_pow10[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  const char delim = rd.delimiter;
  const char dec = rd.style == DecimalStyle::point ? '.' : ',';
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto is_digit = [](char c) { return static_cast<unsigned char>(c - '0') < 10; };
  if (m_row_attributes) return false; // attribute cells are read by the general path
  MovementRow& r = e.row;
  // Field by field: `r = MovementRow{}` compiles to a rep stos and a copy, 12 % of a pass.
  // Each on its own: a chained assignment reads back what it just stored, 16 bytes over two
  // 8-byte stores, which the store buffer cannot forward.
  r.customer_id = {};
  r.period = {};
  r.group = {};
  r.cac.reset();
  r.nps = -1;
  r.at_risk = r.saved = false;
  r.file = rd.name;
  r.line = at_line;
  std::int64_t amounts[c_end_mrr] = {}; // by Col - 1: the six amounts of MovementRow, then end_mrr
  // A plain "123" or "123.45" from p, parsed while scanning; false for anything else but an
  // empty cell (0). Unsigned: a long run of digits wraps (defined) and is refused.
  const auto amount = [&](std::int64_t& v) {
    const char* const f = p;
    std::uint64_t units = 0;
    while (is_digit(*p)) units = units * 10 + static_cast<std::uint64_t>(*p++ - '0');
    const auto int_digits = p - f;
    if (int_digits > 12) return false;
    v = static_cast<std::int64_t>(units) * Money::k_scale;
    if (*p != dec) return true;
    const char* const d = ++p;
    if (is_digit(d[0]) && is_digit(d[1]) && !is_digit(d[2])) { // cents, the common case
      v += ((d[0] - '0') * 10 + (d[1] - '0')) * 10'000;
      p += 2;
    } else {
      std::uint64_t frac = 0;
      while (is_digit(*p)) frac = frac * 10 + static_cast<std::uint64_t>(*p++ - '0');
      const auto frac_digits = p - d;
      if (frac_digits == 0 || frac_digits > 6) return false;
      v += static_cast<std::int64_t>(frac) * k_pow10[frac_digits];
    }
    return int_digits != 0;
  };
  const std::size_t fields = rd.field_count;
  [[maybe_unused]] const std::size_t by = rd.by_pos;
  const std::uint8_t* const roles = m_roles.data();
  for (std::size_t i = 0;; ++p) { // p: at the delimiter before field i + 1
    const char* const f = p;
    const std::uint8_t role = roles[i];
    switch (role) {
    case c_start_mrr:
    case c_expansion_mrr:
    case c_contraction_mrr:
    case c_churned_mrr:
    case c_new_mrr:
    case c_reactivation_mrr:
    case c_end_mrr:
      if (!amount(amounts[role - 1])) return false;
      break;
    case c_cac: {
      std::int64_t v = 0;
      if (!amount(v)) return false;
      if (p != f) r.cac = Money{v}; // an empty cac is unknown, not 0
      break;
    }
    case c_nps:
      if (is_digit(*p)) {
        r.nps = *p++ - '0';
        if (r.nps == 1 && *p == '0') {
          r.nps = 10;
          ++p;
        }
      }
      break;
    // A known text field ends at a delimiter, a quote or a NUL byte: at the last two the
    // line does not end, and the slow path unescapes or words it.
    case c_customer_id: {
      p = field_end(p, end, delim);
      std::string_view v(f, static_cast<std::size_t>(p - f));
      // A totals label starts with one of few letters ("Total", "Summe") or ends with one of
      // few ("SMB Total", "Enterprise Subtotal", "Mid-Market Ergebnis"): others are ids.
      if (v.empty() || ((!k_plain_id_start[static_cast<unsigned char>(v[0])] || may_end_totals_label(v)) &&
                        (is_blank(v) || totals_label(v))))
        return false;
      r.customer_id = padded(v) ? trim_spaces(v) : v;
      break;
    }
    case c_period:
      p = field_end(p, end, delim);
      e.period_raw = std::string_view(f, static_cast<std::size_t>(p - f));
      break;
    case c_currency:
      p = field_end(p, end, delim);
      e.currency = std::string_view(f, static_cast<std::size_t>(p - f));
      break;
    case c_at_risk:
    case c_saved: {
      bool b = false; // an empty cell is false
      if (*p == '0' || *p == '1') { // the common 0 and 1 (anything after them ends the line)
        b = *p++ == '1';
      } else if (*p != delim && p != end) {
        p = field_end(p, end, delim);
        const auto parsed = parse_bool(std::string_view(f, static_cast<std::size_t>(p - f)));
        if (!parsed) return false;
        b = *parsed;
      }
      (role == c_at_risk ? r.at_risk : r.saved) = b;
      break;
    }
    case c_health_score: {
      p = field_end(p, end, delim);
      const ParsedMoney h = parse_money(std::string_view(f, static_cast<std::size_t>(p - f)), rd.style);
      if (h.status == ParsedMoney::Status::invalid || h.status == ParsedMoney::Status::overflow || h.rounded ||
          (h.status == ParsedMoney::Status::ok && (h.value.micros < 0 || h.value.micros > 100 * Money::k_scale)))
        return false;
      break;
    }
    case k_group: { // the --by column's text; quoted, the slow path unescapes it
      p = field_end(p, end, delim);
      const std::string_view v(f, static_cast<std::size_t>(p - f));
      r.group = padded(v) ? trim_spaces(v) : v;
      break;
    }
    case c_segment: // a column we do not read
    case c_count:
      if (*p == '"') {
        for (++p;;) { // skip the quoted field, "" included
          p = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
          if (p == nullptr) return false;
          if (p[1] == '"') { // the sentinel is not a quote
            p += 2;
            continue;
          }
          ++p;
          break;
        }
      } else {
        p = field_end(p, end, delim);
      }
      break;
    default: // start() gives every field one of the roles above
      __builtin_unreachable();
    }
    if constexpr (ByHasRole) // a quoted known field does not get here
      if (i == by) {
        const std::string_view v(f, static_cast<std::size_t>(p - f));
        r.group = padded(v) ? trim_spaces(v) : v;
      }
    if (*p != delim) { // the line must end here, after its last field
      if (p != end || i + 1 != fields) return false;
      break;
    }
    if (++i == fields) return false; // too many fields
  }
  r.start.micros = amounts[c_start_mrr - 1];
  r.expansion.micros = amounts[c_expansion_mrr - 1];
  r.contraction.micros = amounts[c_contraction_mrr - 1];
  r.churned.micros = amounts[c_churned_mrr - 1];
  r.new_mrr.micros = amounts[c_new_mrr - 1];
  r.reactivation.micros = amounts[c_reactivation_mrr - 1];
  if (m_pos[c_saved] == k_absent) r.saved = r.at_risk && r.churned.micros == 0;
  return reconcile(r, m_pos[c_end_mrr] != k_absent ? std::optional<Money>(Money{amounts[c_end_mrr - 1]}) : std::nullopt,
                   rd.options().tolerance)
      .ok();
}

void MovementsForm::take(FileReader& rd, Entry& e) {
  rd.line = e.line;
  if (e.fast && m_pos[c_period] != k_absent) {
    // The period text must be one a valid row already had (its length checked then).
    if (!m_last_period_label.empty() && e.period_raw == m_last_period_raw) e.row.period = m_last_period_label;
    else e.fast = false;
  }
  // A currency column: only the currency of the last valid row, and never with --fx.
  if (e.fast && m_pos[c_currency] != k_absent && (rd.run.fx || e.currency != m_last_currency || m_last_currency.empty()))
    e.fast = false;
  if (e.fast) {
    defer(rd, e.row, e.text, e.line);
    return;
  }
  flush(rd); // earlier rows first: diagnostics and "first at" stay in line order
  slow_row(rd, e.text);
}

void MovementsForm::defer(FileReader& rd, const MovementRow& r, std::string_view text, std::uint64_t at_line) {
  if (m_ring_size == m_ring.size()) retire_one(rd);
  Pending& p = m_ring[(m_ring_head + m_ring_size) % m_ring.size()];
  ++m_ring_size;
  p.text = text;
  p.line = at_line;
  p.row = r;
  p.probe = rd.run.seen.prepare(p.row.period, p.row.customer_id);
}

void MovementsForm::retire_one(FileReader& rd) {
  Pending& p = m_ring[m_ring_head];
  m_ring_head = (m_ring_head + 1) % m_ring.size();
  --m_ring_size;
  if (!m_sums.matched_by(p.row) && !rd.run.insert_key(p.probe, p.row.period, p.row.customer_id, rd.file_index, p.line)) {
    ++rd.summary.rows_read;
    accept(rd, p.row);
    return;
  }
  // A duplicate or a totals row: the general path reports it, as for any other invalid row.
  const std::uint64_t current = rd.line;
  rd.line = p.line;
  slow_row(rd, p.text);
  rd.line = current;
}

void MovementsForm::flush(FileReader& rd) {
  while (m_ring_size > 0) retire_one(rd);
}

void MovementsForm::accept(FileReader& rd, const MovementRow& r) {
  ++rd.summary.rows_used;
  m_sums.add(r);
  rd.sink.add(r);
}

void MovementsForm::period_cell(FileReader& rd, MovementRow& r) {
  Run& run = rd.run;
  const std::string_view t = cell(rd, c_period);
  std::optional<Period> p = parse_period(t);
  if (!p && !is_blank(t)) { // a date as people write it: 10/31/2026, 31.10.2026, Oct 2026
    std::optional<DateColumn>& col = rd.dates[m_pos[c_period]];
    if (!col) col.emplace(run.date_order);
    const DateColumn::Result d = col->read(t, rd.line);
    if (d.status == DateColumn::Status::ok) {
      p = Period{month_label(d.value.month), PeriodLength::month};
    } else if (d.status == DateColumn::Status::ambiguous || d.status == DateColumn::Status::contradicts) {
      row_error(rd, c_period, col->message(d, "period", t));
      r.period = {};
      return;
    }
  }
  if (p) {
    m_period_label = std::move(p->label);
    if (run.period_length && *run.period_length != p->length && !m_period_seen && run.period_length_file != rd.file_index) {
      // A whole file of another period length: one message, not one per row.
      rd.fatal(rd.line, fmt::format("periods of this file are {}s (period {}), but earlier files are {}s (first at {}); "
                                    "report them in separate runs",
                                    to_string(p->length), show(t), to_string(*run.period_length), run.period_length_first));
      return;
    }
    if (run.period_length && *run.period_length != p->length) {
      row_error(rd, c_period, fmt::format("period {} is a {}, but earlier periods are {}s (first at {})", show(t),
                                          to_string(p->length), to_string(*run.period_length), run.period_length_first));
    } else if (!run.period_length && rd.row_ok) {
      run.period_length = p->length;
      run.period_length_first = fmt::format("{}:{}", rd.name, rd.line);
      run.period_length_file = rd.file_index;
    }
    m_period_seen = true;
  } else {
    row_error(rd, c_period,
              fmt::format("period {} is not a period (use YYYY-MM, YYYY-Qn, YYYY, a date such as 2026-10-31, 31.10.2026 or "
                          "10/31/2026, or Oct 2026)",
                          show(t)));
  }
  r.period = m_period_label;
}

void MovementsForm::convert(FileReader& rd, MovementRow& r) {
  if (!rd.run.fx || m_pos[c_currency] == k_absent) return;
  const std::string_view currency = cell(rd, c_currency);
  if (is_blank(currency)) {
    row_error(rd, c_currency, fmt::format("currency is empty; with --fx every row names its currency"));
    return;
  }
  MonthIndex m = 0;
  if (!r.period.empty())
    if (const std::optional<Day> last = last_day_of_period(r.period)) m = parse_month(format_date(*last)).value_or(0);
  for (Money* v : {&r.start, &r.expansion, &r.contraction, &r.churned, &r.new_mrr, &r.reactivation})
    if (rd.row_ok) *v = rd.convert(*v, currency, m, m_pos[c_currency]);
  if (r.cac && rd.row_ok) r.cac = rd.convert(*r.cac, currency, m, m_pos[c_currency]);
}

void MovementsForm::slow_row(FileReader& rd, std::string_view text) {
  if (!rd.split_row(text)) return;
  MovementRow r;
  r.file = rd.name;
  r.line = rd.line;
  r.customer_id = trim_spaces(rd.fields[m_pos[c_customer_id]]); // "A1 " is A1, as " 12.50" is 12.50
  if (totals_label(r.customer_id)) {
    row_error(rd, c_customer_id,
              fmt::format("customer_id {} looks like a totals row, not a customer: delete the line from the export",
                          show(trim_spaces(r.customer_id))));
    ++rd.summary.rows_rejected;
    return;
  }
  r.start = money(rd, c_start_mrr);
  r.expansion = money(rd, c_expansion_mrr);
  r.contraction = money(rd, c_contraction_mrr);
  r.churned = money(rd, c_churned_mrr);
  if (rd.row_ok && m_sums.matched_by(r)) { // amounts that repeat the sums of the rows above: a totals row, whatever its labels say
    row_error(rd, c_start_mrr,
              fmt::format("this looks like a totals row: its amounts are the sums of the {} rows above (start_mrr {}); "
                          "delete the line from the export",
                          m_sums.rows, show_money(m_sums.start)));
    ++rd.summary.rows_rejected;
    return;
  }
  if (is_blank(r.customer_id)) row_error(rd, c_customer_id, "customer_id is empty");
  else if (r.customer_id.find('\0') != std::string_view::npos)
    row_error(rd, c_customer_id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(r.customer_id)));
  r.new_mrr = money(rd, c_new_mrr);
  r.reactivation = money(rd, c_reactivation_mrr);
  const Money end_given = money(rd, c_end_mrr);
  if (m_pos[c_cac] != k_absent && !is_blank(cell(rd, c_cac))) r.cac = money(rd, c_cac); // empty = unknown, not 0

  r.nps = rd.whole(m_pos[c_nps], 0, 10); // -1: no response
  for (const std::size_t col : {c_at_risk, c_saved}) {
    if (m_pos[col] == k_absent) continue;
    const auto b = parse_bool(cell(rd, col));
    if (!b)
      row_error(rd, col, fmt::format("{} {} is not a boolean (use 1/0, true/false, yes/no or y/n)", k_col_names[col], show(cell(rd, col))));
    else if (col == c_at_risk) r.at_risk = *b;
    else r.saved = *b;
  }
  if (m_pos[c_saved] == k_absent) r.saved = r.at_risk && r.churned.micros == 0;
  CustomerRecord attrs;
  if (m_row_attributes) m_attr.read(rd, attrs);

  if (m_pos[c_period] != k_absent) {
    period_cell(rd, r);
    if (rd.summary.unreadable) return;
  }
  if (rd.by_pos != k_absent) {
    r.group = trim_spaces(rd.fields[rd.by_pos]);
    if (r.group.find('\0') != std::string_view::npos)
      rd.field_error(rd.by_pos, fmt::format("{} {} holds a NUL byte: binary data, not text", rd.options().by_column, show(r.group)));
  }
  if (m_pos[c_currency] != k_absent) m_currencies.note(rd, m_pos[c_currency]);

  if (rd.row_ok) {
    const Reconciled x =
        reconcile(r, m_pos[c_end_mrr] != k_absent ? std::optional<Money>(end_given) : std::nullopt, rd.options().tolerance);
    std::string inflow_terms = "start_mrr + expansion_mrr";
    if (m_pos[c_new_mrr] != k_absent) inflow_terms += " + new_mrr";
    if (m_pos[c_reactivation_mrr] != k_absent) inflow_terms += " + reactivation_mrr";
    if (x.overflow) row_error(rd, c_start_mrr, "the row's movements overflow the money range");
    if (x.overspent)
      row_error(rd, c_contraction_mrr, fmt::format("contraction_mrr + churned_mrr ({}) exceed {} ({})", show_money(x.outflow),
                                                   inflow_terms, show_money(x.inflow)));
    if (x.partial_churn)
      row_error(rd, c_churned_mrr,
                fmt::format("churned row still has {} MRR at period end; partial churn belongs in contraction_mrr", show_money(x.end)));
    if (x.end_mismatch)
      row_error(rd, c_end_mrr, fmt::format("end_mrr {} does not reconcile: {} - contraction_mrr - churned_mrr = {} (off by {})",
                                           show_money(end_given), inflow_terms, show_money(x.end), show_money(x.off)));
  }
  if (rd.row_ok) convert(rd, r);

  if (rd.row_ok) {
    if (const auto first = rd.run.insert_key(rd.run.seen.prepare(r.period, r.customer_id), r.period, r.customer_id, rd.file_index, rd.line)) {
      const std::string where = first->file == DuplicateIndex::k_unknown_file || first->line == 0 ? std::string("earlier in this run")
                                : first->file == rd.file_index                                     ? fmt::format("line {}", first->line)
                                : fmt::format("{}:{}", rd.run.file_names[first->file], first->line);
      row_error(rd, c_customer_id, r.period.empty()
                                       ? fmt::format("customer_id {} appears twice (first at {})", show(r.customer_id), where)
                                       : fmt::format("customer_id {} appears twice in period {} (first at {})",
                                                     show(r.customer_id), r.period, where));
    }
  }

  if (!rd.row_ok) {
    ++rd.summary.rows_rejected;
    return;
  }
  if (m_pos[c_period] != k_absent) {
    m_last_period_raw.assign(cell(rd, c_period));
    m_last_period_label = m_period_label;
  }
  if (m_pos[c_currency] != k_absent) m_last_currency.assign(cell(rd, c_currency));
  if (m_row_attributes) {
    attrs.id.assign(r.customer_id);
    attrs.period.assign(r.period);
    Attributes& a = rd.run.attrs();
    attrs.from_billing = true;
    const auto [it, fresh] = a.index.try_emplace(attrs.id, a.customers.size());
    if (fresh) a.customers.push_back(std::move(attrs));
    else if (CustomerRecord& have = a.customers[it->second]; have.from_billing && have.period <= attrs.period)
      have = std::move(attrs); // a customers file outranks attribute columns; a later period an earlier one
  }
  accept(rd, r);
}

/// Carries lines from the reading thread to the thread that takes them, in batches. With
/// `threaded` false it takes each batch on the spot, through the same code.
class Pipeline {
public:
  struct Batch {
    std::string arena; ///< the lines' bytes; never reallocated while entries point into it
    std::vector<Entry> entries;
    std::size_t reserve_hint = 0;
  };
  static constexpr std::size_t k_rows = 8192;      ///< rows per batch, at most
  static constexpr std::size_t k_arena = 1u << 20; ///< bytes per batch, at most

  Pipeline(FileReader& rd, MovementsForm& form, bool threaded) : m_rd(rd), m_form(form), m_threaded(threaded) {
    m_cur = fresh();
    if (m_threaded) m_worker = std::thread([this] { work(); });
  }
  ~Pipeline() {
    if (m_worker.joinable()) {
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_done = true;
        m_stop = true;
      }
      m_cv.notify_all();
      m_worker.join();
    }
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// True once the taking side has stopped the file (a file-level error).
  bool stopped() const { return m_stop.load(std::memory_order_relaxed); }

  /// Copies a line into the current batch, followed by a newline (parse_fast's sentinel), and
  /// returns its entry.
  Entry& add(std::string_view text, std::uint64_t line) {
    if (m_cur->entries.size() == m_cur->entries.capacity() || m_cur->arena.size() + text.size() + 1 > m_cur->arena.capacity())
      dispatch();
    if (m_cur->entries.empty() && text.size() + 1 > m_cur->arena.capacity()) m_cur->arena.reserve(text.size() + 1);
    const std::size_t at = m_cur->arena.size();
    m_cur->arena.append(text);
    m_cur->arena.push_back('\n');
    Entry& e = m_cur->entries.emplace_back();
    e.line = line;
    e.text = std::string_view(m_cur->arena.data() + at, text.size());
    return e;
  }
  void hint(std::size_t rows) { m_cur->reserve_hint = rows; }

  /// Takes everything still queued and waits for it; rethrows what the taking side threw.
  void finish() {
    dispatch();
    if (m_threaded) {
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_done = true;
      }
      m_cv.notify_all();
      m_worker.join();
    }
    if (m_error) std::rethrow_exception(m_error);
  }

private:
  std::unique_ptr<Batch> fresh() {
    auto b = std::make_unique<Batch>();
    size_up(*b);
    return b;
  }

  /// Batches start small and double up to k_rows and k_arena, so a 100-row file does not
  /// pay for allocating and faulting in megabytes it never uses.
  void size_up(Batch& b) {
    b.arena.reserve(m_arena);
    b.entries.reserve(m_rows);
    if (m_rows < k_rows) {
      m_rows *= 2;
      m_arena = std::min(m_arena * 2, k_arena);
    }
  }

  void take(Batch& b) {
    if (b.reserve_hint > 0) m_form.reserve_rows(m_rd, b.reserve_hint);
    for (Entry& e : b.entries) {
      m_form.take(m_rd, e);
      if (m_rd.summary.unreadable) { // a file-level error: the row that caused it is not counted
        --m_rd.summary.rows_read;
        m_stop = true;
        break;
      }
    }
    m_form.flush(m_rd); // pending rows point into this batch
  }

  void dispatch() {
    if (m_cur->entries.empty() && m_cur->reserve_hint == 0) return;
    if (!m_threaded) {
      take_and_recycle(*m_cur);
      size_up(*m_cur);
      return;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [this] { return m_full.size() < 2 || m_stop; });
    m_full.push_back(std::move(m_cur));
    if (m_free.empty()) {
      m_cur = fresh();
    } else {
      m_cur = std::move(m_free.back());
      m_free.pop_back();
      size_up(*m_cur); // an early, small batch grows on reuse
    }
    lock.unlock();
    m_cv.notify_all();
  }

  /// Takes a batch unless the file was stopped (what it throws is kept for finish()), then
  /// empties it for reuse.
  void take_and_recycle(Batch& b) {
    if (!m_stop) {
      try {
        take(b);
      } catch (...) {
        m_error = std::current_exception();
        m_stop = true;
      }
    }
    b.arena.clear();
    b.entries.clear();
    b.reserve_hint = 0;
  }

  void work() {
    for (;;) {
      std::unique_ptr<Batch> b;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [this] { return !m_full.empty() || m_done; });
        if (m_full.empty()) return;
        b = std::move(m_full.front());
        m_full.pop_front();
      }
      take_and_recycle(*b);
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_free.push_back(std::move(b));
      }
      m_cv.notify_all();
    }
  }

  FileReader& m_rd;
  MovementsForm& m_form;
  bool m_threaded;
  std::unique_ptr<Batch> m_cur;
  std::size_t m_rows = 256, m_arena = 32u << 10; ///< the next batch's capacity (see size_up)
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::unique_ptr<Batch>> m_full, m_free;
  bool m_done = false;
  std::atomic<bool> m_stop{false};
  std::exception_ptr m_error;
  std::thread m_worker;
};

// The parallel pass (issue 13). The rest of the file is cut into chunks at byte offsets; a
// chunk holds the lines that start in it, so no line is read twice and none is missed. Each
// thread takes the next chunk and reads it with its own buffer: only rows the fast path
// takes, each checked against the state the general path would have at that line (the
// period length, the currency, the duplicate keys of the run so far), summed into a fork of
// the sink. The first line that needs anything else (an error, a warning, a new kind of
// period) ends its chunk there. Afterwards the good chunks from the start are kept, with
// the lines before the problem in the first bad one, less any chunk holding the second of
// two equal keys or a row that repeats the sums above it, both only decidable once the
// chunks before are known; the general path reads on from there, through the problem line
// (or the chunk not kept), and the next pass starts after it. A file with no problem is read
// in one pass; every diagnostic comes from the general path, so the output is the same for
// any number of threads.
namespace {
__extension__ typedef __int128 i128;
constexpr i128 k_int64_max = std::numeric_limits<std::int64_t>::max();
} // namespace

struct MovementsForm::Pass {
  struct alignas(64) Chunk { // threads write neighbouring chunks: no shared cache lines
    std::uint64_t from = 0, to = 0;   ///< the byte range: the chunk holds the lines that start in it
    std::uint64_t begin = 0, end = 0; ///< its first line's start; the next chunk's
    std::uint64_t lines = 0;          ///< lines that start in it, blank ones included
    std::uint64_t rows = 0;
    enum class State : std::uint8_t { waiting, done, failed } state = State::waiting;
    bool partial = false; ///< failed, but its lines from `begin` to `end` (a line start) are good
    bool keyed = true;    ///< its keys are in the pass's lists; else its rows are ordered (`range`)
    KeyRange range;
    std::uint64_t keyed_from = 0; ///< a keyed chunk's first line with a key in the lists
    std::uint64_t keyed_rows = 0; ///< rows from there
    std::unique_ptr<RowSink> sink;
    i128 sums[4] = {}; ///< start, expansion, contraction and churned MRR of its rows
    /// Rows that might repeat the sums of all rows above them (RunningSums): at least two
    /// non-zero amounts, each at least the sum of the chunk's rows before. As each such row
    /// at least doubles two of the chunk's sums, a chunk has at most a few hundred.
    struct Candidate {
      std::uint64_t row; ///< rows of the chunk before it
      std::int64_t amounts[4];
      i128 before[4]; ///< the chunk's sums before it
    };
    std::vector<Candidate> candidates;
  };

  Pass(std::size_t n, bool lines) : chunks(n), keys(n, lines) {}
  ChunkFile file;
  std::uint64_t first_line = 0;     ///< the number of the line at `begin`
  std::uint64_t rows_per_chunk = 0; ///< estimated, to size the key lists
  std::string_view currency;        ///< the text every row's currency cell must hold, without --fx
  PeriodLength length = PeriodLength::month;
  /// Keys seen before the pass are looked up row by row when they are many (another file's);
  /// the few of the first rows are compared after the pass, with the pass's own keys.
  bool look_up = false;
  /// The chunks keep no keys while their rows' keys increase (KeyRange): on the first pass
  /// over the run's last file, with no other pass's keys pending.
  bool ordered = false;
  /// A chunk's rows were out of order: the chunks begun after keep keys from their start.
  std::atomic<bool> disordered{false};
  /// The ranges of earlier passes' ordered chunks: a row whose key lies in one ends its chunk.
  struct OrderedBefore {
    const OrderedChunks* chunks;
    /// The last key of all: a row after it (in a sorted file, every later row) is in no range.
    std::string_view period;
    char id[64 + 16] = {}; ///< read 16 bytes on (compare_padded)
    std::size_t id_size = 0;
    bool after(std::string_view row_period, std::string_view row_id) const noexcept {
      if (id_size > 64) return false; // (the look-up decides)
      if (chunks->order() == KeyOrder::period_first) {
        const int by_period = row_period.compare(period);
        return by_period > 0 || (by_period == 0 && compare_padded(row_id.data(), row_id.size(), id, id_size) > 0);
      }
      const int by_id = compare_padded(row_id.data(), row_id.size(), id, id_size);
      return by_id > 0 || (by_id == 0 && row_period.compare(period) > 0);
    }
  };
  std::vector<OrderedBefore> ordered_before;
  std::vector<Chunk> chunks;
  KeyPartitions keys;
  std::atomic<std::size_t> next{0};     ///< the next chunk to take
  std::atomic<std::size_t> failed{0};   ///< the lowest failed chunk (chunks.size(): none)
  void fail(std::size_t k) {
    chunks[k].state = Chunk::State::failed;
    for (std::size_t have = failed.load(); k < have && !failed.compare_exchange_weak(have, k);) {
    }
  }
};

/// One thread's reading state, reused from chunk to chunk.
struct MovementsForm::Scanner {
  ChunkBuffer buf;
  KeyHasher hasher;
  std::map<std::string, std::string, std::less<>> labels; ///< period text -> label
  std::string_view raw, label;                             ///< the last row's, in `labels`
  Entry entry;
  char last_id[64 + 16] = {}; ///< the last row's customer_id in an ordered chunk (read 16 bytes on)
  // For reading a chunk's lines again while the chunk is read.
  ChunkBuffer again;
  Entry again_entry;
  std::vector<KeyPartitions::Found> found;
};

namespace {
/// The KeyOrder bits in which key (period, id) follows key (prev_period, prev_id). `padded`:
/// both ids may be read 16 bytes on (compare_padded()).
template <bool padded = false>
std::uint8_t follows(std::string_view prev_period, std::string_view prev_id, std::string_view period, std::string_view id) noexcept {
  const int by_id = padded ? compare_padded(id.data(), id.size(), prev_id.data(), prev_id.size()) : id.compare(prev_id);
  const int by_period = period.data() == prev_period.data() && period.size() == prev_period.size() ? 0 : period.compare(prev_period);
  return static_cast<std::uint8_t>(((by_period > 0 || (by_period == 0 && by_id > 0)) ? static_cast<std::uint8_t>(KeyOrder::period_first) : 0) |
                                   ((by_id > 0 || (by_id == 0 && by_period > 0)) ? static_cast<std::uint8_t>(KeyOrder::customer_first) : 0));
}
} // namespace

void MovementsForm::scan(const FileReader& rd, Pass& pass, std::size_t k, Scanner& w) const {
  using Chunk = Pass::Chunk;
  Chunk& c = pass.chunks[k];
  // While its rows' keys increase, an ordered pass's chunk keeps only its first and last key.
  bool in_order = pass.ordered && !pass.disordered.load(std::memory_order_relaxed);
  std::uint64_t rows_in_order = 0; // rows before keys were kept
  std::uint64_t keyed_from = UINT64_MAX;
  std::uint8_t orders = static_cast<std::uint8_t>(KeyOrder::period_first) | static_cast<std::uint8_t>(KeyOrder::customer_first);
  std::string_view last_period; // a label in w.labels
  std::size_t last_id_size = 0; // in w.last_id
  if (!in_order) pass.keys.reserve(k, pass.rows_per_chunk);
  ChunkLines in(pass.file, w.buf, c.from, c.to);
  const bool has_currency = m_pos[c_currency] != k_absent;
  std::uint64_t lines = 0, rows = 0; // counted here, stored in the chunk at its end
  i128 sums[4] = {};
  RowSink& sink = *c.sink;
  // What the chunk's rows tell of their order, at its end or where it stops.
  const auto close_range = [&] {
    c.keyed = !in_order;
    c.keyed_from = keyed_from == UINT64_MAX ? in.begin() : keyed_from;
    c.keyed_rows = rows - rows_in_order;
    c.range.last_period = last_period;
    c.range.last_id.assign(w.last_id, last_id_size);
    c.range.rows = rows;
    c.range.orders = orders;
  };
  // A line the fast path cannot take ends the chunk there: the lines before it are kept.
  const auto stop = [&](std::uint64_t line_start, std::uint64_t lines_before) {
    if (in.started()) { // the lines before it are good
      close_range();
      c.begin = in.begin();
      c.end = line_start;
      c.lines = lines_before;
      c.rows = rows;
      for (int i = 0; i < 4; ++i) c.sums[i] = sums[i];
      c.partial = true;
    }
    pass.fail(k);
  };
  try {
    for (;;) {
      if (pass.failed.load(std::memory_order_relaxed) < k) return; // not needed any more
      std::string_view text;
      const ChunkLines::Next got = in.next(text);
      if (got == ChunkLines::Next::end) break;
      const std::uint64_t line_start = in.line_start();
      if (got == ChunkLines::Next::stop) return stop(line_start, lines);
      const std::uint64_t line = lines++;
      if (is_blank(text)) continue;
      if (in.high() && invalid_utf8(text)) return stop(line_start, line);
      Entry& e = w.entry;
      if (!parse_fast(rd, text, line, e) || !pass_period(w, pass.length, e)) return stop(line_start, line);
      MovementRow& r = e.row;
      if (has_currency && e.currency != pass.currency) return stop(line_start, line);
      for (const Pass::OrderedBefore& o : pass.ordered_before) // may repeat a key of an ordered chunk
        if (!o.after(r.period, r.customer_id) && o.chunks->holder(r.period, r.customer_id)) return stop(line_start, line);
      if (in_order) { // (the keys read before the pass are few: none is looked up here)
        const bool fits = r.customer_id.size() <= sizeof w.last_id - 16;
        if (rows == 0 && fits) {
          c.range.first_period = r.period;
          c.range.first_id = r.customer_id;
        } else if (!fits || (orders &= follows<true>(last_period, std::string_view(w.last_id, last_id_size), r.period, r.customer_id)) == 0) {
          // Out of order (or an id too long to keep): the rows before get their keys from
          // their lines again.
          in_order = false;
          pass.disordered.store(true, std::memory_order_relaxed);
          keyed_from = line_start;
          rows_in_order = rows;
          w.found.clear();
          reread_keys(rd, w, w.again, w.again_entry, pass.file.fd, in.begin(), line_start, pass.length, nullptr,
                      KeyOrder::period_first, w.found);
          if (w.found.size() != rows) throw FileChanged{};
          pass.keys.reserve(k, pass.rows_per_chunk);
          for (const KeyPartitions::Found& f : w.found) pass.keys.add(k, f.probe, f.line);
        }
        if (in_order) {
          last_period = r.period;
          last_id_size = r.customer_id.size();
          std::memcpy(w.last_id, r.customer_id.data(), last_id_size);
        }
      }
      if (!in_order) {
        const KeyHasher::Probe probe = w.hasher(r.period, r.customer_id);
        if (pass.look_up && rd.run.seen.contains(probe)) return stop(line_start, line); // seen before this pass
        pass.keys.add(k, probe, static_cast<std::uint32_t>(line));
      }
      const std::int64_t amounts[4] = {r.start.micros, r.expansion.micros, r.contraction.micros, r.churned.micros};
      if ((amounts[0] != 0) + (amounts[1] != 0) + (amounts[2] != 0) + (amounts[3] != 0) >= 2 && amounts[0] >= sums[0] &&
          amounts[1] >= sums[1] && amounts[2] >= sums[2] && amounts[3] >= sums[3])
        c.candidates.push_back(Chunk::Candidate{rows, {amounts[0], amounts[1], amounts[2], amounts[3]},
                                                {sums[0], sums[1], sums[2], sums[3]}});
      for (int i = 0; i < 4; ++i) sums[i] += amounts[i];
      sink.add(r);
      ++rows;
    }
  } catch (...) { // a sum of the fork overflowed, memory ran out, or the lines read again
    return pass.fail(k); // differ: the general path tells (nothing of the chunk is kept)
  }
  close_range();
  c.lines = lines;
  c.rows = rows;
  for (int i = 0; i < 4; ++i) c.sums[i] = sums[i];
  c.begin = in.begin();
  c.end = in.offset();
  c.state = Chunk::State::done;
}

bool MovementsForm::pass_period(Scanner& w, PeriodLength length, Entry& e) const {
  if (m_pos[c_period] == k_absent) return true;
  if (!same_text(e.period_raw, w.raw) || w.raw.data() == nullptr) {
    auto it = w.labels.find(e.period_raw);
    if (it == w.labels.end()) {
      std::optional<Period> p = parse_period(e.period_raw);
      if (!p || p->length != length) return false;
      it = w.labels.emplace(std::string(e.period_raw), std::move(p->label)).first;
    }
    w.raw = it->first;
    w.label = it->second;
  }
  e.row.period = w.label;
  return true;
}

template <class F>
void MovementsForm::each_row_again(const FileReader& rd, Scanner& w, ChunkBuffer& buf, Entry& e, int fd, std::uint64_t begin,
                                   std::uint64_t end, PeriodLength length, F&& f) const {
  ChunkFile file;
  file.fd = fd;
  file.begin = begin;
  file.end = end;
  ChunkLines in(file, buf, begin, end);
  std::string_view text;
  for (std::uint32_t line = 0;; ++line) {
    const ChunkLines::Next got = in.next(text);
    if (got == ChunkLines::Next::end) break;
    if (got == ChunkLines::Next::stop) throw FileChanged{}; // the file shrank, or cannot be read
    if (is_blank(text)) continue;
    if (!parse_fast(rd, text, line, e) || !pass_period(w, length, e)) throw FileChanged{};
    f(e.row, line);
  }
}

void MovementsForm::reread_keys(const FileReader& rd, Scanner& w, ChunkBuffer& buf, Entry& e, int fd, std::uint64_t begin,
                                std::uint64_t end, PeriodLength length, const KeyRange* range, KeyOrder order,
                                std::vector<KeyPartitions::Found>& keys) const {
  std::string_view last_period;
  std::string last_id;
  const std::size_t had = keys.size();
  each_row_again(rd, w, buf, e, fd, begin, end, length, [&](const MovementRow& r, std::uint32_t line) {
    if (range != nullptr) { // the chunk's range, key after key
      const bool first = keys.size() == had;
      if (first ? r.period != range->first_period || r.customer_id != range->first_id
                : (follows(last_period, last_id, r.period, r.customer_id) & static_cast<std::uint8_t>(order)) == 0)
        throw FileChanged{};
      last_period = r.period;
      last_id.assign(r.customer_id);
    }
    keys.push_back(KeyPartitions::Found{w.hasher(r.period, r.customer_id), line});
  });
  if (range != nullptr && (keys.size() - had != range->rows || last_period != range->last_period || last_id != range->last_id))
    throw FileChanged{};
}

namespace {
/// Calls f(k, scanner) for each k in [0, count) on `threads` threads, each with its own
/// scanner; the first exception thrown stops the others and is thrown again.
template <class Scanner, class F> void each_chunk(std::size_t count, unsigned threads, F&& f) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  const auto work = [&] {
    Scanner w;
    try {
      for (std::size_t k; (k = next.fetch_add(1)) < count;) f(k, w);
    } catch (...) {
      const std::lock_guard<std::mutex> hold(failure_lock);
      if (!failure) failure = std::current_exception();
      next = count; // the others stop too
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads && t < count; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  if (failure) std::rethrow_exception(failure);
}
} // namespace

bool MovementsForm::settle_order(const FileReader& rd, Pass& pass, std::size_t kept, unsigned threads) const {
  // The kept chunks that kept no keys (ordered) and the rows that did (keyed).
  std::vector<KeyRange> ranges(kept); // a keyed chunk's has no rows
  std::uint64_t ordered_rows = 0, keyed_rows = 0;
  for (std::size_t k = 0; k < kept; ++k) {
    const Pass::Chunk& c = pass.chunks[k];
    if (c.keyed) {
      keyed_rows += c.keyed_rows;
    } else {
      ranges[k] = c.range;
      ordered_rows += c.range.rows;
    }
  }
  if (ordered_rows == 0) return false;
  std::vector<std::uint8_t> to_key(kept, 0); // ordered chunks that get their keys
  const std::optional<OrderedChunks> chunks = OrderedChunks::make(ranges);
  if (chunks)
    for (const auto& [period, id] : rd.run.key_texts) // a key read before: the chunk that may hold it gets its keys
      if (const auto c = chunks->holder(period, id)) to_key[*c] = 1;
  if (!chunks || keyed_rows >= ordered_rows) { // (then reading the ordered chunks again costs less)
    for (std::size_t k = 0; k < kept; ++k) to_key[k] = !pass.chunks[k].keyed;
  } else if (keyed_rows > 0) { // the keyed rows, read again, tell which ordered chunk may hold one
    std::mutex marks;
    each_chunk<Scanner>(kept, threads, [&](std::size_t k, Scanner& w) {
      const Pass::Chunk& c = pass.chunks[k];
      if (!c.keyed || c.keyed_rows == 0) return;
      std::vector<std::size_t> hit;
      each_row_again(rd, w, w.buf, w.entry, pass.file.fd, c.keyed_from, c.end, pass.length, [&](const MovementRow& r, std::uint32_t) {
        if (const auto o = chunks->holder(r.period, r.customer_id)) hit.push_back(*o);
      });
      const std::lock_guard<std::mutex> hold(marks);
      for (const std::size_t o : hit) to_key[o] = 1;
    });
  }
  each_chunk<Scanner>(kept, threads, [&](std::size_t k, Scanner& w) {
    Pass::Chunk& c = pass.chunks[k];
    if (!to_key[k]) return;
    w.found.clear();
    reread_keys(rd, w, w.buf, w.entry, pass.file.fd, c.begin, c.end, pass.length, &c.range,
                (c.range.orders & static_cast<std::uint8_t>(KeyOrder::period_first)) != 0 ? KeyOrder::period_first
                                                                                          : KeyOrder::customer_first,
                w.found);
    pass.keys.reserve(k, w.found.size());
    for (const KeyPartitions::Found& f : w.found) pass.keys.add(k, f.probe, f.line);
    c.keyed = true;
  });
  for (std::size_t k = 0; k < kept; ++k)
    if (!pass.chunks[k].keyed) return true;
  return false;
}

bool MovementsForm::parallel_ready(const FileReader& rd, const LineSource& lines) const {
  // The state a row of the pass is checked against: the period length and the currency of
  // the rows before (the pass takes no first period or currency).
  return lines.seekable_fd() >= 0 && !rd.summary.unreadable && rd.summary.rows_used > 0 && !m_row_attributes &&
         !rd.run.fx && rd.options().fast_path && (m_pos[c_period] == k_absent || rd.run.period_length) &&
         (m_pos[c_currency] == k_absent || !m_last_currency.empty()) && lines.offset() < rd.file_size &&
         rd.file_size - lines.offset() >= rd.options().parallel_bytes && rd.sink.fork() != nullptr;
}

PassEnd MovementsForm::parallel_pass(FileReader& rd, LineSource& lines, unsigned threads, bool first) {
  using Chunk = Pass::Chunk;
  // The threads only read the index. Keys that earlier passes left pending stay out of it:
  // they are compared with this pass's after it (read() allows a file a few passes only).
  const DuplicateIndex& seen = rd.run.seen;
  const std::uint64_t begin = lines.offset(), end = rd.file_size, size = end - begin;
  // Chunks small enough that the last one finishes soon after the others.
  std::uint64_t chunk = rd.options().chunk_bytes > 0 ? rd.options().chunk_bytes
                                                    : std::max<std::uint64_t>(size / (threads * 24u) + 1, 1u << 20);
  chunk = std::max<std::uint64_t>(chunk, size / 1024 + 1); // each chunk has its key lists: at most 1,024 chunks
  const std::size_t n = static_cast<std::size_t>((size + chunk - 1) / chunk);
  // The first pass over the run's last file keeps its keys' words only: on a clean file it is
  // the only pass, and nothing reads its keys again. A later pass follows a problem line, and
  // a file with problems may have its keys read line by line against the pass's: those keep
  // each key whole (a bad line every million rows: 1 s more on 10 M rows to read the words'
  // chunks again otherwise).
  const bool words = rd.run.last_file && first;
  Pass pass(n, !words);
  // With no other pass's keys to compare with, that pass keeps no keys at all for chunks
  // whose rows are sorted by key (as exports often are): their ranges show there is no
  // repeat. The keys read before are few, and their text known: they are looked for in the
  // ranges after the pass.
  pass.ordered = words && rd.run.pending_keys.empty() && rd.run.key_texts_whole;
  for (const Run::PendingKeys& p : rd.run.pending_keys)
    if (p.ordered)
      if (const KeyRange* high = p.ordered->highest()) {
        Pass::OrderedBefore& o = pass.ordered_before.emplace_back();
        o.chunks = &*p.ordered;
        o.period = high->last_period;
        o.id_size = high->last_id.size();
        std::memcpy(o.id, high->last_id.data(), std::min<std::size_t>(o.id_size, 64));
      }
  pass.file.fd = lines.seekable_fd();
  pass.file.begin = begin;
  pass.file.end = end;
  pass.first_line = lines.next_line_number(); // (a record before may span lines)
  pass.rows_per_chunk = static_cast<std::size_t>(chunk / std::max<std::uint64_t>(begin / std::max<std::uint64_t>(lines.line_number(), 1), 1));
  pass.currency = m_last_currency;
  if (rd.run.period_length) pass.length = *rd.run.period_length;
  pass.failed = n;
  pass.look_up = seen.size() > (64u << 10);
  for (std::size_t k = 0; k < n; ++k) {
    pass.chunks[k].from = begin + k * chunk;
    pass.chunks[k].to = std::min(end, begin + (k + 1) * chunk);
    pass.chunks[k].sink = rd.sink.fork();
  }
  {
    const auto work = [&](LineSource* progress) {
      Scanner w;
      w.buf.progress = progress;
      for (std::size_t k; (k = pass.next.fetch_add(1)) < n && k <= pass.failed.load();) scan(rd, pass, k, w);
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads && t < n; ++t) helpers.emplace_back(work, nullptr);
    work(&lines);
    for (std::thread& t : helpers) t.join();
  }

  // The chunks kept: the good ones before the first failed one...
  std::size_t kept = 0;
  while (kept < n && pass.chunks[kept].state == Chunk::State::done) ++kept;
  if (kept < n && pass.chunks[kept].partial) ++kept; // the lines before its problem
  // ...before the first that holds the second of two equal keys...
  // Ordered chunks whose ranges do not overlap, and hold no key of another row, hold no
  // repeat; the others get their keys.
  const bool ordered = pass.ordered && settle_order(rd, pass, kept, threads);
  std::vector<std::pair<const KeyPartitions*, std::size_t>> earlier;
  for (const Run::PendingKeys& p : rd.run.pending_keys) earlier.emplace_back(p.keys.get(), p.chunks);
  kept = pass.keys.first_repeat(kept, threads, pass.look_up ? nullptr : &seen, earlier);
  // ...or a row repeating the sums of the rows above it, which the general path rejects.
  if (!m_sums.overflow) {
    i128 above[4] = {m_sums.start.micros, m_sums.expansion.micros, m_sums.contraction.micros, m_sums.churned.micros};
    std::uint64_t rows = m_sums.rows;
    for (std::size_t k = 0; k < kept; ++k) {
      const Chunk& c = pass.chunks[k];
      bool repeats = false, overflow = false;
      for (const Chunk::Candidate& x : c.candidates) {
        bool equal = rows + x.row >= 2;
        for (int i = 0; i < 4; ++i) {
          const i128 sum = above[i] + x.before[i];
          overflow = overflow || sum > k_int64_max; // the running sums stop counting there
          equal = equal && sum == x.amounts[i];
        }
        if (overflow) break;
        if (equal) {
          repeats = true;
          break;
        }
      }
      if (repeats) {
        kept = k;
        break;
      }
      if (overflow) break;
      for (int i = 0; i < 4; ++i) above[i] += c.sums[i];
      rows += c.rows;
      if (above[0] > k_int64_max || above[1] > k_int64_max || above[2] > k_int64_max || above[3] > k_int64_max) break;
    }
  }
  // The chunks' rows go to the sink, in order; one whose sums overflow is read again row by row.
  for (std::size_t k = 0; k < kept; ++k)
    if (!rd.sink.merge(*pass.chunks[k].sink)) {
      kept = k;
      break;
    }

  PassEnd out;
  out.chunk = chunk;
  std::vector<std::uint64_t> first_line(kept + 1, pass.first_line);
  for (std::size_t k = 0; k < kept; ++k) {
    const Chunk& c = pass.chunks[k];
    first_line[k + 1] = first_line[k] + c.lines;
    rd.summary.rows_read += c.rows;
    rd.summary.rows_used += c.rows;
    m_sums.rows += c.rows;
    bool overflow = false;
    std::int64_t* const sums[4] = {&m_sums.start.micros, &m_sums.expansion.micros, &m_sums.contraction.micros, &m_sums.churned.micros};
    for (int i = 0; i < 4; ++i)
      overflow = overflow || c.sums[i] > k_int64_max || __builtin_add_overflow(*sums[i], static_cast<std::int64_t>(c.sums[i]), sums[i]);
    m_sums.overflow = m_sums.overflow || overflow;
  }
  const bool part = kept > 0 && pass.chunks[kept - 1].state != Chunk::State::done; // ends at a problem line
  out.all = kept == n && !part;
  out.offset = kept == 0 ? begin : pass.chunks[kept - 1].end;
  out.line = first_line[kept];
  // The general path reads the problem line, or the whole chunk that was not kept.
  out.through = part ? out.offset + 1 : kept == n ? end : pass.chunks[kept].to;
  if (kept > 0) {
    rd.line = out.line - 1;
    pass.keys.drop_from(kept);
    if (part) pass.keys.shrink(kept - 1); // sized for a whole chunk
    first_line.pop_back();
    Run::PendingKeys& p = rd.run.pending_keys.emplace_back(
        Run::PendingKeys{std::make_unique<KeyPartitions>(std::move(pass.keys)), kept, rd.file_index, std::move(first_line), {}, {}, {}});
    if (ordered) { // the chunks that kept no keys, by their ranges
      std::vector<KeyRange> ranges(kept);
      for (std::size_t k = 0; k < kept; ++k)
        if (!pass.chunks[k].keyed) {
          ranges[k] = pass.chunks[k].range;
          p.keys->set_absent(k);
        }
      p.ordered = OrderedChunks::make(ranges); // fewer ranges than settle_order() took overlap no more
      if (!p.ordered) throw std::logic_error("parallel_pass: ordered chunks whose ranges overlap");
    }
    if (words) { // the lines are read again when a key is asked for
      for (std::size_t k = 0; k < kept; ++k) p.bytes.emplace_back(pass.chunks[k].begin, pass.chunks[k].end);
      p.reread = [this, &rd, fd = pass.file.fd, length = pass.length, w = std::make_shared<Scanner>()](
                     std::uint64_t from, std::uint64_t to, const KeyRange* range, KeyOrder order,
                     std::vector<KeyPartitions::Found>& keys) {
        reread_keys(rd, *w, w->buf, w->entry, fd, from, to, length, range, order, keys); // one buffer for every chunk read again
      };
    }
  }
  return out;
}

bool MovementsForm::read_serially(FileReader& rd, LineSource& lines, bool threaded, std::uint64_t serial_until, bool parallel) {
  const bool fast = rd.options().fast_path;
  bool paused = false;
  std::exception_ptr failure; // a read error, told after the rows before it
  {
    Pipeline pipe(rd, *this, threaded);
    std::string_view text;
    try {
      while (!pipe.stopped() && lines.next(text)) {
        if (!is_blank(text)) {
          Entry& e = pipe.add(text, lines.line_number());
          e.fast = fast && parse_fast(rd, e.text, e.line, e);
          if (!parallel && sampling(rd)) // a parallel pass keeps its keys apart
            if (const std::size_t rows = sample(rd, text.size())) pipe.hint(rows);
        }
        if (parallel && lines.offset() >= serial_until && lines.seekable_fd() >= 0) {
          paused = true;
          break;
        }
      }
    } catch (...) {
      failure = std::current_exception();
    }
    pipe.finish();
  }
  if (failure) std::rethrow_exception(failure); // read_file words it
  return paused && !rd.summary.unreadable;
}

void MovementsForm::read(FileReader& rd, LineSource& lines) {
  // What reads this file's keys again points into this form and this reader: both end here.
  struct Forget {
    Run& run;
    std::uint32_t file;
    ~Forget() {
      for (Run::PendingKeys& p : run.pending_keys)
        if (p.file == file) p.reread = nullptr;
    }
  } forget{rd.run, rd.file_index};
  const int asked = rd.options().threads;
  const unsigned threads = rd.options().thread_count();
  // Lines read one by one (the first rows; the chunks a parallel pass could not keep) are
  // read by one thread and taken by another, for big files.
  const bool threaded = threads >= 2 && (asked > 0 || rd.file_size >= (8u << 20));
  // Big files are read in chunks, on one thread too: no copy of each line into a batch.
  const bool parallel = rd.file_size >= rd.options().parallel_bytes && lines.seekable();
  PassPlan plan(parallel, rd.file_size, rd.options().parallel_bytes, rd.options().chunk_bytes);
  while (read_serially(rd, lines, threaded, plan.serial_until(), parallel)) {
    if (!parallel_ready(rd, lines)) { // not yet (no valid row so far), or not any more
      plan.not_ready(lines.offset());
      continue;
    }
    const std::uint64_t at = lines.offset();
    const PassEnd end = parallel_pass(rd, lines, threads, plan.passes() == 0);
    if (end.offset != at) lines.seek(end.offset, end.line);
    if (plan.after(at, end)) { // a long stretch line by line: size the duplicate index once for the rest of the file
      const std::uint64_t line_bytes = std::max<std::uint64_t>(end.offset / std::max<std::uint64_t>(end.line, 1), 1);
      DuplicateIndex& keys = rd.run.keys();
      keys.reserve(keys.size() + static_cast<std::size_t>((rd.file_size - end.offset) / line_bytes * 21 / 20));
    }
  }
  if (rd.summary.unreadable) return;
  rd.finish_warnings();
  m_currencies.finish(rd);
}

FileRole recognise_movements(const Header& h) {
  if (!h.has("start_mrr")) return FileRole::unknown;
  return has_customer_attributes(h) ? FileRole::billing_with_attributes : FileRole::billing;
}

} // namespace

const FormInfo k_movements_form{"movements", "start_mrr, expansion_mrr, contraction_mrr, churned_mrr", "a start_mrr column, with customer_id, expansion_mrr, contraction_mrr, churned_mrr",
                                recognise_movements, [] { return std::unique_ptr<Form>(new MovementsForm); },
                                {"customer_id and period (the whole file is one period without a period column); a "
                                 "period's start_mrr continues the period before's end (a break is a warning, an error "
                                 "with --strict)",
                                 "the same customer_id twice in one period, in any file of the run",
                                 "customer_id Total, Grand total, Summe, SMB Total and the like; or the four required "
                                 "amounts equal to the sums of the rows above",
                                 "an empty amount is 0 (SPEC: money columns); an empty customer_id is an error"}};

} // namespace cskpi::ingest
