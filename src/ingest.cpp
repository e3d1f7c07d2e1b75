// SPDX-License-Identifier: MIT
// The only place that knows CSV files. fast-cpp-csv-parser's byte sources bring the bytes in
// (files, stdin, streams); lines, quoting and exact numbers are ours, and big files are read
// by one thread and taken by another (Pipeline, below).
#include "cskpi/ingest.hpp"

#include "cskpi/attributes.hpp"
#include "cskpi/csv.hpp"
#include "cskpi/snapshots.hpp"

#include "dedup.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <istream>
#include <mutex>
#include <set>
#include <span>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace cskpi {

Money end_mrr(const MovementRow& r) noexcept {
  Money end = r.start;
  checked_add(end, r.new_mrr);
  checked_add(end, r.reactivation);
  checked_add(end, r.expansion);
  checked_sub(end, r.contraction);
  checked_sub(end, r.churned);
  return end;
}

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

namespace {

/// Reads a file descriptor for LineSource; read errors surface as exceptions.
class FdSource : public io::ByteSourceBase {
public:
  FdSource(int fd, bool owned) : m_fd(fd), m_owned(owned) {}
  ~FdSource() override {
    if (m_owned) ::close(m_fd);
  }
  int read(char* buffer, int size) override {
    int total = 0;
    while (total < size) {
      const ssize_t got = ::read(m_fd, buffer + total, static_cast<std::size_t>(size - total));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "cannot read");
      }
      if (got == 0) break;
      total += static_cast<int>(got);
    }
    return total;
  }

private:
  int m_fd;
  bool m_owned;
};

/// Reads a std::istream for LineSource (tests pass literal strings this way).
class StreamSource : public io::ByteSourceBase {
public:
  explicit StreamSource(std::istream& in) : m_in(in) {}
  int read(char* buffer, int size) override {
    m_in.read(buffer, size);
    return static_cast<int>(m_in.gcount());
  }

private:
  std::istream& m_in;
};

enum Col : std::size_t {
  c_customer_id,
  c_start_mrr,
  c_expansion_mrr,
  c_contraction_mrr,
  c_churned_mrr,
  c_period,
  c_segment,
  c_new_mrr,
  c_reactivation_mrr,
  c_end_mrr,
  c_nps,
  c_at_risk,
  c_saved,
  c_health_score,
  c_cac,
  c_count
};

constexpr std::array<std::string_view, c_count> k_col_names = {
    "customer_id", "start_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
    "period",      "segment",   "new_mrr",       "reactivation_mrr", "end_mrr",
    "nps",         "at_risk",   "saved",         "health_score",     "cac"};
constexpr std::size_t k_required = 5; // the first five columns

constexpr std::size_t k_absent = static_cast<std::size_t>(-1);

/// Shows a cell in a message: quoted, control bytes escaped, long values cut.
std::string show(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (shown >= 40 && (u & 0xC0) != 0x80) { // cut between characters, not inside one
      out += "...";
      break;
    }
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
    ++shown;
  }
  out.push_back('"');
  return out;
}

/// True when a name has bytes a terminal should not get raw (controls, non-UTF-8-looking).
bool needs_quotes(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

/// A header's column names for a message: at most 50, each escaped and cut at 40
/// characters, so a binary, mis-encoded or 20 MB header still gives a readable line.
std::string shown_columns(const std::vector<std::string>& names) {
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < names.size() && i < 50; ++i)
    shown.push_back(needs_quotes(names[i]) || names[i].size() > 40 ? show(names[i]) : names[i]);
  if (names.size() > 50) shown.push_back(fmt::format("... {} more", names.size() - 50));
  return fmt::format("{}", fmt::join(shown, ", "));
}

std::string show_money(Money m) { return format_money_fixed(m, 2, true); }

bool is_blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// ---------------------------------------------------------------------------- roles

/// The position of the first of `options` among the normalised header names.
std::size_t find_column(const std::vector<std::string>& names, std::span<const std::string_view> options) {
  for (std::string_view o : options)
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == o) return i;
  return k_absent;
}
std::size_t find_column(const std::vector<std::string>& names, std::initializer_list<std::string_view> options) {
  return find_column(names, std::span<const std::string_view>(options.begin(), options.size()));
}

// Attribute columns (issue 7), with the names exports use for them.
constexpr std::string_view k_health_names[] = {"health_score", "health"};
constexpr std::string_view k_signup_names[] = {"signup_date", "contract_date", "start_date"};
constexpr std::string_view k_value_names[] = {"first_value_date", "value_date"};
constexpr std::string_view k_renewal_names[] = {"renewal_date"};
constexpr std::string_view k_renewed_names[] = {"renewed"};
constexpr std::string_view k_reason_names[] = {"churn_reason", "cancellation_reason"};
constexpr std::string_view k_score_names[] = {"score", "nps", "nps_score"};
constexpr std::string_view k_csat_names[] = {"csat"};
constexpr std::string_view k_ces_names[] = {"ces"};
constexpr std::string_view k_date_names[] = {"date", "response_date", "responded_at", "submitted_at"};

bool has_customer_attributes(const std::vector<std::string>& names) {
  const auto has = [&](std::span<const std::string_view> o) { return find_column(names, o) != k_absent; };
  return has(k_health_names) || has(k_signup_names) || has(k_value_names) || has(k_renewal_names) || has(k_renewed_names) ||
         has(k_reason_names);
}

/// The role of a header (SPEC §1.1): billing (movements or snapshots), responses or
/// customers. A header that is none of these counts as billing, whose checks then say
/// which columns are missing.
FileRole classify_header(const std::vector<std::string>& names, const std::vector<std::string_view>& raw,
                         const IngestOptions& opt) {
  const auto has = [&](std::span<const std::string_view> o) { return find_column(names, o) != k_absent; };
  const auto has1 = [&](std::string_view o) { return find_column(names, {o}) != k_absent; };
  if (has1("start_mrr")) return has_customer_attributes(names) ? FileRole::billing_with_attributes : FileRole::billing;
  if (has1("mrr_movement") || has1("mrr")) return FileRole::billing;
  std::size_t months = 0;
  for (std::string_view f : raw)
    if (parse_month(f)) ++months;
  if (months >= 2) return FileRole::billing;
  static constexpr std::string_view k_movement_names[] = {"expansion_mrr", "contraction_mrr", "churned_mrr", "new_mrr", "end_mrr"};
  if (has(k_movement_names)) return FileRole::billing;
  if (has(k_score_names) || has(k_csat_names) || has(k_ces_names)) return FileRole::responses;
  if (!has1("customer_id")) return FileRole::billing;
  bool attribute = has_customer_attributes(names) || (!opt.by_column.empty() && has1(opt.by_column));
  for (const std::string& c : opt.components) attribute = attribute || has1(c);
  return attribute ? FileRole::customers : FileRole::billing;
}

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

Reconciled reconcile(const MovementRow& r, std::optional<Money> end_given, Money tolerance) {
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

} // namespace

/// Everything one file read needs; lives for the duration of one read.
struct Ingestor::State {
  Ingestor& self;
  const std::string& name;
  std::uint32_t file_index;
  RowSink& sink;
  InputSummary summary;
  std::array<std::size_t, c_count> pos{};
  std::size_t by_pos = k_absent;
  std::size_t field_count = 0;
  DecimalStyle style = DecimalStyle::point;
  std::vector<std::string_view> fields;
  std::string scratch;
  std::string period_label;
  std::vector<std::uint8_t> roles; ///< per field: its Col, or c_count for a column we ignore
  std::string last_period_raw;      ///< the period text of the last valid row...
  std::string last_period_label;    ///< ...and its normalised label
  std::uint64_t file_size = 0;   ///< bytes, for regular files; 0 when unknown (stdin, pipes)
  std::uint64_t sampled_bytes = 0; ///< bytes of the first rows, to estimate the row count
  std::uint64_t sampled_rows = 0;
  bool row_ok = true;
  bool period_seen = false; ///< a valid period was read from this file
  std::uint64_t line = 0;
  std::uint64_t first_rounded_line = 0;
  std::uint32_t first_rounded_col = 0;

