// SPDX-License-Identifier: MIT
// Pieces the commands share: option adders, diagnostics on stderr, the calls into src/app,
// and writing output.
#pragma once

#include "cli/commands.hpp"

#include "app/compare.hpp"
#include "app/inputs.hpp"
#include "app/request.hpp"
#include "app/run.hpp"

#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi::cli {

// The app layer's pieces the commands use (src/app).
using app::Drawing;
using app::health_scheme;
using app::load_bands;
using app::Loaded;
using app::parse_amount_flag;
using app::parse_gross_margin;
using app::parse_metric_list;
using app::reading_order;

/// A part of `cmd` to add options to: a nameless option group that help, parsing, config files
/// and completion treat as the command itself (options_of, WrappingFormatter::make_help).
/// CLI11 2.1 checks each new option's names against every option of its App, copying both name
/// lists for each pair; with report's 42 options in one App that was a fifth of the instructions
/// of a 100-row run. So a command adds its options in parts of a dozen or fewer. Positionals stay
/// in the command itself (the Positionals: section and -- read them there), and an option that
/// excludes another names it by pointer (excludes by name looks only within the option's part).
/// Once a command has a part, every option after it goes into a part too: a part's options are
/// listed after the command's own.
CLI::App& option_part(CLI::App& cmd);
/// The command a part (or the command itself) belongs to.
CLI::App& command_of(CLI::App& part);
/// Every option of `cmd` in the order added, its parts' included.
std::vector<CLI::Option*> options_of(CLI::App& cmd);
std::vector<const CLI::Option*> options_of(const CLI::App& cmd);
/// The option of `cmd` (or one of its parts) with this long name ("output" for --output), or
/// nullptr: CLI11's get_option_no_throw copies every option's names to compare them.
const CLI::Option* long_option(const CLI::App& cmd, std::string_view name);

/// Adds the options report and validate share to a subcommand.
void add_input_options(CLI::App& cmd, RunOptions& o);
/// With no file named, standard input is read when it is not a terminal (`... | cskpi report`);
/// on a terminal, naming none is a usage error that says how.
void read_stdin_by_default(CLI::App& cmd, CLI::Option* files, std::vector<std::string>& names);
/// cskpi movements' --kind and --format (issue 30: movements.cpp).
void add_mover_options(CLI::App& cmd, MovementsOptions& o);
/// --period P or FROM..TO: only the periods within it (issue 14).
void add_period_option(CLI::App& cmd, RunOptions& o);
/// --costs FILE (issue 31): the efficiency metrics from a costs file.
void add_costs_option(CLI::App& cmd, RunOptions& o);
/// The width a table may fill on a terminal: COLUMNS, else the terminal's. On a pipe `on_pipe`
/// and in a file named by -o (`output`) no limit, whatever COLUMNS says: only a terminal wraps.
std::size_t table_width(const std::string& output, std::size_t on_pipe = SIZE_MAX);
/// Wraps option descriptions in --help at the terminal's width (COLUMNS, or the terminal's;
/// not on a pipe, whatever COLUMNS says).
class WrappingFormatter : public CLI::Formatter {
public:
  std::string make_option_desc(const CLI::Option* opt) const override;
  /// The description and the footer: prose paragraphs rewrapped, indented lines (examples) kept.
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
  /// A line of the list of commands, its description wrapped like an option's.
  std::string make_subcommand(const CLI::App* sub) const override;
  /// CLI11 2.1's page, with the options of the command's parts (option_part) listed as its own.
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;

private:
  /// CLI11's make_groups (not virtual) over options_of(app), in the order the options were added.
  std::string make_option_sections(const CLI::App* app) const;
};
/// --format with its `formats` (the first is the default), taken from -o's extension when
/// --format is not given (.json .jsonl .csv .md .html .xlsx; issue 14): format_for_output.
void add_format_option(CLI::App& cmd, std::string& format, const std::string& output, std::vector<std::string> formats,
                       const std::string& help);
