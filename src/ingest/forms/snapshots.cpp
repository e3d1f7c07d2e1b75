// SPDX-License-Identifier: MIT
// MRR snapshot files (issue 6): the long form (one row per customer and month) and the
// wide form (one row per customer, one column per month). Read whole into the run's
// SnapshotTable, then movements are derived from it. Big long files are read in chunks on
// every core (issue 13; see LongSnapshotsForm::parallel_pass).
#include "ingest/engine/chunks.hpp"
#include "ingest/engine/line_source.hpp"
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include "core/parallel.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace cskpi::ingest {

namespace {

constexpr std::string_view k_month_columns[] = {"month", "date", "snapshot_date", "period"};

class LongSnapshotsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"customer_id"});
    m_mrr = rd.find({"mrr"});
    m_month = rd.find(k_month_columns);
    m_currency = rd.find({"currency", "currency_code"});
    if (rd.options().names) m_name = rd.find(AttributeNames::name); // movers (issue 30)
    m_table = open_snapshot_table(rd, false);
    return m_table != nullptr;
  }

  void read(FileReader& rd, LineSource& lines) override;

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const std::string_view id = key_cell(rd.fields[m_id]);
    if (id.empty()) rd.field_error(m_id, "customer_id is empty");
    else if (m_totals.reject(rd, m_id, {}, k_absent)) { // one amount per row: labels only
      rd.count_row();
      return;
    }
    const std::optional<MonthIndex> m = rd.month(m_month, rd.names[m_month]);
    if (!m && rd.row_ok)
      rd.field_error(m_month, fmt::format("{} is empty: every row needs its month", rd.names[m_month]));
    const Money mrr = required_amount(rd, m_mrr, "mrr", k_empty_mrr, false);
    if (m_currency != k_absent) {
      m_currencies.note(rd, m_currency);
      if (rd.row_ok && !is_blank(rd.fields[m_currency]) && rd.fields[m_currency] != m_currency_text)
        m_currency_text.assign(rd.fields[m_currency]);
    }
    if (rd.row_ok) {
      const std::uint32_t c = m_table->customer(id, key_cell(rd.by_value()));
      if (m_name != k_absent) m_table->name(c, trim_spaces(rd.fields[m_name]));
      if (!m_table->set(c, *m, mrr))
        rd.field_error(m_month,
                       fmt::format("customer {} already has MRR for {}: one row per customer and month", show(id),
                                   month_label(*m)));
      else if (!m_month_sums.add(rd, rd.line, m_mrr, "row", *m, mrr))
        rd.row_ok = false; // the file is not read on: the error says why
      else if (rd.run.fx && m_currency != k_absent)
        m_native.push_back(Native{c, *m, mrr, std::string(rd.fields[m_currency]), rd.line});
    }
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (rd.summary.unreadable) return;
    rd.building_history = true; // an error from here on leaves the history incomplete
    // --fx: every month at the rate of the last one (constant currency), so exchange rates
    // moving never show as expansion or contraction.
    m_table->close_range();
    for (const Native& n : m_native) {
      rd.line = n.line;
      rd.row_ok = true;
      const Money converted =
          snapshot_value(rd, *m_table, n.customer, n.month, m_table->last(), n.mrr, n.currency, m_currency);
      if (!rd.row_ok) {
        rd.summary.unreadable = true; // the error names the row; the history is incomplete without it
        return;
      }
      m_table->replace(n.customer, n.month, converted);
    }
    finish_snapshots(rd, *m_table);
  }

private:
  struct Chunk;
  struct Pass;
  bool parallel_ready(const FileReader& rd, const LineSource& lines) const;
  PassEnd parallel_pass(FileReader& rd, LineSource& lines, unsigned threads);
  void scan(const FileReader& rd, Pass& pass, Chunk& c, ChunkBuffer& buf) const;
  bool parse_fast(const FileReader& rd, std::string_view text, std::string_view& id, std::string_view& group,
                  MonthIndex& month, Money& mrr) const;
  bool commit(FileReader& rd, Chunk& c, std::uint64_t first_line, PassEnd& out);

  static constexpr std::string_view k_empty_mrr = "write 0 for a month without MRR, or leave the row out";
  std::size_t m_id = k_absent, m_mrr = k_absent, m_month = k_absent, m_currency = k_absent;
  std::size_t m_name = k_absent; ///< the customer name column, read only for movers
  SnapshotTable* m_table = nullptr;
  TotalsRule m_totals;
  CurrencyCheck m_currencies;
  std::string m_currency_text; ///< the last currency cell of a valid row: a pass takes rows with it only
  MonthSums m_month_sums;      ///< each month's MRR over the customers, checked row by row
  struct Native {              ///< an amount to convert once the last month is known
    std::uint32_t customer;
    MonthIndex month;
    Money mrr;
    std::string currency;
    std::uint64_t line;
  };
  std::vector<Native> m_native;
};