  State(Ingestor& s, const std::string& n, std::uint32_t index, RowSink& k)
      : self(s), name(n), file_index(index), sink(k) {
    summary.file = n;
    pos.fill(k_absent);
  }

  void diag(std::uint64_t at_line, std::size_t field, Severity sev, std::string message) {
    self.m_diagnostics.report(Diagnostic{name, at_line, static_cast<std::uint32_t>(field + 1), sev, std::move(message)});
  }
  /// A problem with field `field` of the current row: the row is rejected.
  void field_error(std::size_t field, std::string message) {
    row_ok = false;
    diag(line, field, Severity::error, std::move(message));
  }
  void row_error(std::size_t col, std::string message) { field_error(pos[col], std::move(message)); }
  /// The --by column must be in the header unless it is optional (usage error otherwise).
  void check_by_column(const std::vector<std::string>& names) const;
  void fatal(std::uint64_t at_line, std::string message) {
    summary.unreadable = true;
    self.m_diagnostics.report(Diagnostic{name, at_line, 0, Severity::error, std::move(message), true});
  }

  std::string_view cell(std::size_t col) const { return pos[col] == k_absent ? std::string_view{} : fields[pos[col]]; }

  bool header(std::string_view text);

  /// One data line on its way through the pipeline: read and pre-parsed by the reading
  /// thread (parse_fast), then taken in line order by the thread that owns all mutable
  /// state (take): period cache, duplicate index, counts, diagnostics and the sink.
  struct Entry {
    std::uint64_t line = 0;
    std::string_view text; ///< a copy in the batch's arena
    bool fast = false;     ///< parse_fast accepted it; `row` and `period_raw` are set
    MovementRow row;
    std::string_view period_raw;
  };
  /// The fast path's parse of a plain valid row: one pass, plain numbers only, no
  /// allocation, all single-row checks. Reads only what header() fixed, so the reading
  /// thread may call it. False hands the line to the general path (slow_row).
  bool parse_fast(std::string_view text, std::uint64_t at_line, MovementRow& r, std::string_view& period_raw) const;
  /// Takes one entry in line order: the rest of the fast path, or the general one.
  void take(Entry& e);
  void slow_row(std::string_view text);

  // Rows the fast path accepted wait here while their duplicate-index slot is prefetched:
  // at 10 M rows the index is far larger than the caches, and a lookup that waits for
  // memory costs more than parsing the row.
  struct Pending {
    MovementRow row;
    std::string_view text; ///< in a batch arena; the ring is flushed before a batch is reused
    std::uint64_t line = 0;
    DuplicateIndex::Probe probe;
  };
  std::array<Pending, 16> ring;
  std::size_t ring_head = 0, ring_size = 0;
  void defer(const MovementRow& r, std::string_view text, std::uint64_t at_line);
  void retire_one();
  /// Retires every pending row, in line order.
  void flush();
  Money money(std::size_t col, bool allow_negative = false);
  /// Parses field `field` as an amount named `what` (shared by movements and snapshots).
  Money amount(std::size_t field, std::string_view what, bool allow_negative);
  /// Splits a data line into `fields` and checks the field count; false (counted and
  /// reported) if the line cannot be used.
  bool split_row(std::string_view text);
  void finish();

  // Snapshot files (issue 6): recognised by header(), read whole, then derived.
  enum class Snap : std::uint8_t { none, long_form, wide, chartmogul };
  Snap snap = Snap::none;
  std::size_t snap_id = k_absent, snap_month = k_absent, snap_mrr = k_absent, snap_currency = k_absent,
              snap_type = k_absent;
  std::vector<std::size_t> snap_ids;                            ///< ChartMogul: id columns, preferred first
  std::vector<std::pair<std::size_t, MonthIndex>> snap_months; ///< wide: (field, month)
  std::vector<std::optional<Money>> snap_values;               ///< wide: one row's cells
  bool cents = false;
  std::set<std::string> currencies;
  SnapshotTable* table = nullptr;
  /// Recognises a snapshot header; false if it is none (then the movements checks run).
  bool snapshot_header(const std::vector<std::string>& names);
  void snapshot_row(std::string_view text);
  void snapshot_finish();

  // Customers and responses files, and attribute columns of movements files (issue 7).
  enum class Attr : std::uint8_t { none, customers, responses };
  Attr attr = Attr::none;
  struct AttrPos {
    std::size_t id = k_absent, health = k_absent, signup = k_absent, value = k_absent, renewal = k_absent,
                renewed = k_absent, reason = k_absent, score = k_absent, csat = k_absent, ces = k_absent, date = k_absent;
    std::vector<std::size_t> components;
  } ap;
  std::vector<std::string> header_names; ///< normalised, for messages
  bool row_attributes = false; ///< a movements file with attribute columns: rows update their customer's record
  Attributes& attributes();
  void locate_attributes(const std::vector<std::string>& names);
  bool attribute_header(FileRole role, const std::vector<std::string>& names);
  /// Reads the attribute cells of the current row into `rec`; bad cells reject the row.
  void read_customer_fields(CustomerRecord& rec);
  void customer_row(std::string_view text);
  void response_row(std::string_view text);
  std::optional<Day> date_cell(std::size_t field);
  int whole_cell(std::size_t field, int lo, int hi);
  /// Keeps a movements row's attributes as its customer's record, unless a customers file
  /// gave one or a later period did.
  void keep_row_attributes(CustomerRecord&& rec);

  const IngestOptions& options() const { return self.m_options; }
  void reserve_rows(std::size_t rows) { self.m_seen->reserve(self.m_seen->size() + rows); }

  /// Estimates the file's row count from its first 1024 rows (reading thread), so the
  /// duplicate index is sized once instead of doubling (and briefly holding two tables).
  /// Returns the estimate once, then 0.
  std::size_t sample(std::size_t line_length) {
    sampled_bytes += line_length + 1;
    if (++sampled_rows != 1024) return 0;
    return static_cast<std::size_t>(file_size / (sampled_bytes / 1024) * 21 / 20);
  }
};

