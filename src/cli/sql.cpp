// SPDX-License-Identifier: MIT
// cskpi sql (issue 16): cskpi's definitions as one SQL query, or as dbt models.
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "report/sql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace cskpi::cli {

namespace {

/// The optional columns of SPEC §1.2 a query can read, as --columns names them.
constexpr std::string_view k_optional_columns[] = {"period", "new_mrr", "reactivation_mrr", "end_mrr", "nps", "at_risk",
                                                   "saved",  "cac"};

ColumnSet column_set(const std::vector<std::string>& names) {
  ColumnSet c;
  for (const std::string& given : names) {
    const std::string name = normalise_column_name(given); // as a header's names are matched
    if (name.empty() || name == "none") continue;
    if (name == "period") c.period = true;
    else if (name == "new_mrr") c.new_mrr = true;
    else if (name == "reactivation_mrr") c.reactivation_mrr = true;
    else if (name == "end_mrr") c.end_mrr = true;
    else if (name == "nps") c.nps = true;
    else if (name == "at_risk") c.at_risk = true;
    else if (name == "saved") c.saved = true;
    else if (name == "cac") c.cac = true;
    else if (name == "customer_id" || name == "start_mrr" || name == "expansion_mrr" || name == "contraction_mrr" ||
             name == "churned_mrr")
      continue;
    else {
      std::string known;
      for (std::string_view k : k_optional_columns) known += (known.empty() ? "" : ", ") + std::string(k);
      std::string near;
      for (std::string_view k : k_optional_columns)
        if (edit_distance(name, k) <= 2 && near.empty()) near = k;
      throw usage_error(fmt::format(
          "--columns: \"{}\" is not a column of a movements table that a metric reads{}; the optional ones are {}",
          name, near.empty() ? "" : fmt::format(" (did you mean {}?)", near), known));
    }
  }
  return c;
}

} // namespace