/// The extension of a file name, lower case: letters and digits after its last dot, at least
/// one a letter ("csv", "gz", "xls"); "" for none (kpis, kpis.2026-10, /dev/stdout).
std::string extension_of(const std::string& path);
/// The format an extension names, or "" for one that names none: json -> json, md -> markdown.
std::string format_of_extension(const std::string& ext);
/// The format `cmd` writes to `output` (-o; "" for stdout): `format` when --format was `given`,
/// else the one -o's extension names, else `format` (no extension, or .txt). Usage errors: a
/// given --format that contradicts the extension; without --format, an extension naming a
/// format not among `formats`, or none cskpi knows (.xls, .tsv, .csv.gz).
std::string format_for_output(const CLI::App& cmd, const std::string& output, const std::string& format, bool given,
                              const std::vector<std::string>& formats);
/// Adds --encoding, --date-format, --map, --fx, --currency and --definitions (real exports).
void add_export_options(CLI::App& cmd, RunOptions& o);
/// Adds --amounts (snapshot files) to a subcommand.
void add_snapshot_options(CLI::App& cmd, RunOptions& o);
/// Adds --reactivation (exact annual cohorts of snapshot files) to report and check.
void add_reactivation_option(CLI::App& cmd, RunOptions& o);
/// Adds --health-scheme, --csat-scale, --as-of and --motion (customers and responses files).
void add_leading_options(CLI::App& cmd, RunOptions& o);

/// Prints diagnostics to stderr (up to a limit) and counts them. With a limit, the same
/// problem in the same file and column (the message without its quoted values) is shown
/// k_same times; the rest are told in one line by summarise().
class StderrDiagnostics : public DiagnosticSink {
public:
  static constexpr std::uint64_t k_same = 3;
  /// `limit` 0 = print all; `downgrade_rows` prints row errors as warnings (--skip-invalid).
  StderrDiagnostics(std::uint64_t limit, bool downgrade_rows) : m_limit(limit), m_downgrade(downgrade_rows) {}
  void report(const Diagnostic& d) override;
  /// Prints "and 2,980 more lines with the same problem in column 4" for each repeated problem.
  void summarise();
  std::uint64_t errors() const { return m_errors; }
  std::uint64_t row_errors() const { return m_row_errors; }
  std::uint64_t fatal() const { return m_fatal; }
  std::uint64_t shown() const { return m_shown; }
  std::uint64_t total() const { return m_total; }
  std::vector<Diagnostic> collected; ///< filled when `collect` is set
  /// Set while a progress line is on screen (clear it first). Atomic: diagnostics come from
  /// ingest's taking thread, the progress line from its reading thread.
  std::atomic<bool>* progress_drawn = nullptr;
  bool collect = false;
  bool print = true;

private:
  std::uint64_t m_limit;
  bool m_downgrade;
  std::uint64_t m_errors = 0, m_row_errors = 0, m_fatal = 0, m_shown = 0, m_total = 0;
  struct Repeat {
    std::uint64_t seen = 0;
    Diagnostic first_hidden; ///< the first one not shown
  };
  std::map<std::string, Repeat> m_repeats;
  std::vector<std::string> m_repeat_order; ///< keys in order of first sight
  void print_line(const Diagnostic& d);
};

