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

namespace {

/// The rows shorter than a quarter or a year, each beside the period that holds it (`tp`, of
/// `tm` months), its first month's offset in that period (`o`) and its length in months (`len`).
std::string costs_parts(const Dialect& q) {
  const auto num = [&](const std::string& e) { return q.as_int(e); };
  const std::string month = num("SUBSTR(period, 6, 2)"), quarter = num("SUBSTR(period, 7, 1)");
  const std::string cols = "period, sales_marketing, net_burn, revenue, operating_income, gross_margin";
  const std::string in_quarter = fmt::format("{0} - 1 - 3 * FLOOR(({0} - 1) / 3)", month);
  return fmt::format(
      "  SELECT {0} || {1} || {2} AS tp, 3 AS tm, {3} AS o, 1 AS len, {4}\n"
      "  FROM {{{{cskpi_costs_rows}}}} WHERE period NOT LIKE '%Q%' AND LENGTH(period) = 7\n  UNION ALL\n"
      "  SELECT SUBSTR(period, 1, 4) AS tp, 12 AS tm, CASE WHEN period LIKE '%Q%' THEN 3 * ({5} - 1) ELSE {6} - 1 END "
      "AS o,\n    CASE WHEN period LIKE '%Q%' THEN 3 ELSE 1 END AS len, {4}\n"
      "  FROM {{{{cskpi_costs_rows}}}} WHERE LENGTH(period) = 7",
      "SUBSTR(period, 1, 4)", q.lit("-Q"), q.as_text(num(fmt::format("FLOOR(({} - 1) / 3) + 1", month))),
      num(in_quarter), cols, quarter, month);
}

/// "the costs row of P has no NAME" when some rows have `col` and others not: sum_optional()'s why.
std::string why_lacking(const Dialect& q, std::string_view col) {
  return fmt::format("CASE WHEN COUNT({0}) < COUNT(*) AND COUNT({0}) > 0 THEN {1} || MIN({2}) || {3} END", col,
                     q.lit("the costs row of "),
                     q.order_key(fmt::format("(CASE WHEN {} IS NULL THEN period END)", col)),
                     q.lit(fmt::format(" has no {}", col)));
}

/// `col` in whole micro-units, cast wide first: a money column times 1,000,000 overflows its own type.
std::string wide_micros(const Dialect& q, std::string_view col) {
  std::string_view wide = "DECIMAL(38,6)";
  if (q.d == SqlDialect::postgres || q.d == SqlDialect::bigquery) wide = "NUMERIC";
  else if (q.d == SqlDialect::snowflake) wide = "NUMBER(38,6)";
  return q.micros(fmt::format("CAST({} AS {})", col, wide));
}

/// The sum of `col` when every row has it: sum_optional().
std::string sum_all(std::string_view col) {
  return fmt::format("CASE WHEN COUNT({0}) = COUNT(*) THEN SUM({0}) END", col);
}

} // namespace

