// SPDX-License-Identifier: MIT
// The efficiency metrics in `cskpi sql` (issue 31; sql_costs.hpp). The notes and nulls follow
// metrics/table_efficiency.cpp case by case, so that the records equal report's.
#include "report/sql_costs.hpp"

#include "core/money.hpp"
#include "report/sql_dialect.hpp"

#include <fmt/format.h>

namespace cskpi::sql_text {

namespace {

/// `e` as text with 2 decimals, as fmt's "{:.2f}" writes it; with `grouping`, thousands
/// separated by ',' as format_money_fixed(m, 2, true) writes money.
std::string fixed2(const Dialect& q, const std::string& e, bool grouping) {
  const std::string real = q.as_real(e);
  switch (q.d) {
  case SqlDialect::duckdb: return fmt::format("format({}, {})", q.lit(grouping ? "{:,.2f}" : "{:.2f}"), real);
  case SqlDialect::postgres:
    return fmt::format("to_char({}, {})", grouping ? q.as_money(e) : real,
                       q.lit(grouping ? "FM999,999,999,999,990.00" : "FM999999999999990.00"));
  case SqlDialect::bigquery: return fmt::format("FORMAT({}, {})", q.lit(grouping ? "%'.2f" : "%.2f"), real);
  case SqlDialect::snowflake:
    return fmt::format("TO_CHAR({}, {})", real, q.lit(grouping ? "FM999,999,999,999,990.00" : "FM999999999999990.00"));
  case SqlDialect::spark:
    return grouping ? fmt::format("format_number({}, 2)", real) : fmt::format("format_string('%.2f', {})", real);
  }
  return real;
}

/// The label `units` periods after `label` (a quarter's units are quarters, a month's months,
/// a year's years), in the label's own form: shift_period() in SQL.
std::string shifted(const Dialect& q, const std::string& label, int quarters, int months, int years) {
  const auto num = [&](const std::string& e) { return q.as_int(e); };
  const std::string year = num(fmt::format("SUBSTR({}, 1, 4)", label));
  const std::string qi =
      fmt::format("({} * 4 + {} - 1 + ({}))", year, num(fmt::format("SUBSTR({}, 7, 1)", label)), quarters);
  const std::string mi =
      fmt::format("({} * 12 + {} - 1 + ({}))", year, num(fmt::format("SUBSTR({}, 6, 2)", label)), months);
  const auto within = [&](const std::string& i, int per) {
    return q.as_text(q.as_int(fmt::format("{} - {} * FLOOR({} / {}) + 1", i, per, i, per)));
  };
  return fmt::format("CASE WHEN {0} LIKE '%Q%' THEN {1} || {2} || {3} WHEN LENGTH({0}) = 4 THEN {4} "
                     "ELSE {5} || {6} || LPAD({7}, 2, {8}) END",
                     label, q.as_text(q.idiv(qi, 4)), q.lit("-Q"), within(qi, 4),
                     q.as_text(fmt::format("{} + ({})", year, years)), q.as_text(q.idiv(mi, 12)), q.lit("-"),
                     within(mi, 12), q.lit("0"));
}

} // namespace

std::string costs_rows_body(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  // The period as the movements' (sql.cpp movement_rows): trimmed, upper case, a date its month.
  const std::string label = fmt::format("UPPER(TRIM({}))", q.as_text("period"));
  std::string body =
      fmt::format("SELECT\n  CASE WHEN LENGTH({0}) >= 10 THEN SUBSTR({0}, 1, 7) ELSE {0} END AS period", label);
  for (const char* col : {"sales_marketing", "net_burn", "revenue", "operating_income", "gross_margin"})
    body += fmt::format(",\n  {} AS {}", q.as_money(col), col);
  return body + "\nFROM " + o.costs_table;
}

std::string costs_body(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  // The period before; the period that ended a year before; the one after it (whose starting
  // MRR is that period's end when the run lacks it): join_costs() in SQL.
  return fmt::format(
      "SELECT\n  a.*,\n  CASE WHEN cn.period IS NULL THEN 0 ELSE 1 END AS costs_found,\n"
      "  cn.sales_marketing AS sm, cn.net_burn AS burn, cn.revenue AS rev, cn.operating_income AS oi,\n"
      "  cn.gross_margin AS gm,\n  CASE WHEN cb.period IS NULL THEN 0 ELSE 1 END AS before_found,\n"
      "  cb.sales_marketing AS sm_before, cb.revenue AS rev_before,\n"
      "  COALESCE(y.end_mrr, y2.s) AS mrr_year_before\n"
      "FROM (\n  SELECT *,\n    {} AS before_period,\n    {} AS year_before_period,\n    {} AS year_after_period\n"
      "  FROM {{{{cskpi_annual}}}}\n  WHERE whole = 1\n) AS a\n"
      "LEFT JOIN {{{{cskpi_costs_rows}}}} AS cn ON cn.period = a.period\n"
      "LEFT JOIN {{{{cskpi_costs_rows}}}} AS cb ON cb.period = a.before_period\n"
      "LEFT JOIN {{{{cskpi_totals}}}} AS y ON y.whole = 1 AND y.period = a.year_before_period\n"
      "LEFT JOIN {{{{cskpi_totals}}}} AS y2 ON y2.whole = 1 AND y2.period = a.year_after_period",
      shifted(q, "period", -1, -1, -1), shifted(q, "period", -4, -12, -1), shifted(q, "period", -3, -11, 0));
}

namespace {

struct CostsSql {
  const Dialect& q;
  const SqlOptions& o;
  std::string lit(std::string_view s) const { return q.lit(s); }
  std::string no_row() const { return fmt::format("{} || period", lit("the costs file has no row for period ")); }
  /// Every record: null with the reason when the period has no costs row.
  RecordSql base() const { return RecordSql{.n = std::string(1, '0')}; }

