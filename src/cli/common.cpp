// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"

#include "platform/files.hpp"
#include "platform/output.hpp"
#include "platform/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

namespace cskpi::cli {

namespace {
bool g_stderr_color = false; ///< set_stderr_color
} // namespace

void read_stdin_by_default(CLI::App& cmd, CLI::Option* files, std::vector<std::string>& names) {
  files->required(false);
  cmd.parse_complete_callback([&names, files, name = cmd.get_name()] {
    if (!names.empty()) return;
    if (platform::is_terminal(platform::Stream::in))
      throw CLI::ValidationError(
          fmt::format("no input: name a CSV file (cskpi {} data.csv), or pipe one in (... | cskpi {})", name, name));
    names.emplace_back("-");
    files->add_result("-"); // what the run reads, for refuse_output_over_input
  });
}

void add_input_options(CLI::App& cmd, RunOptions& o) {
  read_stdin_by_default(
      cmd,
      cmd.add_option("files", o.files, "CSV files to read; - (or none, on a pipe) reads standard input")
          ->type_name(k_file),
      o.files);
  cmd.add_option("--delimiter", o.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.decimal_comma_option = cmd.add_flag("--decimal-comma", o.decimal_comma_flag,
                                        "Numbers use a decimal comma: 1234,56 and 1.234,56 (default: on for ; files); "
                                        "--decimal-comma=false turns it off");
  cmd.add_option("--max-errors", o.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd.add_option("--tolerance", o.tolerance,
                 "Allowed rounding slack when reconciling end_mrr, e.g. 0.01 (default: exact)")
      ->type_name("AMOUNT");
  cmd.add_flag("--strict", o.strict,
               "Movements files: a customer whose start_mrr in a period is not its MRR at the end of the period before "
               "(or who has MRR in one period and no row in the next) is an error, not a warning. Each break is named: "
               "customer, periods and amounts");
  cmd.add_option("--by", o.by, "Also report per value of this column, e.g. segment")->type_name("COLUMN");
  cmd.add_option("--period-length", o.period_length,
                 "month, quarter or year (default: from the period values, which it may not contradict)")
      ->type_name("LENGTH");
  cmd.add_option("--threads", o.threads,
                 "Threads for a movements or long snapshots file; one of 8 MiB or more is read in chunks on each "
                 "(default: every core). The output is the same for any number")
      ->check(CLI::Range(1, 1024))
      ->type_name("N");
  cmd.add_option("--invoices", o.invoices,
                 "Invoice lines: adds billings, recognised revenue (each line spread evenly over the days of its "
                 "service period), deferred revenue and their reconciliation with MRR. The generic form "
                 "(invoice_id, customer_id, invoice_date, amount, service_start, service_end exclusive) or Stripe's "
                 "invoice line items (cskpi explain inputs)")
      ->type_name(k_file);
  cmd.add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name(k_file);
  add_snapshot_options(cmd, o);
  add_export_options(option_part(cmd), o);
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
                 "Read an export's column as one of ours, e.g. --map 'start_mrr=MRR Start,customer_id=Kunden-ID'; "
                 "THEIRS may be a column's number (customer_id=#2)")
      ->delimiter(',')
      ->type_name("OURS=THEIRS");
  cmd.add_option("--fx", o.fx,
                 "Exchange rates for a currency column: a CSV of currency,rate or month,currency,rate (1 unit of the "
                 "currency = rate units of --currency); amounts are converted exactly")
      ->type_name(k_file);
  cmd.add_option("--currency", o.currency, "The currency to report in (with --fx), or the one the amounts must be in")
      ->type_name("CODE");
  cmd.add_option("--fx-method", o.fx_method,
                 "How monthly --fx rates value MRR over time: constant (no FX line; snapshots and billing exports at "
                 "the last month's rate, movements files at each period's; default), period-end (each period at its "
                 "rate; the starting MRR revalued to it is the bridge line mrr_fx, so start + movements + FX = end) "
                 "or transaction (each customer's MRR at the rate of the month it last changed; the re-pricing at a "
                 "change is mrr_fx). --definitions chartmogul uses period-end, profitwell transaction. "
                 "cskpi explain fx")
      ->type_name("METHOD");
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
  cmd.add_option(
         "--reactivation", o.reactivation,
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
  cmd.add_option("--csat-scale", o.csat_scale,
                 "CSAT answers are 1-5 or 1-10: 5, 10 or auto (default: 10 when any answer is above 5)")
      ->check(CLI::IsMember({"auto", "5", "10"}))
      ->type_name("SCALE");
  cmd.add_option("--as-of", o.as_of,
                 "Date for the age of customers still without value (default: end of the latest period), and the last "
                 "day of a Stripe export's history (default: its latest date)")
      ->type_name("YYYY-MM-DD");
  cmd.add_option("--motion", o.motion,
                 "Time-to-value range for all customers and for segments not named after one: product-led, smb, "
                 "mid-market or enterprise")
      ->type_name("MOTION");
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
    d.message = fmt::format("and {} more line{} with the same problem in column {} (from this line on)",
                            group_thousands(more), more == 1 ? "" : "s", d.column);
    m_shown += more; // told, if not one by one
    print_line(d);
  }
  m_repeats.clear();
  m_repeat_order.clear();
}

IngestOptions ingest_options(const RunOptions& o) { return app::ingest_options(o.request()); }

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
    const std::string size = total > 0
        ? fmt::format("{:.0f} / {:.0f} MB ({:.0f} %)", mb, static_cast<double>(total) / 1e6,
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

Loaded load_inputs(const std::vector<std::string>& files, IngestOptions opts, StderrDiagnostics& diags) {
  ProgressLine progress;
  if (progress.enabled())
    opts.progress = [&progress](const std::string& file, std::uint64_t done, std::uint64_t total) {
      progress.update(file, done, total);
    };
  diags.progress_drawn = progress.drawn();
  Loaded l = app::load_inputs(files, std::move(opts), diags);
  diags.summarise();
  return l;
}

namespace {

/// The report's side of a run on stderr: each problem through StderrDiagnostics (up to
/// --max-errors), a progress line on a terminal while the inputs are read, and the run's
/// notes as "cskpi: error: ..." and "cskpi: warning: ...".
class ReportSink : public app::RunSink {
public:
  ReportSink(std::uint64_t limit, bool downgrade_rows) : m_diags(limit, downgrade_rows) {}
  void report(const Diagnostic& d) override { m_diags.report(d); }
  Progress reading() override {
    m_progress.emplace();
    m_diags.progress_drawn = m_progress->drawn();
    if (!m_progress->enabled()) return {};
    return [this](const std::string& file, std::uint64_t done, std::uint64_t total) {
      m_progress->update(file, done, total);
    };
  }
  void inputs_read() override {
    m_diags.summarise();
    m_diags.progress_drawn = nullptr;
    m_progress.reset(); // clears the progress line
    const std::uint64_t hidden = m_diags.total() - m_diags.shown();
    if (hidden == 0) return;
    const std::string line = fmt::format("cskpi: {} more problems not shown (--max-errors 0 shows all)\n", hidden);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void note(Severity severity, const std::string& text) override { print_problem(text, severity == Severity::warning); }

private:
  StderrDiagnostics m_diags;
  std::optional<ProgressLine> m_progress;
};

} // namespace

std::string extension_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/'), dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot + 1 == path.size()) return "";
  std::string ext = path.substr(dot + 1);
  bool letter = false;
  for (char& c : ext) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0) return "";
    letter = letter || std::isalpha(u) != 0;
    c = static_cast<char>(std::tolower(u));
  }
  return letter ? ext : "";
}

std::string format_of_extension(const std::string& ext) {
  if (ext == "json" || ext == "jsonl" || ext == "csv" || ext == "html" || ext == "xlsx") return ext;
  if (ext == "ndjson") return "jsonl";
  if (ext == "md" || ext == "markdown") return "markdown";
  if (ext == "htm") return "html";
  return "";
}

std::string format_for_output(const CLI::App& cmd, const std::string& output, const std::string& format, bool given,
                              const std::vector<std::string>& formats) {
  const std::string ext = output.empty() ? "" : extension_of(output);
  if (ext.empty() || ext == "txt") return format;
  const std::string named = format_of_extension(ext);
  if (given) {
    if (!named.empty() && named != format)
      throw CLI::ValidationError(
          fmt::format("--format {} contradicts -o {}, a .{} file name; drop one of them", format, output, ext));
    return format;
  }
  if (named.empty()) { // .xls, .tsv, .csv.gz: a plain table there would be a surprise
    std::vector<std::string> known;
    for (const std::string& f : formats)
      if (f != "table" && f != "github") known.push_back(f == "markdown" ? ".md" : "." + f);
    throw CLI::ValidationError(fmt::format("-o {}: cskpi {} writes no .{} file; it takes the format from -o's "
                                           "extension: {}; a plain table goes to a .txt file, or to any name with "
                                           "--format table",
                                           output, cmd.get_name(), ext, fmt::join(known, ", ")));
  }
  if (std::find(formats.begin(), formats.end(), named) == formats.end())
    throw CLI::ValidationError(
        fmt::format("-o {}: cskpi {} writes no {}; its formats are {}: name the file for one of them", output,
                    cmd.get_name(), named, fmt::join(formats, ", ")));
  return named;
}

void add_format_option(CLI::App& cmd, std::string& format, const std::string& output, std::vector<std::string> formats,
                       const std::string& help) {
  format = formats.front();
  CLI::Option* opt =
      cmd.add_option("--format", format, help + " (default: from -o's extension, else " + formats.front() + ")")
          ->check(CLI::IsMember(formats));
  CLI::App& command = command_of(cmd); // a part's callback runs only when one of its options is given
  command.callback([opt, &format, &output, formats, &command] {
    format = format_for_output(command, output, format, opt->count() > 0, formats);
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
  // Like xsv: a closed pipe is the reader's choice, on standard output or on a FIFO (or
  // /dev/stdout) named by -o. Only those are written without a temporary file to remove.
  if (err == EPIPE && m_temp.empty()) std::exit(0);
  if (m_path.empty()) throw input_error(fmt::format("cannot write to standard output: {}", std::strerror(err)));
  throw input_error(fmt::format("{}: cannot write: {}", m_path, std::strerror(err)));
}

namespace {

/// The files `command` reads: the values of every option whose value is a FILE (its type name)
/// but -o, the one FILE a command writes; and the values of the program's such options
/// (--config, also when it is the implicit ./cskpi.toml). One rule, so an option added later
/// is covered when its help calls its value a FILE.
std::vector<std::string> files_read(const CLI::App& command) {
  std::vector<std::string> files;
  for (const CLI::App* at = &command; at != nullptr; at = at->get_parent())
    for (const CLI::Option* opt : options_of(*at))
      if (opt->get_type_name() == k_file && opt->get_name() != "--output")
        files.insert(files.end(), opt->results().begin(), opt->results().end());
  return files;
}

} // namespace

void refuse_output_over_input(const CLI::App& command) {
  const CLI::Option* out = long_option(command, "output");
  if (out == nullptr || out->count() == 0) return;
  const std::string path = out->results().back();
  const std::optional<platform::FileInfo> target = platform::file_info(path);
  if (!target || !target->regular()) return; // a new file, or /dev/null and the like
  for (const std::string& input : files_read(command)) {
    const std::optional<platform::FileInfo> source =
        input == "-" ? platform::file_info(platform::k_stdin) : platform::file_info(input);
    if (source && source->same_file(*target))
      throw usage_error(fmt::format("-o {}: {}; cskpi never writes over an input: name another file", path,
                                    input == "-" ? "that is the file standard input reads"
                                        : input == path
                                        ? "that is an input of this run"
                                        : fmt::format("that is {} (the same file), an input of this run", input)));
  }
}

void refuse_negative_counts(const CLI::App& app) {
  // After parsing, on the options given only: asking every option its type name while setting up
  // would cost each run more than the check itself.
  for (const CLI::App* command : app.get_subcommands())
    for (const CLI::Option* opt : options_of(*command)) {
      if (opt->count() == 0 || (opt->get_type_name() != "N" && opt->get_type_name() != "UINT")) continue;
      for (const std::string& value : opt->results()) {
        if (value.starts_with('-'))
          throw CLI::ValidationError(opt->get_name(), fmt::format("{} is negative; give 0 or more", value));
        std::uint64_t n = 0;
        const auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (err == std::errc::result_out_of_range && end != value.data())
          throw CLI::ValidationError(
              opt->get_name(),
              fmt::format("{} is too large; give at most {}", value, std::numeric_limits<std::uint64_t>::max()));
      }
    }
}

void add_costs_option(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--costs", o.costs,
                 "Efficiency from a costs file, one row per period: period, sales_marketing, net_burn (optional "
                 "revenue, operating_income, gross_margin as a fraction). Adds burn_multiple, cac_payback_months, "
                 "cac_payback_new_months, magic_number and rule_of_40 for the whole base; a period the file lacks is "
                 "named in a warning and its figures are n/a. Monthly rows are summed into a quarterly or yearly "
                 "report's periods (the gross margin weighted by revenue); a quarter missing a month gets none")
      ->type_name(k_file);
}

void add_period_option(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--period", o.period,
                 "Only this period or range: 2026-10, 2026-Q3, 2026 (its months or quarters), 2026-01..2026-06")
      ->type_name("P|FROM..TO");
}

std::size_t table_width(const std::string& output, std::size_t on_pipe) {
  if (!output.empty()) return SIZE_MAX; // a file: nothing is wrapped, whatever COLUMNS says
  const std::size_t terminal = platform::terminal_columns(platform::Stream::out);
  if (terminal == 0) return on_pipe; // a pipe: COLUMNS is a terminal's width, not this one's
  if (const char* c = std::getenv("COLUMNS"); c != nullptr && *c != '\0') {
    char* end = nullptr;
    const long v = std::strtol(c, &end, 10);
    if (*end == '\0' && v >= 20 && v <= 10'000) return static_cast<std::size_t>(v);
  }
  return terminal;
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
  if (width != SIZE_MAX && width > column + 20)
    desc = fmt::format("{}", fmt::join(wrap_words(desc, width - column - 1), "\n"));
  std::stringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true), desc, column);
  return out.str();
}