// The parallel pass over a long file (issue 13). The rest of the file is cut into chunks
// (chunks.hpp); threads parse them ahead into compact customer runs and cells, and the
// calling thread commits them to the table in file order, parsing too while the next chunk
// is not ready. A chunk ends at the first line the fast path cannot take (an error, a
// warning, another currency text), and the commit at the first cell the table already holds
// (a second row for a customer and month). The general path reads on from there, so every
// diagnostic comes from it and the table is the same for any number of threads.
struct LongSnapshotsForm::Chunk {
  std::uint64_t from = 0, to = 0; ///< the byte range: the chunk holds the lines that start in it
  std::uint64_t end = 0;          ///< where the next chunk's lines start; a failed chunk's problem line
  std::uint64_t lines = 0;        ///< lines read, blank ones included; a failed chunk's before its problem
  bool ready = false;             ///< parsed (guarded by the pass's mutex)
  bool failed = false;            ///< ended at a problem line (at `end`; none known when `end` is 0)
  std::string text;               ///< the ids and --by values of its customers
  struct Customer {               ///< a run of rows with one customer_id
    std::uint64_t hash;
    std::uint32_t id, id_size, group, group_size; ///< in `text`
    std::size_t cells_end;                        ///< its cells end there
  };
  std::vector<Customer> customers;
  struct Cell {
    std::int64_t mrr;
    std::uint64_t at; ///< the row's line starts there
    MonthIndex month;
    std::uint32_t line; ///< lines of the chunk before it
  };
  std::vector<Cell> cells;
};

struct LongSnapshotsForm::Pass {
  explicit Pass(std::size_t n) : chunks(n) {}
  ChunkFile file;
  std::vector<Chunk> chunks;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;      ///< the next chunk to parse
  std::size_t committed = 0; ///< chunks committed
  std::size_t window = 0;    ///< chunks parsed ahead of the commit at most (memory)
  bool stopped = false;

  /// The next chunk to parse, if one is due (`wait`: until one is, or the pass stops).
  std::optional<std::size_t> take(std::unique_lock<std::mutex>& lock, bool wait) {
    const auto due = [&] { return stopped || next >= chunks.size() || next < committed + window; };
    if (wait) changed.wait(lock, due);
    if (stopped || next >= chunks.size() || next >= committed + window) return std::nullopt;
    return next++;
  }
  /// Stops the helpers however the commit ends.
  void stop() {
    {
      const std::lock_guard<std::mutex> lock(mutex);
      stopped = true;
    }
    changed.notify_all();
  }
  /// Chunks [0, k) are committed: their memory is free, so more may be parsed ahead.
  void commit_through(std::size_t k) {
    {
      const std::lock_guard<std::mutex> lock(mutex);
      committed = k;
    }
    changed.notify_all();
  }
};

