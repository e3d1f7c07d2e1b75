// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "app/peers.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "ingest/annotations.hpp"
#include "platform/terminal.hpp"
#include "report/html.hpp"
#include "report/movers.hpp"
#include "report/xlsx.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace cskpi::cli {

void setup_report(CLI::App& app, RunOptions& o) {
  CLI::App* cmd = app.add_subcommand("report", "Compute every KPI the columns allow and rate it against benchmarks");
  add_input_options(*cmd, o);
  CLI::App& output = option_part(*cmd); // parts of a dozen options or fewer: option_part
  add_format_option(
      output, o.format, o.output, {"table", "json", "jsonl", "csv", "markdown", "html", "xlsx"},
      "table, json, jsonl, csv, markdown, html (one page with charts, works offline) or xlsx (a workbook: "
      "Summary, Records, Movers with the customers behind each bridge line and, when there is more than one "
      "period, a sheet per segment with the periods as columns)");
  add_period_option(output, o);
  output
      .add_option("--layout", o.layout,
                  "records (one block per period and segment) or wide: per segment one row per metric, one column per "
                  "period and the change against the period before; for table, csv and markdown")
      ->check(CLI::IsMember({"records", "wide"}));
  output
      .add_option("--csv-locale", o.csv_locale,
                  "CSV output for a spreadsheet's locale: en (',' and 1234.5, the default) or de (';' and 1234,5, as a "
                  "German Excel or LibreOffice reads numbers)")
      ->check(CLI::IsMember({"en", "de"}));
  output.add_option("--metrics", o.metrics, "Only these metric ids, comma-separated (see cskpi bands / explain)")
      ->delimiter(',')
      ->type_name("ID,...");
  output.add_option("--gross-margin", o.gross_margin, "Gross margin for LTV as a fraction, e.g. 0.8 (default 1.0)")
      ->type_name("FRACTION");
  output.add_option("--cac", o.cac, "Acquisition cost per customer for LTV:CAC (overrides a cac column)")
      ->type_name("AMOUNT");
  output.add_option("--bands", o.bands, "CSV of metric,tier,bound,direction replacing built-in bands per metric")
      ->type_name(k_file);
  add_costs_option(output, o);
  CLI::App& figures = option_part(*cmd);
  figures.add_flag("--skip-invalid", o.skip_invalid,
                   "Leave invalid rows out (each is still reported) instead of failing");
  figures.add_flag("--lock", o.lock,
                   "Month close (with --format json): add a fingerprint of every customer's movements per period, so "
                   "that cskpi check --baseline can name the customers behind a figure that changed after the close");
  figures
      .add_option("--top", o.top,
                  "Movers: the N largest customers behind each bridge line, per period and group, with amount and "
                  "share of the line (0: every one); with --by, also those whose group changed (transfer_in, "
                  "transfer_out). Table, markdown, json and jsonl show them only when given; html "
                  "shows 10 and xlsx every one unless given; not with csv (cskpi movements --kind lists them)")
      ->type_name("N");
  add_reactivation_option(figures, o);
  figures
      .add_option("--compare", o.compare,
                  "Definitions side by side: the headline figures (or --metrics) of each preset named, e.g. "
                  "cskpi,smsb,chartmogul,profitwell; each difference from the first is split among the knobs that "
                  "cause it, switched one at a time (cskpi explain definitions); with --fx the FX method is one of "
                  "them (each preset's own, unless --fx-method names one). For table, json, csv and markdown")
      ->delimiter(',')
      ->type_name("PRESET,...")
      ->excludes(cmd->get_option("--definitions"));
  CLI::App& context = option_part(*cmd);
  context
      .add_option("--peers", o.peers,
                  "Also hold each metric with published peer data (cskpi bands --peers) against the band of the "
                  "company's size: arpa, acv or arr, taken per group from the report (ARPA = ending MRR / ending "
                  "customers, ACV = 12 x ARPA, ARR = 12 x ending MRR), or given in USD as DIM=VALUE (arpa=450, "
                  "acv=12000, arr=2.4M). Each such record says where it stands (below p25, below median, at median, "
                  "above median, above p75; better or worse) next to its seed tier, or why it cannot be compared. "
                  "For table, markdown, json, jsonl and html; seed tiers are unchanged")
      ->type_name("DIM[=VALUE]");
  context
      .add_option("--peer-bands", o.peer_bands,
                  "A peer band CSV (as cskpi bands --peers --format csv writes) replacing the built-in peer bands "
                  "per metric; with --peers")
      ->type_name(k_file);
  context
      .add_option("--annotations", o.annotations,
                  "With --format html: a CSV of known events, columns date (YYYY-MM-DD, or YYYY-MM) and label, each "
                  "drawn as a marker with its label at its period on every trend chart (cskpi check --anomaly "
                  "--annotations reads the same file)")
      ->type_name(k_file);
  add_leading_options(context, o);
  add_color_option(context, o.color, "tiers");
  cmd->footer(R"(Examples:
  cskpi report samples/month_end_2026-10.csv
  cskpi report samples/month_end_2026-10.csv --by segment --format json | jq '.records[]'
  cskpi report samples/quarterly_2026.csv --metrics nrr,grr,logo_churn --format csv -o kpis.csv
  cskpi report samples/german_excel_q3.csv --gross-margin 0.8 --format markdown
  cskpi report samples/stripe/coupons.csv samples/stripe/subscriptions.csv --fx samples/stripe/fx_usd.csv --currency USD
  cskpi report export.csv --map 'start_mrr=MRR Start,customer_id=Kunden-ID' --encoding cp1252
  cskpi report export.csv --format json --lock -o closed-2026-10.json   (at month close; see cskpi check --baseline)
  cskpi report samples/mrr_matrix_24m.csv --compare cskpi,chartmogul --metrics nrr,grr
  cskpi report samples/month_end_2026-10.csv --by segment --top 5
  cskpi report samples/month_end_2026-10.csv --by segment --peers acv    (each segment against its ACV band)
  cskpi report samples/month_end_2026-10.csv --peers arpa=600 --metrics logo_churn
  cskpi report samples/mrr_matrix_24m.csv --costs samples/costs_24m.csv --metrics burn_multiple,rule_of_40

Period figures are annualised by compounding (12 months, 4 quarters); bands
rate the annual figure. Undefined ratios print n/a (null in JSON) with the
reason. Groups with fewer than --min-group starting customers are reported,
not rated. The input forms (movements, snapshots, Stripe, Chargebee,
ChartMogul, Recurly, Kill Bill, customers, responses) are recognised from
each file's header:
cskpi explain inputs.)");
}