bool Ingestor::State::header(std::string_view text) {
  const IngestOptions& opt = self.m_options;
  if (text.size() >= 2 && text[0] == '\x1f' && text[1] == '\x8b') {
    fatal(0, "this is a gzip-compressed file, not CSV; decompress it first (gunzip -c FILE | cskpi report -)");
    return false;
  }
  if (text.find('\0') != std::string_view::npos) {
    fatal(line, "the header line holds NUL bytes: this looks like a binary file, not CSV");
    return false;
  }
  summary.delimiter = opt.delimiter != 0 ? opt.delimiter : detect_delimiter(text);
  summary.decimal_comma = opt.decimal_comma.value_or(summary.delimiter == ';');
  style = summary.decimal_comma ? DecimalStyle::comma : DecimalStyle::point;
  if (split_record(text, summary.delimiter, fields, scratch).status != SplitResult::Status::ok) {
    fatal(line, "the header line has an unterminated or misplaced quote");
    return false;
  }
  field_count = fields.size();
  roles.assign(field_count, static_cast<std::uint8_t>(c_count));
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    names.push_back(normalise_column_name(fields[i]));
    const std::string& n = names.back();
    for (std::size_t c = 0; c < c_count; ++c) {
      if (n != k_col_names[c]) continue;
      if (pos[c] != k_absent) {
        fatal(line, fmt::format("column {} appears twice in the header (fields {} and {})", n, pos[c] + 1, i + 1));
        return false;
      }
      pos[c] = i;
      roles[i] = static_cast<std::uint8_t>(c);
    }
    if (!opt.by_column.empty() && n == opt.by_column) {
      if (by_pos != k_absent) {
        fatal(line, fmt::format("--by column {} appears twice in the header (fields {} and {})", n, by_pos + 1, i + 1));
        return false;
      }
      by_pos = i;
    }
  }
  if (pos[c_start_mrr] == k_absent && snapshot_header(names)) {
    self.m_columns.billing = true;
    return !summary.unreadable;
  }
  const FileRole role = classify_header(names, fields, opt);
  if (role == FileRole::customers || role == FileRole::responses) return attribute_header(role, names);
  if (self.m_snapshots) {
    fatal(line, "a movements file cannot be read with a snapshot file in one run; report them separately");
    return false;
  }
  std::vector<std::string_view> missing;
  for (std::size_t c = 0; c < k_required; ++c)
    if (pos[c] == k_absent) missing.push_back(k_col_names[c]);
  if (!missing.empty()) {
    fatal(line, fmt::format("missing required column{} {} (delimiter {}; columns found: {})",
                            missing.size() > 1 ? "s" : "", fmt::join(missing, ", "),
                            delimiter_name(summary.delimiter), shown_columns(names)));
    return false;
  }
  check_by_column(names);
  ColumnSet& cs = self.m_columns;
  cs.period |= pos[c_period] != k_absent;
  cs.segment |= pos[c_segment] != k_absent;
  cs.new_mrr |= pos[c_new_mrr] != k_absent;
  cs.reactivation_mrr |= pos[c_reactivation_mrr] != k_absent;
  cs.end_mrr |= pos[c_end_mrr] != k_absent;
  cs.nps |= pos[c_nps] != k_absent;
  cs.at_risk |= pos[c_at_risk] != k_absent;
  cs.saved |= pos[c_saved] != k_absent;
  cs.health_score |= pos[c_health_score] != k_absent;
  cs.cac |= pos[c_cac] != k_absent;
  cs.billing = true;
  if (role == FileRole::billing_with_attributes) {
    locate_attributes(names);
    row_attributes = true;
  }
  ++self.m_movement_files;
  return true;
}

void Ingestor::State::check_by_column(const std::vector<std::string>& names) const {
  const IngestOptions& opt = self.m_options;
  if (!opt.by_column.empty() && by_pos == k_absent && !opt.by_optional)
    throw usage_error(fmt::format("{}: --by column \"{}\" is not in the header (columns: {})", name, opt.by_column,
                                  shown_columns(names)));
}

Money Ingestor::State::money(std::size_t col, bool allow_negative) {
  if (pos[col] == k_absent) return Money{};
  return amount(pos[col], k_col_names[col], allow_negative);
}

Money Ingestor::State::amount(std::size_t field, std::string_view what, bool allow_negative) {
  const std::string_view text = fields[field];
  const auto error = [&](std::string message) { field_error(field, std::move(message)); };
  const ParsedMoney p = parse_money(text, style);
  switch (p.status) {
  case ParsedMoney::Status::empty: return Money{};
  case ParsedMoney::Status::overflow:
    error(fmt::format("{} {} is too large (the limit is 9,223,372,036,854.775807)", what, show(text)));
    return Money{};
  case ParsedMoney::Status::invalid: {
    std::string hint;
    const ParsedMoney other = parse_money(text, style == DecimalStyle::point ? DecimalStyle::comma : DecimalStyle::point);
    if (other.status == ParsedMoney::Status::ok)
      hint = style == DecimalStyle::point ? " (for a decimal comma use --decimal-comma)" : " (for a decimal point use --decimal-comma=false)";
    error(fmt::format("{} {} is not a number{}", what, show(text), hint));
    return Money{};
  }
  case ParsedMoney::Status::ok: break;
  }
  if (p.rounded) {
    ++summary.warnings;
    if (first_rounded_line == 0) {
      first_rounded_line = line;
      first_rounded_col = static_cast<std::uint32_t>(field + 1);
    }
  }
  if (!allow_negative && p.value.micros < 0) {
    error(fmt::format("{} {} is negative: {}", what, show(text),
                      snap == Snap::none ? "movements are amounts >= 0, the column carries the sign" : "MRR is >= 0"));
    return Money{};
  }
  if (cents) {
    if (p.value.micros % 100 != 0) {
      error(fmt::format("{} {} has more than 4 decimals as cents (--amounts cents)", what, show(text)));
      return Money{};
    }
    return Money{p.value.micros / 100};
  }
  return p.value;
}

// ---------------------------------------------------------------------------- snapshots

bool Ingestor::State::snapshot_header(const std::vector<std::string>& names) {
  const IngestOptions& opt = self.m_options;
  const auto find = [&](std::initializer_list<std::string_view> options) {
    for (std::string_view o : options)
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == o) return i;
    return k_absent;
  };
  if (find({"mrr_movement"}) != k_absent && find({"date"}) != k_absent) {
    snap = Snap::chartmogul;
    snap_mrr = find({"mrr_movement"});
    snap_month = find({"date"});
    for (std::string_view o : {"customer_external_id", "customer_uuid", "customer_id", "customer_name"})
      if (const std::size_t i = find({o}); i != k_absent) snap_ids.push_back(i);
    snap_currency = find({"currency_code", "currency"});
    snap_type = find({"movement_type"});
    summary.role = "chartmogul";
    if (snap_ids.empty()) {
      fatal(line, "a ChartMogul movements export needs CUSTOMER_EXTERNAL_ID, CUSTOMER_UUID or CUSTOMER_NAME");
      return true;
    }
  } else {
    snap_id = find({"customer_id"});
    if (snap_id == k_absent) return false;
    snap_mrr = find({"mrr"});
    snap_month = find({"month", "date", "snapshot_date", "period"});
    if (snap_mrr != k_absent && snap_month != k_absent) {
      snap = Snap::long_form;
      summary.role = "snapshots (long)";
    } else {
      snap_mrr = snap_month = k_absent;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i == snap_id || i == by_pos) continue;
        if (const std::optional<MonthIndex> m = parse_month(fields[i])) {
          for (const auto& [f, seen] : snap_months)
            if (seen == *m) {
              fatal(line, fmt::format("month {} appears twice in the header (fields {} and {})", month_label(*m), f + 1, i + 1));
              return true;
            }
          snap_months.emplace_back(i, *m);
        }
      }
      if (snap_months.size() < 2) { // not a matrix: the movements checks will say what is missing
        snap_months.clear();
        return false;
      }
      snap = Snap::wide;
      summary.role = "snapshots (wide)";
      snap_values.resize(snap_months.size());
    }
  }
  cents = opt.amounts_in_cents.value_or(snap == Snap::chartmogul);
  summary.amounts = cents ? "cents" : "units";
  check_by_column(names);
  if (self.m_snapshots) {
    fatal(line, "only one snapshot file per run: put the history in one file");
    return true;
  }
  if (self.m_movement_files > 0) {
    fatal(line, "a snapshot file cannot be read with movements files in one run; report them separately");
    return true;
  }
  self.m_snapshots = std::make_unique<SnapshotTable>();
  table = self.m_snapshots.get();
  return true;
}