bool LongSnapshotsForm::parse_fast(const FileReader& rd, std::string_view text, std::string_view& id,
                                   std::string_view& group, MonthIndex& month, Money& mrr) const {
  std::string_view month_text, mrr_text, currency;
  const char* p = text.data();
  const char* const e = p + text.size();
  std::size_t i = 0;
  for (;; ++i, ++p) {
    const char* const q = field_end(p, e, rd.delimiter);
    if (q != e && *q != rd.delimiter) return false; // a quote or a NUL byte
    const std::string_view f(p, static_cast<std::size_t>(q - p));
    if (i == m_id) id = key_cell(f);
    if (i == m_month) month_text = f;
    if (i == m_mrr) mrr_text = f;
    if (i == m_currency) currency = f;
    if (i == rd.by_pos) group = key_cell(f);
    if (q == e) break;
    p = q;
  }
  if (i + 1 != rd.field_count || id.empty() || totals_label(id)) return false; // the general path says why
  const std::optional<MonthIndex> m = plain_month(month_text);
  if (!m) return false;
  month = *m;
  const ParsedMoney money = parse_money(mrr_text, rd.style);
  if (money.status != ParsedMoney::Status::ok || money.rounded || money.value.micros < 0) return false;
  else if (!rd.cents) mrr = money.value;
  else if (money.value.micros % 100 != 0) return false;
  else mrr = Money{money.value.micros / 100};
  return m_currency == k_absent || is_blank(currency) || currency == m_currency_text;
}

void LongSnapshotsForm::scan(const FileReader& rd, Pass& pass, Chunk& c, ChunkBuffer& buf) const {
  ChunkLines in(pass.file, buf, c.from, c.to);
  c.cells.reserve(static_cast<std::size_t>((c.to - c.from) / 24));
  std::uint64_t lines = 0;
  std::string_view text, id, group;
  MonthIndex month = 0;
  Money mrr;
  try {
    for (;;) {
      const ChunkLines::Next got = in.next(text);
      if (got == ChunkLines::Next::end) break;
      if (got == ChunkLines::Next::stop || (in.high() && invalid_utf8(text)) || is_blank(text) ||
          !parse_fast(rd, text, id, group, month, mrr)) { // a blank line too: the general path counts it
        if (!c.customers.empty()) c.customers.back().cells_end = c.cells.size(); // the rows before it are kept
        c.failed = true;
        c.end = in.started() ? in.line_start() : 0;
        c.lines = lines;
        return;
      }
      const std::uint32_t line = static_cast<std::uint32_t>(lines++);
      if (c.customers.empty() ||
          id != std::string_view(c.text).substr(c.customers.back().id, c.customers.back().id_size)) {
        if (!c.customers.empty()) c.customers.back().cells_end = c.cells.size();
        const auto at = static_cast<std::uint32_t>(c.text.size());
        c.text.append(id).append(group);
        c.customers.push_back(Chunk::Customer{SnapshotTable::hash(id), at, static_cast<std::uint32_t>(id.size()),
                                              at + static_cast<std::uint32_t>(id.size()),
                                              static_cast<std::uint32_t>(group.size()), 0});
      }
      c.cells.push_back(Chunk::Cell{mrr.micros, in.line_start(), month, line});
    }
  } catch (const std::bad_alloc&) { // memory ran out: nothing of the chunk is kept, the general path goes on
    c.customers.clear();
    c.cells.clear();
    c.failed = true;
    c.end = 0;
    return;
  }
  if (!c.customers.empty()) c.customers.back().cells_end = c.cells.size();
  c.lines = lines;
  c.end = in.offset();
}

bool LongSnapshotsForm::commit(FileReader& rd, Chunk& c, std::uint64_t first_line, PassEnd& out) {
  const std::string_view text = c.text;
  std::size_t cell = 0;
  for (std::size_t k = 0; k < c.customers.size(); ++k) {
    if (k + 8 < c.customers.size()) m_table->prefetch(c.customers[k + 8].hash);
    const Chunk::Customer& run = c.customers[k];
    const std::uint32_t customer =
        m_table->customer(text.substr(run.id, run.id_size), text.substr(run.group, run.group_size), run.hash);
    for (; cell < run.cells_end; ++cell) {
      const Chunk::Cell& x = c.cells[cell];
      // A second row for this customer and month, or one whose month's sum overflows: the general path tells.
      Money& sum = m_month_sums.sum(x.month);
      Money next = sum;
      if (!checked_add(next, Money{x.mrr}) || !m_table->set(customer, x.month, Money{x.mrr})) {
        rd.summary.rows_read += cell;
        rd.summary.rows_used += cell;
        out.offset = x.at;
        out.line = first_line + x.line;
        out.through = x.at + 1;
        return false;
      }
      sum = next;
    }
  }
  rd.summary.rows_read += cell;
  rd.summary.rows_used += cell;
  return true;
}

