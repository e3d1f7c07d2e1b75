// SPDX-License-Identifier: MIT
// The Ingestor: opens each input, hands it to read_file() with the run's shared state, and
// reads the run's --fx table.
#include "ingest/engine/line_source.hpp"
#include "ingest/reader.hpp"

#include "core/csv.hpp"
#include "core/period.hpp"

#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace cskpi {

namespace {

/// Reads an --fx file: `currency,rate` (one rate for every month) or `month,currency,rate`
/// (a rate per month; a flat row may stand beside them). Rates are exact decimals: 1 unit
/// of the currency is `rate` units of `target`, written with a decimal comma as the inputs are
/// (`;` files by default, or as `decimal_comma` says).
ingest::FxTable read_fx_file(const std::string& path, const std::string& target, std::optional<bool> decimal_comma) {
  using namespace ingest;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open the --fx file: {}", path, std::strerror(errno)));
  FxTable fx(target);
  std::string text;
  std::uint64_t line = 0;
  std::size_t month_col = k_absent, currency_col = k_absent, rate_col = k_absent, count = 0;
  std::vector<std::string_view> fields;
  std::string scratch;
  DecimalStyle style = DecimalStyle::point;
  const auto fail = [&](std::size_t col, const std::string& message) {
    return input_error(fmt::format("{}:{}:{}: {}", path, line, col + 1, message));
  };
  bool header = true;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    if (is_blank(text)) continue;
    const char delimiter = detect_delimiter(text);
    if (split_record(text, delimiter, fields, scratch).status != SplitResult::Status::ok)
      throw fail(0, "unterminated or misplaced quote");
    if (header) {
      header = false;
      style = decimal_comma.value_or(delimiter == ';') ? DecimalStyle::comma : DecimalStyle::point;
      std::vector<std::string> names;
      for (const std::string_view f : fields) names.push_back(normalise_column_name(f));
      const FxColumns at = fx_columns(names);
      month_col = at.month, currency_col = at.currency, rate_col = at.rate;
      if (!at.usable())
        throw input_error(fmt::format("{}:1: an --fx file has the columns currency,rate or month,currency,rate", path));
      if (!at.twice.empty())
        throw input_error(fmt::format("{}:{}: the --fx file's header has two {}: keep one", path, line, at.twice));
      count = fields.size();
      continue;
    }
    if (fields.size() != count)
      throw fail(std::min(fields.size(), count), fmt::format("expected {} fields, found {}", count, fields.size()));
    const std::string code = currency_code(fields[currency_col]);
    if (code.empty())
      throw fail(currency_col, fmt::format("currency {} is not a three-letter ISO code", show(fields[currency_col])));
    const std::optional<Decimal> rate = parse_decimal(trim_spaces(fields[rate_col]), style);
    if (!rate)
      throw fail(rate_col,
                 fmt::format("rate {} is not a positive decimal number such as {}", show(fields[rate_col]),
                             style == DecimalStyle::comma ? "0,92" : "0.92"));
    std::optional<MonthIndex> month;
    if (month_col != k_absent && !is_blank(fields[month_col])) {
      month = parse_month(fields[month_col]);
      if (!month) throw fail(month_col, fmt::format("month {} is not a month (use YYYY-MM)", show(fields[month_col])));
    }
    if (code == target && (rate->num != 1 || rate->scale != 0) && to_string(*rate) != "1")
      throw fail(rate_col, fmt::format("the rate of {} into itself is 1, not {}", code, to_string(*rate)));
    if (!fx.add(code, month, *rate))
      throw fail(currency_col,
                 fmt::format("a second rate for {}{}", code, month ? fmt::format(" in {}", month_label(*month)) : ""));
  }
  if (header) throw input_error(fmt::format("{}: the --fx file is empty", path));
  return fx;
}

} // namespace

namespace ingest {

FxColumns fx_columns(std::span<const std::string> names) {
  FxColumns at;
  const auto take = [&](std::size_t& role, std::size_t i, std::string_view what) {
    if (role != k_absent && at.twice.empty())
      at.twice = fmt::format("{} columns (fields {} and {})", what, role + 1, i + 1);
    role = i;
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    if (n == "month" || n == "date" || n == "period") take(at.month, i, "month");
    else if (n == "currency" || n == "currency_code" || n == "from") take(at.currency, i, "currency");
    else if (n == "rate" || n == "fx_rate" || n == "exchange_rate") take(at.rate, i, "rate");
  }
  return at;
}

} // namespace ingest

