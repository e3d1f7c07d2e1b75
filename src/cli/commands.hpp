// SPDX-License-Identifier: MIT
// The CLI layer: the only code that knows CLI11. Each subcommand has setup_* and run_*.
#pragma once

#include "app/request.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cskpi::cli {

/// Options shared by report and validate (SPEC §4): the request the app layer runs, and
/// what only the command line has (the output, its format and colours, how many problems
/// stderr shows).
struct RunOptions : app::ReportRequest {
  std::string format = "table";
  bool decimal_comma_flag = false;             ///< --decimal-comma as parsed; request() keeps it only when given
  CLI::Option* decimal_comma_option = nullptr; ///< to tell "given" from the default
  std::uint64_t max_errors = 20;
  std::string output;
  std::string color = "auto";
  std::string layout = "records"; ///< --layout records|wide (report)
  std::string csv_locale = "en";  ///< --csv-locale en|de: how CSV output writes numbers (report)
  bool lock = false;              ///< --lock: JSON with every customer's movements fingerprint (report, issue 30)
  std::string annotations;        ///< --annotations FILE: known events marked on the HTML trend charts (issue 32)
  std::string peers;              ///< --peers DIM[=VALUE]: peer benchmark bands (report, issue 31)
  std::string peer_bands;         ///< --peer-bands FILE: replaces built-in peer bands per metric

  /// The request these options make. Pass it, never RunOptions itself, to src/app: a plain
  /// copy would drop --decimal-comma.
  app::ReportRequest request() const {
    app::ReportRequest r = *this;
    if (decimal_comma_option != nullptr && decimal_comma_option->count() > 0) r.decimal_comma = decimal_comma_flag;
    return r;
  }
};

void setup_report(CLI::App& app, RunOptions& o);
int run_report(const RunOptions& o);

struct CheckOptions {
  RunOptions run;
  std::vector<std::string> require;
  std::string rules_file;
  std::string fail_on;
  bool quiet = false; ///< --quiet: only the rules that failed, and the summary
  bool allow_missing = false;
  std::string baseline;             ///< --baseline FILE: an earlier report --format json (issue 30)
  std::string baseline_tolerance;   ///< --baseline-tolerance N: allowed change of a figure, in its unit
  std::vector<std::string> anomaly; ///< --anomaly [K] (issue 32): given when not empty; "" alone: K = 3.5
  std::string annotations;          ///< --annotations FILE: known events, date,label
};
void setup_check(CLI::App& app, CheckOptions& o);
int run_check(CheckOptions o);

void setup_validate(CLI::App& app, RunOptions& o);
int run_validate(const RunOptions& o);

/// cskpi movements: the movements derived from a snapshot file, as a movements CSV; with
/// --kind or --format, the customers behind bridge lines of any input (issue 30).
struct MovementsOptions {
  RunOptions run;
  std::vector<std::string> kinds;       ///< --kind: new, expansion, ... or all
  CLI::Option* format_option = nullptr; ///< to tell a given --format from the default
  /// Whether the run lists movers (--kind or --format given), not derived movements rows.
  bool lists() const { return !kinds.empty() || (format_option != nullptr && format_option->count() > 0); }
};
void setup_movements(CLI::App& app, MovementsOptions& o);
int run_movements(const MovementsOptions& o);
/// The movers of cskpi movements --kind: every customer behind the lines asked for.
int run_mover_list(const MovementsOptions& o);

/// cskpi cohorts: the classic cohort table of a snapshot file.
struct CohortsOptions {
  RunOptions run;
  bool logos = false;
};
void setup_cohorts(CLI::App& app, CohortsOptions& o);
int run_cohorts(const CohortsOptions& o);

/// cskpi forecast (issue 32): a retention model per acquisition cohort, from MRR snapshots or a
/// logo cohort table. --model names the model; each model's options are its own.
struct ForecastOptions {
  RunOptions run;
  std::string model = "sbg";
  std::size_t horizon = 12;
  double discount = 0.10; ///< annual
};
void setup_forecast(CLI::App& app, ForecastOptions& o);
int run_forecast(const ForecastOptions& o);

/// cskpi health: weighted health scores from component columns of a customers file.
struct HealthOptions {
  RunOptions run;
  std::string weights;
  std::string missing = "reweight";
  std::size_t top = 10;
};
void setup_health(CLI::App& app, HealthOptions& o);
int run_health(const HealthOptions& o);

struct BandsOptions {
  std::string format = "table";
  std::string bands;
  std::string output;
  bool peers = false;     ///< --peers: the peer benchmark bands instead (issue 31)
  std::string peer_bands; ///< --peer-bands FILE
};
void setup_bands(CLI::App& app, BandsOptions& o);
int run_bands(const BandsOptions& o);

struct ConfigOptions {
  std::string command;                                ///< "": every command's section
  bool all = false;                                   ///< --all: every option, the built-in defaults as comments
  std::map<const CLI::Option*, std::string> defaults; ///< each option's built-in default, as --help would show it
};
void setup_config(CLI::App& app, ConfigOptions& o);
int run_config(const CLI::App& app, const ConfigOptions& o);
/// Remembers every command option's built-in default (before parsing sets the values).
void remember_defaults(const CLI::App& app, ConfigOptions& o);
/// No configuration file chooses where anything is written (issue 28): the options that name
/// a file or directory to write (-o, --dbt) are marked as not settable from one, so a key
/// naming them is an error (config_error_message says where), never a report sent elsewhere.
void keep_outputs_off_config(CLI::App& app);
/// CLI11's "INI was not able to parse report.gros-margin" as "cskpi.toml: "gros-margin" in
/// [report] is not an option of cskpi report; did you mean gross-margin?".
std::string config_error_message(const CLI::App& app, const CLI::ConfigError& e);

struct CompletionOptions {
  std::string shell;
};
void setup_completion(CLI::App& app, CompletionOptions& o);
int run_completion(const CompletionOptions& o);
/// The candidates for the last of `words` (the command line after "cskpi", the word being
/// completed last, "" for a new one); ":files" alone asks the shell for file names.
std::vector<std::string> complete(const CLI::App& app, const std::vector<std::string>& words);
/// The completion script of `shell` (bash, zsh or fish).
std::string completion_script(const std::string& shell);

/// cskpi sql (issue 16): the definitions as SQL for a warehouse.
struct SqlCommandOptions {
  std::string dialect = "duckdb";
  std::string table;
  std::string costs_table;    ///< --costs-table: the efficiency metrics (issue 31)
  std::string invoices_table; ///< --invoices-table: billings and recognised revenue (issue 31)
  std::string input = "movements";
  std::vector<std::string> columns{"period"};
  CLI::Option* columns_option = nullptr; ///< to tell "given" from the default
  std::string by;
  std::vector<std::string> metrics;
  std::string period_length;
  std::string gross_margin;
  std::string cac;
  std::string bands;
  std::uint64_t min_group = 30;
  std::string reactivation = "include";
  std::string dbt;
  std::string output;
};
void setup_sql(CLI::App& app, SqlCommandOptions& o);
int run_sql(const SqlCommandOptions& o);

struct ExplainOptions {
  std::string metric;
  std::string bands;
};
void setup_explain(CLI::App& app, ExplainOptions& o);
int run_explain(ExplainOptions o);

} // namespace cskpi::cli
