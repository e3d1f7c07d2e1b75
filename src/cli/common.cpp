// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/definitions.hpp"
#include "core/error.hpp"

#include "platform/files.hpp"
#include "platform/output.hpp"
#include "platform/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cskpi::cli {

namespace {
bool g_stderr_color = false; ///< set_stderr_color
} // namespace

void read_stdin_by_default(CLI::App& cmd, CLI::Option* files, std::vector<std::string>& names) {
  files->required(false);
  cmd.parse_complete_callback([&names, name = cmd.get_name()] {
    if (!names.empty()) return;
    if (platform::is_terminal(platform::Stream::in))
      throw CLI::ValidationError(fmt::format("no input: name a CSV file (cskpi {} data.csv), or pipe one in (... | cskpi {})", name, name));
    names.emplace_back("-");
  });
}

void add_input_options(CLI::App& cmd, RunOptions& o) {
  read_stdin_by_default(cmd, cmd.add_option("files", o.files, "CSV files to read; - (or none, on a pipe) reads standard input")->type_name("FILE"),
                        o.files);
  cmd.add_option("--delimiter", o.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.decimal_comma_option =
      cmd.add_flag("--decimal-comma", o.decimal_comma,
                   "Numbers use a decimal comma: 1234,56 and 1.234,56 (default: on for ; files); --decimal-comma=false turns it off");
  cmd.add_option("--max-errors", o.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd.add_option("--tolerance", o.tolerance, "Allowed rounding slack when reconciling end_mrr, e.g. 0.01 (default: exact)")
      ->type_name("AMOUNT");
  cmd.add_flag("--strict", o.strict,
               "Movements files: a customer whose start_mrr in a period is not its MRR at the end of the period before "
               "(or who has MRR in one period and no row in the next) is an error, not a warning. Each break is named: "
               "customer, periods and amounts");
  cmd.add_option("--by", o.by, "Also report per value of this column, e.g. segment")->type_name("COLUMN");
  cmd.add_option("--period-length", o.period_length, "month, quarter or year (default: from the period values)")
      ->type_name("LENGTH");
  cmd.add_option("--threads", o.threads,
                 "Threads for a movements or long snapshots file; one of 8 MiB or more is read in chunks on each "
                 "(default: every core). The output is the same for any number")
      ->check(CLI::Range(1, 1024))
      ->type_name("N");
  cmd.add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name("FILE");
  add_snapshot_options(cmd, o);
  add_export_options(cmd, o);
}

void add_export_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--encoding", o.encoding,
                 "Text encoding of the files: utf-8 (default; anything else is an error), cp1252 (Windows-1252, "
                 "Excel's default on Western Windows) or latin1")
      ->type_name("ENC");
  cmd.add_option("--date-format", o.date_format,
                 "Order of slash dates such as 03/04/2026: DD/MM/YYYY or MM/DD/YYYY (default: auto, decided by a value "
                 "above 12; an undecided or contradicting value is an error)")
      ->type_name("FORMAT");
  cmd.add_option("--map", o.map,
                 "Read an export's column as one of ours, e.g. --map 'start_mrr=MRR Start,customer_id=Kunden-ID'")
      ->delimiter(',')
      ->type_name("OURS=THEIRS");
  cmd.add_option("--fx", o.fx,
                 "Exchange rates for a currency column: a CSV of currency,rate or month,currency,rate (1 unit of the "
                 "currency = rate units of --currency); amounts are converted exactly")
      ->type_name("FILE");
  cmd.add_option("--currency", o.currency, "The currency to report in (with --fx), or the one the amounts must be in")
      ->type_name("CODE");
  cmd.add_option("--definitions", o.definitions,
                 "Vendor choices on churn timing, reactivation, discounts and delinquency: cskpi (default), smsb, "
                 "chartmogul or profitwell (cskpi explain definitions)")
      ->check(CLI::IsMember({"cskpi", "smsb", "chartmogul", "profitwell"}))
      ->type_name("PRESET");
}

void add_reactivation_option(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--min-group", o.min_group,
                 "Rate a group against the benchmark bands only from this many starting customers (default 30); "
                 "smaller groups get no tier and a note")
      ->type_name("N");
  cmd.add_option("--reactivation", o.reactivation,
                 "Snapshot files, exact annual cohorts: include (like ChartMogul's cohort view) or exclude (like its NRR "
                 "chart) customers who churned and came back (default: as --definitions says; include for cskpi)")
      ->check(CLI::IsMember({"include", "exclude"}))
      ->type_name("HOW");
}

