// SPDX-License-Identifier: MIT
// cskpi forecast (issue 32): a retention model fitted to each acquisition cohort of MRR
// snapshots or of a logo cohort table, and what it projects.
#include "cli/common.hpp"

#include "app/forecast.hpp"
#include "app/projection.hpp"
#include "core/error.hpp"
#include "core/logo_cohorts.hpp"
#include "report/projection.hpp"

#include <fmt/format.h>

#include <cmath>

namespace cskpi::cli {

namespace {

/// The cohorts' counts of the run's one input, or nullopt after saying why it cannot be used.
struct ForecastInput {
  std::vector<app::CohortCounts> counts;
  std::string file;
  std::optional<PeriodLength> label_period; ///< a logo table's cohorts are periods of this length
  bool snapshots = false;
};

std::optional<ForecastInput> read_forecast_input(const RunOptions& o) {
  if (o.files.size() != 1) throw usage_error("forecast reads one file: MRR snapshots or a logo cohort table");
  IngestOptions in = ingest_options(o);
  in.derive = false;
  StderrDiagnostics diags(o.max_errors, o.skip_invalid);
  Ingestor ingestor(std::move(in), diags);
  struct Discard : RowSink {
    void add(const MovementRow&) override {}
  } discard;
  const InputSummary s = ingestor.read_path(o.files.front(), discard);
  diags.summarise();
  if (!reading_usable(diags, s)) return std::nullopt;
  ForecastInput out;
  out.file = s.file;
  if (const std::unique_ptr<LogoCohortTable> table = ingestor.take_logo_cohorts()) {
    out.counts = app::counts_from_table(*table);
    out.label_period = app::period_of_labels(*table);
  } else if (const std::unique_ptr<SnapshotTable> t = ingestor.take_snapshots()) {
    out.counts = app::counts_from_snapshots(*t);
    out.snapshots = true;
  } else {
    throw input_error(fmt::format("{}: this is a {} file; forecast needs MRR snapshots (customer_id, month, mrr, or "
                                  "a column per month) or a logo cohort table (cohort, age, customers); cskpi "
                                  "explain inputs",
                                  s.file, s.role));
  }
  return out;
}

} // namespace

void setup_forecast(CLI::App& app, ForecastOptions& fo) {
  CLI::App* cmd =
      app.add_subcommand("forecast",
                         "Fit a retention model to each acquisition cohort and project its survival, residual lifetime "
                         "and LTV (sBG: shifted-beta-geometric)");
  RunOptions& o = fo.run;
  read_stdin_by_default(
      *cmd,
      cmd->add_option("files", o.files,
                      "MRR snapshots (customer_id, month, mrr, or a column per month; billing exports as cskpi "
                      "cohorts reads them) or a logo cohort table (cohort, age, customers, optional mrr; age 0 is "
                      "acquisition); - (or none, on a pipe) reads standard input")
          ->type_name(k_file),
      o.files);
  cmd->add_option("--model", fo.model,
                  "The model: sbg (shifted-beta-geometric, Fader & Hardie 2007): every customer renews each period "
                  "with a probability of its own that never changes, spread across customers as a beta "
                  "distribution, so retention rises as a cohort ages; or trailing: MRR projected month by month "
                  "(from CMRR where the export knows scheduled cancellations): expansion, contraction and churned "
                  "MRR at their rate of starting MRR over the trailing 12 months, new and reactivation MRR at the "
                  "window's monthly mean; with an 80% interval from the spread of monthly growth (any input cskpi "
                  "report reads, in months)")
      ->type_name("MODEL")
      ->check(CLI::IsMember({"sbg", "trailing"}));
  cmd->add_option("--horizon", fo.horizon,
                  "Project N periods past each cohort's last observed age (default 12: a year of months; with "
                  "yearly ages, 12 years)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1200}));
  cmd->add_option("--discount", fo.discount,
                  "Annual discount rate of DERL and LTV, above 0 and at most 10, e.g. 0.10 (default); converted to "
                  "the period rate (1 + RATE)^(1/12) - 1 for months. 0 is refused: undiscounted, the expected "
                  "lifetime of a cohort with a small alpha is infinite")
      ->type_name("RATE")
      ->check(CLI::Range(0.000001, 10.0));
  cmd->add_option("--gross-margin", o.gross_margin, "Gross margin for LTV as a fraction, e.g. 0.8 (default 1.0)")
      ->type_name("FRACTION");
  cmd->add_option("--period-length", o.period_length,
                  "A logo cohort table's age unit: month, quarter or year (default: the length of its cohort "
                  "labels when they are periods, such as 2024 or 2024-01, else month); snapshots' ages are months")
      ->type_name("LENGTH");
  cmd->add_option("--delimiter", o.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.decimal_comma_option =
      cmd->add_flag("--decimal-comma", o.decimal_comma_flag, "Numbers use a decimal comma (default: on for ; files)");
  cmd->add_option("--max-errors", o.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd->add_flag("--skip-invalid", o.skip_invalid, "Leave invalid rows out (each is still reported) instead of failing");
  add_snapshot_options(*cmd, o);
  add_export_options(*cmd, o);
  add_format_option(*cmd, o.format, o.output, {"table", "json", "csv", "markdown", "html"},
                    "table, json, csv, markdown or html (a page drawing each cohort's observed and fitted curve)");
  cmd->add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name(k_file);
  add_color_option(*cmd, o.color, "");
  cmd->footer(R"(Examples:
  cskpi forecast samples/cohorts_logos.csv --period-length year
  cskpi forecast samples/mrr_matrix_24m.csv --discount 0.12 --gross-margin 0.8 --format json
  cskpi forecast samples/cohorts_logos.csv --period-length year --horizon 5 -o forecast.html
  cskpi forecast samples/mrr_matrix_24m.csv --model trailing --horizon 6

The sBG model (Fader & Hardie 2007, "How to Project Customer Retention"): a customer renews at
the end of each period with its own fixed probability 1 - theta; theta is spread across the
customers as Beta(alpha, beta). Survival S(t) = B(alpha, beta + t) / B(alpha, beta). A small
alpha and beta mean very different customers: the cohort's retention rises as its likeliest
leavers go. alpha and beta are fitted to each cohort's survivors per age by maximum likelihood
(Nelder-Mead on their logarithms), and once more to every cohort pooled.

From snapshots, a cohort is the customers whose first month with MRR is that month; one who
stops paying is lost for good. Customers already paying in the first month have an unknown age
and are not fitted.

DERL, the discounted expected residual lifetime (Fader & Hardie 2010), counts the periods a
customer at the cohort's last observed age is still expected to pay for, discounted;
LTV = ARPA x gross margin x DERL, ARPA the cohort's MRR per customer at that age. A cohort needs
three ages (0 to 2) and a customer lost to be fitted; the output says why one is not. This is a
projection of past cohorts' behaviour, not a forecast of deals.

--model trailing reads any input cskpi report reads, with monthly periods, and projects the
whole base's MRR: each month's expansion, contraction and churned MRR are its start times
that line's rate over the last 12 months (the line's sum over the summed starting MRR, exact);
its new and reactivation MRR are the window's monthly mean of each. It starts from CMRR
(ending MRR less scheduled cancellations) when the export has them, else from ending MRR. The
interval: the projected MRR times exp(+-1.28 s sqrt(h)) at h months ahead, s the standard
deviation of the window's monthly log growth: an 80% band if months grow independently as
they did. --discount and --gross-margin are for sbg. A projection of the recent past, not a
forecast of deals.)");
}

namespace {

/// --model trailing: the report's monthly bridges of the whole base, carried forward.
int run_trailing(const ForecastOptions& fo) {
  RunOptions run = fo.run;
  if (!run.period_length.empty() && run.period_length != "month")
    throw usage_error("--model trailing projects month by month: its input's periods must be months");
  const std::optional<Report> r = compute_report(run);
  if (!r) return static_cast<int>(ExitCode::input);
  ProjectionSettings settings;
  settings.horizon = static_cast<int>(fo.horizon);
  const Projection p = app::project_report(*r, settings);
  ProjectionHead head{CSKPI_VERSION, {}, settings.horizon, settings.coverage};
  for (const InputSummary& in : r->inputs) head.inputs.push_back(in.file);
  write_output(run.output,
               render_projection(p, head, run.format, run.format == "html" ? chart_js() : std::string_view{}));
  return static_cast<int>(ExitCode::ok);
}

} // namespace

int run_forecast(const ForecastOptions& fo) {
  if (fo.model == "trailing") return run_trailing(fo);
  const RunOptions& o = fo.run;
  app::ForecastSettings s;
  s.horizon = fo.horizon;
  s.annual_discount = fo.discount;
  if (!o.gross_margin.empty()) s.gross_margin = parse_gross_margin(o.gross_margin);
  std::optional<PeriodLength> given;
  if (!o.period_length.empty()) {
    given = parse_period_length(o.period_length);
    if (!given) throw usage_error(fmt::format("--period-length \"{}\": use month, quarter or year", o.period_length));
  }
  RunOptions reading = o;
  reading.period_length.clear(); // the ages' unit, not the snapshots' periods
  const std::optional<ForecastInput> in = read_forecast_input(reading);
  if (!in) return static_cast<int>(ExitCode::input);
  Forecast f;
  f.input = in->file;
  f.version = CSKPI_VERSION;
  if (in->snapshots) {
    if (given && *given != PeriodLength::month)
      throw usage_error("--period-length: a snapshot file's ages are months; the option is for a logo cohort table");
    s.period = PeriodLength::month;
    f.period_note = "snapshots are monthly";
  } else if (given) {
    // Cohorts labelled 2024-01 age in months: --period-length quarter would discount and
    // annualise monthly ages as quarters (as 1be7663 refuses for a movements file's periods).
    if (in->label_period && *in->label_period != *given && !in->counts.empty())
      throw usage_error(fmt::format("{}: --period-length {} contradicts the cohort labels: cohort {} is a {}. The "
                                    "cohort labels set the ages' period length: leave out --period-length, or give "
                                    "it as {}",
                                    in->file, to_string(*given), in->counts.front().cohort,
                                    to_string(*in->label_period), to_string(*in->label_period)));
    s.period = *given;
  } else if (in->label_period) {
    s.period = *in->label_period;
    f.period_note = "from the cohort labels";
  } else {
    f.period_note = "the cohort labels are not periods: --period-length if they are not months";
  }
  // The model named by --model (sbg only, for now): a second one reads the same input and fills the same
  // Forecast, so every format prints it.
  if (fo.model == "sbg") app::forecast_sbg(in->counts, s, f);
  write_output(o.output, render_forecast(f, o.format, o.format == "html" ? chart_js() : std::string_view{}));
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
