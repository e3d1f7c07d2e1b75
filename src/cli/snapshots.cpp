// SPDX-License-Identifier: MIT
// cskpi movements and cskpi cohorts: what a snapshot file (MRR per customer and month)
// holds beyond the report.
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/snapshot_table.hpp"
#include "metrics/cohorts.hpp"

#include <fmt/format.h>

namespace cskpi::cli {

namespace {

void add_snapshot_input(CLI::App& cmd, RunOptions& o) {
  read_stdin_by_default(
      cmd,
      cmd.add_option("files", o.files,
                     "Snapshot file: long (customer_id, month, mrr), wide (a column per month), a ChartMogul "
                     "MRR-movements export, a Stripe subscriptions export (with its coupons export), "
                     "Chargebee's MRR summary, Recurly's subscriptions export or Kill Bill's subscription "
                     "transitions; - (or none, on a pipe) reads standard input")
          ->type_name(k_file),
      o.files);
  cmd.add_option("--delimiter", o.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.decimal_comma_option =
      cmd.add_flag("--decimal-comma", o.decimal_comma_flag, "Numbers use a decimal comma (default: on for ; files)");
  cmd.add_option("--max-errors", o.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd.add_flag("--skip-invalid", o.skip_invalid, "Leave invalid rows out (each is still reported) instead of failing");
  add_snapshot_options(cmd, o);
  add_export_options(cmd, o);
  cmd.add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name(k_file);
}

/// Writes derived movements rows as CSV.
struct CsvRows : RowSink {
  explicit CsvRows(ChunkedOutput& o) : out(o) {}
  ChunkedOutput& out;
  bool with_group = false;
  std::string line;
  void add(const MovementRow& r) override {
    line.clear();
    append_movement_csv(line, r, with_group);
    out.write(line);
  }
};

/// Reads the snapshot file of `o` (after the files it refers to, such as Stripe's coupons);
/// movements are not derived here (the caller derives what it needs). nullopt, after
/// saying why, if it cannot be used.
std::optional<Loaded> read_snapshot_file(const RunOptions& o, IngestOptions in, const char* command) {
  StderrDiagnostics diags(o.max_errors, o.skip_invalid);
  Loaded l;
  {
    in.derive = false;
    const std::vector<std::size_t> order = reading_order(o.files, in);
    Ingestor ingestor(std::move(in), diags);
    struct Discard : RowSink {
      void add(const MovementRow&) override {}
    } discard;
    for (const std::size_t i : order) {
      InputSummary s = ingestor.read_path(o.files[i], discard);
      if (!s.unreadable && (s.role == "movements" || s.role == "customers" || s.role == "responses"))
        throw input_error(
            fmt::format("{}: this is a {} file; {} needs MRR snapshots: customer_id, month, mrr, one column "
                        "per month, or a billing tool's export (cskpi explain inputs)",
                        s.file, s.role, command));
      l.inputs.push_back(std::move(s));
    }
    diags.summarise();
    l.snapshots = ingestor.take_snapshots();
  }
  const InputSummary& s = l.inputs.back();
  if (!reading_usable(diags, s)) return std::nullopt;
  return l;
}

} // namespace

void setup_movements(CLI::App& app, MovementsOptions& mo) {
  CLI::App* cmd = app.add_subcommand("movements",
                                     "Derive movements rows (new, expansion, contraction, churn, "
                                     "reactivation) from MRR snapshots, as a movements CSV");
  RunOptions& o = mo.run;
  add_snapshot_input(*cmd, o);
  cmd->add_option("--by", o.by,
                  "Carry this column into the rows (default: segment, when the file has it); with --kind, list the "
                  "customers per group of this column")
      ->type_name("COLUMN");
  cmd->add_option("--period-length", o.period_length,
                  "month (default), quarter or year: compare the snapshots at each period's start and end")
      ->type_name("LENGTH");
  add_mover_options(*cmd, mo);
  add_color_option(*cmd, o.color, "");
  cmd->footer(R"(Examples:
  cskpi movements samples/mrr_matrix_24m.csv | head
  cskpi movements samples/mrr_matrix_24m.csv --period-length quarter -o movements.csv
  cskpi movements chartmogul_export.csv --amounts cents
  cskpi movements samples/month_end_2026-10.csv --kind churned
  cskpi movements samples/mrr_matrix_24m.csv --kind new,expansion --by segment --format csv

Each customer-period with MRR at either end gives one row: start_mrr is the MRR at the end of
the month before the period; new (never paid before), reactivation (paid before), expansion,
contraction or churned carries the change to end_mrr. The first month only opens the history.

With --kind (or --format), any input (movements, snapshots, Stripe, Chargebee, ChartMogul, Recurly,
Kill Bill) gives every customer behind the bridge lines named, per period and group, the largest
first, with its share of the line: the full list behind report --top.)");
}

int run_movements(const MovementsOptions& mo) {
  if (mo.lists()) return run_mover_list(mo);
  const RunOptions& o = mo.run;
  IngestOptions in = ingest_options(o);
  if (in.by_column.empty()) {
    in.by_column = "segment";
    in.by_optional = true;
  }
  const std::optional<Loaded> l = read_snapshot_file(o, in, "movements");
  if (!l) return static_cast<int>(ExitCode::input);
  ChunkedOutput out(o.output);
  CsvRows rows(out);
  if (l->snapshots)
    for (std::uint32_t c = 0; c < l->snapshots->customers() && !rows.with_group; ++c)
      rows.with_group = !l->snapshots->group(c).empty();
  rows.with_group = rows.with_group || !o.by.empty();
  out.write(movements_csv_header(rows.with_group ? in.by_column : ""));
  if (l->snapshots)
    derive_movements(*l->snapshots, in.period_length.value_or(PeriodLength::month), l->inputs.back().file, rows);
  out.close();
  return static_cast<int>(ExitCode::ok);
}

void setup_cohorts(CLI::App& app, CohortsOptions& o) {
  CLI::App* cmd = app.add_subcommand("cohorts",
                                     "The cohort table of MRR snapshots: revenue (or logo) retention by "
                                     "acquisition month and months since");
  add_snapshot_input(*cmd, o.run);
  cmd->add_flag("--logos", o.logos, "Logo retention: % of the cohort's customers still paying");
  add_format_option(*cmd, o.run.format, o.run.output, {"table", "csv", "json", "markdown"},
                    "table, csv, json or markdown");
  add_color_option(*cmd, o.run.color, "");
  cmd->footer(R"(Examples:
  cskpi cohorts samples/mrr_matrix_24m.csv
  cskpi cohorts samples/mrr_matrix_24m.csv --logos --format csv -o cohorts.csv

A customer's cohort is its first month with MRR; cells are the cohort's MRR that many months
later as % of its first-month MRR (with --logos: % of its customers still paying).)");
}

int run_cohorts(const CohortsOptions& o) {
  const std::optional<Loaded> l = read_snapshot_file(o.run, ingest_options(o.run), "cohorts");
  if (!l) return static_cast<int>(ExitCode::input);
  const std::vector<CohortRow> rows = l->snapshots ? cohort_table(*l->snapshots, o.logos) : std::vector<CohortRow>{};
  write_output(
      o.run.output,
      render_cohorts(rows, o.logos, l->inputs.back().file, o.run.format, CSKPI_VERSION, table_width(o.run.output)));
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