void check_ingest_options(const IngestOptions& o) {
  if (!ingest::parse_encoding(o.encoding))
    throw usage_error(fmt::format("--encoding \"{}\" is not utf-8, cp1252 or latin1", o.encoding));
  if (!o.date_format.empty() && !ingest::parse_date_order(o.date_format))
    throw usage_error(fmt::format("--date-format \"{}\" is not auto, DD/MM/YYYY or MM/DD/YYYY", o.date_format));
  if (!o.fx_file.empty() && o.currency.empty())
    throw usage_error("--fx needs --currency CODE: the currency to convert into");
  if (!o.currency.empty() && ingest::currency_code(o.currency) != o.currency)
    throw usage_error(
        fmt::format("--currency \"{}\" is not a three-letter ISO code in capitals, such as EUR", o.currency));
}

unsigned thread_count(int threads) noexcept {
  return threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
}

namespace {

/// After a file: a movements file's period sums join the run's, with where to read it again.
void keep_continuity(ingest::FileReader& rd, ingest::ContinuitySink& checked, const std::string& path) {
  ingest::ContinuityRun& c = rd.run.continuity;
  if (!c.file_on || rd.summary.unreadable) return;
  c.file_on = false;
  ingest::add_sums(c.sums, checked.sums());
  if (c.paths.size() <= rd.file_index) c.paths.resize(rd.file_index + 1);
  c.paths[rd.file_index] = path;
  if (path.empty() && !c.from_stream) {
    c.from_stream = true;
    c.stream_name = rd.name;
  }
}

} // namespace

Ingestor::Ingestor(IngestOptions options, DiagnosticSink& diagnostics) {
  check_ingest_options(options);
  m_run = std::make_unique<ingest::Run>(std::move(options), diagnostics);
  ingest::Run& run = *m_run;
  if (!run.options.date_format.empty()) run.date_order = *ingest::parse_date_order(run.options.date_format);
  if (!run.options.fx_file.empty())
    run.fx = read_fx_file(run.options.fx_file, run.options.currency, run.options.decimal_comma);
}

Ingestor::~Ingestor() = default;

std::optional<PeriodLength> Ingestor::detected_period_length() const { return m_run->period_length; }
const ColumnSet& Ingestor::columns() const { return m_run->columns; }
const SnapshotTable* Ingestor::snapshots() const { return m_run->snapshots.get(); }
std::unique_ptr<SnapshotTable> Ingestor::take_snapshots() { return std::move(m_run->snapshots); }
const Attributes* Ingestor::attributes() const { return m_run->attributes.get(); }
std::unique_ptr<Attributes> Ingestor::take_attributes() { return std::move(m_run->attributes); }
std::vector<InvoiceLine> Ingestor::take_invoices() { return std::move(m_run->invoices); }
std::unique_ptr<CostsTable> Ingestor::take_costs() { return std::move(m_run->costs); }
std::unique_ptr<LogoCohortTable> Ingestor::take_logo_cohorts() { return std::move(m_run->logo_cohorts); }

InputSummary Ingestor::read_stream(std::istream& in, const std::string& display_name, RowSink& sink) {
  using namespace ingest;
  Run& run = *m_run;
  if (run.last_file) throw std::logic_error("Ingestor: a file read after the one said to be the last");
  run.file_names.push_back(display_name);
  run.continuity.file_on = false;
  ContinuitySink checked(sink, run.continuity.file_on);
  FileReader rd(run, run.file_names.back(), static_cast<std::uint32_t>(run.file_names.size() - 1), checked);
  LineSource lines(in, *parse_encoding(run.options.encoding));
  read_file(rd, lines);
  keep_continuity(rd, checked, "");
  return rd.summary;
}