bool LongSnapshotsForm::parallel_ready(const FileReader& rd, const LineSource& lines) const {
  // A pass takes the currency text of the rows before it only: one must be known.
  // Names (movers) are read by the general path only.
  return lines.seekable_fd() >= 0 && !rd.summary.unreadable && rd.summary.rows_used > 0 && !rd.run.fx &&
      m_name == k_absent && rd.options().fast_path && (m_currency == k_absent || m_currencies.seen() == 1) &&
      lines.offset() < rd.file_size && rd.file_size - lines.offset() >= rd.options().parallel_bytes;
}

PassEnd LongSnapshotsForm::parallel_pass(FileReader& rd, LineSource& lines, unsigned threads) {
  const std::uint64_t begin = lines.offset(), end = rd.file_size, size = end - begin;
  // Chunks small enough that the ones parsed ahead of the commit take little memory.
  std::uint64_t chunk = rd.options().chunk_bytes > 0
      ? rd.options().chunk_bytes
      : std::clamp<std::uint64_t>(size / (threads * 24u) + 1, 1u << 20, 8u << 20);
  const std::size_t n = static_cast<std::size_t>((size + chunk - 1) / chunk);
  Pass pass(n);
  pass.file.fd = lines.seekable_fd();
  pass.file.begin = begin;
  pass.file.end = end;
  pass.window = 4u * threads;
  for (std::size_t k = 0; k < n; ++k) {
    pass.chunks[k].from = begin + k * chunk;
    pass.chunks[k].to = std::min(end, begin + (k + 1) * chunk);
  }
  const auto parse = [&](std::unique_lock<std::mutex>& lock, std::size_t k, ChunkBuffer& buf) {
    lock.unlock();
    scan(rd, pass, pass.chunks[k], buf);
    lock.lock();
    pass.chunks[k].ready = true;
    pass.changed.notify_all();
  };
  PassEnd out;
  out.chunk = chunk;
  out.offset = begin;
  out.line = lines.next_line_number(); // the number of the line at `begin`
  std::size_t k = 0;
  // Index 0, the calling thread, commits the chunks in order; the others parse ahead.
  parallel_for(std::min<std::size_t>(std::max(threads, 1u), n), threads, [&](std::size_t i) {
    if (i > 0) {
      ChunkBuffer buf;
      std::unique_lock<std::mutex> lock(pass.mutex);
      while (const std::optional<std::size_t> next = pass.take(lock, true)) parse(lock, *next, buf);
      return;
    }
    struct Stop {
      Pass& pass;
      ~Stop() { pass.stop(); }
    } stop{pass};
    ChunkBuffer buf;
    buf.progress = &lines;
    for (; k < n; ++k) {
      Chunk& c = pass.chunks[k];
      {
        std::unique_lock<std::mutex> lock(pass.mutex);
        while (!c.ready) { // parse a chunk meanwhile, if one is due
          if (const std::optional<std::size_t> next = pass.take(lock, false)) parse(lock, *next, buf);
          else pass.changed.wait(lock);
        }
      }
      if (c.failed && c.end == 0) break; // nothing of it is known: the general path reads it
      if (!commit(rd, c, out.line, out)) break;
      if (c.failed) { // the lines before its problem line are kept
        out.offset = c.end;
        out.line += c.lines;
        out.through = c.end + 1;
        break;
      }
      out.offset = c.end;
      out.line += c.lines;
      c = Chunk{}; // its memory is free for the chunks parsed ahead
      pass.commit_through(k + 1);
    }
  });
  out.all = k == n;
  if (k < n && out.through <= out.offset) out.through = pass.chunks[k].to; // read the chunk not known through
  rd.line = out.line - 1;
  return out;
}

void LongSnapshotsForm::read(FileReader& rd, LineSource& lines) {
  const unsigned threads = rd.options().thread_count();
  PassPlan plan(rd.file_size >= rd.options().parallel_bytes && lines.seekable(), rd.file_size,
                rd.options().parallel_bytes, rd.options().chunk_bytes);
  std::string_view text;
  for (;;) {
    bool paused = false;
    while (lines.next(text)) {
      rd.line = lines.line_number();
      if (!is_blank(text)) row(rd, text);
      if (rd.summary.unreadable) return;
      if (lines.offset() >= plan.serial_until() && lines.seekable_fd() >= 0) {
        paused = true;
        break;
      }
    }
    if (!paused) break;
    if (!parallel_ready(rd, lines)) {
      plan.not_ready(lines.offset());
      continue;
    }
    const std::uint64_t at = lines.offset();
    const PassEnd end = parallel_pass(rd, lines, threads);
    if (end.offset != at) lines.seek(end.offset, end.line);
    plan.after(at, end);
  }
  rd.finish_warnings();
  finish(rd);
}