void add_leading_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--health-scheme", o.health_scheme,
                 "Health cut-offs: default (green 80+, yellow 50+), power-users (71+, 41+, power users over 100) or "
                 "GREEN/YELLOW such as 75/40")
      ->type_name("SCHEME");
  cmd.add_option("--csat-scale", o.csat_scale, "CSAT answers are 1-5 or 1-10: 5, 10 or auto (default: 10 when any answer is above 5)")
      ->check(CLI::IsMember({"auto", "5", "10"}))
      ->type_name("SCALE");
  cmd.add_option("--as-of", o.as_of, "Date for the age of customers still without value (default: end of the latest period), and the last day of a Stripe export's history (default: its latest date)")
      ->type_name("YYYY-MM-DD");
  cmd.add_option("--motion", o.motion,
                 "Time-to-value range for all customers and for segments not named after one: product-led, smb, "
                 "mid-market or enterprise")
      ->type_name("MOTION");
}

HealthScheme health_scheme(const RunOptions& o) {
  const std::optional<HealthScheme> s = parse_health_scheme(o.health_scheme);
  if (!s)
    throw usage_error(fmt::format("--health-scheme \"{}\" is not default, power-users or GREEN/YELLOW cut-offs with "
                                  "0 < YELLOW < GREEN <= 100 (e.g. 75/40)", o.health_scheme));
  return *s;
}

void add_snapshot_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--amounts", o.amounts,
                 "Snapshot files: amounts are cents or units (default: cents for ChartMogul logs, units otherwise)")
      ->check(CLI::IsMember({"cents", "units"}))
      ->type_name("UNIT");
}

void StderrDiagnostics::report(const Diagnostic& d) {
  Diagnostic shown = d;
  ++m_total;
  if (d.severity == Severity::error) {
    if (d.fatal) ++m_fatal;
    else ++m_row_errors;
    if (m_downgrade && !d.fatal) shown.severity = Severity::warning;
    else ++m_errors;
  }
  if (collect) collected.push_back(shown);
  if (!print) return;
  if (m_limit != 0 && m_shown >= m_limit && !d.fatal) return;
  if (m_limit != 0 && !d.fatal) {
    // The problem's shape: its message without the quoted values.
    std::string key = fmt::format("{}\n{}\n{}\n", shown.file, shown.column, static_cast<int>(shown.severity));
    bool quoted = false;
    for (std::size_t i = 0; i < d.message.size(); ++i) {
      const char c = d.message[i];
      if (quoted && c == '\\') ++i;
      else if (c == '"') quoted = !quoted;
      else if (!quoted) key.push_back(c);
    }
    auto [it, fresh] = m_repeats.try_emplace(key);
    if (fresh) m_repeat_order.push_back(key);
    if (++it->second.seen > k_same) {
      if (it->second.seen == k_same + 1) it->second.first_hidden = shown;
      return;
    }
  }
  ++m_shown;
  print_line(shown);
}