/// IngestOptions from the flags (app::ingest_options of o.request()); throws usage errors for bad values.
IngestOptions ingest_options(const RunOptions& o);
/// Reads every file (app::load_inputs) with a progress line on a terminal; then prints what
/// `diags` held back.
Loaded load_inputs(const std::vector<std::string>& files, IngestOptions opts, StderrDiagnostics& diags);
/// After the commands that read one input themselves (movements, cohorts, forecast): says on
/// stderr why the run stops (an unreadable input, invalid rows without --skip-invalid) and
/// returns false, or warns of the rows --skip-invalid left out of `s` and returns true.
bool reading_usable(const StderrDiagnostics& diags, const InputSummary& s);
/// Output to stdout ("") or a file, written in chunks as it is produced (cskpi movements)
/// or at once (write_output): a closed pipe exits 0, any other failure throws (exit 3).
/// A regular file is written to a temporary file beside it that replaces it at close(), so
/// an interrupted run never leaves half a file in place of the old one (issue 15); a device
/// or a pipe (/dev/null, /dev/stdout) is written in place. The new file keeps the old one's
/// owner, group and mode, and a symbolic link is written through: the file it names is
/// replaced and the link stays (issue 28).
class ChunkedOutput {
public:
  explicit ChunkedOutput(const std::string& path); ///< "" is standard output
  ~ChunkedOutput();
  ChunkedOutput(const ChunkedOutput&) = delete;
  ChunkedOutput& operator=(const ChunkedOutput&) = delete;
  /// Appends; writes once a megabyte is buffered, or at once a text of 4 KiB or more that
  /// follows nothing buffered.
  void write(std::string_view text);
  /// Writes the rest and closes; throws on any failure.
  void close();

private:
  void flush();
  void put(std::string_view text);
  [[noreturn]] void fail(int err);
  std::string m_path, m_buffer;
  std::string m_target; ///< the file m_path names: through its symbolic links, if it is one
  std::string m_temp;   ///< the temporary file until close() renames it to m_target
  FILE* m_file = nullptr;
};

/// The type name of an option whose value is a file the run reads (`->type_name(k_file)`): every
/// such option is an input to refuse_output_over_input. -o is the only FILE a command writes.
inline constexpr char k_file[] = "FILE";
/// Counts are never negative: an option whose value is a count (type name N, or CLI11's UINT
/// for an unsigned one without a name) given a value starting with "-", which an unsigned option
/// reads as 18446744073709551615, or one past 2^64 - 1, is a usage error (CLI::ValidationError).
/// Run after parsing.
void refuse_negative_counts(const CLI::App& app);
/// Never destroy an input (issue 15): a usage error when the command's -o names a file it
/// reads (the value of any of its FILE options or the program's --config, standard input
/// redirected from a file), compared by device and inode, so another path to the same file is
/// caught too.
void refuse_output_over_input(const CLI::App& command);

/// Chart.js, built into the binary (chart_js.cpp).
std::string_view chart_js();

/// The report of `o` (app::run_report), its problems and notes on stderr with a progress line on
/// a terminal. Returns nullopt after telling stderr why when the run must stop with exit 3
/// (invalid input in strict mode, an unreadable file). Throws usage errors for bad flag values.
/// `check_mode` words the failure for `cskpi check`, which has no --skip-invalid. `ledger`:
/// also every customer's movements fingerprint (the month-close lock).
std::optional<Report> compute_report(const RunOptions& o, bool check_mode = false, Drawing* drawing = nullptr,
                                     CustomerLedger* ledger = nullptr);

/// The reports of --compare's presets (app::run_comparison), told on stderr as compute_report
/// tells; nullopt after telling why when the run must stop with exit 3.
std::optional<Comparison> compute_comparison(const RunOptions& o);

/// Writes `text` to stdout or to `path`; a closed pipe is not an error (exit 0), a failed
/// write is an input/output error.
void write_output(const std::string& path, const std::string& text);
/// Should tiers be coloured? --color auto|always|never, NO_COLOR, a TTY on stdout.
bool use_color(const std::string& mode, const std::string& output);
/// Colours "error:" and "warning:" on stderr from now on when `mode` (the command's --color)
/// and NO_COLOR, TERM and a TTY on stderr allow it.
void set_stderr_color(const std::string& mode);
/// Adds --color auto|always|never; `what` says what it paints besides error:/warning: on stderr.
void add_color_option(CLI::App& cmd, std::string& mode, const std::string& what);
/// "cskpi: error: TEXT\n" (or "warning:" when `warning`) on stderr, the label coloured as set.
void print_problem(const std::string& text, bool warning = false);

} // namespace cskpi::cli
