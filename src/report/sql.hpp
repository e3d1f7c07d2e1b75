// SPDX-License-Identifier: MIT
// cskpi's definitions as SQL (issue 16): one query over a movements table, or a long
// snapshot table, that returns the records `cskpi report --format csv` prints, bands
// included, for DuckDB, PostgreSQL, BigQuery, Snowflake and Spark. Pure: builds text, no I/O.
#pragma once

#include "core/money.hpp"
#include "core/period.hpp"
#include "core/records.hpp"
#include "metrics/bands.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

enum class SqlDialect : std::uint8_t { duckdb, postgres, bigquery, snowflake, spark };
std::string_view to_string(SqlDialect d) noexcept;
std::optional<SqlDialect> parse_dialect(std::string_view text) noexcept;

/// What the query reads and how it computes.
struct SqlOptions {
  SqlDialect dialect = SqlDialect::duckdb;
  /// The table (or view, or a dbt `{{ ref(...) }}`) as the engine names it: put in verbatim.
  std::string table;
  /// The costs table (issue 31; "" for none): period, sales_marketing, net_burn, revenue,
  /// operating_income, gross_margin. Given, the efficiency metrics join it by period label.
  std::string costs_table;
  /// The invoice-lines table (issue 31; "" for none): invoice_id, customer_id, invoice_date,
  /// amount, service_start, service_end (exclusive). Given, the invoice metrics book its lines
  /// over the periods, per group, the group and MRR of a line's customer from the MRR table.
  std::string invoices_table;
  /// "movements": the columns of SPEC §1.2. "snapshots": customer_id, month, mrr per row.
  bool snapshots = false;
  /// The --by column ("" for none): grouped beside the whole base, as `report --by` does.
  std::string by;
  /// The optional columns the table has (movements); `period` and `segment` included.
  ColumnSet columns;
  /// Only these metric ids, in table order (empty: every metric the columns allow).
  std::vector<std::string> metrics;
  /// nullopt: each period's length from its label (YYYY-MM month, YYYY-Qn quarter, YYYY year).
  std::optional<PeriodLength> period_length;
  Money gross_margin = Money::from_units(1);
  bool gross_margin_given = false;
  std::optional<Money> cac;
  std::uint64_t min_group = 30;
  /// Snapshots: the annual cohort counts reactivated customers' MRR (cskpi's default).
  bool include_reactivation = true;
};

/// One step of the computation: a SELECT that reads the table or earlier steps. Earlier
/// steps are named `{{name}}` in `body`, so the same plan renders as one query with
/// WITH clauses or as dbt models that ref() each other.
struct SqlStep {
  std::string name;        ///< "cskpi_totals"
  std::string description; ///< one line: what a row of this step is
  std::string body;
};

/// The steps in order; the last one's rows are the records, in report order.
std::vector<SqlStep> plan_sql(const SqlOptions& o, const BandTable& bands);

/// The plan as one statement: WITH ... SELECT ...; `header` comment lines go first.
std::string render_sql_query(const std::vector<SqlStep>& steps, const std::string& header);

/// The plan as dbt models: (file name, text) per step, each step a model that ref()s the
/// ones before; `header` goes atop each, plus a schema.yml describing the models.
std::vector<std::pair<std::string, std::string>> render_dbt_models(const std::vector<SqlStep>& steps,
                                                                   const std::string& header);

/// The metric ids the query computes for these options, in report order.
std::vector<std::string> sql_metric_ids(const SqlOptions& o);

} // namespace cskpi