/// A month header with a two-digit year, as Excel's default mmm-yy writes it ("Oct-26",
/// "Oct 26", "Oct/26", "Oct '26"): the month name is known, the century is not, so such a
/// header is named and refused rather than guessed.
bool two_digit_year_month(std::string_view text) {
  text = trim_spaces(text);
  const std::size_t sep = text.find_first_of("- /'");
  if (sep == std::string_view::npos || sep < 3 || text.size() < sep + 3) return false;
  std::string_view year = text.substr(sep + 1);
  if (!year.empty() && year.front() == '\'') year.remove_prefix(1);
  if (year.size() != 2 || year[0] < '0' || year[0] > '9' || year[1] < '0' || year[1] > '9') return false;
  for (const char c : text.substr(0, sep))
    if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return false;
  return parse_month(fmt::format("{} 2000", text.substr(0, sep))).has_value(); // a month's name
}

/// The first letters of month names in the languages spreadsheets are often set to (German,
/// French, Spanish, Italian, Portuguese, Dutch, English), lower case: a header such as "Mär 2025"
/// or "Okt. 2025" is a month cskpi cannot read, not another column.
constexpr std::string_view k_month_prefixes[] = {
    "jan", "j\303\244n", "ene", "gen", "feb",        "f\303\251v", "fev",        "mar", "m\303\244r", "mrz",
    "mrt", "apr",        "avr", "abr", "may",        "mai",        "mei",        "mag", "jun",        "jui",
    "giu", "jul",        "lug", "aug", "ao\303\273", "aou",        "ago",        "sep", "set",        "okt",
    "oct", "ott",        "out", "nov", "dec",        "dez",        "d\303\251c", "dic"};

/// A year from 1900 to 2199 written with four digits.
bool four_digit_year(std::string_view t) {
  return t.size() == 4 && all_digits(t) && (t.starts_with("19") || t.starts_with("20") || t.starts_with("21"));
}

/// A header cell that names a month (or a quarter) in a way parse_month does not read: a month
/// name in another language, a month number ("08/2026", "2026.08"), a quarter ("2026-Q1").
/// Read as wide so that it is refused by name, not dropped, which would leave a month out.
bool month_like_header(std::string_view text) {
  text = trim_spaces(text);
  const std::size_t sep = text.find_first_of("-/. '");
  if (sep == std::string_view::npos || parse_month(text)) return false;
  const std::size_t last = text.find_last_of("-/. '");
  std::string_view rest;
  if (four_digit_year(text.substr(last + 1))) rest = text.substr(0, sep);
  else if (four_digit_year(text.substr(0, sep))) rest = text.substr(last + 1);
  else return false;
  if (rest.empty() || rest.size() > 10) return false;
  if (rest.size() <= 2 && all_digits(rest)) return true;                                            // 08/2026, 2026.8
  if (rest.size() == 2 && (rest[0] | 0x20) == 'q' && rest[1] >= '1' && rest[1] <= '4') return true; // 2026-Q1
  std::string lower(rest);
  std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
  return std::any_of(std::begin(k_month_prefixes), std::end(k_month_prefixes),
                     [&](std::string_view p) { return lower.starts_with(p); });
}

class WideSnapshotsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"customer_id"});
    if (rd.options().names) m_name = rd.find(AttributeNames::name);
    if (!two_digit_years(rd) || !unread_months(rd)) return false;
    for (std::size_t i = 0; i < rd.fields.size(); ++i) {
      if (i == m_id || i == rd.by_pos) continue;
      if (const std::optional<MonthIndex> m = parse_month(rd.fields[i])) {
        // Dates anywhere else are years 1900 to 2199: a month column outside them is a typo
        // (9771-08), and would stretch the history over thousands of years.
        if (*m < 1900 * 12 || *m > 2199 * 12 + 11) {
          rd.fatal(rd.line,
                   fmt::format("month column {} (field {}) is outside the years 1900 to 2199: a typo in the header?",
                               show(rd.fields[i]), i + 1));
          return false;
        }
        for (const auto& [f, seen] : m_months)
          if (seen == *m) {
            rd.fatal(
                rd.line,
                fmt::format("month {} appears twice in the header (fields {} and {})", month_label(*m), f + 1, i + 1));
            return false;
          }
        m_months.emplace_back(i, *m);
      }
    }
    m_values.resize(m_months.size());
    m_sums.resize(m_months.size());
    m_table = open_snapshot_table(rd, false);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const std::string_view id = key_cell(rd.fields[m_id]);
    // An empty cell is no MRR that month (the customer had not started, or had left).
    for (std::size_t i = 0; i < m_months.size(); ++i) {
      const std::size_t f = m_months[i].first;
      m_values[i] = is_blank(rd.fields[f]) ? Money{} : rd.amount(f, month_label(m_months[i].second), false);
    }
    if (rd.row_ok &&
        m_totals.reject(rd, id.empty() ? k_absent : m_id, m_values, m_months.empty() ? 0 : m_months[0].first)) {
      rd.count_row();
      return;
    }
    if (id.empty()) rd.field_error(m_id, "customer_id is empty");
    if (rd.row_ok && m_ids.note(rd, m_id, "customer_id", show(id), std::string(id), "one row per customer")) {
      const std::size_t before = m_table->customers();
      const std::uint32_t c = m_table->customer(id, key_cell(rd.by_value()));
      if (c < before) rd.field_error(m_id, fmt::format("customer {} has a second row: one row per customer", show(id)));
      else if (add_sums(rd)) {
        if (m_name != k_absent) m_table->name(c, trim_spaces(rd.fields[m_name]));
        m_totals.add(m_values);
        for (std::size_t i = 0; i < m_months.size(); ++i) m_table->set(c, m_months[i].second, m_values[i]);
      }
    }
    rd.count_row();
  }

  void finish(FileReader& rd) override { finish_snapshots(rd, *m_table); }

private:
  /// Refuses a header with cells that name a month cskpi does not read (month_like_header),
  /// naming them: dropped, each would be a month every customer seemed to churn in.
  /// The header's fields other than the id, --by and name columns for which `is` holds.
  template <class Is> std::vector<std::size_t> header_fields(const FileReader& rd, Is is) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < rd.fields.size(); ++i)
      if (i != m_id && i != rd.by_pos && i != m_name && is(rd.fields[i])) out.push_back(i);
    return out;
  }

  bool unread_months(FileReader& rd) const {
    const std::vector<std::size_t> found = header_fields(rd, month_like_header);
    const std::size_t count = found.size();
    if (count == 0) return true;
    std::vector<std::string> shown;
    for (std::size_t k = 0; k < count && k < 3; ++k)
      shown.push_back(fmt::format("{} (field {})", show(trim_spaces(rd.fields[found[k]])), found[k] + 1));
    rd.fatal(rd.line,
             fmt::format("the header's column{} {}{} name{} a month or quarter as cskpi does not read it: head "
                         "each month's column 2026-03, Mar 2026, Mar-2026 or 2026-03-31 (English month names; "
                         "Excel: Format Cells > Custom > yyyy-mm; a quarter by its last month, read with "
                         "--period-length quarter) and export again",
                         count > 1 ? "s" : "", fmt::join(shown, ", "), count > 3 ? ", ..." : "", count > 1 ? "" : "s"));
    return false;
  }

  /// Refuses a header with month columns whose year has two digits (Excel's mmm-yy), naming
  /// them and the fix; false (fatal) when it has one.
  bool two_digit_years(FileReader& rd) const {
    const std::vector<std::size_t> found = header_fields(rd, two_digit_year_month);
    const std::size_t count = found.size();
    if (count == 0) return true;
    std::vector<std::string_view> shown;
    for (std::size_t k = 0; k < count && k < 3; ++k) shown.push_back(trim_spaces(rd.fields[found[k]]));
    const std::string_view first = shown.front();
    const std::string_view yy = first.substr(first.size() - 2);
    const std::optional<MonthIndex> m =
        parse_month(fmt::format("{} 20{}", first.substr(0, first.find_first_of("- /'")), yy));
    rd.fatal(rd.line,
             fmt::format("the header's month column{} {}{} {} two-digit years: is {} 20{}? Format the header cells "
                         "as {} (Excel: Format Cells > Custom > yyyy-mm) and export again",
                         count > 1 ? "s" : "", fmt::join(shown, ", "), count > 3 ? ", ..." : "",
                         count > 1 ? "have" : "has", yy, yy, m ? month_label(*m) : std::string("yyyy-mm")));
    return false;
  }

  /// Adds the row's amounts to each month's sum over the customers: a sum leaving the money
  /// range is an error on this row and month's cell, not an overflow later with no line.
  bool add_sums(FileReader& rd) {
    for (std::size_t i = 0; i < m_months.size(); ++i) {
      Money sum = m_sums[i];
      if (!checked_add(sum, m_values[i])) {
        rd.field_error(m_months[i].first,
                       fmt::format("{}'s MRR summed over the customers overflows the money range with "
                                   "this row's {}: is the amount in the right unit?",
                                   month_label(m_months[i].second), show_money(m_values[i])));
        return false;
      }
    }
    for (std::size_t i = 0; i < m_months.size(); ++i) checked_add(m_sums[i], m_values[i]);
    return true;
  }

  std::size_t m_id = k_absent;
  std::size_t m_name = k_absent; ///< the customer name column, read only for movers (issue 30)
  std::vector<std::pair<std::size_t, MonthIndex>> m_months; ///< (field, month)
  std::vector<Money> m_values;                              ///< one row's cells, empty ones 0
  std::vector<Money> m_sums;                                ///< per month, over the rows used
  SnapshotTable* m_table = nullptr;
  TotalsRule m_totals;
  DuplicateRule m_ids;
};