void Ingestor::State::snapshot_row(std::string_view text) {
  if (!split_row(text)) return;
  const std::string_view group = by_pos != k_absent ? fields[by_pos] : std::string_view{};
  const auto month_of = [&](std::size_t field) -> std::optional<MonthIndex> {
    const std::optional<MonthIndex> m = parse_month(fields[field]);
    if (!m) field_error(field, fmt::format("{} is not a month (use YYYY-MM or a date YYYY-MM-DD)", show(fields[field])));
    return m;
  };
  switch (snap) {
  case Snap::long_form: {
    const std::string_view id = fields[snap_id];
    if (is_blank(id)) field_error(snap_id, "customer_id is empty");
    const std::optional<MonthIndex> m = month_of(snap_month);
    const Money mrr = amount(snap_mrr, "mrr", false);
    if (!row_ok) break;
    if (!table->set(table->customer(id, group), *m, mrr))
      field_error(snap_month, fmt::format("customer {} already has MRR for {}: one row per customer and month", show(id),
                                    month_label(*m)));
    break;
  }
  case Snap::wide: {
    const std::string_view id = fields[snap_id];
    if (is_blank(id)) field_error(snap_id, "customer_id is empty");
    for (std::size_t i = 0; i < snap_months.size(); ++i) {
      const std::size_t f = snap_months[i].first;
      snap_values[i] = is_blank(fields[f]) ? std::nullopt : std::optional<Money>(amount(f, month_label(snap_months[i].second), false));
    }
    if (!row_ok) break;
    const std::size_t before = table->customers();
    const std::uint32_t c = table->customer(id, group);
    if (c < before) {
      field_error(snap_id, fmt::format("customer {} has a second row: one row per customer", show(id)));
      break;
    }
    for (std::size_t i = 0; i < snap_months.size(); ++i) table->set(c, snap_months[i].second, snap_values[i].value_or(Money{}));
    break;
  }
  case Snap::chartmogul: {
    std::string_view id;
    for (std::size_t f : snap_ids)
      if (!is_blank(fields[f])) {
        id = fields[f];
        break;
      }
    if (id.empty()) field_error(snap_ids.front(), "the customer has no external id, uuid or name");
    const std::optional<MonthIndex> m = month_of(snap_month);
    const Money delta = amount(snap_mrr, "MRR_MOVEMENT", true);
    if (snap_type != k_absent) {
      static constexpr std::string_view k_types[] = {"new_biz", "expansion", "contraction", "churn", "reactivation"};
      const std::string t = normalise_column_name(fields[snap_type]);
      if (std::find(std::begin(k_types), std::end(k_types), t) == std::end(k_types))
        field_error(snap_type, fmt::format("MOVEMENT_TYPE {} is not new_biz, expansion, contraction, churn or reactivation",
                                     show(fields[snap_type])));
    }
    if (!row_ok) break;
    if (snap_currency != k_absent && !is_blank(fields[snap_currency])) currencies.emplace(fields[snap_currency]);
    if (!table->add(table->customer(id, group), *m, delta)) field_error(snap_mrr, "the customer's movements in this month overflow");
    break;
  }
  case Snap::none: break;
  }
  if (row_ok) ++summary.rows_used;
  else ++summary.rows_rejected;
}

void Ingestor::State::snapshot_finish() {
  if (snap == Snap::chartmogul) {
    if (currencies.size() > 1) {
      fatal(0, fmt::format("mixed currencies ({}) and no FX table: export the movements in one currency",
                           fmt::join(currencies, ", ")));
      return;
    }
    if (const auto bad = table->accumulate()) {
      fatal(0, fmt::format("customer {}'s MRR falls below 0 in {}: the log does not hold the customer's whole history",
                           show(table->id(bad->first)), month_label(bad->second)));
      return;
    }
  } else {
    table->close_range();
  }
  if (table->empty()) return; // no valid rows: the report says so
  const PeriodLength length = self.m_options.period_length.value_or(PeriodLength::month);
  if (derivable_periods(*table, length).empty()) {
    fatal(0, fmt::format("snapshots from {} to {} hold no whole {} after the first month, which only opens the history",
                         month_label(table->first()), month_label(table->last()), to_string(length)));
    return;
  }
  self.m_period_length = length;
  self.m_period_length_first = name;
  self.m_period_length_file = file_index;
  self.m_columns.period = true;
  self.m_columns.new_mrr = true;
  self.m_columns.reactivation_mrr = true;
  if (self.m_options.derive) summary.derived_rows = derive_movements(*table, length, name, sink);
}

// ---------------------------------------------------------------------------- attributes

Attributes& Ingestor::State::attributes() {
  if (!self.m_attributes) {
    self.m_attributes = std::make_unique<Attributes>();
    self.m_attributes->component_names = self.m_options.components;
    self.m_attributes->csat_scale = self.m_options.csat_scale;
  }
  return *self.m_attributes;
}

void Ingestor::State::locate_attributes(const std::vector<std::string>& names) {
  header_names = names;
  ap.id = find_column(names, {"customer_id"});
  ap.health = find_column(names, k_health_names);
  ap.signup = find_column(names, k_signup_names);
  ap.value = find_column(names, k_value_names);
  ap.renewal = find_column(names, k_renewal_names);
  ap.renewed = find_column(names, k_renewed_names);
  ap.reason = find_column(names, k_reason_names);
  AttributeColumns& c = attributes().columns;
  c.health |= ap.health != k_absent;
  c.signup |= ap.signup != k_absent;
  c.first_value |= ap.value != k_absent;
  c.renewal |= ap.renewal != k_absent;
  c.renewed |= ap.renewed != k_absent;
  c.churn_reason |= ap.reason != k_absent;
}

bool Ingestor::State::attribute_header(FileRole role, const std::vector<std::string>& names) {
  locate_attributes(names);
  Attributes& a = attributes();
  if (role == FileRole::responses) {
    attr = Attr::responses;
    summary.role = "responses";
    ap.score = find_column(names, k_score_names);
    ap.csat = find_column(names, k_csat_names);
    ap.ces = find_column(names, k_ces_names);
    ap.date = find_column(names, k_date_names);
    a.columns.score |= ap.score != k_absent;
    a.columns.csat |= ap.csat != k_absent;
    a.columns.ces |= ap.ces != k_absent;
    a.columns.response_date |= ap.date != k_absent;
    a.response_files.push_back(name);
    return true;
  }
  attr = Attr::customers;
  summary.role = "customers";
  for (const std::string& c : self.m_options.components) {
    const std::size_t at = find_column(names, {c});
    if (at == k_absent) {
      fatal(line, fmt::format("health component {} is not a column of this customers file (columns: {})", c, shown_columns(names)));
      return false;
    }
    ap.components.push_back(at);
  }
  a.customer_files.push_back(name);
  return true;
}

std::optional<Day> Ingestor::State::date_cell(std::size_t field) {
  if (field == k_absent || is_blank(fields[field])) return std::nullopt;
  const std::optional<Day> d = parse_date(fields[field]);
  if (!d) field_error(field, fmt::format("{} {} is not a date (use YYYY-MM-DD)", header_names[field], show(fields[field])));
  return d;
}

