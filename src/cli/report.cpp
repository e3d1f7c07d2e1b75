// SPDX-License-Identifier: MIT
#include "common.hpp"

#include "cskpi/csv.hpp"
#include "cskpi/error.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace cskpi::cli {

void setup_report(CLI::App& app, RunOptions& o) {
  CLI::App* cmd = app.add_subcommand("report", "Compute every KPI the columns allow and rate it against benchmarks");
  add_input_options(*cmd, o);
  cmd->add_option("--format", o.format, "table, json, jsonl, csv or markdown")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv", "markdown"}));
  cmd->add_option("--metrics", o.metrics, "Only these metric ids, comma-separated (see cskpi bands / explain)")
      ->delimiter(',')
      ->type_name("ID,...");
  cmd->add_option("--gross-margin", o.gross_margin, "Gross margin for LTV as a fraction, e.g. 0.8 (default 1.0)")
      ->type_name("FRACTION");
  cmd->add_option("--cac", o.cac, "Acquisition cost per customer for LTV:CAC (overrides a cac column)")->type_name("AMOUNT");
  cmd->add_option("--bands", o.bands, "CSV of metric,tier,bound,direction replacing built-in bands per metric")
      ->type_name("FILE");
  cmd->add_flag("--skip-invalid", o.skip_invalid, "Leave invalid rows out (each is still reported) instead of failing");
  cmd->add_option("--color", o.color, "Colour tiers: auto, always or never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->footer(R"(Examples:
  cskpi report samples/month_end_2026-10.csv
  cskpi report samples/month_end_2026-10.csv --by segment --format json | jq '.records[]'
  cskpi report samples/quarterly_2026.csv --metrics nrr,grr,logo_churn --format csv -o kpis.csv
  cskpi report samples/german_excel_q3.csv --gross-margin 0.8 --format markdown

Period figures are annualised by compounding (12 months, 4 quarters); bands rate the
annual figure. Undefined ratios print n/a (null in JSON) with the reason.)");
}

namespace {

/// The run summary on stderr when rows were left out or the run failed.
void say(const std::string& text) {
  const std::string line = "cskpi: " + text + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace

int run_report(const RunOptions& o) {
  ReportSettings s;
  s.version = CSKPI_VERSION;
  for (const std::string& id : o.metrics) {
    if (find_metric(id) != nullptr) continue;
    const std::string near = nearest_metric(id);
    throw usage_error(fmt::format("unknown metric \"{}\"{}", id, near.empty() ? " (see cskpi bands)" : fmt::format("; did you mean {}?", near)));
  }
  s.metrics = o.metrics;
  if (!o.gross_margin.empty()) {
    s.gross_margin = parse_amount_flag("--gross-margin", o.gross_margin);
    s.gross_margin_given = true;
    if (s.gross_margin > Money::from_units(1))
      throw usage_error(fmt::format("--gross-margin \"{}\" must be a fraction from 0 to 1 (0.8 = 80 %)", o.gross_margin));
  }
  if (!o.cac.empty()) s.cac = parse_amount_flag("--cac", o.cac);
  if (!o.tolerance.empty()) s.tolerance = parse_amount_flag("--tolerance", o.tolerance);
  std::optional<PeriodLength> forced;
  if (!o.period_length.empty()) {
    forced = parse_period_length(o.period_length);
    if (!forced) throw usage_error(fmt::format("--period-length \"{}\" is not month, quarter or year", o.period_length));
  }
  const BandTable bands = load_bands(o.bands);
  s.bands = bands.origin();
  s.skip_invalid = o.skip_invalid;
  if (!o.by.empty()) s.by = normalise_column_name(o.by);

  StderrDiagnostics diags(o.max_errors, o.skip_invalid);
  const Loaded l = load_inputs(o, diags);
  std::uint64_t read = 0, used = 0, rejected = 0;
  for (const InputSummary& in : l.inputs) {
    read += in.rows_read;
    used += in.rows_used;
    rejected += in.rows_rejected;
  }
  const std::uint64_t hidden = diags.total() - diags.shown();
  if (hidden > 0) say(fmt::format("{} more problems not shown (--max-errors 0 shows all)", hidden));
  if (diags.fatal() > 0) {
    say("error: an input could not be read; no report written");
    return static_cast<int>(ExitCode::input);
  }
  if (diags.errors() > 0) {
    say(fmt::format("error: {} invalid row{} of {} ({} problem{}); no report written. Fix them, or pass --skip-invalid to "
                    "report on the {} valid rows",
                    rejected, rejected == 1 ? "" : "s", read, diags.row_errors(), diags.row_errors() == 1 ? "" : "s", used));
    return static_cast<int>(ExitCode::input);
  }
  if (rejected > 0)
    say(fmt::format("warning: {} of {} rows rejected (--skip-invalid); the report covers {} rows", rejected, read, used));

  MetricContext ctx;
  ctx.columns = l.columns;
  ctx.gross_margin = s.gross_margin;
  ctx.gross_margin_given = s.gross_margin_given;
  ctx.cac = s.cac;
  if (forced) {
    ctx.period_length = *forced;
    s.period_length_source = "--period-length";
  } else if (l.detected_length) {
    ctx.period_length = *l.detected_length;
    s.period_length_source = "detected";
  } else {
    ctx.period_length = PeriodLength::month;
    s.period_length_source = "default: no period column";
  }
  s.period_length = ctx.period_length;

  Report r{s, l.inputs, build_groups(*l.aggregator, ctx, bands, s.metrics, s.by.has_value())};
  std::string text;
  if (o.format == "json") text = render_json(r);
  else if (o.format == "jsonl") text = render_jsonl(r);
  else if (o.format == "csv") text = render_csv(r);
  else if (o.format == "markdown") text = render_markdown(r);
  else text = render_table(r, use_color(o.color, o.output));
  write_output(o.output, text);
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