std::string WrappingFormatter::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const {
  if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
  std::string out;
  if (app->get_name().empty() && app->get_parent() != nullptr && app->get_group() != "Subcommands")
    out += app->get_group() + ':';
  out += make_description(app);
  out += make_usage(app, std::move(name));
  out += make_positionals(app);
  out += make_option_sections(app);
  out += make_subcommands(app, mode);
  out += '\n' + make_footer(app);
  return out;
}

std::string WrappingFormatter::make_option_sections(const CLI::App* app) const {
  const std::vector<const CLI::Option*> all = options_of(*app);
  std::vector<std::string> groups;
  for (const CLI::Option* opt : all)
    if (std::find(groups.begin(), groups.end(), opt->get_group()) == groups.end()) groups.push_back(opt->get_group());
  std::string out;
  for (const std::string& group : groups) {
    std::vector<const CLI::Option*> opts;
    for (const CLI::Option* opt : all)
      if (opt->get_group() == group && opt->nonpositional()) opts.push_back(opt);
    if (!group.empty() && !opts.empty()) {
      out += make_group(group, false, opts);
      if (group != groups.back()) out += '\n';
    }
  }
  return out;
}

std::string WrappingFormatter::make_option_desc(const CLI::Option* opt) const {
  const std::string text = CLI::Formatter::make_option_desc(opt);
  const std::size_t width = table_width("", SIZE_MAX), column = get_column_width();
  if (width == SIZE_MAX || width <= column + 20) return text;
  return fmt::format("{}", fmt::join(wrap_words(text, width - column - 1), "\n"));
}

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
  cmd.add_option("--color", mode,
                 fmt::format("Colour {}error: and warning: on a terminal: auto, always or never (NO_COLOR is honoured)",
                             what.empty() ? "" : what + ", "))
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
}