std::string costs_sums_body(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  // The months of the period each row covers (c0 to c11), the shortest row's length, and the
  // revenue-weighted margin's parts: sum_rows() and summed_margin() of metrics/efficiency.cpp.
  std::string inner = "SELECT tp, tm, MIN(len) AS sub,\n  SUM(sales_marketing) AS sales_marketing, SUM(net_burn) "
                      "AS net_burn,\n";
  for (const char* col : {"revenue", "operating_income"})
    inner += fmt::format("  {} AS {},\n  {} AS why_{},\n", sum_all(col), col, why_lacking(q, col), col);
  inner += fmt::format("  {} AS why_gross_margin,\n", why_lacking(q, "gross_margin"));
  inner += fmt::format("  SUM(revenue) AS revenue_some, SUM(operating_income) AS income_some,\n"
                       "  MIN(gross_margin) AS gm_min, MAX(gross_margin) AS gm_max, COUNT(*) AS n,\n"
                       "  COUNT(revenue) AS n_revenue, COUNT(gross_margin) AS n_margin,\n"
                       "  SUM({} * {}) AS weighted",
                       wide_micros(q, "revenue"), wide_micros(q, "gross_margin"));
  for (int j = 0; j < 12; ++j)
    inner += fmt::format(",\n  MAX(CASE WHEN o <= {0} AND {0} < o + len THEN 1 ELSE 0 END) AS c{0}", j);
  inner += "\nFROM (\n" + costs_parts(q) + "\n) AS p\nGROUP BY tp, tm";
  for (std::size_t at = inner.find('\n'); at != std::string::npos; at = inner.find('\n', at + 1))
    inner.insert(at + 1, "    "); // nested in the step's two subqueries

  // The parts no row covers, labelled at the shortest row's length: uncovered().
  std::string gaps, count;
  const std::string quarter_month = q.as_int("SUBSTR(tp, 7, 1)") + " * 3 - 2";
  for (int j = 0; j < 12; ++j) {
    const std::string label = j < 3 ? fmt::format("CASE WHEN tm = 3 THEN SUBSTR(tp, 1, 4) || {} || LPAD({}, 2, {}) "
                                                  "ELSE tp || {} END",
                                                  q.lit("-"), q.as_text(fmt::format("{} + {}", quarter_month, j)),
                                                  q.lit("0"), q.lit(fmt::format("-{:02}", j + 1)))
                                    : "tp || " + q.lit(fmt::format("-{:02}", j + 1));
    const std::string of_sub =
        fmt::format("CASE WHEN sub = 1 THEN {} ELSE tp || {} END", label, q.lit(fmt::format("-Q{}", j / 3 + 1)));
    const std::string gap = fmt::format("{} < tm AND {}c{} = 0", j, j % 3 == 0 ? "" : "sub = 1 AND ", j);
    gaps += fmt::format("{}CASE WHEN {} THEN {} || {} ELSE {} END", j == 0 ? "" : " ||\n    ", gap, of_sub, q.lit(", "),
                        q.lit(""));
    count += fmt::format("{}CASE WHEN {} THEN 1 ELSE 0 END", j == 0 ? "" : " + ", gap);
  }
  // Beyond the money range (int64 micro-units), a sum is no figure: sum_rows()' overflow.
  const std::string big = "9223372036854.775807";
  std::string over;
  for (const char* col : {"sales_marketing", "net_burn", "revenue_some", "income_some"})
    over += fmt::format("{}ABS({}) > {}", over.empty() ? "" : " OR ", col, big);
  const std::string weighted = q.div_round_even("ABS(weighted)", wide_micros(q, "revenue"));
  const std::string margin =
      fmt::format("CASE WHEN n_margin < n THEN NULL WHEN gm_min = gm_max THEN gm_min WHEN revenue > 0 THEN {} END",
                  q.as_money(q.units(fmt::format("CASE WHEN weighted < 0 THEN -1 ELSE 1 END * {}", weighted))));
  const std::string why_margin = fmt::format(
      "CASE WHEN n_margin < n THEN why_gross_margin WHEN gm_min = gm_max THEN NULL WHEN n_revenue < n THEN {} "
      "WHEN revenue <= 0 THEN {} END",
      q.lit("the rows' gross margins differ and not every row has revenue to weight them by"),
      q.lit("the rows' gross margins differ and their revenue sums to 0: no weights for a mean"));
  return fmt::format(
      "SELECT\n  tp AS period, sales_marketing, net_burn, revenue, operating_income,\n  {0} AS gross_margin,\n"
      "  CASE WHEN {1} > 0 THEN {2} || SUBSTR(g.gaps, 1, LENGTH(g.gaps) - 2) || {3} || CASE WHEN {1} = 1 THEN {4} "
      "ELSE {5} END || {6} || tp || {7} || CASE WHEN tm = 3 THEN {8} ELSE {9} END\n"
      "    WHEN {10} THEN {11} || tp || {12} END AS why_none,\n"
      "  why_revenue AS why_no_revenue, why_operating_income AS why_no_income,\n  {13} AS why_no_margin\n"
      "FROM (\n  SELECT *,\n    {14} AS gaps,\n    {16} AS n_gaps\n  FROM (\n    {15}\n  ) AS s\n) AS g",
      margin, "n_gaps", q.lit("the costs file has no row for "), q.lit(" ("), q.lit("a part"), q.lit("parts"),
      q.lit(" of "), q.lit("), and a partial sum is not the "), q.lit("quarter's"), q.lit("year's"), over,
      q.lit("the sums of the costs rows of "), q.lit(" overflow the money range"), why_margin, gaps, inner, count);
}