InputSummary Ingestor::read_path(const std::string& path, RowSink& sink, bool last) {
  using namespace ingest;
  Run& run = *m_run;
  if (run.last_file) throw std::logic_error("Ingestor: a file read after the one said to be the last");
  run.last_file = last;
  run.file_names.push_back(path == "-" ? std::string("<stdin>") : path);
  const std::string& display = run.file_names.back();
  run.continuity.file_on = false;
  // Only a regular file can be read again to name a break (a pipe or stdin cannot).
  const bool regular = path != "-" && platform::file_info(path).value_or(platform::FileInfo{}).regular();
  ContinuitySink checked(sink, run.continuity.file_on, regular);
  FileReader rd(run, display, static_cast<std::uint32_t>(run.file_names.size() - 1), checked);
  int fd = 0;
  if (path != "-") {
    fd = platform::open_read(path);
    if (fd < 0) {
      rd.fatal(0, fmt::format("cannot open: {}", std::strerror(errno)));
      return rd.summary;
    }
    if (platform::file_info(fd).value_or(platform::FileInfo{}).kind == platform::FileKind::directory) {
      platform::close_file(fd);
      rd.fatal(0, "is a directory, not a CSV file");
      return rd.summary;
    }
  }
  LineSource::Progress progress;
  if (run.options.progress)
    progress = [&run, &display, &rd](std::uint64_t done) { run.options.progress(display, done, rd.file_size); };
  LineSource lines(fd, path != "-", *parse_encoding(run.options.encoding), std::move(progress));
  // The size every path reads up to, taken where changed() takes it; standard input (a file
  // given with <, say) is read line by line, as it may not start at the file's start.
  if (path != "-") rd.file_size = lines.size_at_open();
  read_file(rd, lines);
  // Every form and path, at any thread count, ends here after its last read: a file that
  // changed meanwhile gave rows from two versions of itself, or only part of one.
  if (!rd.summary.unreadable)
    if (const std::optional<std::string> how = lines.changed())
      rd.fatal(0, fmt::format("changed while it was read ({}): read a copy that nothing writes to", *how));
  keep_continuity(rd, checked, regular ? path : "");
  return rd.summary;
}

namespace {
/// The rows of the periods `keys` (ContinuitySink::pack) in the run's files, read again: one
/// list per key.
std::vector<std::vector<ingest::ContinuityRow>> rows_of_periods(const ingest::Run& run,
                                                                const std::vector<std::uint64_t>& keys) {
  using namespace ingest;
  const ContinuityRun& c = run.continuity;
  struct Keep : RowSink {
    const std::vector<std::uint64_t>& keys;
    std::vector<std::vector<ContinuityRow>> rows;
    std::uint32_t file = 0;
    explicit Keep(const std::vector<std::uint64_t>& k) : keys(k), rows(k.size()) {}
    void add(const MovementRow& r) override {
      if (r.period.size() > 8) return;
      const auto at = std::find(keys.begin(), keys.end(), ContinuitySink::pack(r.period));
      if (at == keys.end()) return;
      std::string buffer; // a name only when the run reads names (movers)
      rows[static_cast<std::size_t>(at - keys.begin())].push_back(
          ContinuityRow{std::string(r.customer_id), std::string(r.group), Money{r.start.micros - r.fx.micros},
                        end_mrr(r), file, r.line, std::string(row_name(r, buffer))});
    }
  } keep(keys);
  struct Quiet : DiagnosticSink {
    void report(const Diagnostic&) override {}
  } quiet;
  IngestOptions again_options = run.options;
  again_options.progress = nullptr;
  again_options.continuity = false;
  Ingestor again(again_options, quiet);
  std::vector<std::uint32_t> files;
  for (std::uint32_t i = 0; i < c.paths.size(); ++i)
    if (!c.paths[i].empty()) files.push_back(i);
  for (std::size_t n = 0; n < files.size(); ++n) {
    keep.file = files[n];
    again.read_path(c.paths[files[n]], keep, n + 1 == files.size());
  }
  return std::move(keep.rows);
}
} // namespace

namespace {
/// A period with continuity sums, and its months.
struct Span {
  std::string label;
  MonthSpan months;
  PeriodLength length;
  const ingest::ContinuitySums* sums;
};
using SpanPair = std::pair<const Span*, const Span*>; // (before, after)

/// Without a second reading (standard input), the sums tell that a customer breaks or moves,
/// not which: one warning per pair of periods.
void report_unread(ingest::Run& run, const std::vector<SpanPair>& broken, Severity severity) {
  const ingest::ContinuityRun& c = run.continuity;
  for (const auto& [before, after] : broken) {
    const ingest::ContinuitySums &b = *before->sums, &a = *after->sums;
    if (b.ends != a.starts || b.ending != a.starting)
      run.diagnostics.report(Diagnostic{
          c.stream_name, 0, 0, severity,
          fmt::format(
              "start_mrr in {} does not continue the MRR at the end of {} for every customer ({} customers start {} "
              "with MRR, {} ended {} with it); name the file instead of standard input to see which customers",
              after->label, before->label, a.starting, after->label, b.ending, before->label)});
    else
      run.diagnostics.report(Diagnostic{
          c.stream_name, 0, 0, Severity::warning,
          fmt::format("customers change their {} between {} and {}, but the transfers between groups cannot be "
                      "found in standard input, so the groups' bridges of {} do not add up; name the file instead",
                      run.options.by_column, before->label, after->label, after->label)});
  }
}
} // namespace