void setup_sql(CLI::App& app, SqlCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "sql", "Print cskpi's definitions as one SQL query for DuckDB, PostgreSQL, BigQuery, Snowflake or Spark");
  cmd->add_option("--dialect", o.dialect, "duckdb, postgres, bigquery, snowflake or spark")
      ->check(CLI::IsMember({"duckdb", "postgres", "bigquery", "snowflake", "spark"}))
      ->capture_default_str();
  cmd->add_option("--table", o.table,
                  "The table (or view) to read, as the engine names it: billing.movements, `project.dataset.mrr`")
      ->type_name("NAME")
      ->required();
  cmd->add_option("--costs-table", o.costs_table,
                  "A costs table to join by period, as the engine names it (columns period, sales_marketing, net_burn, "
                  "revenue, operating_income, gross_margin as a fraction; NULL where a costs file's cell is empty): "
                  "the efficiency metrics (burn_multiple, cac_payback_months, cac_payback_new_months, magic_number, "
                  "rule_of_40) for the whole base, as report --costs computes them")
      ->type_name("NAME");
  cmd->add_option("--invoices-table", o.invoices_table,
                  "An invoice-lines table, as the engine names it (columns invoice_id, customer_id, invoice_date, "
                  "amount, service_start, service_end; the end exclusive, NULL service dates for a one-off line, "
                  "credits negative): billings, recognized_revenue, deferred_revenue and the reconciliation with MRR, "
                  "per period and group, as report --invoices computes them")
      ->type_name("NAME");
  cmd->add_option("--input", o.input,
                  "movements (one row per customer and period) or snapshots (customer_id, month, mrr)")
      ->check(CLI::IsMember({"movements", "snapshots"}))
      ->capture_default_str();
  o.columns_option =
      cmd->add_option(
             "--columns", o.columns,
             "The optional columns the movements table has, comma-separated: period, new_mrr, reactivation_mrr, nps, "
             "at_risk, "
             "saved, cac ('none' for none). The metrics follow from them, as report's follow from a file's header")
          ->delimiter(',')
          ->type_name("LIST")
          ->capture_default_str();
  cmd->add_option("--by", o.by, "Group by this column too (the whole base comes first, as in report --by)")
      ->type_name("COLUMN");
  cmd->add_option("--metrics", o.metrics, "Only these metric ids, comma-separated")->delimiter(',')->type_name("LIST");
  cmd->add_option("--period-length", o.period_length,
                  "month, quarter or year (default: each period's from its label: 2026-10, 2026-Q4, 2026; "
                  "snapshots: month, or the calendar quarters or years to derive)")
      ->type_name("LENGTH");
  cmd->add_option("--gross-margin", o.gross_margin, "Gross margin for LTV, as in report: 0.8 or 80% (default 1.0)")
      ->type_name("FRACTION");
  cmd->add_option("--cac", o.cac, "Acquisition cost per customer for LTV : CAC when the table has no cac column")
      ->type_name("AMOUNT");
  cmd->add_option("--bands", o.bands,
                  "Rate by the bands of this CSV (metric, tier, bound, direction) instead of the built-in ones")
      ->type_name(k_file);
  cmd->add_option("--min-group", o.min_group, "Rate a group only from this many starting customers, as in report")
      ->capture_default_str();
  cmd->add_option(
         "--reactivation", o.reactivation,
         "Snapshots: the annual cohort's ending MRR counts (include) or leaves out (exclude) customers that churned "
         "inside the 12 months and came back")
      ->check(CLI::IsMember({"include", "exclude"}))
      ->capture_default_str();
  cmd->add_option(
         "--dbt", o.dbt,
         "Write the steps as dbt models into DIR (one model per step, each ref()s the ones before, and a schema.yml) "
         "instead of printing one query")
      ->type_name("DIR");
  cmd->add_option("-o,--output", o.output, "Write the query to FILE instead of standard output")->type_name(k_file);
  cmd->footer(R"(Examples:
  cskpi sql --table movements --columns period,new_mrr,nps --by segment
  cskpi sql --dialect bigquery --table 'acme.billing.movements' --by segment > kpis.sql
  cskpi sql --dialect postgres --input snapshots --table mrr_history -o kpis.sql
  cskpi sql --table movements --columns period,new_mrr --costs-table costs --metrics burn_multiple,rule_of_40
  cskpi sql --table movements --columns period --invoices-table invoice_lines --by segment
  cskpi sql --dialect snowflake --table "{{ ref('movements') }}" --dbt models/cskpi

The query computes inside the warehouse what 'cskpi report --format csv' prints:
the same records (period, segment, metric, name, value, unit, annualized, method,
band, severity, numerator, denominator, n, note, key, by), bands and notes, with
money summed as exact decimals. It reads a movements table with the columns of
a movements file (customer_id, start_mrr, expansion_mrr, contraction_mrr,
churned_mrr, and the optional ones --columns names), or, with --input
snapshots, a table of customer_id, month and mrr: movements are derived as
'cskpi movements' derives them, and the annual figures come from exact
trailing-12-month cohorts. The query trusts the table: check an export with
'cskpi validate' before it is loaded.

Money columns may be DECIMAL, NUMERIC or FLOAT; flags (at_risk, saved) BOOLEAN; nps an integer
0-10 (NULL: no response); period text (2026-10, 2026-Q4, 2026) or a DATE (taken as its month).
A snapshots table's month is a DATE or 'YYYY-MM' text.

With --costs-table, the efficiency metrics join a costs table by period label, for
the whole base only (segment 'all'), as report --costs joins a costs file: the row
of the period, the row of the period before (magic_number) and the MRR a year
before (rule_of_40). A period without a costs row has them null with the reason.
As report --costs does, a monthly costs table is summed into quarterly or yearly
periods (the gross margin weighted by revenue; a quarter missing a month has none).

With --invoices-table, the invoice lines are booked over the periods of the MRR
table, per period and --by group (a line in the group of its customer's latest
period; a customer not in the MRR table counts in 'all' only): billings by
invoice date, straight-line recognition by service day summed exactly and
rounded once half to even, deferred revenue at each period's end, and the
reconciliation with ending MRR x months. Its dates are DATEs or 'YYYY-MM-DD'
text, amounts DECIMAL or NUMERIC in one currency (convert before loading).)");
}