int Ingestor::State::whole_cell(std::size_t field, int lo, int hi) {
  if (field == k_absent) return -1;
  const std::string_view t = fields[field];
  const ParsedMoney p = parse_money(t, DecimalStyle::point);
  if (p.status == ParsedMoney::Status::empty) return -1;
  if (p.status == ParsedMoney::Status::ok && p.value.micros % Money::k_scale == 0 && t.find_first_of(".,") == std::string_view::npos &&
      p.value.micros >= lo * Money::k_scale && p.value.micros <= hi * Money::k_scale)
    return static_cast<int>(p.value.micros / Money::k_scale);
  field_error(field, fmt::format("{} {} is not a whole number from {} to {}", header_names[field], show(t), lo, hi));
  return -1;
}

void Ingestor::State::read_customer_fields(CustomerRecord& rec) {
  const auto score_cell = [&](std::size_t field, bool health) -> std::optional<std::int64_t> {
    if (field == k_absent || is_blank(fields[field])) return std::nullopt;
    const ParsedMoney p = parse_money(fields[field], style);
    const bool over = health && self.m_options.health_over_100;
    if (p.status == ParsedMoney::Status::ok && p.value.micros >= 0 && (over || p.value.micros <= 100 * Money::k_scale))
      return p.value.micros;
    field_error(field, fmt::format("{} {} is not a number from 0 to 100{}", header_names[field], show(fields[field]),
                                   over ? " (or above, for power users)" : ""));
    return std::nullopt;
  };
  rec.health = score_cell(ap.health, true);
  rec.components.clear();
  for (const std::size_t f : ap.components) rec.components.push_back(score_cell(f, false));
  rec.signup = date_cell(ap.signup);
  rec.first_value = date_cell(ap.value);
  rec.renewal = date_cell(ap.renewal);
  if (rec.signup && rec.first_value && *rec.first_value < *rec.signup)
    field_error(ap.value, fmt::format("{} {} is before {} {}", header_names[ap.value], show(fields[ap.value]),
                                      header_names[ap.signup], show(fields[ap.signup])));
  if (ap.renewed != k_absent && !is_blank(fields[ap.renewed])) {
    rec.renewed = parse_bool(fields[ap.renewed]);
    if (!rec.renewed)
      field_error(ap.renewed, fmt::format("renewed {} is not a boolean (use 1/0, true/false, yes/no or y/n)", show(fields[ap.renewed])));
  }
  if (ap.reason != k_absent) {
    const std::string_view reason = trim_spaces(fields[ap.reason]);
    if (reason.find('\0') != std::string_view::npos)
      field_error(ap.reason, fmt::format("{} {} holds a NUL byte: binary data, not text", header_names[ap.reason], show(reason)));
    rec.churn_reason.assign(reason);
  }
  rec.file = name;
  rec.line = line;
}

void Ingestor::State::keep_row_attributes(CustomerRecord&& rec) {
  Attributes& a = attributes();
  rec.from_billing = true;
  const auto [it, fresh] = a.index.try_emplace(rec.id, a.customers.size());
  if (fresh) {
    a.customers.push_back(std::move(rec));
    return;
  }
  CustomerRecord& have = a.customers[it->second];
  if (have.from_billing && have.period <= rec.period) have = std::move(rec);
}

void Ingestor::State::customer_row(std::string_view text) {
  if (!split_row(text)) return;
  const std::string_view id = fields[ap.id];
  if (is_blank(id)) field_error(ap.id, "customer_id is empty");
  else if (id.find('\0') != std::string_view::npos)
    field_error(ap.id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(id)));
  CustomerRecord rec;
  read_customer_fields(rec);
  if (by_pos != k_absent) {
    rec.group.assign(fields[by_pos]);
    rec.has_group = true;
  }
  Attributes& a = attributes();
  if (row_ok) {
    const auto it = a.index.find(std::string(id));
    if (it != a.index.end() && !a.customers[it->second].from_billing) {
      const CustomerRecord& first = a.customers[it->second];
      field_error(ap.id, fmt::format("customer_id {} appears twice in the customers files (first at {})", show(id),
                                     first.file == name ? fmt::format("line {}", first.line) : fmt::format("{}:{}", first.file, first.line)));
    }
  }
  if (!row_ok) {
    ++summary.rows_rejected;
    return;
  }
  rec.id.assign(id);
  const auto [it, fresh] = a.index.try_emplace(rec.id, a.customers.size());
  if (fresh) a.customers.push_back(std::move(rec));
  else a.customers[it->second] = std::move(rec); // a customers file outranks attribute columns of a movements file
  ++summary.rows_used;
}

void Ingestor::State::response_row(std::string_view text) {
  if (!split_row(text)) return;
  ResponseRecord r;
  r.line = line;
  if (ap.id != k_absent) {
    std::string_view id = fields[ap.id];
    if (id.find('\0') != std::string_view::npos)
      field_error(ap.id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(id)));
    if (!is_blank(id)) r.customer_id.assign(id);
  }
  r.score = whole_cell(ap.score, 0, 10);
  const int scale = self.m_options.csat_scale;
  r.csat = whole_cell(ap.csat, 1, scale != 0 ? scale : 10);
  r.ces = whole_cell(ap.ces, 1, 7);
  r.date = date_cell(ap.date);
  if (!row_ok) {
    ++summary.rows_rejected;
    return;
  }
  attributes().responses.push_back(std::move(r));
  ++summary.rows_used;
}