namespace {

/// report --compare: the presets side by side, their differences split among the knobs.
int run_compare(const RunOptions& o) {
  if (o.format != "table" && o.format != "json" && o.format != "csv" && o.format != "markdown")
    throw usage_error(fmt::format("--compare is for table, json, csv and markdown, not {}", o.format));
  if (o.layout == "wide")
    throw usage_error("--compare puts the presets side by side; --layout wide puts the periods there: drop one");
  const std::optional<Comparison> c = compute_comparison(o);
  if (!c) return static_cast<int>(ExitCode::input);
  write_output(o.output, render_comparison(*c, o.format, o.csv_locale == "de" ? CsvStyle{';', ','} : CsvStyle{}));
  return static_cast<int>(ExitCode::ok);
}

} // namespace

int run_report(const RunOptions& o) {
  if (o.layout == "wide" && (o.format == "xlsx" || o.format == "html"))
    throw usage_error(
        fmt::format("--layout wide is for table, csv and markdown; the {} shows the periods side by side itself",
                    o.format == "xlsx" ? "workbook" : "page"));
  if (o.layout == "wide" && (o.format == "json" || o.format == "jsonl"))
    throw usage_error(
        fmt::format("--layout wide is for table, csv and markdown; {} records name their period each", o.format));
  if (o.csv_locale != "en" && o.format != "csv")
    throw usage_error(fmt::format("--csv-locale {} is for --format csv, not {}", o.csv_locale, o.format));
  if (o.lock && o.format != "json")
    throw usage_error(
        fmt::format("--lock is for --format json (the baseline of cskpi check --baseline), not {}", o.format));
  if (!o.annotations.empty() && (o.format != "html" || !o.compare.empty()))
    throw usage_error(
        fmt::format("--annotations marks events on the trend charts of --format html, not {}; cskpi check "
                    "--anomaly --annotations FILE judges figures with them",
                    o.compare.empty() ? o.format : "--compare"));
  if (o.lock && !o.compare.empty())
    throw usage_error("--lock is for one report's JSON (the baseline of cskpi check --baseline), not --compare");
  if (o.top && (o.format == "csv" || o.layout == "wide"))
    throw usage_error(fmt::format("--top is for table, markdown, json, jsonl, html and xlsx{}; cskpi movements --kind "
                                  "KIND --format csv lists the customers behind a line",
                                  o.layout == "wide" ? " in the records layout" : ""));
  if (!o.peer_bands.empty() && o.peers.empty())
    throw usage_error("--peer-bands replaces the bands --peers rates against: add --peers arpa, acv or arr");
  std::optional<PeerChoice> peers;
  PeerTable peer_table;
  if (!o.peers.empty()) {
    peers = app::parse_peer_choice(o.peers);
    if (!o.compare.empty() || o.layout == "wide" || o.format == "csv" || o.format == "xlsx")
      throw usage_error(
          fmt::format("--peers is for table, markdown, json, jsonl and html in the records layout, not {}",
                      !o.compare.empty()       ? "--compare"
                          : o.layout == "wide" ? "--layout wide"
                                               : o.format));
    peer_table = app::load_peer_bands(o.peer_bands);
  }
  if (!o.compare.empty()) return run_compare(o);
  // Movers by default where a reader looks for them (issue 30): the page shows the 10 largest
  // per line, the workbook every one on its Movers sheet. The text formats show them when asked.
  RunOptions run = o;
  if (!run.top && o.format == "html") run.top = 10;
  if (!run.top && o.format == "xlsx") run.top = 0;
  // Read before the inputs, as check reads its baseline: a bad file stops the run first.
  const std::vector<Annotation> annotations =
      o.annotations.empty() ? std::vector<Annotation>{} : ingest::read_annotations(o.annotations);
  Drawing drawing;
  CustomerLedger ledger;
  std::optional<Report> r =
      compute_report(run, false, o.format == "html" ? &drawing : nullptr, o.lock ? &ledger : nullptr);
  if (!r) return static_cast<int>(ExitCode::input);
  if (peers) rate_against_peers(*r, peer_table, *peers);
  if (o.format == "xlsx") {
    if (o.output.empty() && platform::is_terminal(platform::Stream::out))
      throw usage_error("an xlsx workbook is binary, not for a terminal: write it to a file with -o FILE, or redirect");
    write_output(o.output, render_xlsx(*r));
    return static_cast<int>(ExitCode::ok);
  }
  const CsvStyle style = o.csv_locale == "de" ? CsvStyle{';', ','} : CsvStyle{};
  std::string text;
  if (o.layout == "wide") text = render_wide(*r, o.format, table_width(o.output, 100), style);
  else if (o.format == "html")
    text = render_html(*r, drawing.bands, chart_js(), &drawing.cohorts, o.currency, annotations);
  else if (o.format == "json" && o.lock) text = with_lock(render_json(*r), ledger, r->settings.by.has_value());
  else if (o.format == "json") text = render_json(*r);
  else if (o.format == "jsonl") text = render_jsonl(*r);
  else if (o.format == "csv") text = render_csv(*r, style);
  else if (o.format == "markdown") text = render_markdown(*r);
  else text = render_table(*r, use_color(o.color, o.output), table_width(o.output));
  if (r->movers && o.format == "table") text += render_movers_table(*r->movers, *o.top);
  if (r->movers && o.format == "markdown") text += render_movers_markdown(*r->movers, *o.top);
  write_output(o.output, text);
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