namespace {
/// Whether some customer's group may differ between two periods' rows read again: a sum of
/// hashes of (customer, group) over the customers ending `before` with MRR, and over those
/// starting `after` with it. One pass without a map, so pairs read again only because a
/// period was partial (a big sorted file) cost no search for transfers.
bool groups_differ(const std::vector<ingest::ContinuityRow>& before, const std::vector<ingest::ContinuityRow>& after) {
  const auto hash = [](const ingest::ContinuityRow& r) {
    const std::uint64_t g = r.group.empty() ? 1 : ingest::continuity_id_hash(r.group) | 1;
    return ingest::continuity_mix(ingest::continuity_id_hash(r.id), 0) * g;
  };
  std::uint64_t ends = 0, starts = 0;
  for (const ingest::ContinuityRow& r : before)
    if (r.end.micros > 0) ends += hash(r);
  for (const ingest::ContinuityRow& r : after)
    if (r.start.micros > 0) starts += hash(r);
  return ends != starts;
}
} // namespace

void Ingestor::finish(RowSink* transfers) {
  using namespace ingest;
  Run& run = *m_run;
  ContinuityRun& c = run.continuity;
  if (c.sums.size() < 2) return;
  std::vector<Span> periods;
  for (const auto& [key, sums] : c.sums) {
    std::string label = ContinuitySink::unpack(key);
    if (const std::optional<Period> p = parse_period(label))
      periods.push_back({std::move(label), month_span(*p), p->length, &sums});
  }
  std::sort(periods.begin(), periods.end(),
            [](const Span& a, const Span& b) { return a.months.first < b.months.first; });
  // Customers may change group only where there are groups and someone to tell.
  const bool groups = transfers != nullptr && !run.options.by_column.empty();
  std::vector<SpanPair> broken;
  for (const Span& after : periods)
    for (const Span& before : periods)
      if (before.length == after.length && before.months.last + 1 == after.months.first &&
          (before.sums->partial || after.sums->partial || before.sums->ends != after.sums->starts ||
           before.sums->ending != after.sums->starting ||
           (groups && before.sums->group_ends != after.sums->group_starts)))
        broken.emplace_back(&before, &after);
  if (broken.empty()) return;
  const Severity severity = run.options.strict ? Severity::error : Severity::warning;
  if (c.from_stream) {
    report_unread(run, broken, severity);
    return;
  }
  // Read the files again, keeping only the rows of the periods that break.
  std::vector<std::uint64_t> keys;
  for (const auto& [before, after] : broken)
    for (const Span* p : {before, after})
      if (std::find(keys.begin(), keys.end(), ContinuitySink::pack(p->label)) == keys.end())
        keys.push_back(ContinuitySink::pack(p->label));
  const std::vector<std::vector<ContinuityRow>> kept = rows_of_periods(run, keys);
  const std::vector<std::string> names(run.file_names.begin(), run.file_names.end());
  std::vector<ContinuityBreak> breaks;
  const auto rows_of = [&](const Span* p) -> const std::vector<ContinuityRow>& {
    return kept[static_cast<std::size_t>(std::find(keys.begin(), keys.end(), ContinuitySink::pack(p->label)) -
                                         keys.begin())];
  };
  for (const auto& [before, after] : broken) {
    std::vector<ContinuityBreak> found = continuity_breaks(before->label, rows_of(before), after->label, rows_of(after),
                                                           run.options.tolerance, names, c.columns);
    breaks.insert(breaks.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  std::stable_sort(breaks.begin(), breaks.end(), [](const ContinuityBreak& a, const ContinuityBreak& b) {
    return a.file_index != b.file_index ? a.file_index < b.file_index : a.line < b.line;
  });
  for (ContinuityBreak& b : breaks)
    run.diagnostics.report(Diagnostic{std::move(b.file), b.line, b.column, severity, std::move(b.message)});
  if (groups)
    for (const auto& [before, after] : broken)
      if (groups_differ(rows_of(before), rows_of(after))) // most pairs read again only for a partial period
        for (const ContinuityTransfer& t : continuity_transfers(rows_of(before), rows_of(after)))
          transfers->transfer(TransferRow{t.id, after->label, t.from, t.to, t.amount, t.name});
}

} // namespace cskpi