std::string costs_periods_body(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  const std::string none = q.as_text("NULL");
  // A period's own row wins over the sum of shorter ones (report refuses a file holding both).
  return fmt::format("SELECT period, sales_marketing, net_burn, revenue, operating_income, gross_margin,\n"
                     "  {0} AS why_none, {0} AS why_no_revenue, {0} AS why_no_income, {0} AS why_no_margin\n"
                     "FROM {{{{cskpi_costs_rows}}}}\nUNION ALL\n"
                     "SELECT {1} FROM {{{{cskpi_costs_sums}}}} AS m\n"
                     "WHERE NOT EXISTS (SELECT 1 FROM {{{{cskpi_costs_rows}}}} AS r WHERE r.period = m.period)",
                     none,
                     "period, sales_marketing, net_burn, revenue, operating_income, gross_margin, why_none, "
                     "why_no_revenue, why_no_income, why_no_margin");
}

std::string costs_body(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  // The period before; the period that ended a year before; the one after it (whose starting
  // MRR is that period's end when the run lacks it): join_costs() in SQL. A period whose
  // shorter rows do not cover it has a row with why_none and no figures.
  return fmt::format(
      "SELECT\n  a.*,\n  CASE WHEN cn.period IS NULL OR cn.why_none IS NOT NULL THEN 0 ELSE 1 END AS costs_found,\n"
      "  cn.why_none, cn.why_no_revenue AS rev_why, cn.why_no_income AS oi_why, cn.why_no_margin AS gm_why,\n"
      "  cn.sales_marketing AS sm, cn.net_burn AS burn, cn.revenue AS rev, cn.operating_income AS oi,\n"
      "  cn.gross_margin AS gm,\n"
      "  CASE WHEN cb.period IS NULL OR cb.why_none IS NOT NULL THEN 0 ELSE 1 END AS before_found,\n"
      "  cb.why_none AS before_why_none, cb.why_no_revenue AS rev_before_why,\n"
      "  cb.sales_marketing AS sm_before, cb.revenue AS rev_before,\n"
      "  COALESCE(y.end_mrr, y2.s) AS mrr_year_before\n"
      "FROM (\n  SELECT *,\n    {} AS before_period,\n    {} AS year_before_period,\n    {} AS year_after_period\n"
      "  FROM {{{{cskpi_annual}}}}\n  WHERE whole = 1\n) AS a\n"
      "LEFT JOIN {{{{cskpi_costs_periods}}}} AS cn ON cn.period = a.period\n"
      "LEFT JOIN {{{{cskpi_costs_periods}}}} AS cb ON cb.period = a.before_period\n"
      "LEFT JOIN {{{{cskpi_totals}}}} AS y ON y.whole = 1 AND y.period = a.year_before_period\n"
      "LEFT JOIN {{{{cskpi_totals}}}} AS y2 ON y2.whole = 1 AND y2.period = a.year_after_period",
      shifted(q, "period", -1, -1, -1), shifted(q, "period", -4, -12, -1), shifted(q, "period", -3, -11, 0));
}