int run_sql(const SqlCommandOptions& o) {
  SqlOptions s;
  s.dialect = *parse_dialect(o.dialect);
  s.table = o.table;
  s.costs_table = o.costs_table;
  s.invoices_table = o.invoices_table;
  s.snapshots = o.input == "snapshots";
  s.by = o.by;
  s.columns = column_set(o.columns);
  if (s.snapshots && o.columns_option->count() > 0)
    throw usage_error("--columns describes a movements table; a snapshots table has customer_id, month and mrr (and "
                      "the --by column)");
  s.metrics = parse_metric_list(o.metrics);
  if (!s.costs_table.empty() && !s.snapshots && !s.columns.period)
    throw usage_error("--costs-table is joined by period: the movements table needs a period column (name it in "
                      "--columns)");
  if (!s.invoices_table.empty() && !s.snapshots && !s.columns.period)
    throw usage_error("--invoices-table books its lines over the periods: the movements table needs a period column "
                      "(name it in --columns)");
  if (!o.period_length.empty()) {
    s.period_length = parse_period_length(o.period_length);
    if (!s.period_length)
      throw usage_error(fmt::format("--period-length \"{}\" is not month, quarter or year", o.period_length));
  }
  if (!o.gross_margin.empty()) {
    s.gross_margin = parse_gross_margin(o.gross_margin);
    s.gross_margin_given = true;
  }
  if (!o.cac.empty()) s.cac = parse_amount_flag("--cac", o.cac);
  s.min_group = o.min_group;
  s.include_reactivation = o.reactivation != "exclude";
  const BandTable bands = load_bands(o.bands);

  // A metric asked for that this table cannot give: say which column it needs.
  for (const std::string& id : s.metrics) {
    SqlOptions one = s;
    one.metrics = {id};
    if (!sql_metric_ids(one).empty()) continue;
    const MetricDef* def = find_metric(id);
    if (def->section == Section::efficiency) // issue 31
      throw usage_error(fmt::format("metric \"{}\" needs a costs table: name it with --costs-table (columns period, "
                                    "sales_marketing, net_burn, revenue, operating_income, gross_margin)",
                                    id));
    if (def->section == Section::invoicing) // issue 31
      throw usage_error(fmt::format("metric \"{}\" needs an invoice-lines table: name it with --invoices-table "
                                    "(columns invoice_id, customer_id, invoice_date, amount, service_start, "
                                    "service_end)",
                                    id));
    // From billing exports' columns, which a movements table has not.
    if (def->section == Section::lifecycle)
      throw usage_error(fmt::format("metric \"{}\" is not in 'cskpi sql': {}", id, def->sql.why_not));
    const std::string_view column = needed_column(def->needs);
    if (def->needs == Needs::nothing || column.empty() || def->latest_only || def->keyed)
      throw usage_error(
          fmt::format("metric \"{}\" needs a customers or responses file; 'cskpi sql' computes the metrics of a "
                      "movements or snapshots table",
                      id));
    throw usage_error(fmt::format("metric \"{}\" needs the {} column{}", id, column,
                                  s.snapshots ? ", which a snapshots table does not have" : ": name it in --columns"));
  }

  // The header says how to make the same query again: every option that shapes it.
  const auto shell_word = [](const std::string& v) { // as a shell would take it back
    if (v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,%/:=+-") ==
        std::string::npos)
      return v;
    std::string q = "'";
    for (char c : v) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string command = "sql";
  const auto add = [&](std::string_view flag, const std::string& value) {
    if (!value.empty()) command += fmt::format(" {} {}", flag, shell_word(value));
  };
  add("--dialect", o.dialect);
  add("--table", o.table);
  add("--costs-table", o.costs_table);
  add("--invoices-table", o.invoices_table);
  std::string columns, metrics;
  for (const std::string& c : o.columns) columns += (columns.empty() ? "" : ",") + c;
  for (const std::string& m : s.metrics) metrics += (metrics.empty() ? "" : ",") + m;
  add("--input", s.snapshots ? "snapshots" : "");
  add("--columns", s.snapshots ? "" : columns);
  add("--by", o.by);
  add("--metrics", metrics);
  add("--period-length", o.period_length);
  add("--gross-margin", o.gross_margin);
  add("--cac", o.cac);
  add("--bands", o.bands);
  add("--min-group", o.min_group != SqlCommandOptions{}.min_group ? std::to_string(o.min_group) : "");
  add("--reactivation", s.snapshots && !s.include_reactivation ? "exclude" : "");
  std::string header = fmt::format("-- cskpi {} {}\n", CSKPI_VERSION, command);
  header += "-- The records of 'cskpi report --format csv' computed in the warehouse: cskpi's definitions\n"
            "-- (SPEC 2), its bands and notes; money is summed as exact decimals.\n";
  const std::vector<SqlStep> steps = plan_sql(s, bands);
  if (o.dbt.empty()) {
    write_output(o.output, render_sql_query(steps, header));
    return 0;
  }
  if (!o.output.empty()) throw usage_error("--dbt DIR writes one file per model; -o is for the single query");
  std::error_code ec;
  std::filesystem::create_directories(o.dbt, ec);
  if (ec) throw input_error(fmt::format("{}: cannot create the directory: {}", o.dbt, ec.message()));
  std::vector<std::string> written;
  for (const auto& [name, text] : render_dbt_models(steps, header)) {
    write_output((std::filesystem::path(o.dbt) / name).string(), text);
    written.push_back(name);
  }
  std::fprintf(stderr, "cskpi: wrote %zu dbt models and schema.yml to %s (the last, cskpi_kpis, holds the records)\n",
               steps.size(), o.dbt.c_str());
  // A model of an earlier run with other options (cskpi_cohorts.sql of --input snapshots, say)
  // would still be built by dbt: named, not deleted, since the directory is the user's.
  std::vector<std::string> stale;
  for (const auto& entry : std::filesystem::directory_iterator(o.dbt, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("cskpi_") && name.ends_with(".sql") &&
        std::find(written.begin(), written.end(), name) == written.end())
      stale.push_back(name);
  }
  std::sort(stale.begin(), stale.end());
  for (const std::string& name : stale)
    print_problem(
        fmt::format("{} is not a model of this query (left from another run?); dbt builds it too: remove it if so",
                    (std::filesystem::path(o.dbt) / name).string()),
        true);
  return 0;
}

} // namespace cskpi::cli