void print_problem(const std::string& text, bool warning) {
  const std::string line = fmt::format(
      "cskpi: {}: {}\n", severity_label(warning ? Severity::warning : Severity::error, g_stderr_color), text);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool reading_usable(const StderrDiagnostics& diags, const InputSummary& s) {
  if (diags.fatal() > 0) {
    print_problem("the input could not be read; nothing written");
    return false;
  }
  if (diags.errors() > 0) {
    print_problem(fmt::format("{} invalid row{} of {}; nothing written. Fix them, or pass --skip-invalid",
                              s.rows_rejected, s.rows_rejected == 1 ? "" : "s", s.rows_read));
    return false;
  }
  if (s.rows_rejected > 0)
    print_problem(fmt::format("{} of {} rows rejected (--skip-invalid)", s.rows_rejected, s.rows_read), true);
  return true;
}

std::optional<Report> compute_report(const RunOptions& o, bool check_mode, Drawing* drawing, CustomerLedger* ledger) {
  app::ReportRequest request = o.request();
  request.check_mode = check_mode;
  ReportSink sink(o.max_errors, o.skip_invalid);
  return app::run_report(request, sink, drawing, ledger);
}

std::optional<Comparison> compute_comparison(const RunOptions& o) {
  ReportSink sink(o.max_errors, o.skip_invalid);
  return app::run_comparison(o.request(), sink);
}

} // namespace cskpi::cli