/// Movement columns: a file with them is a movements file with a misnamed start_mrr, not
/// a snapshot file (issue 12: start_mrr renamed to MRR).
constexpr std::string_view k_movement_names[] = {"expansion_mrr", "contraction_mrr", "churned_mrr"};

FileRole recognise_long(const Header& h) {
  return h.has("customer_id") && h.has("mrr") && h.has_any(k_month_columns) && !h.has_any(k_movement_names)
      ? FileRole::billing
      : FileRole::unknown;
}

FileRole recognise_wide(const Header& h) {
  if (!h.has("customer_id") || h.has_any(k_movement_names)) return FileRole::unknown;
  std::size_t months = 0, refused = 0;
  for (std::string_view f : h.raw) {
    if (parse_month(f)) ++months;
    else if (two_digit_year_month(f) || month_like_header(f)) ++refused; // read as wide to be refused with the fix
  }
  return months >= 2 || refused >= 2 ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_long_snapshots_form{
    "snapshots (long)",
    "customer_id, mrr, month",
    "customer_id, mrr and a month or date column",
    recognise_long,
    [] { return std::unique_ptr<Form>(new LongSnapshotsForm); },
    {"customer_id and month", "the same customer_id twice in one month (the second line is the error)",
     "customer_id Total, Grand total, Summe, SMB Total and the like (one amount per row: no sums "
     "check)",
     "an empty mrr is an error: write 0 for a month without MRR, or leave the row out; a month "
     "with no row at all is an error"},
    true};
const FormInfo k_wide_snapshots_form{
    "snapshots (wide)",
    "customer_id, one column per month",
    "customer_id and one column per month, such as 2026-01",
    recognise_wide,
    [] { return std::unique_ptr<Form>(new WideSnapshotsForm); },
    {"customer_id (one row per customer)", "the same customer_id on two rows",
     "customer_id Total, Grand total, Summe, SMB Total and the like; or month cells equal to the "
     "sums of the rows above (or of those since the last totals row) in two or more non-zero months",
     "an empty month cell is no MRR that month (before the customer started, after it left); "
     "month headers with two-digit years (Oct-26), a month missing between two others, and a "
     "header that looks like a month but is not one cskpi reads are errors"},
    true};

} // namespace cskpi::ingest