namespace {

struct CostsSql {
  const Dialect& q;
  const SqlOptions& o;
  std::string lit(std::string_view s) const { return q.lit(s); }
  /// costs_row()'s note: why the period has no figures, else that the table has no row for it.
  std::string no_row() const {
    return fmt::format("CASE WHEN why_none IS NULL THEN {} || period ELSE why_none END",
                       lit("the costs file has no row for period "));
  }
  /// ": WHY" (or " (WHY)") when the text column `why` is not null, else ''.
  std::string why_of(const std::string& why, std::string_view open = ": ", std::string_view close = "") const {
    return fmt::format("CASE WHEN {0} IS NULL THEN {1} ELSE {2} || {0} || {3} END", why, lit(""), lit(open),
                       lit(close));
  }
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
    // margin_of()'s note; a row summed from shorter ones says why it has no margin (gm_why).
    const std::string margin_note = o.gross_margin_given
        ? fmt::format("{} || {} || {}",
                      lit(fmt::format("gross margin {} from --gross-margin (the costs row has none",
                                      format_money_exact(fallback))),
                      why_of("gm_why"), lit(")"))
        : fmt::format("CASE WHEN gm_why IS NULL THEN {} ELSE {} || gm_why || {} END",
                      lit("no gross margin (costs file or --gross-margin): margin 1, a payback on revenue, not on "
                          "gross profit"),
                      lit("no gross margin ("),
                      lit("; no --gross-margin): margin 1, a payback on revenue, not on gross profit"));
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
                         no_row(), added, "(" + margin_note + ")", lit("; "), none);
    return r;
  }

  RecordSql magic_number() const {
    RecordSql r = base();
    const std::string both = "rev IS NOT NULL AND rev_before IS NOT NULL";
    const std::string delta = fmt::format("CASE WHEN {} THEN rev - rev_before ELSE (end_mrr - s) * months END", both);
    const std::string from =
        fmt::format("CASE WHEN {} THEN {} ELSE {} || {} || {} || {} || CASE WHEN rev IS NOT NULL THEN {} || {} ELSE "
                    "{} || {} END || {} END",
                    both, lit("revenue from the costs file"), lit("revenue from MRR: "), q.as_text("months"),
                    lit(" x ending MRR, the period before's "), q.as_text("months") + " || " + lit(" x starting MRR ("),
                    lit("the costs row before has no revenue"), why_of("rev_before_why"),
                    lit("no revenue in the costs row"), why_of("rev_why"), lit(")"));
    const std::string ok = "costs_found = 1 AND before_found = 1";
    r.numerator = fmt::format("CASE WHEN {} THEN ({}) * k END", ok, delta);
    r.denominator = fmt::format("CASE WHEN {} THEN sm_before END", ok);
    r.n = fmt::format("CASE WHEN {} THEN customers ELSE 0 END", ok);
    r.value = fmt::format("CASE WHEN {} AND sm_before <> 0 THEN {} END", ok,
                          q.div(fmt::format("({}) * k", delta), "sm_before"));
    r.note =
        fmt::format("CASE WHEN costs_found = 0 THEN {0} WHEN before_found = 0 AND before_why_none IS NULL THEN {1} || "
                    "before_period || {2} WHEN before_found = 0 THEN {6} || before_period || {7} || before_why_none "
                    "WHEN sm_before = 0 THEN {3} || {4} || before_period || {5} ELSE {3} END",
                    no_row(), lit("the costs file has no row for the period before ("),
                    lit("): its S&M spend is unknown"), from, lit("; no S&M spend in the period before ("), lit(")"),
                    lit("the period before ("), lit(") has no costs figures, so its S&M spend is unknown: "));
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
        "IS NULL THEN {3} || {17} ELSE {4} || {18} END || {5} WHEN rev <= 0 THEN {6} WHEN mrr_year_before IS NULL THEN "
        "{7} || "
        "year_before_period || {8} WHEN mrr_year_before <= 0 THEN {9} || year_before_period || {10} "
        "ELSE {11} || {12} || {13} || year_before_period || {14} || {15} || {16} END",
        no_row(), lit("the costs row of "), lit(" has no "), lit("revenue"), lit("operating_income"),
        lit(": no operating margin"), lit("revenue is 0: no operating margin"),
        lit("needs 12 months of history: the input has no MRR for "), lit(" (a year before)"),
        lit("no MRR a year before ("), lit("): no ARR growth"), lit("ARR growth "),
        fixed2(q, fmt::format("CASE WHEN {} THEN {} END", ok, growth), false), lit("% since "),
        lit(" + operating margin "), fixed2(q, fmt::format("CASE WHEN {} THEN {} END", ok, margin), false), lit("%"),
        why_of("rev_why", " (", ")"), why_of("oi_why", " (", ")"));
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