  RecordSql burn_multiple() const {
    RecordSql r = base();
    const std::string nna = "12 * (end_mrr - s)";
    r.numerator = "CASE WHEN costs_found = 1 THEN burn END";
    r.denominator = fmt::format("CASE WHEN costs_found = 1 THEN {} END", nna);
    r.n = "CASE WHEN costs_found = 1 THEN customers ELSE 0 END";
    r.value = fmt::format("CASE WHEN costs_found = 1 AND {0} > 0 THEN {1} END", nna, q.div("burn", nna));
    r.note = fmt::format("CASE WHEN costs_found = 0 THEN {} WHEN {} <= 0 THEN {} || {} || {} WHEN burn < 0 THEN {} END",
                         no_row(), nna, lit("net new ARR is "), fixed2(q, nna, true),
                         lit(": the MRR did not grow, so no burn bought growth"),
                         lit("net burn is negative: the period generated cash"));
    return r;
  }

  RecordSql payback(const std::string& added, std::string_view what) const {
    RecordSql r = base();
    if (!o.snapshots && !o.columns.new_mrr && !o.columns.reactivation_mrr) {
      r.note = fmt::format("CASE WHEN costs_found = 0 THEN {} ELSE {} END", no_row(),
                           lit("the input has no new_mrr column: the MRR the spend bought is unknown"));
      return r;
    }
    // The margin: the costs row's, else --gross-margin, else 1 (margin_of()).
    const Money fallback = o.gross_margin_given ? o.gross_margin : Money::from_units(1);
    const std::string margin = fmt::format("COALESCE(gm, {})", q.as_money(format_money_exact(fallback)));
    const std::string margin_note = o.gross_margin_given
        ? fmt::format("gross margin {} from --gross-margin (the costs row has none)", format_money_exact(fallback))
        : std::string("no gross margin (costs file or --gross-margin): margin 1, a payback on revenue, not on "
                      "gross profit");
    r.numerator = "CASE WHEN costs_found = 1 THEN sm END";
    r.denominator = fmt::format("CASE WHEN costs_found = 1 THEN {} END",
                                q.units(q.div_round_even(fmt::format("{} * {}", q.micros(added), q.micros(margin)),
                                                         fmt::format("CAST(1000000 AS {})", q.wide()))));
    r.n = "CASE WHEN costs_found = 1 THEN customers ELSE 0 END";
    r.value = fmt::format("CASE WHEN costs_found = 1 AND {0} > 0 THEN {1} / ({2} * {3}) END", added, q.as_real("sm"),
                          q.as_real(added), q.as_real(margin));
    const std::string none = lit(fmt::format("no {} in the period: no payback", what));
    r.note = fmt::format("CASE WHEN costs_found = 0 THEN {0} WHEN gm IS NULL AND {1} > 0 THEN {2} "
                         "WHEN gm IS NULL THEN {2} || {3} || {4} WHEN {1} <= 0 THEN {4} END",
                         no_row(), added, lit(margin_note), lit("; "), none);
    return r;
  }

