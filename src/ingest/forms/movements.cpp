// SPDX-License-Identifier: MIT
// Movements files (SPEC §1.2): one customer in one period with its MRR movements. Here the
// form's definition and its general path (slow_row), which words every problem; the fast
// path for the common valid row is beside it (movements_fast.cpp), and big files are read in
// parallel passes (ingest/engine/pass.hpp) with it. Lines read one by one are read by one
// thread and taken by another (Pipeline, below).
#include "ingest/forms/movements.hpp"

#include "core/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>

namespace cskpi::ingest {

namespace movements {

namespace {

/// The error for a header without a required column: which form it came closest to, and a
/// --map that would fix the likely cause.
void refuse_missing(FileReader& rd, const std::array<std::size_t, c_count>& pos,
                    const std::vector<std::string_view>& missing) {
  const auto& m_pos = pos;
  std::vector<std::string_view> have;
  for (std::size_t c = 1; c < k_required; ++c)
    if (m_pos[c] != k_absent) have.push_back(k_col_names[c]);
  if (have.empty() && m_pos[c_customer_id] == k_absent && fx_columns(rd.names).usable()) {
    rd.fatal(rd.line,
             fmt::format("this file holds exchange rates (columns {}), not KPI data: give it with --fx {} "
                         "--currency CODE, the currency its rates convert into (cskpi explain fx)",
                         shown_columns(rd.names), rd.name));
    return;
  }
  std::string hint;
  if (m_pos[c_start_mrr] == k_absent)
    for (const std::string_view guess : {"mrr", "starting_mrr", "mrr_start", "opening_mrr", "start"})
      if (const std::size_t at = rd.find({guess}); at != k_absent) {
        hint = fmt::format("; is {} the start_mrr column? then pass --map 'start_mrr={}'", show(rd.fields[at]),
                           trim_spaces(rd.fields[at]));
        break;
      }
  rd.fatal(rd.line,
           fmt::format("missing required column{} {} (delimiter {}; columns found: {}); {}{}. The input forms "
                       "are: {} (cskpi explain inputs; --map 'start_mrr=Your Name' reads other column names)",
                       missing.size() > 1 ? "s" : "", fmt::join(missing, ", "), delimiter_name(rd.summary.delimiter),
                       shown_columns(rd.names),
                       have.empty() ? std::string("no input form recognises this header")
                                    : fmt::format("read as movements because it has {}", fmt::join(have, ", ")),
                       hint, list_forms()));
}

} // namespace

bool MovementsForm::start(FileReader& rd) {
  Run& run = rd.run;
  m_pos.fill(k_absent);
  m_roles.assign(rd.field_count, static_cast<std::uint8_t>(c_count));
  for (std::size_t i = 0; i < rd.names.size(); ++i) {
    const std::string& n = rd.names[i];
    for (std::size_t c = 0; c < c_count; ++c) {
      if (n != k_col_names[c] && !(c == c_currency && n == "currency_code")) continue;
      if (m_pos[c] != k_absent) {
        rd.fatal(rd.line, rd.duplicate_column(k_col_names[c], m_pos[c], i));
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
  m_name_pos = rd.options().names ? rd.find(AttributeNames::name) : k_absent;
  if (m_name_pos != k_absent && m_roles[m_name_pos] == c_count) m_roles[m_name_pos] = k_name;
  FileRole role = FileRole::unknown;
  std::vector<std::string_view> missing; // first: a header no form knows is not a movements file at all
  for (std::size_t c = 0; c < k_required; ++c)
    if (m_pos[c] == k_absent) missing.push_back(k_col_names[c]);
  if (!missing.empty()) {
    refuse_missing(rd, m_pos, missing);
    return false;
  }
  if (run.snapshots) {
    rd.fatal(rd.line, "a movements file cannot be read with a snapshot file in one run; report them separately");
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
  if (run.fx && run.options.fx_method == FxMethod::transaction && m_pos[c_currency] != k_absent) {
    // A customer's history must be whole to carry its locked rate: one file holds it.
    if (run.movement_files > 0) {
      rd.fatal(rd.line,
               "--fx-method transaction reads each customer's history from one movements file: put the "
               "periods in one file, or use --fx-method period-end");
      return false;
    }
    m_transactions = std::make_unique<TransactionRows>();
  }
  ++run.movement_files;
  if (m_pos[c_period] != k_absent && run.options.continuity) { // its periods' continuity is checked at the run's end
    ContinuityRun& c = run.continuity;
    c.file_on = true;
    if (c.columns.size() <= rd.file_index) c.columns.resize(rd.file_index + 1);
    c.columns[rd.file_index] = {static_cast<std::uint32_t>(m_pos[c_customer_id] + 1),
                                static_cast<std::uint32_t>(m_pos[c_start_mrr] + 1)};
  }
  return true;
}

void MovementsForm::take(FileReader& rd, Entry& e) {
  rd.line = e.line;
  if (e.fast && m_pos[c_period] != k_absent) {
    // The period text must be one a valid row already had (its length checked then).
    if (!m_last_period_label.empty() && e.period_raw == m_last_period_raw) e.row.period = m_last_period_label;
    else e.fast = false;
  }
  // A currency column: only the currency of the last valid row, and never with --fx.
  if (e.fast && m_pos[c_currency] != k_absent &&
      (rd.run.fx || e.currency != m_last_currency || m_last_currency.empty()))
    e.fast = false;
  if (e.fast) {
    defer(rd, e.row, e.text.text(), e.line);
    return;
  }
  flush(rd); // earlier rows first: diagnostics and "first at" stay in line order
  slow_row(rd, e.text.text());
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
  if (!m_sums.matched_by(p.row) && !m_since.matched_by(p.row) &&
      !rd.run.insert_key(p.probe, p.row.period, p.row.customer_id, rd.file_index, p.line)) {
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
  m_since.add(r);
  if (m_transactions) m_transactions->keep(r); // valued at the file's end
  else rd.sink.add(r);
}

void MovementsForm::period_cell(FileReader& rd, MovementRow& r) {
  Run& run = rd.run;
  const std::string_view t = cell(rd, c_period);
  std::optional<Period> p = parse_period(t);
  if (!p && !is_blank(t)) { // a date as people write it: 10/31/2026, 31.10.2026, Oct 2026
    std::optional<DateColumn>& col = rd.dates[m_pos[c_period]];
    if (!col) col = rd.new_date_column();
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
    check_period_length(rd, t, *p);
    m_period_label = std::move(p->label);
    if (run.period_length && *run.period_length != p->length && !m_period_seen &&
        run.period_length_file != rd.file_index) {
      // A whole file of another period length: one message, not one per row.
      rd.fatal(rd.line,
               fmt::format("periods of this file are {}s (period {}), but earlier files are {}s (first at {}); "
                           "report them in separate runs",
                           to_string(p->length), show(t), to_string(*run.period_length), run.period_length_first));
      return;
    }
    if (run.period_length && *run.period_length != p->length) {
      row_error(rd, c_period,
                fmt::format("period {} is a {}, but earlier periods are {}s (first at {})", show(t),
                            to_string(p->length), to_string(*run.period_length), run.period_length_first));
    } else if (!run.period_length && rd.row_ok) {
      run.period_length = p->length;
      run.period_length_first = fmt::format("{}:{}", rd.name, rd.line);
      run.period_length_file = rd.file_index;
    }
    m_period_seen = true;
  } else {
    row_error(
        rd, c_period,
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
  const Money start = r.start;
  if (m_transactions) m_transactions->native(r, currency);
  for (Money* v : {&r.start, &r.expansion, &r.contraction, &r.churned, &r.new_mrr, &r.reactivation})
    if (rd.row_ok) *v = rd.convert(*v, currency, m, m_pos[c_currency]);
  if (r.cac && rd.row_ok) r.cac = rd.convert(*r.cac, currency, m, m_pos[c_currency]);
  if (rd.options().fx_method == FxMethod::period_end && rd.row_ok && start.micros > 0) revalue(rd, r, start, currency);
}

void MovementsForm::revalue(FileReader& rd, MovementRow& r, Money start, std::string_view currency) {
  // The period before ends the month before this period's first: its rate valued the MRR
  // this period starts with. Without a rate for it (the rates' first month), no revaluation.
  const std::optional<Period> p = parse_period(r.period);
  if (!p) return;
  const std::optional<Decimal> rate = rd.run.fx->rate(currency_code(currency), month_span(*p).first - 1);
  if (!rate) return;
  const std::optional<Money> before = ingest::convert(start, *rate);
  if (!before) return; // out of range at the earlier rate: left at this period's
  r.fx = Money{r.start.micros - before->micros};
}

void MovementsForm::slow_row(FileReader& rd, std::string_view text) {
  if (!rd.split_row(text)) return;
  MovementRow r;
  r.file = rd.name;
  r.line = rd.line;
  r.customer_id = trim_spaces(rd.fields[m_pos[c_customer_id]]); // "A1 " is A1, as " 12.50" is 12.50
  const IdCell id = customer_id_cell(r.customer_id);
  if (id == IdCell::totals) {
    return reject_totals(
        rd, c_customer_id,
        fmt::format("customer_id {} looks like a totals row, not a customer: delete the line from the export",
                    show(trim_spaces(r.customer_id))));
  }
  r.start = money(rd, c_start_mrr);
  r.expansion = money(rd, c_expansion_mrr);
  r.contraction = money(rd, c_contraction_mrr);
  r.churned = money(rd, c_churned_mrr);
  // Amounts that repeat the sums of the rows above (a grand total), or of those since the last
  // totals row (a group's subtotal): a totals row, whatever its labels say.
  if (const bool grand = rd.row_ok && m_sums.matched_by(r); grand || (rd.row_ok && m_since.matched_by(r)))
    return reject_totals(
        rd, c_start_mrr,
        grand || m_since_line == 0
            ? fmt::format("this looks like a totals row: its amounts are the sums of the {} rows above (start_mrr "
                          "{}); delete the line from the export",
                          m_sums.rows, show_money(m_sums.start))
            : fmt::format("this looks like a subtotal row: its amounts are the sums of the {} rows since line {} "
                          "(start_mrr {}); delete the line from the export",
                          m_since.rows, m_since_line, show_money(m_since.start)));
  if (id == IdCell::blank) row_error(rd, c_customer_id, "customer_id is empty");
  else if (id == IdCell::nul)
    row_error(rd, c_customer_id,
              fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(r.customer_id)));
  r.new_mrr = money(rd, c_new_mrr);
  r.reactivation = money(rd, c_reactivation_mrr);
  const Money end_given = money(rd, c_end_mrr);
  if (m_pos[c_cac] != k_absent && !is_blank(cell(rd, c_cac))) r.cac = money(rd, c_cac); // empty = unknown, not 0

  r.nps = rd.whole(m_pos[c_nps], 0, 10); // -1: no response
  for (const std::size_t col : {c_at_risk, c_saved}) {
    if (m_pos[col] == k_absent) continue;
    const auto b = parse_bool(cell(rd, col));
    if (!b)
      row_error(rd, col,
                fmt::format("{} {} is not a boolean (use 1/0, true/false, yes/no or y/n)", k_col_names[col],
                            show(cell(rd, col))));
    else if (col == c_at_risk) r.at_risk = *b;
    else r.saved = *b;
  }
  if (m_pos[c_saved] == k_absent) default_saved(r);
  CustomerRecord attrs;
  if (m_row_attributes) m_attr.read(rd, attrs);

  if (m_pos[c_period] != k_absent) {
    period_cell(rd, r);
    if (rd.summary.unreadable) return;
  }
  if (rd.by_pos != k_absent) {
    r.group = trim_spaces(rd.fields[rd.by_pos]);
    if (r.group.find('\0') != std::string_view::npos)
      rd.field_error(
          rd.by_pos,
          fmt::format("{} {} holds a NUL byte: binary data, not text", rd.options().by_column, show(r.group)));
  }
  if (m_name_pos != k_absent) r.name = trim_spaces(rd.fields[m_name_pos]);
  if (m_pos[c_currency] != k_absent) m_currencies.note(rd, m_pos[c_currency]);
  if (rd.row_ok) check_reconciled(rd, r, end_given);
  if (rd.row_ok) convert(rd, r);
  if (rd.row_ok) check_repeat(rd, r);
  if (!rd.row_ok) {
    ++rd.summary.rows_rejected;
    return;
  }
  keep(rd, r, attrs);
}

void MovementsForm::check_reconciled(FileReader& rd, const MovementRow& r, Money end_given) {
  const Reconciled x = reconcile(r, m_pos[c_end_mrr] != k_absent ? std::optional<Money>(end_given) : std::nullopt,
                                 rd.options().tolerance);
  std::string inflow_terms = "start_mrr + expansion_mrr";
  if (m_pos[c_new_mrr] != k_absent) inflow_terms += " + new_mrr";
  if (m_pos[c_reactivation_mrr] != k_absent) inflow_terms += " + reactivation_mrr";
  if (x.overflow) row_error(rd, c_start_mrr, "the row's movements overflow the money range");
  if (x.overspent)
    row_error(rd, c_contraction_mrr,
              fmt::format("contraction_mrr + churned_mrr ({}) exceed {} ({})", show_money(x.outflow), inflow_terms,
                          show_money(x.inflow)));
  if (x.partial_churn)
    row_error(rd, c_churned_mrr,
              fmt::format("churned row still has {} MRR at period end; partial churn belongs in contraction_mrr",
                          show_money(x.end)));
  if (x.end_mismatch)
    row_error(rd, c_end_mrr,
              fmt::format("end_mrr {} does not reconcile: {} - contraction_mrr - churned_mrr = {} (off by {})",
                          show_money(end_given), inflow_terms, show_money(x.end), show_money(x.off)));
}

void MovementsForm::check_repeat(FileReader& rd, const MovementRow& r) {
  const auto first =
      rd.run.insert_key(rd.run.seen.prepare(r.period, r.customer_id), r.period, r.customer_id, rd.file_index, rd.line);
  if (!first) return;
  const std::string where = first->file == DuplicateIndex::k_unknown_file || first->line == 0
      ? std::string("earlier in this run")
      : first->file == rd.file_index ? fmt::format("line {}", first->line)
                                     : fmt::format("{}:{}", rd.run.file_names[first->file], first->line);
  row_error(rd, c_customer_id,
            r.period.empty() ? fmt::format("customer_id {} appears twice (first at {})", show(r.customer_id), where)
                             : fmt::format("customer_id {} appears twice in period {} (first at {})",
                                           show(r.customer_id), r.period, where));
}

void MovementsForm::keep(FileReader& rd, const MovementRow& r, CustomerRecord& attrs) {
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
  /// Taken on the spot (not threaded), the one batch is emptied and refilled in place: it stays
  /// this small (64 rows, 16 KiB of text), in cache; a 100-row file faults in 5 pages for it, not 8.
  Pipeline(FileReader& rd, MovementsForm& form, bool threaded)
      : m_rd(rd),
        m_form(form),
        m_threaded(threaded),
        m_rows(threaded ? 256 : 64),
        m_arena(threaded ? 32u << 10 : 16u << 10) {
    m_cur = fresh();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// True once the taking side has stopped the file (a file-level error).
  bool stopped() const { return m_stop.load(std::memory_order_relaxed); }

  /// Copies a line into the current batch, followed by a newline (parse_fast's sentinel), and
  /// returns its entry.
  Entry& add(std::string_view text, std::uint64_t line) {
    if (m_cur->entries.size() == m_cur->entries.capacity() ||
        m_cur->arena.size() + text.size() + 1 > m_cur->arena.capacity())
      dispatch();
    if (m_cur->entries.empty() && text.size() + 1 > m_cur->arena.capacity()) m_cur->arena.reserve(text.size() + 1);
    const std::size_t at = m_cur->arena.size();
    m_cur->arena.append(text);
    m_cur->arena.push_back('\n');
    Entry& e = m_cur->entries.emplace_back();
    e.line = line;
    e.text = PaddedLine::assume_padded(std::string_view(m_cur->arena.data() + at, text.size())); // the '\n' above
    return e;
  }
  void hint(std::size_t rows) { m_cur->reserve_hint = rows; }

  /// Runs read() on this thread, which add()s lines, while another thread takes them
  /// (parallel_for's index 1), or takes each batch on the spot when not threaded; then takes
  /// everything still queued and waits for it. Rethrows what the taking side threw.
  template <class Read> void run(Read&& read) {
    parallel_for(m_threaded ? 2 : 1, 2, [&](std::size_t i) {
      if (i == 1) return work();
      struct Close { // the taking side ends however the reading does
        Pipeline& pipe;
        bool stop = true; ///< (an exception: what is queued is not taken)
        ~Close() { pipe.close(stop); }
      } close{*this};
      read();
      dispatch(true);
      close.stop = false;
    });
    if (m_error) std::rethrow_exception(m_error);
  }

private:
  std::unique_ptr<Batch> fresh() {
    auto b = std::make_unique<Batch>();
    size_up(*b);
    return b;
  }

  /// Threaded, batches start small and double up to k_rows and k_arena, so a file read by two
  /// threads does not pay for allocating and faulting in megabytes before it needs them.
  void size_up(Batch& b) {
    b.arena.reserve(m_arena);
    b.entries.reserve(m_rows);
    if (m_threaded && m_rows < k_rows) {
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

  /// Hands the current batch to the taking side; `last` when no line follows, so no batch is
  /// made ready (a small file would allocate it only to free it).
  void dispatch(bool last = false) {
    if (m_cur->entries.empty() && m_cur->reserve_hint == 0) return;
    if (!m_threaded) {
      take_and_recycle(*m_cur);
      if (!last) size_up(*m_cur);
      return;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [this] { return m_full.size() < 2 || m_stop; });
    m_full.push_back(std::move(m_cur));
    if (last) {
      m_cur = std::make_unique<Batch>(); // stays empty
    } else if (m_free.empty()) {
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

  /// No batch follows: the taking thread ends once the queue is empty (or at once with `stop`).
  void close(bool stop) {
    if (!m_threaded) return;
    {
      const std::lock_guard<std::mutex> lock(m_mutex);
      m_done = true;
      if (stop) m_stop = true;
    }
    m_cv.notify_all();
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
  std::size_t m_rows, m_arena; ///< the next batch's capacity (see size_up)
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::unique_ptr<Batch>> m_full, m_free;
  bool m_done = false;
  std::atomic<bool> m_stop{false};
  std::exception_ptr m_error;
};

bool MovementsForm::parallel_ready(const FileReader& rd, const LineSource& lines) const {
  // What a row of the pass is checked against: the period length and currency of the rows before.
  return lines.seekable_fd() >= 0 && !rd.summary.unreadable && rd.summary.rows_used > 0 && !m_row_attributes &&
      !rd.run.fx && rd.options().fast_path && (m_pos[c_period] == k_absent || length_settled(rd.run)) &&
      (m_pos[c_currency] == k_absent || !m_last_currency.empty()) && lines.offset() < rd.file_size &&
      rd.file_size - lines.offset() >= rd.options().parallel_bytes && rd.sink.fork() != nullptr;
}

PassEnd MovementsForm::parallel_pass(FileReader& rd, LineSource& lines, unsigned threads, bool first) {
  Run& run = rd.run;
  PassRun at{run.seen, run.pending_keys, run.key_texts, run.key_texts_whole, run.last_file};
  PassSetup setup;
  setup.threads = threads;
  setup.first = first;
  setup.chunk_bytes = rd.options().chunk_bytes;
  setup.file_size = rd.file_size;
  setup.file_index = rd.file_index;
  PassTotals totals{m_sums.pass(), m_since.pass()};
  const PassParser parser(*this, rd, run.period_length ? *run.period_length : PeriodLength::month, m_last_currency);
  const PassResult out = ingest::parallel_pass(parser, at, rd.sink, lines, setup, totals);
  m_sums = RunningSums::of(totals.all);
  m_since = RunningSums::of(totals.since);
  rd.summary.rows_read += out.rows;
  rd.summary.rows_used += out.rows;
  if (out.chunks > 0) rd.line = out.end.line - 1;
  return out.end;
}

bool MovementsForm::read_serially(FileReader& rd, LineSource& lines, bool threaded, std::uint64_t serial_until,
                                  bool parallel) {
  const bool fast = rd.options().fast_path;
  bool paused = false;
  std::exception_ptr failure; // a read error, told after the rows before it
  Pipeline pipe(rd, *this, threaded);
  pipe.run([&] {
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
  });
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
  const bool big = rd.file_size >= (8u << 20);
  // Big files are read in chunks, on one thread too: no copy of each line into a batch.
  const bool parallel = rd.file_size >= rd.options().parallel_bytes && lines.seekable();
  const unsigned threads =
      asked > 0 || big || parallel ? rd.options().thread_count() : 1; // a small file asks no core count
  // Lines read one by one (the first rows; the chunks a parallel pass could not keep) are
  // read by one thread and taken by another, for big files.
  const bool threaded = threads >= 2 && (asked > 0 || big);
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
  if (m_transactions && !rd.summary.unreadable) m_transactions->finish(rd);
}

FileRole recognise_movements(const Header& h) {
  if (!h.has("start_mrr")) return FileRole::unknown;
  return has_customer_attributes(h) ? FileRole::billing_with_attributes : FileRole::billing;
}

} // namespace movements

const FormInfo k_movements_form{"movements",
                                "start_mrr, expansion_mrr, contraction_mrr, churned_mrr",
                                "a start_mrr column, with customer_id, expansion_mrr, contraction_mrr, churned_mrr",
                                movements::recognise_movements,
                                [] { return std::unique_ptr<Form>(new movements::MovementsForm); },
                                {"customer_id and period (the whole file is one period without a period column); a "
                                 "period's start_mrr continues the period before's end (a break is a warning, an error "
                                 "with --strict)",
                                 "the same customer_id twice in one period, in any file of the run",
                                 "customer_id Total, Grand total, Summe, SMB Total and the like; or the four required "
                                 "amounts equal to the sums of the rows above, or of those since the last totals "
                                 "row",
                                 "an empty amount is 0 (SPEC: money columns); an empty customer_id is an error"}};

} // namespace cskpi::ingest
