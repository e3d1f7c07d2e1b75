// SPDX-License-Identifier: MIT
// The SQL generator (issue 16): what the text holds for each dialect and option. That the
// text computes cskpi's figures is shown by running it: tests/sql_engines.sh.
#include "report/sql.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

namespace test_sql {

using namespace cskpi;

namespace {

SqlOptions movements(SqlDialect d) {
  SqlOptions o;
  o.dialect = d;
  o.table = "billing.movements";
  o.columns.period = true;
  return o;
}

std::string query(const SqlOptions& o, const BandTable& bands = BandTable::builtin()) {
  return render_sql_query(plan_sql(o, bands), "-- header\n");
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("dialect names", "[sql]") {
  for (SqlDialect d :
       {SqlDialect::duckdb, SqlDialect::postgres, SqlDialect::bigquery, SqlDialect::snowflake, SqlDialect::spark})
    CHECK(parse_dialect(to_string(d)) == d);
  CHECK(parse_dialect("postgresql") == SqlDialect::postgres);
  CHECK_FALSE(parse_dialect("mysql"));
}

TEST_CASE("the metrics follow from the table's columns, as report's follow from a header", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  auto ids = sql_metric_ids(o);
  CHECK(ids.front() == "mrr_start");
  CHECK(std::count(ids.begin(), ids.end(), "nrr") == 1);
  CHECK(std::count(ids.begin(), ids.end(), "quick_ratio") == 0); // needs new_mrr
  CHECK(std::count(ids.begin(), ids.end(), "nps") == 0);
  CHECK(std::count(ids.begin(), ids.end(), "ltv_cac") == 0);
  o.columns.new_mrr = o.columns.nps = o.columns.at_risk = true;
  o.cac = Money::from_units(900);
  ids = sql_metric_ids(o);
  for (const char* id : {"quick_ratio", "nps", "nps_ci_high", "save_rate", "at_risk_mrr", "ltv_cac"})
    CHECK(std::count(ids.begin(), ids.end(), id) == 1);
  // Nothing that needs a customers or responses file.
  for (const char* id : {"health_green", "ttv_median", "csat", "renewal_rate"})
    CHECK(std::count(ids.begin(), ids.end(), id) == 0);
  // A snapshot table has new and reactivation MRR, no survey or risk columns.
  SqlOptions s = movements(SqlDialect::duckdb);
  s.snapshots = true;
  ids = sql_metric_ids(s);
  CHECK(std::count(ids.begin(), ids.end(), "quick_ratio") == 1);
  CHECK(std::count(ids.begin(), ids.end(), "nps") == 0);
  // --metrics keeps table order.
  o.metrics = {"grr", "nrr"};
  CHECK(sql_metric_ids(o) == std::vector<std::string>{"nrr", "grr"});
}

TEST_CASE("one query: every step a WITH clause, the last the SELECT, every step name resolved", "[sql]") {
  const std::string q = query(movements(SqlDialect::duckdb));
  CHECK(q.starts_with("-- header\nWITH\n"));
  CHECK(has(q, "cskpi_rows AS (\n"));
  CHECK(has(q, "FROM billing.movements"));
  CHECK_FALSE(has(q, "{{"));
  CHECK(q.ends_with("ORDER BY period, whole DESC, grp, ord;\n"));
  // Exact money: the movement columns as decimals, summed before any division.
  CHECK(has(q, "CAST(COALESCE(start_mrr, 0) AS DECIMAL(18,6)) AS s"));
  CHECK(has(q, "SUM(CASE WHEN s > 0 THEN s ELSE CAST(0 AS DECIMAL(18,6)) END) AS s"));
}

TEST_CASE("the dialects differ only where their engines do", "[sql]") {
  using D = SqlDialect;
  const std::pair<SqlDialect, std::string_view> k_expected[] = {
      {D::duckdb, " // "},
      {D::duckdb, "AS \"by\""},
      {D::postgres, "DIV("},
      {D::postgres, "COLLATE \"C\""}, // byte order, as cskpi sorts, whatever the database's locale
      {D::postgres, "DOUBLE PRECISION"},
      {D::bigquery, "FLOAT64"},
      {D::bigquery, "MOD("},
      {D::bigquery, "AS `by`"},
      {D::snowflake, "NUMBER(18,6)"},
      {D::spark, " div "},
      {D::spark, "AS `key`"},
  };
  for (const auto& [d, part] : k_expected) {
    INFO(to_string(d) << ": " << part);
    CHECK(has(query(movements(d)), part));
  }
  for (D d : {D::duckdb, D::postgres, D::bigquery, D::snowflake, D::spark}) {
    const std::string q = query(movements(d));
    CHECK(has(q, "GROUP BY period"));
    CHECK(has(q, "POWER(nrr_v / 100, k)"));
  }
}

TEST_CASE("grouping by a column puts groups beside the whole base, without it there is no group column", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  CHECK_FALSE(has(query(o), "GROUPING SETS"));
  o.by = "segment";
  const std::string q = query(o);
  CHECK(has(q, "GROUP BY GROUPING SETS ((period), (period, grp))"));
  CHECK(has(q, "COALESCE(NULLIF(TRIM(CAST(segment AS VARCHAR)), ''), '(blank)') AS grp"));
  CHECK(has(q, "CASE WHEN whole = 1 THEN CAST(NULL AS VARCHAR) ELSE 'segment' END AS \"by\""));
}

TEST_CASE("the bands are rated in SQL with cskpi's edges", "[sql]") {
  const std::string q = query(movements(SqlDialect::duckdb));
  // nrr best_in_class >= 120: a value within 1e-9 * 120 below the edge is on it.
  CHECK(has(q, ">= 119.99999988 THEN 4"));
  // logo_churn best_in_class < 5: strictly below the edge, less the tolerance.
  CHECK(has(q, "< 4.999999995 THEN 4"));
  CHECK(has(q, "'not rated: '"));
  // An override replaces the metric's rules.
  BandTable bands = BandTable::builtin();
  bands.override_from_csv("metric,tier,bound,direction\nnrr,good,110,>=\nnrr,critical,110,<\n", "b.csv",
                          [](std::string_view id) { return id == "nrr"; });
  const std::string over = query(movements(SqlDialect::duckdb), bands);
  CHECK_FALSE(has(over, ">= 119.99999988 THEN 4"));
  CHECK(has(over, ">= 109.99999989 THEN 3"));
}

TEST_CASE("string literals are escaped the dialect's way", "[sql]") {
  SqlOptions o = movements(SqlDialect::bigquery);
  o.by = "it's";
  CHECK(has(query(o), "'it\\'s'"));
  o.dialect = SqlDialect::postgres;
  CHECK(has(query(o), "'it''s'"));
}

TEST_CASE("options reach the text: gross margin, CAC, min group, period length", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  o.gross_margin = Money{800000};
  o.gross_margin_given = true;
  o.cac = Money::from_units(1500);
  o.min_group = 7;
  o.period_length = PeriodLength::quarter;
  const std::string q = query(o);
  for (std::string_view part : {"* (3) * 800000", "CAST(1500000000 AS HUGEINT) AS mean_cac_micros", "gross margin 80%",
                                "'CAC from --cac'", "starting < 7", "4 AS k"}) {
    INFO(part);
    CHECK(has(q, part));
  }
  CHECK_FALSE(has(q, "(default; set --gross-margin)"));
}

TEST_CASE("snapshots: movements derived, annual figures from trailing-12-month cohorts", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  o.snapshots = true;
  std::string q = query(o);
  for (const char* step : {"cskpi_snapshots AS", "cskpi_customers AS", "cskpi_periods_derived AS",
                           "cskpi_cohort_members AS", "cskpi_cohorts AS"})
    CHECK(has(q, step));
  CHECK(has(q, "'cohort'"));
  CHECK_FALSE(has(q, "active_between"));
  o.include_reactivation = false;
  q = query(o);
  CHECK(has(q, "cskpi_cohort_active AS"));
  CHECK(has(q, "active_between = 11"));
  o.period_length = PeriodLength::quarter;
  q = query(o);
  CHECK(has(q, "WHERE (m) % 3 = 2"));
  CHECK(has(q, "'-Q'"));
}

TEST_CASE("dbt: a model per step, each ref()s the ones before, and a schema.yml", "[sql]") {
  const auto steps = plan_sql(movements(SqlDialect::snowflake), BandTable::builtin());
  const auto files = render_dbt_models(steps, "-- header\n");
  REQUIRE(files.size() == steps.size() + 1);
  CHECK(files.front().first == "cskpi_rows.sql");
  CHECK(files.back().first == "schema.yml");
  CHECK(has(files.back().second, "# header\nversion: 2\n"));
  const auto& kpis = files[files.size() - 2];
  CHECK(kpis.first == "cskpi_kpis.sql");
  CHECK(has(kpis.second, "FROM {{ ref('cskpi_records') }}"));
  for (const auto& [name, text] : files) {
    CHECK_FALSE(has(text, "{{cskpi_"));
    CHECK_FALSE(has(text, ";\n"));
  }
}

TEST_CASE("a costs table adds the efficiency metrics, joined by period label for the whole base", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  o.columns.new_mrr = true;
  const char* efficiency[] = {"burn_multiple", "cac_payback_months", "cac_payback_new_months", "magic_number",
                              "rule_of_40"};
  auto ids = sql_metric_ids(o);
  for (const char* id : efficiency) CHECK(std::count(ids.begin(), ids.end(), id) == 0); // no costs table
  o.costs_table = "billing.costs";
  ids = sql_metric_ids(o);
  for (const char* id : efficiency) CHECK(std::count(ids.begin(), ids.end(), id) == 1);
  o.metrics = {"burn_multiple", "magic_number", "rule_of_40"};
  const auto steps = plan_sql(o, BandTable::builtin());
  std::vector<std::string> names;
  for (const SqlStep& s : steps) names.push_back(s.name);
  // The costs steps after the annual figures, before the records.
  const auto at = [&](const char* n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  CHECK(at("cskpi_annual") < at("cskpi_costs_rows"));
  CHECK(at("cskpi_costs_rows") < at("cskpi_costs_sums"));
  CHECK(at("cskpi_costs_sums") < at("cskpi_costs_periods"));
  CHECK(at("cskpi_costs_periods") < at("cskpi_costs"));
  CHECK(at("cskpi_costs") < at("cskpi_records"));
  const std::string text = query(o);
  CHECK(has(text, "FROM billing.costs"));
  CHECK(has(text, "WHERE whole = 1")); // the whole base only
  CHECK(has(text, "LEFT JOIN cskpi_costs_periods AS cb ON cb.period = a.before_period"));
  // Months summed into a quarter or a year, as report sums a monthly costs file (join_costs()).
  CHECK(has(text, "SUBSTR(period, 1, 4) AS tp, 12 AS tm"));
  CHECK(has(text, "'), and a partial sum is not the '"));
  CHECK(has(text, "WHERE NOT EXISTS (SELECT 1 FROM cskpi_costs_rows AS r WHERE r.period = m.period)"));
  CHECK(has(text, "COALESCE(y.end_mrr, y2.s) AS mrr_year_before"));      // join_costs()' fallback
  CHECK(has(text, "'the costs file has no row for period ' || period")); // report's note
  CHECK(has(text, "format('{:,.2f}'"));                                  // money_text() in DuckDB
  // Each dialect formats the notes' numbers with its own function.
  o.dialect = SqlDialect::postgres;
  CHECK(has(query(o), "to_char("));
  o.dialect = SqlDialect::bigquery;
  CHECK(has(query(o), "FORMAT('%.2f'"));
  o.dialect = SqlDialect::spark;
  CHECK(has(query(o), "format_number("));
}

TEST_CASE("an invoices table adds the invoice metrics, booked per period and group and rounded once", "[sql]") {
  SqlOptions o = movements(SqlDialect::duckdb);
  const char* invoicing[] = {"billings",        "revenue_from_mrr",    "revenue_one_time",    "revenue_prorations",
                             "revenue_credits", "revenue_without_mrr", "revenue_unexplained", "recognized_revenue",
                             "deferred_revenue"};
  auto ids = sql_metric_ids(o);
  for (const char* id : invoicing) CHECK(std::count(ids.begin(), ids.end(), id) == 0); // no invoices table
  CHECK_FALSE(has(query(o), "AS id,")); // the movements keep no customer id without one
  o.invoices_table = "billing.invoice_lines";
  o.by = "segment";
  ids = sql_metric_ids(o);
  for (const char* id : invoicing) CHECK(std::count(ids.begin(), ids.end(), id) == 1);
  const auto steps = plan_sql(o, BandTable::builtin());
  std::vector<std::string> names;
  for (const SqlStep& s : steps) names.push_back(s.name);
  const auto at = [&](const char* n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  CHECK(at("cskpi_annual") < at("cskpi_invoice_lines"));
  CHECK(at("cskpi_invoice_parts") < at("cskpi_invoice_sums"));
  CHECK(at("cskpi_invoices") < at("cskpi_records"));
  const std::string text = query(o);
  CHECK(has(text, "FROM billing.invoice_lines"));
  CHECK(has(text, "TRIM(CAST(customer_id AS VARCHAR)) AS id,"));
  CHECK(has(text, "GROUP BY GROUPING SETS ((period, d), (period, grp, d))")); // per service length
  CHECK(has(text, "> 500000000000000000 - n_days AND"));                      // an exact tie: half to even
  CHECK(has(text, "'no invoice line dated in the period'"));
  CHECK(has(text, "FROM cskpi_invoices"));
  // Every dialect divides whole numbers exactly with its own operator.
  o.dialect = SqlDialect::postgres;
  CHECK(has(query(o), "DIV(recognized_f, CAST(1000000000000000000 AS NUMERIC))"));
  o.dialect = SqlDialect::spark;
  CHECK(has(query(o), "div (CAST(1000000000000000000 AS DECIMAL(38,0)))"));
  // Snapshots: the derived movements carry the customer.
  o.snapshots = true;
  CHECK(has(query(o), "  b.id,\n"));
}

} // namespace test_sql