void StderrDiagnostics::print_line(const Diagnostic& d) {
  std::string line = format_diagnostic(d, g_stderr_color) + "\n";
  if (progress_drawn != nullptr && progress_drawn->exchange(false)) line.insert(0, "\r\x1b[K");
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void StderrDiagnostics::summarise() {
  for (const std::string& key : m_repeat_order) {
    Repeat& r = m_repeats[key];
    if (r.seen <= k_same) continue;
    const std::uint64_t more = r.seen - k_same;
    Diagnostic d = r.first_hidden;
    d.message = fmt::format("and {} more line{} with the same problem in column {} (from this line on)", group_thousands(more),
                            more == 1 ? "" : "s", d.column);
    m_shown += more; // told, if not one by one
    print_line(d);
  }
  m_repeats.clear();
  m_repeat_order.clear();
}

IngestOptions ingest_options(const RunOptions& o) {
  IngestOptions in;
  if (!o.delimiter.empty()) {
    if (o.delimiter == "," || o.delimiter == "comma") in.delimiter = ',';
    else if (o.delimiter == ";" || o.delimiter == "semicolon") in.delimiter = ';';
    else if (o.delimiter == "\t" || o.delimiter == "tab" || o.delimiter == "\\t") in.delimiter = '\t';
    else throw usage_error(fmt::format("--delimiter \"{}\" is not one of , ; tab", o.delimiter));
  }
  if (o.decimal_comma_option != nullptr && o.decimal_comma_option->count() > 0) in.decimal_comma = o.decimal_comma;
  if (!o.tolerance.empty()) in.tolerance = parse_amount_flag("--tolerance", o.tolerance);
  in.strict = o.strict;
  if (!o.by.empty()) in.by_column = normalise_column_name(o.by);
  if (!o.period_length.empty()) {
    in.period_length = parse_period_length(o.period_length);
    if (!in.period_length)
      throw usage_error(fmt::format("--period-length \"{}\" is not month, quarter or year", o.period_length));
  }
  if (!o.amounts.empty()) in.amounts_in_cents = o.amounts == "cents";
  in.health_over_100 = health_scheme(o).power_users;
  if (o.csat_scale == "5" || o.csat_scale == "10") in.csat_scale = std::stoi(o.csat_scale);
  in.encoding = o.encoding;
  in.threads = o.threads;
  in.date_format = o.date_format == "auto" ? std::string() : o.date_format;
  for (const std::string& pair : o.map) {
    const std::size_t eq = pair.find('=');
    const std::string ours = normalise_column_name(pair.substr(0, eq == std::string::npos ? 0 : eq));
    const std::string theirs = eq == std::string::npos ? std::string() : normalise_column_name(pair.substr(eq + 1));
    if (ours.empty() || theirs.empty())
      throw usage_error(fmt::format("--map \"{}\" is not OURS=THEIRS, e.g. start_mrr=MRR Start", pair));
    in.column_map.emplace_back(ours, theirs);
  }
  in.fx_file = o.fx;
  in.currency = o.currency;
  for (char& c : in.currency) // usd is USD
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const DefinitionPreset* preset = find_definition_preset(o.definitions);
  if (preset == nullptr) throw usage_error(fmt::format("--definitions \"{}\" is not cskpi, smsb, chartmogul or profitwell", o.definitions));
  in.once_discounts_in_mrr = preset->once_discounts_in_mrr;
  in.unpaid_keeps_mrr = preset->unpaid_keeps_mrr;
  if (!o.as_of.empty()) {
    in.as_of_day = parse_date(o.as_of);
    if (!in.as_of_day) throw usage_error(fmt::format("--as-of \"{}\" is not a date YYYY-MM-DD", o.as_of));
  }
  check_ingest_options(in);
  return in;
}

namespace {

/// Draws "cskpi: reading FILE  312 / 665 MB (47 %), 420 MB/s" on stderr once a read has
/// taken a second, and only when stderr is a terminal (never in pipes or CI logs).
class ProgressLine {
public:
  ProgressLine()
      : m_enabled(platform::is_terminal(platform::Stream::err) && std::getenv("CI") == nullptr), m_start(clock::now()) {
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::strcmp(term, "dumb") == 0) m_enabled = false;
  }
  ~ProgressLine() {
    if (m_drawn) std::fputs("\r\x1b[K", stderr);
  }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  bool enabled() const { return m_enabled; }
  std::atomic<bool>* drawn() { return &m_drawn; }
  void update(const std::string& file, std::uint64_t done, std::uint64_t total) {
    const auto now = clock::now();
    if (now - m_start < std::chrono::seconds(1) || now - m_last < std::chrono::milliseconds(100)) return;
    m_last = now;
    m_drawn = true;
    const double seconds = std::chrono::duration<double>(now - m_start).count();
    const double mb = static_cast<double>(done) / 1e6;
    const std::string size = total > 0 ? fmt::format("{:.0f} / {:.0f} MB ({:.0f} %)", mb, static_cast<double>(total) / 1e6,
                                                     100.0 * static_cast<double>(done) / static_cast<double>(total))
                                       : fmt::format("{:.0f} MB", mb);
    fmt::print(stderr, "\r\x1b[Kcskpi: reading {}  {}, {:.0f} MB/s", file, size, mb / seconds);
    std::fflush(stderr);
  }

private:
  using clock = std::chrono::steady_clock;
  bool m_enabled;
  std::atomic<bool> m_drawn{false};
  clock::time_point m_start, m_last;
};

} // namespace

std::vector<std::size_t> reading_order(const std::vector<std::string>& files, const IngestOptions& opts) {
  // Files with customer attributes (and coupons) are read first, so the join (and the
  // subscriptions) know them before the billing rows arrive; standard input, whose header
  // cannot be peeked, comes next.
  std::vector<std::size_t> order, later;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileRole role = files[i] == "-" ? FileRole::unknown : peek_role(files[i], opts);
    const bool first = role == FileRole::customers || role == FileRole::responses || role == FileRole::billing_with_attributes ||
                       role == FileRole::reference;
    (first ? order : later).push_back(i);
  }
  std::stable_partition(later.begin(), later.end(), [&](std::size_t i) { return files[i] == "-"; });
  order.insert(order.end(), later.begin(), later.end());
  return order;
}