  RecordSql magic_number() const {
    RecordSql r = base();
    const std::string both = "rev IS NOT NULL AND rev_before IS NOT NULL";
    const std::string delta = fmt::format("CASE WHEN {} THEN rev - rev_before ELSE (end_mrr - s) * months END", both);
    const std::string from =
        fmt::format("CASE WHEN {} THEN {} ELSE {} || {} || {} || {} || CASE WHEN rev IS NOT NULL THEN {} ELSE {} END "
                    "|| {} END",
                    both, lit("revenue from the costs file"), lit("revenue from MRR: "), q.as_text("months"),
                    lit(" x ending MRR, the period before's "), q.as_text("months") + " || " + lit(" x starting MRR ("),
                    lit("the costs row before has no revenue"), lit("no revenue in the costs row"), lit(")"));
    const std::string ok = "costs_found = 1 AND before_found = 1";
    r.numerator = fmt::format("CASE WHEN {} THEN ({}) * k END", ok, delta);
    r.denominator = fmt::format("CASE WHEN {} THEN sm_before END", ok);
    r.n = fmt::format("CASE WHEN {} THEN customers ELSE 0 END", ok);
    r.value = fmt::format("CASE WHEN {} AND sm_before <> 0 THEN {} END", ok,
                          q.div(fmt::format("({}) * k", delta), "sm_before"));
    r.note =
        fmt::format("CASE WHEN costs_found = 0 THEN {0} WHEN before_found = 0 THEN {1} || before_period || {2} "
                    "WHEN sm_before = 0 THEN {3} || {4} || before_period || {5} ELSE {3} END",
                    no_row(), lit("the costs file has no row for the period before ("),
                    lit("): its S&M spend is unknown"), from, lit("; no S&M spend in the period before ("), lit(")"));
    return r;
  }

  RecordSql rule_of_40() const {
    RecordSql r = base();
    const std::string growth =
        fmt::format("{} * 100 / {}", q.as_real("end_mrr - mrr_year_before"), q.as_real("mrr_year_before"));
    const std::string margin = fmt::format("{} * 100 / {}", q.as_real("oi"), q.as_real("rev"));
    const std::string ok = "costs_found = 1 AND rev IS NOT NULL AND oi IS NOT NULL AND rev > 0 AND "
                           "mrr_year_before IS NOT NULL AND mrr_year_before > 0";
    r.value = fmt::format("CASE WHEN {} THEN {} + {} END", ok, growth, margin);
    r.n = fmt::format("CASE WHEN {} THEN customers ELSE 0 END", ok);
    r.note = fmt::format(
        "CASE WHEN costs_found = 0 THEN {0} WHEN rev IS NULL OR oi IS NULL THEN {1} || period || {2} || CASE WHEN rev "
        "IS NULL THEN {3} ELSE {4} END || {5} WHEN rev <= 0 THEN {6} WHEN mrr_year_before IS NULL THEN {7} || "
        "year_before_period || {8} WHEN mrr_year_before <= 0 THEN {9} || year_before_period || {10} "
        "ELSE {11} || {12} || {13} || year_before_period || {14} || {15} || {16} END",
        no_row(), lit("the costs row of "), lit(" has no "), lit("revenue"), lit("operating_income"),
        lit(": no operating margin"), lit("revenue is 0: no operating margin"),
        lit("needs 12 months of history: the input has no MRR for "), lit(" (a year before)"),
        lit("no MRR a year before ("), lit("): no ARR growth"), lit("ARR growth "),
        fixed2(q, fmt::format("CASE WHEN {} THEN {} END", ok, growth), false), lit("% since "),
        lit(" + operating margin "), fixed2(q, fmt::format("CASE WHEN {} THEN {} END", ok, margin), false), lit("%"));
    return r;
  }
};

} // namespace

RecordSql costs_record(const MetricDef& def, const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  const CostsSql c{q, o};
  const std::string_view id = def.id;
  if (id == "burn_multiple") return c.burn_multiple();
  if (id == "cac_payback_months") return c.payback("nw + e", "new or expansion MRR");
  if (id == "cac_payback_new_months") return c.payback("nw", "new MRR");
  if (id == "magic_number") return c.magic_number();
  if (id == "rule_of_40") return c.rule_of_40();
  return c.base();
}

} // namespace cskpi::sql_text