// The fast path for the common valid row: one pass over the bytes, plain numbers only, no
// allocation. Anything unusual (a quoted known field, a number with grouping or more than 6
// decimals, any failed check) returns false; so do, later in take() and retire_one(), a new
// period text and a duplicate. Such a line goes to slow_row() with full diagnostics. So the
// two paths cannot disagree on a valid row: the slow one is the definition, this one only
// skips work.
bool Ingestor::State::parse_fast(std::string_view text, std::uint64_t at_line, MovementRow& r,
                                 std::string_view& period_raw) const {
  static constexpr std::int64_t k_pow10[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  const char delim = summary.delimiter;
  const char dec = style == DecimalStyle::point ? '.' : ',';
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto is_digit = [](char c) { return static_cast<unsigned char>(c - '0') < 10; };
  if (row_attributes) return false; // attribute cells are read by the general path
  r = MovementRow{};
  r.file = name;
  r.line = at_line;
  Money end_given{};
  for (std::size_t i = 0; i < field_count; ++i) {
    if (i > 0) {
      if (p == end || *p != delim) return false; // too few fields
      ++p;
    }
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
    case c_cac: {
      // Plain "123" or "123.45", parsed while scanning; anything else goes the slow way.
      // Unsigned: a long run of digits wraps (defined) and is refused just below.
      std::uint64_t units = 0, frac = 0;
      while (p != end && is_digit(*p)) units = units * 10 + static_cast<std::uint64_t>(*p++ - '0');
      const auto int_digits = p - f;
      std::ptrdiff_t frac_digits = 0;
      if (int_digits > 12) return false;
      if (p != end && *p == dec) {
        const char* const d = ++p;
        while (p != end && is_digit(*p)) frac = frac * 10 + static_cast<std::uint64_t>(*p++ - '0');
        frac_digits = p - d;
        if (frac_digits == 0 || frac_digits > 6 || int_digits == 0) return false;
      }
      if (p != end && *p != delim) return false;
      const std::int64_t v =
          static_cast<std::int64_t>(units) * Money::k_scale + static_cast<std::int64_t>(frac) * k_pow10[frac_digits];
      switch (role) {
      case c_start_mrr: r.start.micros = v; break;
      case c_expansion_mrr: r.expansion.micros = v; break;
      case c_contraction_mrr: r.contraction.micros = v; break;
      case c_churned_mrr: r.churned.micros = v; break;
      case c_new_mrr: r.new_mrr.micros = v; break;
      case c_reactivation_mrr: r.reactivation.micros = v; break;
      case c_end_mrr: end_given.micros = v; break;
      default:
        if (p != f) r.cac = Money{v}; // an empty cac is unknown, not 0
      }
      break;
    }
    case c_nps:
      if (p != end && is_digit(*p)) {
        r.nps = *p++ - '0';
        if (r.nps == 1 && p != end && *p == '0') {
          r.nps = 10;
          ++p;
        }
      }
      if (p != end && *p != delim) return false;
      break;
    default: {
      if (p != end && *p == '"') {
        if (role != c_count || i == by_pos) return false; // a quoted value we need: the slow path unescapes it
        for (++p;;) { // skip the quoted field, "" included
          p = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
          if (p == nullptr) return false;
          if (p + 1 != end && p[1] == '"') {
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        break;
      }
      for (; p != end && *p != delim; ++p)
        if (*p == '"' || *p == '\0') return false; // a stray quote or a NUL byte: the slow path words it
      const std::string_view v(f, static_cast<std::size_t>(p - f));
      switch (role) {
      case c_customer_id:
        if (is_blank(v)) return false;
        r.customer_id = v;
        break;
      case c_at_risk:
      case c_saved: {
        const auto b = parse_bool(v);
        if (!b) return false;
        (role == c_at_risk ? r.at_risk : r.saved) = *b;
        break;
      }
      case c_period: period_raw = v; break;
      case c_health_score: {
        const ParsedMoney h = parse_money(v, style);
        if (h.status == ParsedMoney::Status::invalid || h.status == ParsedMoney::Status::overflow || h.rounded ||
            (h.status == ParsedMoney::Status::ok && (h.value.micros < 0 || h.value.micros > 100 * Money::k_scale)))
          return false;
        break;
      }
      default: break;
      }
    }
    }
    if (i == by_pos) r.group = std::string_view(f, static_cast<std::size_t>(p - f)); // never quoted here
  }
  if (p != end) return false; // too many fields
  if (pos[c_saved] == k_absent) r.saved = r.at_risk && r.churned.micros == 0;
  return reconcile(r, pos[c_end_mrr] != k_absent ? std::optional<Money>(end_given) : std::nullopt, self.m_options.tolerance).ok();
}

void Ingestor::State::take(Entry& e) {
  line = e.line;
  if (e.fast && pos[c_period] != k_absent) {
    // The period text must be one a valid row already had (its length checked then).
    if (!last_period_label.empty() && e.period_raw == last_period_raw) e.row.period = last_period_label;
    else e.fast = false;
  }
  if (e.fast) {
    defer(e.row, e.text, e.line);
    return;
  }
  flush(); // earlier rows first: diagnostics and "first at" stay in line order
  slow_row(e.text);
}

void Ingestor::State::defer(const MovementRow& r, std::string_view text, std::uint64_t at_line) {
  if (ring_size == ring.size()) retire_one();
  Pending& p = ring[(ring_head + ring_size) % ring.size()];
  ++ring_size;
  p.text = text;
  p.line = at_line;
  p.row = r;
  p.probe = self.m_seen->prepare(p.row.period, p.row.customer_id);
}

void Ingestor::State::retire_one() {
  Pending& p = ring[ring_head];
  ring_head = (ring_head + 1) % ring.size();
  --ring_size;
  if (!self.m_seen->insert(p.probe, file_index, p.line)) {
    ++summary.rows_read;
    ++summary.rows_used;
    sink.add(p.row);
    return;
  }
  // A duplicate: the general path reports it, as for any other invalid row.
  const std::uint64_t current = line;
  line = p.line;
  slow_row(p.text);
  line = current;
}

void Ingestor::State::flush() {
  while (ring_size > 0) retire_one();
}

bool Ingestor::State::split_row(std::string_view text) {
  ++summary.rows_read;
  row_ok = true;
  const SplitResult split = split_record(text, summary.delimiter, fields, scratch);
  if (split.status != SplitResult::Status::ok) {
    row_ok = false;
    diag(line, split.field, Severity::error, [&]() -> std::string {
      switch (split.status) {
      case SplitResult::Status::unterminated_quote:
        return "quoted field is not closed on this line (fields spanning lines are not supported)";
      case SplitResult::Status::text_after_quote:
        return "unexpected text after a closing quote (a quote inside a field must be doubled: \"\")";
      default:
        return "a quote inside an unquoted field: quote the whole field and double the quote (\"5\"\" screens\"), "
               "or is this the rest of a field from the line before?";
      }
    }());
    ++summary.rows_rejected;
    return false;
  }
  if (fields.size() != field_count) {
    const std::size_t at = std::min(fields.size(), field_count);
    diag(line, at, Severity::error,
         fmt::format("expected {} fields as in the header, found {}", field_count, fields.size()));
    ++summary.rows_rejected;
    return false;
  }
  return true;
}

void Ingestor::State::slow_row(std::string_view text) {
  if (!split_row(text)) return;

  MovementRow r;
  r.file = name;
  r.line = line;
  r.customer_id = fields[pos[c_customer_id]];
  if (is_blank(r.customer_id)) row_error(c_customer_id, "customer_id is empty");
  else if (r.customer_id.find('\0') != std::string_view::npos)
    row_error(c_customer_id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(r.customer_id)));
  r.start = money(c_start_mrr);
  r.expansion = money(c_expansion_mrr);
  r.contraction = money(c_contraction_mrr);
  r.churned = money(c_churned_mrr);
  r.new_mrr = money(c_new_mrr);
  r.reactivation = money(c_reactivation_mrr);
  const Money end_given = money(c_end_mrr);
  if (pos[c_cac] != k_absent && !is_blank(cell(c_cac))) r.cac = money(c_cac); // empty = unknown, not 0

  if (pos[c_nps] != k_absent) {
    const std::string_view t = cell(c_nps);
    const ParsedMoney p = parse_money(t, DecimalStyle::point);
    if (p.status == ParsedMoney::Status::empty) r.nps = -1;
    else if (p.status == ParsedMoney::Status::ok && p.value.micros % Money::k_scale == 0 && p.value.micros >= 0 &&
             p.value.micros <= 10 * Money::k_scale && t.find_first_of(".,") == std::string_view::npos)
      r.nps = static_cast<int>(p.value.micros / Money::k_scale);
    else row_error(c_nps, fmt::format("nps {} is not a whole number from 0 to 10", show(t)));
  }
  for (const std::size_t col : {c_at_risk, c_saved}) {
    if (pos[col] == k_absent) continue;
    const auto b = parse_bool(cell(col));
    if (!b) row_error(col, fmt::format("{} {} is not a boolean (use 1/0, true/false, yes/no or y/n)", k_col_names[col], show(cell(col))));
    else if (col == c_at_risk) r.at_risk = *b;
    else r.saved = *b;
  }
  if (pos[c_saved] == k_absent) r.saved = r.at_risk && r.churned.micros == 0;
  CustomerRecord attrs;
  if (row_attributes) read_customer_fields(attrs);

  if (pos[c_period] != k_absent) {
    const std::string_view t = cell(c_period);
    if (auto p = parse_period(t)) {
      period_label = std::move(p->label);
      if (self.m_period_length && *self.m_period_length != p->length && !period_seen &&
          self.m_period_length_file != file_index) {
        // A whole file of another period length: one message, not one per row.
        fatal(line, fmt::format("periods of this file are {}s (period {}), but earlier files are {}s (first at {}); "
                                "report them in separate runs",
                                to_string(p->length), show(t), to_string(*self.m_period_length), self.m_period_length_first));
        return;
      }
      if (self.m_period_length && *self.m_period_length != p->length) {
        row_error(c_period, fmt::format("period {} is a {}, but earlier periods are {}s (first at {})", show(t),
                                        to_string(p->length), to_string(*self.m_period_length), self.m_period_length_first));
      } else if (!self.m_period_length && row_ok) {
        self.m_period_length = p->length;
        self.m_period_length_first = fmt::format("{}:{}", name, line);
        self.m_period_length_file = file_index;
      }
      period_seen = true;
    } else {
      row_error(c_period, fmt::format("period {} is not a period (use YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD)", show(t)));
    }
    r.period = period_label;
  }
  if (by_pos != k_absent) {
    r.group = fields[by_pos];
    if (r.group.find('\0') != std::string_view::npos)
      field_error(by_pos, fmt::format("{} {} holds a NUL byte: binary data, not text", self.m_options.by_column, show(r.group)));
  }

  if (row_ok) {
    const Reconciled x =
        reconcile(r, pos[c_end_mrr] != k_absent ? std::optional<Money>(end_given) : std::nullopt, self.m_options.tolerance);
    std::string inflow_terms = "start_mrr + expansion_mrr";
    if (pos[c_new_mrr] != k_absent) inflow_terms += " + new_mrr";
    if (pos[c_reactivation_mrr] != k_absent) inflow_terms += " + reactivation_mrr";
    if (x.overflow) row_error(c_start_mrr, "the row's movements overflow the money range");
    if (x.overspent)
      row_error(c_contraction_mrr, fmt::format("contraction_mrr + churned_mrr ({}) exceed {} ({})", show_money(x.outflow),
                                               inflow_terms, show_money(x.inflow)));
    if (x.partial_churn)
      row_error(c_churned_mrr, fmt::format("churned row still has {} MRR at period end; partial churn belongs in contraction_mrr",
                                           show_money(x.end)));
    if (x.end_mismatch)
      row_error(c_end_mrr, fmt::format("end_mrr {} does not reconcile: {} - contraction_mrr - churned_mrr = {} (off by {})",
                                       show_money(end_given), inflow_terms, show_money(x.end), show_money(x.off)));
  }

  if (row_ok) {
    if (const auto first = self.m_seen->insert(r.period, r.customer_id, file_index, line)) {
      const std::string where = first->file == DuplicateIndex::k_unknown_file || first->line == 0
                                    ? std::string("earlier in this run")
                                : first->file == file_index ? fmt::format("line {}", first->line)
                                                            : fmt::format("{}:{}", self.m_file_names[first->file], first->line);
      row_error(c_customer_id, r.period.empty()
                                   ? fmt::format("customer_id {} appears twice (first at {})", show(r.customer_id), where)
                                   : fmt::format("customer_id {} appears twice in period {} (first at {})",
                                                 show(r.customer_id), r.period, where));
    }
  }

  if (!row_ok) {
    ++summary.rows_rejected;
    return;
  }
  if (pos[c_period] != k_absent) {
    last_period_raw.assign(cell(c_period));
    last_period_label = period_label;
  }
  ++summary.rows_used;
  if (row_attributes) {
    attrs.id.assign(r.customer_id);
    attrs.period.assign(r.period);
    keep_row_attributes(std::move(attrs));
  }
  sink.add(r);
}

void Ingestor::State::finish() {
  if (first_rounded_line != 0)
    self.m_diagnostics.report(Diagnostic{
        name, first_rounded_line, first_rounded_col, Severity::warning,
        fmt::format("{} value{} had more than 6 decimals and {} rounded half-to-even (this is the first)",
                    summary.warnings, summary.warnings == 1 ? "" : "s", summary.warnings == 1 ? "was" : "were")});
}

Ingestor::Ingestor(IngestOptions options, DiagnosticSink& diagnostics)
    : m_options(std::move(options)), m_diagnostics(diagnostics), m_seen(std::make_unique<DuplicateIndex>()) {}

Ingestor::~Ingestor() = default;

std::unique_ptr<SnapshotTable> Ingestor::take_snapshots() { return std::move(m_snapshots); }
std::unique_ptr<Attributes> Ingestor::take_attributes() { return std::move(m_attributes); }

namespace {

/// Splits the bytes of an fccp ByteSource into lines with memchr: a UTF-8 BOM is dropped,
/// CRLF and a missing final newline are accepted, NUL bytes stay in the line. fccp's own
/// LineReader scans byte by byte and hands out C strings; on a 10 M-row, 665 MB file it
/// takes 0.69 s alone, against 0.09 s for `wc -l` (bench/README.md), so we split here.
class LineSource {
public:
  static constexpr std::size_t k_max_line = 16u << 20;
  static constexpr std::size_t k_block = 4u << 20;
  struct TooLong {};

  using Progress = std::function<void(std::uint64_t bytes_read)>;
  explicit LineSource(std::unique_ptr<io::ByteSourceBase> source, Progress progress = {})
      : m_source(std::move(source)), m_progress(std::move(progress)), m_buf(new char[k_block]), m_size(k_block) {}

  /// The next line without its terminator; false at the end. Throws TooLong past 16 MiB.
  bool next(std::string_view& line) {
    for (;;) {
      const char* start = m_buf.get() + m_begin;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', m_end - m_begin));
      if (nl != nullptr) {
        std::size_t len = static_cast<std::size_t>(nl - start);
        m_begin += len + 1;
        return emit(start, len, line);
      }
      if (m_eof) {
        if (m_begin == m_end) return false;
        const std::size_t len = m_end - m_begin;
        m_begin = m_end;
        return emit(start, len, line);
      }
      refill();
    }
  }
  std::uint64_t line_number() const { return m_line; }

private:
  bool emit(const char* start, std::size_t len, std::string_view& line) {
    ++m_line;
    if (len > k_max_line) throw TooLong{};
    if (m_line == 1 && len >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
      start += 3;
      len -= 3;
    }
    if (len > 0 && start[len - 1] == '\r') --len;
    line = std::string_view(start, len);
    return true;
  }
  void refill() {
    // Keep the unfinished line, move it to the front, and read more behind it.
    const std::size_t kept = m_end - m_begin;
    if (kept > k_max_line) {
      ++m_line;
      throw TooLong{};
    }
    std::memmove(m_buf.get(), m_buf.get() + m_begin, kept);
    m_begin = 0;
    m_end = kept;
    if (m_size - m_end < (1u << 20)) { // a long line: make room
      std::unique_ptr<char[]> bigger(new char[m_size * 2]);
      std::memcpy(bigger.get(), m_buf.get(), m_end);
      m_buf = std::move(bigger);
      m_size *= 2;
    }
    const int got = m_source->read(m_buf.get() + m_end, static_cast<int>(m_size - m_end));
    if (got <= 0) {
      m_eof = true;
    } else {
      m_end += static_cast<std::size_t>(got);
      m_bytes += static_cast<std::uint64_t>(got);
      if (m_progress) m_progress(m_bytes);
    }
  }

  std::unique_ptr<io::ByteSourceBase> m_source;
  Progress m_progress;
  std::uint64_t m_bytes = 0;
  std::unique_ptr<char[]> m_buf; ///< not zeroed: a small file should not pay for 4 MiB of memset
  std::size_t m_size;
  std::size_t m_begin = 0, m_end = 0;
  std::uint64_t m_line = 0;
  bool m_eof = false;
};

/// Carries lines from the reading thread to the thread that takes them, in batches. With
/// `threaded` false it takes each batch on the spot, through the same code.
class Pipeline {
public:
  struct Batch {
    std::string arena; ///< the lines' bytes; never reallocated while entries point into it
    std::vector<Ingestor::State::Entry> entries;
    std::size_t reserve_hint = 0;
  };
  static constexpr std::size_t k_rows = 8192;      ///< rows per batch, at most
  static constexpr std::size_t k_arena = 1u << 20; ///< bytes per batch, at most

  Pipeline(Ingestor::State& st, bool threaded) : m_st(st), m_threaded(threaded) {
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

  /// Copies a line into the current batch and returns its entry.
  Ingestor::State::Entry& add(std::string_view text, std::uint64_t line) {
    if (m_cur->entries.size() == m_cur->entries.capacity() || m_cur->arena.size() + text.size() > m_cur->arena.capacity())
      dispatch();
    if (m_cur->entries.empty() && text.size() > m_cur->arena.capacity()) m_cur->arena.reserve(text.size());
    const std::size_t at = m_cur->arena.size();
    m_cur->arena.append(text);
    Ingestor::State::Entry& e = m_cur->entries.emplace_back();
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
    if (b.reserve_hint > 0) m_st.reserve_rows(b.reserve_hint);
    for (Ingestor::State::Entry& e : b.entries) {
      m_st.take(e);
      if (m_st.summary.unreadable) { // a file-level error: the row that caused it is not counted
        --m_st.summary.rows_read;
        m_stop = true;
        break;
      }
    }
    m_st.flush(); // pending rows point into this batch
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

  Ingestor::State& m_st;
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

/// Runs `read` (a loop over `reader`); a line past 16 MiB or an I/O error becomes a fatal
/// diagnostic of the file. Returns false then.
template <class Read>
bool guarded(Ingestor::State& st, LineSource& reader, Read&& read) {
  try {
    read();
    return true;
  } catch (const LineSource::TooLong&) {
    st.fatal(reader.line_number(), "line is longer than 16 MiB; stopped reading this file");
  } catch (const std::system_error& e) {
    st.fatal(0, fmt::format("cannot read: {}", std::strerror(e.code().value())));
  }
  return false;
}

InputSummary read_lines(Ingestor::State& st, LineSource& reader) {
  std::string_view text;
  bool have_header = false;
  bool header_ok = true;
  if (!guarded(st, reader, [&] {
        while (!have_header && reader.next(text)) {
          st.line = reader.line_number();
          if (is_blank(text)) continue;
          have_header = true;
          header_ok = st.header(text);
        }
      }) ||
      !header_ok)
    return st.summary;
  if (!have_header) {
    st.fatal(0, "the file is empty: expected a header line with customer_id, start_mrr, expansion_mrr, contraction_mrr, churned_mrr");
    return st.summary;
  }

  if (st.attr != Ingestor::State::Attr::none) { // a customers or responses file: kept for the join
    const bool customers = st.attr == Ingestor::State::Attr::customers;
    if (guarded(st, reader, [&] {
          while (reader.next(text)) {
            st.line = reader.line_number();
            if (is_blank(text)) continue;
            if (customers) st.customer_row(text);
            else st.response_row(text);
          }
        }))
      st.finish();
    return st.summary;
  }

  if (st.snap != Ingestor::State::Snap::none) { // a snapshot file: read it whole, then derive movements
    if (!guarded(st, reader, [&] {
          while (reader.next(text)) {
            st.line = reader.line_number();
            if (!is_blank(text)) st.snapshot_row(text);
          }
        }))
      return st.summary;
    st.finish(); // the rounding warning, if any
    if (!st.summary.unreadable) st.snapshot_finish();
    return st.summary;
  }

  // Two threads pay off for big files: one reads and pre-parses, the other takes the rows.
  const int threads = st.options().threads;
  const bool threaded = threads == 2 || (threads == 0 && st.file_size >= (8u << 20));
  const bool fast = st.options().fast_path;
  Pipeline pipe(st, threaded);
  std::optional<std::pair<std::uint64_t, std::string>> failure; // a read error, told after the rows before it
  try {
    while (!pipe.stopped() && reader.next(text)) {
      if (is_blank(text)) continue;
      Ingestor::State::Entry& e = pipe.add(text, reader.line_number());
      e.fast = fast && st.parse_fast(e.text, e.line, e.row, e.period_raw);
      if (st.sampled_rows < 1024 && st.file_size > 0)
        if (const std::size_t rows = st.sample(text.size())) pipe.hint(rows);
    }
  } catch (const LineSource::TooLong&) {
    failure.emplace(reader.line_number(), "line is longer than 16 MiB; stopped reading this file");
  } catch (const std::system_error& e) {
    failure.emplace(0, fmt::format("cannot read: {}", std::strerror(e.code().value())));
  }
  pipe.finish();
  if (failure) st.fatal(failure->first, failure->second);
  else if (!st.summary.unreadable) st.finish();
  return st.summary;
}

} // namespace

FileRole peek_role(const std::string& path, const IngestOptions& options) {
  if (path == "-") return FileRole::unknown;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileRole::unknown;
  struct stat sb{};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) { // pipes and devices can be read only once
    ::close(fd);
    return FileRole::unknown;
  }
  std::string head(1u << 16, '\0');
  std::size_t have = 0;
  while (have < head.size()) {
    const ssize_t n = ::read(fd, head.data() + have, head.size() - have);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  ::close(fd);
  head.resize(have);
  std::string_view text = head;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!is_blank(line)) {
      if (nl == std::string_view::npos && have == head.size()) return FileRole::unknown; // a header longer than we read
      std::vector<std::string_view> fields;
      std::string scratch;
      const char delimiter = options.delimiter != 0 ? options.delimiter : detect_delimiter(line);
      if (split_record(line, delimiter, fields, scratch).status != SplitResult::Status::ok) return FileRole::unknown;
      std::vector<std::string> names;
      for (std::string_view f : fields) names.push_back(normalise_column_name(f));
      return classify_header(names, fields, options);
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return FileRole::unknown;
}

InputSummary Ingestor::read_stream(std::istream& in, const std::string& display_name, RowSink& sink) {
  m_file_names.push_back(display_name);
  State st(*this, display_name, static_cast<std::uint32_t>(m_file_names.size() - 1), sink);
  LineSource reader(std::make_unique<StreamSource>(in));
  return read_lines(st, reader);
}

InputSummary Ingestor::read_path(const std::string& path, RowSink& sink) {
  const std::string display = path == "-" ? std::string("<stdin>") : path;
  m_file_names.push_back(display);
  State st(*this, display, static_cast<std::uint32_t>(m_file_names.size() - 1), sink);
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      st.fatal(0, fmt::format("cannot open: {}", std::strerror(errno)));
      return st.summary;
    }
    struct stat sb{};
    if (::fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      ::close(fd);
      st.fatal(0, "is a directory, not a CSV file");
      return st.summary;
    }
    if (S_ISREG(sb.st_mode)) st.file_size = static_cast<std::uint64_t>(sb.st_size);
  }
  try {
    LineSource::Progress progress;
    if (m_options.progress)
      progress = [this, &display, total = st.file_size](std::uint64_t done) { m_options.progress(display, done, total); };
    LineSource reader(std::make_unique<FdSource>(fd, path != "-"), std::move(progress));
    return read_lines(st, reader);
  } catch (const std::system_error& e) {
    st.fatal(0, fmt::format("cannot read: {}", std::strerror(e.code().value())));
    return st.summary;
  }
}

} // namespace cskpi