Loaded load_inputs(const std::vector<std::string>& files, IngestOptions opts, StderrDiagnostics& diags) {
  Loaded l;
  ProgressLine progress;
  if (progress.enabled())
    opts.progress = [&progress](const std::string& file, std::uint64_t done, std::uint64_t total) {
      progress.update(file, done, total);
    };
  diags.progress_drawn = progress.drawn();
  if (std::count(files.begin(), files.end(), std::string("-")) > 1)
    throw usage_error("standard input (-) can be read only once");
  Ingestor ingestor(opts, diags);
  l.aggregator = std::make_unique<Aggregator>(!opts.by_column.empty());
  l.joiner = std::make_unique<Joiner>(*l.aggregator, [&ingestor] { return ingestor.attributes(); });
  std::vector<InputSummary> read(files.size());
  const std::vector<std::size_t> order = reading_order(files, opts);
  for (std::size_t n = 0; n < order.size(); ++n)
    read[order[n]] = ingestor.read_path(files[order[n]], *l.joiner, n + 1 == order.size());
  ingestor.finish();
  l.inputs = std::move(read); // in the order given
  diags.summarise();
  l.columns = ingestor.columns();
  l.detected_length = ingestor.detected_period_length();
  l.snapshots = ingestor.take_snapshots();
  l.attributes = ingestor.take_attributes();
  return l;
}

Money parse_amount_flag(const std::string& flag, const std::string& text) {
  const ParsedMoney p = parse_money(text, DecimalStyle::point);
  if (p.status != ParsedMoney::Status::ok || p.value.micros < 0)
    throw usage_error(fmt::format("{} \"{}\" is not a non-negative number (use a decimal point: 0.8)", flag, text));
  return p.value;
}

namespace {

bool known_metric(std::string_view id) { return find_band_metric(id) != nullptr; }

} // namespace

BandTable load_bands(const std::string& path) {
  BandTable bands = BandTable::builtin();
  if (path.empty()) return bands;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open bands file: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  bands.override_from_csv(text.str(), path, known_metric);
  return bands;
}

namespace {

/// The format a file name's extension names, or "" for none: report.json -> json.
std::string format_of_extension(const std::string& path) {
  const std::size_t slash = path.find_last_of('/'), dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot + 1 == path.size()) return "";
  std::string ext = path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "json" || ext == "jsonl" || ext == "csv" || ext == "html" || ext == "xlsx") return ext;
  if (ext == "ndjson") return "jsonl";
  if (ext == "md" || ext == "markdown") return "markdown";
  if (ext == "htm") return "html";
  return "";
}

} // namespace

void add_format_option(CLI::App& cmd, std::string& format, const std::string& output, std::vector<std::string> formats,
                       const std::string& help) {
  format = formats.front();
  CLI::Option* opt = cmd.add_option("--format", format, help + " (default: from -o's extension, else " + formats.front() + ")")
                         ->check(CLI::IsMember(formats));
  cmd.callback([opt, &format, &output, formats, &cmd] {
    const std::string named = output.empty() ? "" : format_of_extension(output);
    if (named.empty()) return;
    if (opt->count() > 0) {
      if (named != format)
        throw CLI::ValidationError(fmt::format("--format {} contradicts -o {}, a .{} file name; drop one of them", format, output,
                                               output.substr(output.find_last_of('.') + 1)));
      return;
    }
    if (std::find(formats.begin(), formats.end(), named) == formats.end())
      throw CLI::ValidationError(fmt::format("-o {}: cskpi {} writes no {}; its formats are {}: name the file for one of them",
                                             output, cmd.get_name(), named, fmt::join(formats, ", ")));
    format = named;
  });
}

void write_output(const std::string& path, const std::string& text) {
  ChunkedOutput out(path);
  out.write(text);
  out.close();
}

ChunkedOutput::ChunkedOutput(const std::string& path) : m_path(path) {
  if (path.empty()) {
    m_file = stdout;
    return;
  }
  if (platform::special_file(path)) {
    m_file = std::fopen(path.c_str(), "wb");
  } else {
    m_target = platform::resolve_output(path);
    m_file = platform::open_temp_beside(path, m_target, m_temp);
  }
  if (m_file == nullptr) {
    const int err = errno;
    if (!m_temp.empty()) std::remove(m_temp.c_str());
    throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(err)));
  }
}

ChunkedOutput::~ChunkedOutput() {
  if (m_file != nullptr && m_file != stdout) std::fclose(m_file);
  if (!m_temp.empty()) std::remove(m_temp.c_str()); // not closed: the old file stays as it was
}

void ChunkedOutput::write(std::string_view text) {
  if (m_buffer.empty() && text.size() >= (1u << 12)) { // a whole report: out as it is, not through a copy
    put(text);
    return;
  }
  if (m_buffer.size() + text.size() < (1u << 20)) {
    m_buffer.append(text);
    return;
  }
  flush();
  put(text); // large text goes out as it is, not through a copy
}

void ChunkedOutput::flush() {
  put(m_buffer);
  m_buffer.clear();
}

void ChunkedOutput::put(std::string_view text) {
  if (text.empty()) return;
  if (std::fwrite(text.data(), 1, text.size(), m_file) != text.size()) fail(errno);
}

void ChunkedOutput::close() {
  flush();
  const bool flushed = std::fflush(m_file) == 0;
  const int err = errno;
  const bool closed = m_file == stdout || std::fclose(m_file) == 0;
  if (m_file != stdout) m_file = nullptr;
  if (!flushed || !closed) fail(err != 0 ? err : errno);
  if (!m_temp.empty()) {
    if (std::rename(m_temp.c_str(), m_target.c_str()) != 0) fail(errno);
    m_temp.clear();
  }
}

void ChunkedOutput::fail(int err) {
  if (err == EPIPE && m_path.empty()) std::exit(0); // like xsv: a closed pipe is the reader's choice
  if (m_path.empty()) throw input_error(fmt::format("cannot write to standard output: {}", std::strerror(err)));
  throw input_error(fmt::format("{}: cannot write: {}", m_path, std::strerror(err)));
}

void refuse_output_over_input(const CLI::App& command) {
  const CLI::Option* out = command.get_option_no_throw("--output");
  if (out == nullptr || out->count() == 0) return;
  const std::string path = out->results().back();
  const std::optional<platform::FileInfo> target = platform::file_info(path);
  if (!target || !target->regular()) return; // a new file, or /dev/null and the like
  for (const char* name : {"files", "--fx", "--bands", "--rules"}) {
    const CLI::Option* in = command.get_option_no_throw(name);
    if (in == nullptr) continue;
    for (const std::string& input : in->results()) {
      const std::optional<platform::FileInfo> source =
          input == "-" ? platform::file_info(platform::k_stdin) : platform::file_info(input);
      if (source && source->same_file(*target))
        throw usage_error(fmt::format("-o {}: {}; cskpi never writes over an input: name another file", path,
                                      input == "-"    ? "that is the file standard input reads"
                                      : input == path ? "that is an input of this run"
                                                      : fmt::format("that is {} (the same file), an input of this run", input)));
    }
  }
}

void write_file_output(const std::string& path, std::string_view what, const std::function<void(const std::string&)>& write) {
  if (path.empty() && platform::is_terminal(platform::Stream::out))
    throw usage_error(fmt::format("{} is binary, not for a terminal: write it to a file with -o FILE, or redirect", what));
  // Written beside a regular file and renamed over it; for standard output or a device, into
  // a temporary file whose bytes are then copied there.
  const bool copy = path.empty() || platform::special_file(path);
  const char* tmpdir = std::getenv("TMPDIR");
  std::string temp;
  const std::string target = copy ? fmt::format("{}/out", tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp")
                                  : platform::resolve_output(path);
  platform::make_temp_beside(copy ? target : path, target, temp);
  try {
    write(temp);
    if (copy) {
      std::ifstream in(temp, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      write_output(path, bytes.str());
      std::remove(temp.c_str());
    } else if (std::rename(temp.c_str(), target.c_str()) != 0) {
      throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    }
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
}

void add_period_option(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--period", o.period,
                 "Only this period or range: 2026-10, 2026-Q3, 2026 (its months or quarters), 2026-01..2026-06")
      ->type_name("P|FROM..TO");
}

std::size_t table_width(const std::string& output, std::size_t on_pipe) {
  if (const char* c = std::getenv("COLUMNS"); c != nullptr && *c != '\0') {
    char* end = nullptr;
    const long v = std::strtol(c, &end, 10);
    if (*end == '\0' && v >= 20 && v <= 10'000) return static_cast<std::size_t>(v);
  }
  if (!output.empty()) return SIZE_MAX;
  if (const std::size_t columns = platform::terminal_columns(platform::Stream::out); columns > 0) return columns;
  return on_pipe;
}

namespace {

/// Paragraphs of `text` (runs of lines that start with no space) rewrapped to `width`;
/// blank and indented lines (commands, lists) kept as they are.
std::string rewrap(const std::string& text, std::size_t width) {
  if (width == SIZE_MAX) return text;
  std::string out, paragraph;
  const auto flush = [&] {
    if (paragraph.empty()) return;
    out += fmt::format("{}\n", fmt::join(wrap_words(paragraph, width), "\n"));
    paragraph.clear();
  };
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t nl = std::min(text.find('\n', at), text.size());
    const std::string line = text.substr(at, nl - at);
    if (line.empty() || line.front() == ' ') {
      flush();
      if (nl < text.size() || !line.empty()) out += line + (nl < text.size() ? "\n" : "");
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + line;
    }
    at = nl + 1;
  }
  flush();
  if (!text.empty() && text.back() != '\n' && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

} // namespace

std::string WrappingFormatter::make_description(const CLI::App* app) const {
  return rewrap(CLI::Formatter::make_description(app), table_width("", SIZE_MAX));
}

std::string WrappingFormatter::make_footer(const CLI::App* app) const {
  return rewrap(CLI::Formatter::make_footer(app), table_width("", SIZE_MAX));
}

std::string WrappingFormatter::make_subcommand(const CLI::App* sub) const {
  std::string desc = sub->get_description();
  const std::size_t width = table_width("", SIZE_MAX), column = get_column_width();
  if (width != SIZE_MAX && width > column + 20) desc = fmt::format("{}", fmt::join(wrap_words(desc, width - column - 1), "\n"));
  std::stringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true), desc, column);
  return out.str();
}

std::string WrappingFormatter::make_option_desc(const CLI::Option* opt) const {
  const std::string text = CLI::Formatter::make_option_desc(opt);
  const std::size_t width = table_width("", SIZE_MAX), column = get_column_width();
  if (width == SIZE_MAX || width <= column + 20) return text;
  return fmt::format("{}", fmt::join(wrap_words(text, width - column - 1), "\n"));
}

namespace {

/// Keeps the groups whose period lies within --period.
void select_periods(std::vector<Group>& groups, const std::string& spec) {
  const std::size_t dots = spec.find("..");
  const std::string from_text = spec.substr(0, dots), to_text = dots == std::string::npos ? spec : spec.substr(dots + 2);
  const std::optional<Period> from = parse_period(from_text), to = parse_period(to_text);
  if (!from || !to)
    throw usage_error(fmt::format("--period \"{}\" is not a period (2026-10, 2026-Q3, 2026) or a range FROM..TO", spec));
  const MonthSpan a = month_span(*from), b = month_span(*to);
  if (a.first > b.last) throw usage_error(fmt::format("--period {}: {} comes after {}", spec, from->label, to->label));
  if (!groups.empty() && !groups.front().period)
    throw usage_error(fmt::format("--period {}: the input has no period column, so it is one period", spec));
  std::vector<std::string> all;
  for (const Group& g : groups)
    if (g.period && (all.empty() || all.back() != *g.period)) all.push_back(*g.period);
  std::erase_if(groups, [&](const Group& g) {
    const std::optional<Period> p = parse_period(*g.period);
    if (!p) return true;
    const MonthSpan s = month_span(*p);
    return s.first < a.first || s.last > b.last;
  });
  if (groups.empty() && !all.empty())
    throw usage_error(fmt::format("--period {} matches none of the input's periods ({}{})", spec, all.front(),
                                  all.size() > 1 ? " to " + all.back() : ""));
}

} // namespace

namespace {

bool color_allowed(const std::string& mode, platform::Stream stream) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return platform::is_terminal(stream);
}

} // namespace

bool use_color(const std::string& mode, const std::string& output) {
  return (mode == "always" || output.empty()) && color_allowed(mode, platform::Stream::out);
}

void set_stderr_color(const std::string& mode) { g_stderr_color = color_allowed(mode, platform::Stream::err); }

void add_color_option(CLI::App& cmd, std::string& mode, const std::string& what) {
  cmd.add_option("--color", mode, fmt::format("Colour {}error: and warning: on a terminal: auto, always or never (NO_COLOR is honoured)",
                                              what.empty() ? "" : what + ", "))
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
}

void print_problem(const std::string& text, bool warning) {
  const std::string line =
      fmt::format("cskpi: {}: {}\n", severity_label(warning ? Severity::warning : Severity::error, g_stderr_color), text);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

/// The run summary on stderr when rows were left out or the run failed.
void say(const std::string& text) {
  for (const std::string_view label : {"error: ", "warning: "})
    if (text.starts_with(label)) return print_problem(text.substr(label.size()), label[0] == 'w');
  const std::string line = "cskpi: " + text + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace

/// More --by groups than this in one period earn a warning: likely the wrong column.
constexpr std::size_t k_many_groups = 10000;

std::vector<std::string> parse_metric_list(const std::vector<std::string>& ids) {
  // --metrics "nrr, GRR": ids in any case, spaces around them ignored.
  std::vector<std::string> metrics;
  for (std::string id : ids) {
    while (!id.empty() && id.front() == ' ') id.erase(0, 1);
    while (!id.empty() && id.back() == ' ') id.pop_back();
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (id.empty()) continue;
    metrics.push_back(id);
    if (find_metric(id) != nullptr) continue;
    const std::string near = suggest_metric(id);
    throw usage_error(fmt::format("unknown metric \"{}\"{}", id, near.empty() ? " (see cskpi bands)" : fmt::format("; did you mean {}?", near)));
  }
  return metrics;
}

Money parse_gross_margin(const std::string& text) {
  // 0.8, or 80% (a percentage: divided by 100 exactly).
  const bool percent = !text.empty() && text.back() == '%';
  const std::string number = percent ? text.substr(0, text.size() - 1) : text;
  Money margin = parse_amount_flag("--gross-margin", number);
  if (percent) {
    if (margin.micros % 100 != 0)
      throw usage_error(fmt::format("--gross-margin \"{}\" has more decimals than a fraction keeps (6)", text));
    margin = Money{margin.micros / 100};
  }
  if (margin > Money::from_units(1))
    throw usage_error(fmt::format("--gross-margin \"{}\" must be a fraction from 0 to 1 (0.8), or a percentage up to 100%", text));
  return margin;
}

std::optional<Report> compute_report(const RunOptions& o, bool check_mode, Drawing* drawing) {
  ReportSettings s;
  s.version = CSKPI_VERSION;
  s.metrics = parse_metric_list(o.metrics);
  if (!o.gross_margin.empty()) {
    s.gross_margin = parse_gross_margin(o.gross_margin);
    s.gross_margin_given = true;
  }
  if (!o.cac.empty()) s.cac = parse_amount_flag("--cac", o.cac);
  const IngestOptions ingest = ingest_options(o);
  s.tolerance = ingest.tolerance;
  const BandTable bands = load_bands(o.bands);
  s.bands = bands.origin();
  if (drawing != nullptr) drawing->bands = bands;
  s.skip_invalid = o.skip_invalid;
  s.min_group = o.min_group;
  s.definitions = o.definitions;
  if (!ingest.by_column.empty()) s.by = ingest.by_column;

  StderrDiagnostics diags(o.max_errors, o.skip_invalid);
  const Loaded l = load_inputs(o.files, ingest, diags);
  std::uint64_t read = 0, used = 0, rejected = 0;
  for (const InputSummary& in : l.inputs) {
    read += in.rows_read;
    used += in.rows_used;
    rejected += in.rows_rejected;
  }
  const std::uint64_t hidden = diags.total() - diags.shown();
  if (hidden > 0) say(fmt::format("{} more problems not shown (--max-errors 0 shows all)", hidden));
  if (diags.fatal() > 0) {
    say(check_mode ? "error: an input could not be read; nothing was judged" : "error: an input could not be read; no report written");
    return std::nullopt;
  }
  if (diags.errors() > 0 && rejected == 0 && o.strict) { // every row is valid: the errors are breaks between periods (--strict)
    say(fmt::format("error: {} break{} between periods (--strict); {}", diags.row_errors(), diags.row_errors() == 1 ? "" : "s",
                    check_mode ? "an inconsistent export fails every gate" : "no report written. Fix the export, or drop --strict"));
    return std::nullopt;
  }
  if (diags.errors() > 0) {
    const std::string advice = check_mode ? "an invalid export fails every gate; fix the rows"
                                          : fmt::format("no report written. Fix them, or pass --skip-invalid to report on "
                                                        "the {} valid row{}", used, used == 1 ? "" : "s");
    say(fmt::format("error: {} invalid row{} of {} ({} problem{}); {}", rejected, rejected == 1 ? "" : "s", read,
                    diags.row_errors(), diags.row_errors() == 1 ? "" : "s", advice));
    return std::nullopt;
  }
  if (rejected > 0)
    say(fmt::format("warning: {} of {} row{} rejected (--skip-invalid); the report covers {} row{}", rejected, read,
                    read == 1 ? "" : "s", used, used == 1 ? "" : "s"));
  if (check_mode)
    for (const InputSummary& in : l.inputs)
      if (in.rows_read == 0) {
        say(fmt::format("error: {} holds no rows; an empty export passes no gate", in.file));
        return std::nullopt;
      }

  MetricContext ctx;
  ctx.columns = l.columns;
  ctx.gross_margin = s.gross_margin;
  ctx.gross_margin_given = s.gross_margin_given;
  ctx.cac = s.cac;
  ctx.min_group = s.min_group;
  if (ingest.period_length) {
    ctx.period_length = *ingest.period_length;
    s.period_length_source = "--period-length";
  } else if (l.detected_length) {
    ctx.period_length = *l.detected_length;
    s.period_length_source = "detected";
  } else {
    ctx.period_length = PeriodLength::month;
    s.period_length_source = "default: no period column";
  }
  s.period_length = ctx.period_length;

  if (s.by) {
    std::size_t most = 0; // distinct --by values of the busiest period
    for (const auto& [period, totals] : l.aggregator->periods()) most = std::max(most, totals.groups.size());
    if (most > k_many_groups)
      say(fmt::format("warning: --by {} has {} distinct values in one period; the report holds a group for each. "
                      "Is {} the column you meant?", *s.by, group_thousands(most), *s.by));
  }
  std::optional<AnnualCohorts> cohorts;
  if (l.snapshots) {
    const bool reactivation = o.reactivation.empty() ? find_definition_preset(o.definitions)->cohort_reactivation
                                                     : o.reactivation == "include";
    cohorts = annual_cohorts(*l.snapshots, ctx.period_length, s.by.has_value(), reactivation, thread_count(o.threads));
    s.include_reactivation = cohorts->include_reactivation;
  }
  ctx.billing = l.columns.billing;
  std::optional<Leading> leading;
  std::string motion;
  if (!o.motion.empty()) {
    const std::optional<std::string> m = parse_motion(o.motion);
    if (!m) throw usage_error(fmt::format("--motion \"{}\" is not product-led, smb, mid-market or enterprise", o.motion));
    motion = *m;
  }
  if (l.attributes) {
    LeadingOptions lo;
    lo.scheme = health_scheme(o);
    lo.period_length = ctx.period_length;
    lo.grouped = s.by.has_value();
    if (!o.as_of.empty()) {
      lo.as_of = parse_date(o.as_of);
      if (!lo.as_of) throw usage_error(fmt::format("--as-of \"{}\" is not a date YYYY-MM-DD", o.as_of));
    }
    leading = l.joiner->join(*l.attributes, lo, l.columns.period);
    ctx.attributes = l.attributes->columns;
    ctx.scheme = lo.scheme;
    s.health_scheme = lo.scheme.name;
    if (leading->summary.as_of) ctx.as_of = format_date(*leading->summary.as_of);
    if (ctx.attributes.score && l.columns.nps)
      say("warning: NPS comes from the responses file; the nps column of the billing file is not used");
    const JoinSummary& j = leading->summary;
    if (j.customers_without_billing > 0 && ctx.billing)
      say(fmt::format("warning: {} customer record{} no billing row (first: {}); they are counted, not reported on",
                      group_thousands(j.customers_without_billing), j.customers_without_billing == 1 ? " has" : "s have",
                      j.unbilled_examples.front()));
    if (j.responses_outside > 0)
      say(fmt::format("warning: {} response{} dated outside the billing periods, left out", group_thousands(j.responses_outside),
                      j.responses_outside == 1 ? " is" : "s are"));
  }
  Report report{s, l.inputs, build_groups(*l.aggregator, ctx, bands, s.metrics, s.by.has_value(), cohorts ? &*cohorts : nullptr,
                                          leading ? &*leading : nullptr, motion),
                std::nullopt};
  if (leading) report.join = leading->summary;
  if (!o.period.empty()) select_periods(report.groups, o.period);
  if (drawing != nullptr && l.snapshots) drawing->cohorts = cohort_table(*l.snapshots, false);
  return report;
}

} // namespace cskpi::cli
