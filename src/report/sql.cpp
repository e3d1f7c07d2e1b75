// SPDX-License-Identifier: MIT
#include "report/sql.hpp"

#include "metrics/metrics.hpp"
#include "report/sql_costs.hpp"
#include "report/sql_dialect.hpp"
#include "report/sql_invoices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace cskpi {

std::string_view to_string(SqlDialect d) noexcept {
  switch (d) {
  case SqlDialect::duckdb: return "duckdb";
  case SqlDialect::postgres: return "postgres";
  case SqlDialect::bigquery: return "bigquery";
  case SqlDialect::snowflake: return "snowflake";
  case SqlDialect::spark: return "spark";
  }
  return "duckdb";
}

std::optional<SqlDialect> parse_dialect(std::string_view text) noexcept {
  for (SqlDialect d :
       {SqlDialect::duckdb, SqlDialect::postgres, SqlDialect::bigquery, SqlDialect::snowflake, SqlDialect::spark})
    if (to_string(d) == text) return d;
  if (text == "postgresql") return SqlDialect::postgres;
  return std::nullopt;
}

namespace {

using namespace sql_text;

bool needs_met(Needs needs, const SqlOptions& o) {
  switch (needs) {
  case Needs::nothing: return true;
  case Needs::new_mrr: return o.snapshots || o.columns.new_mrr;
  case Needs::nps: return !o.snapshots && o.columns.nps;
  case Needs::at_risk: return !o.snapshots && o.columns.at_risk;
  case Needs::cac: return (!o.snapshots && o.columns.cac) || o.cac.has_value();
  case Needs::costs: return !o.costs_table.empty();       // joined by period (sql_costs.cpp)
  case Needs::invoices: return !o.invoices_table.empty(); // booked per period (sql_invoices.cpp)
  default: return false;                                  // customers and responses files: not in a movements table
  }
}

/// `expr` with `prefix` before each column name: "s - c" -> "t.s - t.c".
std::string qualified(std::string_view expr, std::string_view prefix) {
  std::string out;
  bool in_name = false;
  for (const char ch : expr) {
    const bool name_char = std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_';
    if (name_char && !in_name && std::isdigit(static_cast<unsigned char>(ch)) == 0) out += prefix;
    in_name = name_char;
    out += ch;
  }
  return out;
}

/// "value >= bound" and the like with cskpi's tolerance (bands.cpp compare()).
std::string band_condition(const std::string& v, const BandRule& r) {
  const double eps = band_tolerance(r.bound, r.decimals);
  switch (r.op) {
  case BandOp::ge: return fmt::format("{} >= {}", v, r.bound - eps);
  case BandOp::gt: return fmt::format("{} > {}", v, r.bound + eps);
  case BandOp::le: return fmt::format("{} <= {}", v, r.bound + eps);
  case BandOp::lt: return fmt::format("{} < {}", v, r.bound - eps);
  case BandOp::eq: return fmt::format("ABS({} - {}) <= {}", v, r.bound, eps);
  }
  return "FALSE";
}

/// The severity (4 best ... 0 critical) of `v` by the metric's band rules, NULL when unrated.
std::string tier_expr(const std::string& v, const std::vector<BandRule>& rules) {
  if (rules.empty()) return "NULL";
  std::string out = "CASE";
  for (const BandRule& r : rules)
    out += fmt::format(" WHEN {} THEN {}", band_condition(fmt::format("({})", v), r), severity(r.tier));
  return out + " END";
}

class Planner {
public:
  Planner(const SqlOptions& o, const BandTable& bands) : m_o(o), m_q(dialect_of(o.dialect)), m_bands(bands) {}

  std::vector<SqlStep> plan() {
    if (m_o.snapshots) snapshot_steps();
    else movement_rows();
    totals();
    figures();
    annual_figures();
    if (!m_o.costs_table.empty()) {
      step("cskpi_costs_rows", "one costs row per period, typed: money as exact decimals", costs_rows_body(m_o));
      step("cskpi_costs_sums", "per quarter or year with shorter costs rows: their sums, or why there are none",
           costs_sums_body(m_o));
      step("cskpi_costs_periods", "one costs row per period: the table's own rows, then the sums of shorter ones",
           costs_periods_body(m_o));
      step("cskpi_costs", "per period, the whole base: its costs row, the row before, the MRR a year before",
           costs_body(m_o));
    }
    if (!m_o.invoices_table.empty())
      for (SqlStep& s : invoice_steps(m_o)) m_steps.push_back(std::move(s));
    records();
    kpis();
    return std::move(m_steps);
  }

private:
  const SqlOptions& m_o;
  Dialect m_q;
  const BandTable& m_bands;
  std::vector<SqlStep> m_steps;

  void step(std::string name, std::string description, std::string body) {
    m_steps.push_back(SqlStep{std::move(name), std::move(description), std::move(body)});
  }
  int span() const { return m_o.period_length ? months_per_period(*m_o.period_length) : 1; }
  std::string group_label(const std::string& column) const {
    return fmt::format("COALESCE(NULLIF(TRIM({}), ''), {})", m_q.as_text(column), m_q.lit("(blank)"));
  }

  // --- movements: one row per customer and period, as SPEC §1.2 has them --------------------
  void movement_rows() {
    const Dialect& q = m_q;
    const ColumnSet& c = m_o.columns;
    const auto money = [&](std::string_view col, bool present) {
      return present ? q.as_money(fmt::format("COALESCE({}, 0)", col)) : q.as_money("0");
    };
    // The period's label: 2026-10, 2026-Q4, 2026; a date (or a date's text) is its month.
    std::string period = q.as_text("NULL"), source = m_o.table;
    if (c.period) {
      period = "CASE WHEN LENGTH(period_label) >= 10 THEN SUBSTR(period_label, 1, 7) ELSE period_label END";
      source =
          fmt::format("(SELECT *, UPPER(TRIM({})) AS period_label FROM {}) AS source", q.as_text("period"), m_o.table);
    }
    const std::string at_risk = c.at_risk ? "COALESCE(at_risk, FALSE)" : "FALSE";
    std::string saved = "FALSE";
    if (c.saved) saved = "COALESCE(saved, FALSE)";
    else if (c.at_risk) saved = "(COALESCE(at_risk, FALSE) AND COALESCE(churned_mrr, 0) = 0)";
    std::string body = fmt::format("SELECT\n  {} AS period,\n  {} AS grp,\n", period,
                                   m_o.by.empty() ? q.as_text("NULL") : group_label(m_o.by));
    if (!m_o.invoices_table.empty()) body += fmt::format("  TRIM({}) AS id,\n", q.as_text("customer_id"));
    body += fmt::format("  {} AS s,\n  {} AS e,\n  {} AS c,\n  {} AS x,\n  {} AS nw,\n  {} AS r,\n",
                        money("start_mrr", true), money("expansion_mrr", true), money("contraction_mrr", true),
                        money("churned_mrr", true), money("new_mrr", c.new_mrr),
                        money("reactivation_mrr", c.reactivation_mrr));
    body += fmt::format("  {} AS cac,\n  {} AS nps,\n  {} AS at_risk,\n  {} AS saved\nFROM {}",
                        c.cac ? q.as_money("cac") : q.as_money("NULL"), c.nps ? q.as_int("nps") : q.as_int("NULL"),
                        at_risk, saved, source);
    step("cskpi_rows", "one movements row per customer and period, typed: money as exact decimals", std::move(body));
  }

  // --- snapshots: customer_id, month, mrr; movements derived as `cskpi movements` does -----
  void snapshot_steps() {
    const Dialect& q = m_q;
    const int L = span();
    const std::string month = fmt::format("TRIM({})", q.as_text("month"));
    const std::string index = fmt::format("{} * 12 + {} - 1", q.as_int(fmt::format("SUBSTR({}, 1, 4)", month)),
                                          q.as_int(fmt::format("SUBSTR({}, 6, 2)", month)));
    step("cskpi_snapshots",
         "one row per customer (its id trimmed) and month: the month as year * 12 + month - 1, MRR exact",
         fmt::format("SELECT id, m, SUM(mrr) AS mrr, MIN(grp) AS grp\nFROM (\n  SELECT TRIM({}) AS id, {} AS m, {} "
                     "AS mrr, {} AS grp\n"
                     "  FROM {}\n) AS snapshot_rows\nGROUP BY id, m",
                     q.as_text("customer_id"), index, q.as_money("COALESCE(mrr, 0)"),
                     m_o.by.empty() ? q.as_text("NULL") : group_label(m_o.by), m_o.table));
    step("cskpi_customers", "one row per customer: the --by value of its first month, its first month with MRR",
         "SELECT f.id, MIN(s.grp) AS grp, f.first_active\n"
         "FROM (\n  SELECT id, MIN(m) AS first_m, MIN(CASE WHEN mrr > 0 THEN m END) AS first_active\n"
         "  FROM {{cskpi_snapshots}}\n  GROUP BY id\n) AS f\n"
         "JOIN {{cskpi_snapshots}} AS s ON s.id = f.id AND s.m = f.first_m\nGROUP BY f.id, f.first_active");
    // A month that ends a period is that period's closing snapshot and the next one's opening.
    const std::string ends = L == 1 ? "" : fmt::format("\n  WHERE {} = {}", q.mod("m", L), L - 1);
    const std::string pidx = L == 1 ? "m" : q.idiv("m", L);
    const std::string period_first = L == 1 ? "b.p" : fmt::format("b.p * {}", L); // the period's first month
    // Reactivated: no MRR before the period, but some in a month before that.
    const std::string reactivated =
        fmt::format("b.s = 0 AND k.first_active IS NOT NULL AND k.first_active < {}", period_first);
    step("cskpi_periods_derived", "one row per customer and whole period with MRR at either end: MRR before and after",
         fmt::format(
             "SELECT b.id, b.p, SUM(b.opening) AS before_mrr, SUM(b.closing) AS after_mrr\nFROM (\n"
             "  SELECT id, {0} AS p, {2} AS opening, mrr AS closing FROM {{{{cskpi_snapshots}}}}{1}\n  UNION ALL\n"
             "  SELECT id, {0} + 1 AS p, mrr AS opening, {2} AS closing FROM {{{{cskpi_snapshots}}}}{1}\n) AS b\n"
             "CROSS JOIN (SELECT MIN(m) AS lo, MAX(m) AS hi FROM {{{{cskpi_snapshots}}}}) AS span\n"
             "WHERE {3} - 1 >= span.lo AND {3} + {4} <= span.hi\nGROUP BY b.id, b.p",
             pidx, ends, q.as_money("0"), period_first, L - 1));
    const std::string label = period_label_expr("b.p");
    std::string body = fmt::format("SELECT\n  {} AS period,\n  k.grp,\n  b.p AS period_index,\n  b.s,\n", label);
    if (!m_o.invoices_table.empty()) body += "  b.id,\n";
    const std::string zero = q.as_money("0");
    body += fmt::format("  CASE WHEN b.s > 0 AND b.a > b.s THEN b.a - b.s ELSE {0} END AS e,\n"
                        "  CASE WHEN b.s > 0 AND b.a > 0 AND b.a < b.s THEN b.s - b.a ELSE {0} END AS c,\n"
                        "  CASE WHEN b.s > 0 AND b.a = 0 THEN b.s ELSE {0} END AS x,\n"
                        "  CASE WHEN b.s = 0 AND NOT ({1}) THEN b.a ELSE {0} END AS nw,\n"
                        "  CASE WHEN {1} THEN b.a ELSE {0} END AS r,\n",
                        zero, reactivated);
    body += fmt::format("  {} AS cac,\n  {} AS nps,\n  FALSE AS at_risk,\n  FALSE AS saved\n"
                        "FROM (SELECT id, p, before_mrr AS s, after_mrr AS a FROM {{{{cskpi_periods_derived}}}} "
                        "WHERE before_mrr > 0 OR after_mrr > 0) AS b\n"
                        "JOIN {{{{cskpi_customers}}}} AS k ON k.id = b.id",
                        q.as_money("NULL"), q.as_int("NULL"));
    step("cskpi_rows", "the derived movements: one row per customer and period, as `cskpi movements` writes them",
         std::move(body));

    // Trailing-12-month cohorts (SPEC §2.3): customers with MRR 12 months before a period's end.
    const std::string last = L == 1 ? "p.period_index" : fmt::format("p.period_index * {} + {}", L, L - 1);
    const std::string periods = "(SELECT DISTINCT period, period_index FROM {{cskpi_rows}}) AS p";
    if (!m_o.include_reactivation) {
      // --reactivation exclude: a customer counts at the window's end only with MRR in each of
      // the 11 months between (one that churned inside the window and came back is left out).
      step("cskpi_cohort_active", "per period and customer: the months with MRR strictly inside the 12-month window",
           fmt::format(
               "SELECT p.period, w.id, COUNT(*) AS active_between\nFROM {}\n"
               "JOIN {{{{cskpi_snapshots}}}} AS w ON w.m > {} - 12 AND w.m < {} AND w.mrr > 0\nGROUP BY p.period, w.id",
               periods, last, last));
    }
    std::string members =
        fmt::format("SELECT p.period, k.grp, a.id, a.mrr AS cohort_start, {} AS cohort_end\nFROM {}\n"
                    "JOIN {{{{cskpi_snapshots}}}} AS a ON a.m = {} - 12 AND a.mrr > 0\n"
                    "JOIN {{{{cskpi_customers}}}} AS k ON k.id = a.id\n"
                    "LEFT JOIN {{{{cskpi_snapshots}}}} AS z ON z.id = a.id AND z.m = {}",
                    m_o.include_reactivation
                        ? fmt::format("COALESCE(z.mrr, {})", zero)
                        : fmt::format("CASE WHEN w.active_between = 11 THEN COALESCE(z.mrr, {0}) ELSE {0} END", zero),
                    periods, last, last);
    if (!m_o.include_reactivation)
      members += "\nLEFT JOIN {{cskpi_cohort_active}} AS w ON w.period = p.period AND w.id = a.id";
    step("cskpi_cohort_members", "one row per period and customer of its trailing-12-month cohort: MRR then and now",
         std::move(members));
    std::string sums =
        fmt::format("SELECT period, {},\n"
                    "  SUM(cohort_start) AS cohort_start,\n  SUM(cohort_end) AS cohort_end,\n"
                    "  SUM(LEAST(cohort_end, cohort_start)) AS cohort_capped,\n  COUNT(*) AS cohort_customers,\n"
                    "  SUM(CASE WHEN cohort_end > 0 THEN 1 ELSE 0 END) AS cohort_retained\n"
                    "FROM {{{{cskpi_cohort_members}}}}\n{}",
                    group_and_whole(q, !m_o.by.empty()),
                    m_o.by.empty() ? "GROUP BY period" : "GROUP BY GROUPING SETS ((period), (period, grp))");
    step("cskpi_cohorts", "per period and group: the trailing-12-month cohort's exact sums", std::move(sums));
  }

  /// "2026-01", "2026-Q1" or "2026" from a period index (months, quarters or years since year 0).
  std::string period_label_expr(const std::string& p) const {
    const Dialect& q = m_q;
    const PeriodLength len = m_o.period_length.value_or(PeriodLength::month);
    if (len == PeriodLength::year) return q.as_text(p);
    const int per_year = periods_per_year(len);
    const std::string year = q.as_text(q.idiv(p, per_year));
    const std::string within =
        q.as_text(q.as_int(fmt::format("{} - {} * FLOOR({} / {}) + 1", p, per_year, p, per_year)));
    if (len == PeriodLength::quarter) return fmt::format("{} || {} || {}", year, q.lit("-Q"), within);
    return fmt::format("{} || {} || LPAD({}, 2, {})", year, q.lit("-"), within, q.lit("0"));
  }

  // --- exact sums per period, for the whole base and each --by group (SPEC §2.1) -------------
  void totals() {
    const bool grouped = !m_o.by.empty();
    std::string body = fmt::format("SELECT\n  period,\n  {},\n", group_and_whole(m_q, grouped, ",\n  "));
    body += "  COUNT(*) AS customers,\n"
            "  SUM(CASE WHEN s > 0 THEN 1 ELSE 0 END) AS cohort,\n"
            "  SUM(CASE WHEN s > 0 THEN 0 ELSE 1 END) AS new_customers,\n"
            "  SUM(CASE WHEN s > 0 AND x > 0 THEN 1 ELSE 0 END) AS churned_logos,\n"
            "  SUM(CASE WHEN s <= 0 AND x > 0 THEN 1 ELSE 0 END) AS new_churned_logos,\n"
            "  SUM(CASE WHEN s > 0 AND e > 0 THEN 1 ELSE 0 END) AS expanding,\n";
    const std::string zero = m_q.as_money("0");
    for (const char* col : {"s", "e", "c", "x"})
      body += fmt::format("  SUM(CASE WHEN s > 0 THEN {0} ELSE {1} END) AS {0},\n", col, zero);
    // Rows starting at 0: their contraction and churn, for the bridge's lines only.
    for (const char* col : {"c", "x"})
      body += fmt::format("  SUM(CASE WHEN s > 0 THEN {1} ELSE {0} END) AS n{0},\n", col, zero);
    body += fmt::format("  SUM(nw) AS nw,\n  SUM(r) AS r,\n  SUM(s + nw + r + e - c - x) AS end_mrr,\n"
                        "  SUM(CASE WHEN s + nw + r + e - c - x > 0 THEN 1 ELSE 0 END) AS ending,\n"
                        "  COALESCE(SUM(cac), {0}) AS cac_sum,\n  COUNT(cac) AS cac_count,\n"
                        "  SUM(CASE WHEN at_risk THEN 1 ELSE 0 END) AS at_risk,\n"
                        "  SUM(CASE WHEN at_risk AND saved THEN 1 ELSE 0 END) AS saved,\n"
                        "  SUM(CASE WHEN at_risk THEN s ELSE {0} END) AS at_risk_mrr,\n"
                        "  SUM(CASE WHEN nps >= 9 AND nps <= 10 THEN 1 ELSE 0 END) AS promoters,\n"
                        "  SUM(CASE WHEN nps >= 0 AND nps <= 6 THEN 1 ELSE 0 END) AS detractors,\n"
                        "  SUM(CASE WHEN nps >= 0 AND nps <= 10 THEN 1 ELSE 0 END) AS responses\n"
                        "FROM {{{{cskpi_rows}}}}\n",
                        zero);
    body += grouped ? "GROUP BY GROUPING SETS ((period), (period, grp))" : "GROUP BY period";
    step("cskpi_totals", "per period and group (whole = 1 for the whole base): the exact sums of SPEC 2.1",
         std::move(body));
  }

  // --- period ratios, their annual figures, LTV and the NPS interval ------------------------
  void figures() {
    const Dialect& q = m_q;
    std::string k = "12", months = "1";
    if (m_o.period_length) {
      k = std::to_string(periods_per_year(*m_o.period_length));
      months = std::to_string(months_per_period(*m_o.period_length));
    } else if (m_o.columns.period && !m_o.snapshots) {
      k = "CASE WHEN t.period LIKE '%Q%' THEN 4 WHEN LENGTH(t.period) = 4 THEN 1 ELSE 12 END";
      months = "CASE WHEN t.period LIKE '%Q%' THEN 3 WHEN LENGTH(t.period) = 4 THEN 12 ELSE 1 END";
    }
    const std::string no_cohort = "t.cohort = 0 OR t.s = 0";
    const auto of_start = [&](const std::string& num) {
      return fmt::format("CASE WHEN {} THEN NULL ELSE {} * 100 END", no_cohort, q.div(num, "t.s"));
    };
    const auto of_logos = [&](const std::string& num) {
      return fmt::format("CASE WHEN t.cohort = 0 THEN NULL ELSE {} * 100 END", q.div(num, "t.cohort"));
    };
    std::vector<std::pair<std::string, std::string>> cols = {{"k", k}, {"months", months}};
    // The period ratios of the definitions: of starting MRR first, then of starting customers.
    for (const SqlShape shape : {SqlShape::start_ratio, SqlShape::logo_ratio})
      for (const MetricDef& def : metric_table())
        if (def.sql.shape == shape) {
          const std::string num = qualified(def.sql.value, "t.");
          cols.emplace_back(std::string(def.sql.column) + "_v",
                            shape == SqlShape::start_ratio ? of_start(num) : of_logos(num));
        }
    cols.insert(
        cols.end(),
        {
            // Money per account, exact to the micro-unit and rounded half to even, as cskpi's.
            {"arpa_micros",
             fmt::format("CASE WHEN t.cohort = 0 THEN NULL ELSE {} END",
                         q.div_round_even(q.micros("t.s"), fmt::format("CAST(t.cohort AS {})", q.wide())))},
            {"profit_micros",
             fmt::format(
                 "CASE WHEN t.cohort = 0 THEN NULL ELSE {} END",
                 q.div_round_even(fmt::format("{} * ({}) * {}", q.micros("t.s"), months, m_o.gross_margin.micros),
                                  fmt::format("CAST(t.cohort AS {}) * 1000000", q.wide())))},
            {"mean_cac_micros",
             m_o.cac ? fmt::format("CAST({} AS {})", m_o.cac->micros, q.wide())
                     : fmt::format(
                           "CASE WHEN t.cac_count = 0 THEN NULL ELSE {} END",
                           q.div_round_even(q.micros("t.cac_sum"), fmt::format("CAST(t.cac_count AS {})", q.wide())))},
            {"p_wald", fmt::format("({} + 0.75) / ({} + 3)", q.as_real("t.promoters"), q.as_real("t.responses"))},
            {"d_wald", fmt::format("({} + 0.75) / ({} + 3)", q.as_real("t.detractors"), q.as_real("t.responses"))},
        });
    std::string body = "SELECT\n  t.*";
    for (const auto& [name, expr] : cols) body += fmt::format(",\n  {} AS {}", expr, name);
    if (m_o.snapshots) {
      for (const char* c : {"cohort_start", "cohort_end", "cohort_capped", "cohort_customers", "cohort_retained"})
        body += fmt::format(",\n  y.{}", c);
      body += "\nFROM {{cskpi_totals}} AS t\nLEFT JOIN {{cskpi_cohorts}} AS y\n"
              "  ON y.period = t.period AND y.whole = t.whole AND (t.whole = 1 OR y.grp = t.grp)";
    } else {
      body += "\nFROM {{cskpi_totals}} AS t";
    }
    step("cskpi_figures", "per period and group: the period ratios in percent, k (periods per year), LTV's profit",
         std::move(body));
  }

  // --- annual figures: they need the period ones, so a second step ---------------------------
  void annual_figures() {
    const Dialect& q = m_q;
    const auto retention = [](const std::string& v) {
      return fmt::format("CASE WHEN k = 1 THEN {0} ELSE POWER({0} / 100, k) * 100 END", v);
    };
    const auto churn = [](const std::string& v) {
      return fmt::format("CASE WHEN k = 1 THEN {0} ELSE (1 - POWER(1 - {0} / 100, k)) * 100 END", v);
    };
    const auto cohort_or = [&](const std::string& exact, const std::string& compound) {
      if (!m_o.snapshots) return compound;
      // As in compute_metrics: no period figure (no starting customers), no annual one.
      return fmt::format("CASE WHEN cohort = 0 THEN NULL WHEN cohort_start > 0 THEN {} ELSE {} END", exact, compound);
    };
    const std::string c_nrr = q.div("cohort_end", "cohort_start") + " * 100";
    const std::string c_grr = q.div("cohort_capped", "cohort_start") + " * 100";
    const std::string c_logos = q.div("cohort_retained", "cohort_customers") + " * 100";
    const std::string nrr_a = retention("nrr_v"), grr_a = retention("grr_v");
    const auto exact = [&](CohortAnnual c) -> std::string {
      switch (c) {
      case CohortAnnual::none: return "";
      case CohortAnnual::nrr: return c_nrr;
      case CohortAnnual::grr: return c_grr;
      case CohortAnnual::logos: return c_logos;
      case CohortAnnual::nrr_lost: return "100 - " + c_nrr;
      case CohortAnnual::grr_lost: return "100 - " + c_grr;
      case CohortAnnual::logos_lost: return "100 - " + c_logos;
      case CohortAnnual::nrr_minus_grr: return fmt::format("{} - {}", c_nrr, c_grr);
      }
      return "";
    };
    const auto compound = [&](const MetricDef& def) {
      const std::string v = std::string(def.sql.column) + "_v";
      switch (def.annualization) {
      case Annualization::retention: return retention(v);
      case Annualization::churn:
      case Annualization::churn_estimate: return churn(v);
      case Annualization::net_churn: return fmt::format("CASE WHEN k = 1 THEN {} ELSE 100 - ({}) END", v, nrr_a);
      case Annualization::expansion_mrr:
        return fmt::format("CASE WHEN k = 1 THEN {} ELSE ({}) - ({}) END", v, nrr_a, grr_a);
      case Annualization::none: break;
      }
      return std::string("NULL");
    };
    std::vector<std::pair<std::string, std::string>> annual;
    for (const SqlShape shape : {SqlShape::start_ratio, SqlShape::logo_ratio})
      for (const MetricDef& def : metric_table())
        if (def.sql.shape == shape && def.annualization != Annualization::none)
          annual.emplace_back(std::string(def.sql.column) + "_a",
                              def.cohort == CohortAnnual::none ? compound(def)
                                                               : cohort_or(exact(def.cohort), compound(def)));
    annual.insert(
        annual.end(),
        {
            // profit * S / (C + X), rounded half away from zero to the micro-unit, exactly.
            {"ltv_micros",
             fmt::format("CASE WHEN t_cx = 0 THEN NULL ELSE {} END",
                         q.exact_div(fmt::format("2 * profit_micros * {} + {}", q.micros("s"), q.micros("t_cx")),
                                     "2 * " + q.micros("t_cx")))},
            {"nps_centre", "(p_wald - d_wald) * 100"},
            {"nps_moe",
             "1.96 * SQRT(CASE WHEN p_wald + d_wald - (p_wald - d_wald) * (p_wald - d_wald) > 0 THEN "
             "(p_wald + d_wald - (p_wald - d_wald) * (p_wald - d_wald)) / (responses + 3) ELSE 0 END) * 100"},
        });
    std::string body = "SELECT\n  f.*";
    for (const auto& [name, expr] : annual) body += fmt::format(",\n  {} AS {}", expr, name);
    body += "\nFROM (SELECT *, c + x AS t_cx FROM {{cskpi_figures}}) AS f";
    step("cskpi_annual",
         std::string("per period and group: annual figures (") +
             (m_o.snapshots ? "exact trailing-12-month cohorts where there are 12 months of history, else " : "") +
             "compounded with k), LTV and the NPS interval",
         std::move(body));
  }

  // --- one record per group and metric -----------------------------------------------------
  /// The record of `def` from its definition's SQL shape (MetricDef::sql).
  RecordSql record_of(const MetricDef& def) const {
    RecordSql r = shaped_record(def);
    const Dialect& q = m_q;
    if (def.annualization != Annualization::none) {
      r.method = fmt::format("CASE WHEN ({}) IS NULL THEN NULL WHEN k = 1 THEN {} ELSE {} END", r.value,
                             q.lit("period"), q.lit("compound"));
      if (m_o.snapshots && def.cohort != CohortAnnual::none)
        r.method =
            fmt::format("CASE WHEN ({}) IS NULL THEN NULL WHEN cohort_start > 0 THEN {} WHEN k = 1 THEN {} ELSE {} END",
                        r.value, q.lit("cohort"), q.lit("period"), q.lit("compound"));
    }
    return r;
  }

  RecordSql shaped_record(const MetricDef& def) const {
    const Dialect& q = m_q;
    const MetricSql& sql = def.sql;
    RecordSql r;
    // Every expression becomes a real number (or text, or an integer) in records().
    const auto text = [&](std::string_view s) { return q.lit(s); };
    const auto ratio = [&](const std::string& den, const std::string& note) {
      r.value = std::string(sql.column) + "_v";
      r.numerator = std::string(sql.value);
      r.denominator = den;
      r.n = "cohort";
      r.note = note;
      if (def.annualization != Annualization::none) r.annualized = std::string(sql.column) + "_a";
    };
    switch (sql.shape) {
    case SqlShape::none: break;
    case SqlShape::total:
      r.value = sql.value;
      r.n = sql.n;
      break;
    case SqlShape::sum:
      r.value = r.numerator = sql.value;
      r.n = sql.n;
      break;
    case SqlShape::ending_logos:
      r.value = sql.value;
      r.n = sql.n;
      r.note =
          fmt::format("CASE WHEN cohort + new_customers - churned_logos - new_churned_logos > ending THEN {} || {} END",
                      q.as_text("cohort + new_customers - churned_logos - new_churned_logos - ending"),
                      text(" of the rows end at 0 MRR without churn"));
      break;
    case SqlShape::start_ratio:
      ratio("s", fmt::format("CASE WHEN cohort = 0 OR s = 0 THEN {} END", text("no starting customers")));
      break;
    case SqlShape::logo_ratio:
      ratio("cohort", fmt::format("CASE WHEN cohort = 0 THEN {} END", text("no starting customers")));
      if (def.annualization == Annualization::churn_estimate)
        r.note = join_notes(q, r.note,
                            fmt::format("CASE WHEN {}_v IS NOT NULL AND k <> 1 THEN {} END", sql.column,
                                        text("annual figure is a compounded estimate")));
      break;
    case SqlShape::ratio:
      r.numerator = sql.value;
      r.denominator = sql.den;
      r.n = sql.n;
      r.value = q.div(std::string(sql.value), std::string(sql.den));
      r.note = fmt::format("CASE WHEN {} = 0 THEN {} END", sql.den, text(sql.empty));
      break;
    case SqlShape::per_account:
      r.numerator = "s";
      r.denominator = "cohort";
      r.n = "cohort";
      r.value = q.units("arpa_micros");
      r.note = fmt::format("CASE WHEN cohort = 0 THEN {} END", text("no starting customers"));
      break;
    case SqlShape::ltv: ltv_record(r); break;
    case SqlShape::ltv_cac: ltv_cac_record(r); break;
    case SqlShape::at_risk_share:
      r.numerator = "saved";
      r.denominator = "at_risk";
      r.n = "at_risk";
      r.value = q.div("saved", "at_risk") + " * 100";
      r.note = fmt::format("CASE WHEN at_risk = 0 THEN {} END", text("no at-risk customers"));
      if (!m_o.columns.saved)
        r.note = join_notes(q, r.note, text("saved = at risk and not churned (no saved column)"), true);
      break;
    case SqlShape::nps:
    case SqlShape::nps_interval:
      r.n = "responses";
      if (sql.shape == SqlShape::nps) {
        r.numerator = "promoters - detractors";
        r.denominator = "responses";
        r.value = fmt::format("{} * 100", q.div("promoters - detractors", "responses"));
      } else {
        r.value = fmt::format("CASE WHEN responses = 0 THEN NULL ELSE {} END", sql.value);
      }
      r.note = fmt::format("CASE WHEN responses = 0 THEN {} WHEN responses < 30 THEN {} || {} || {} END",
                           text("no NPS responses"), text("low confidence: "), q.as_text("responses"),
                           text(" responses (< 30)"));
      break;
    }
    return r;
  }

  void ltv_record(RecordSql& r) const {
    const Dialect& q = m_q;
    const auto text = [&](std::string_view s) { return q.lit(s); };
    r.n = "cohort";
    r.numerator = q.units("profit_micros");
    r.denominator = fmt::format("CASE WHEN cohort = 0 THEN NULL WHEN t_cx = 0 THEN 0 ELSE {} END", q.div("t_cx", "s"));
    r.value = q.units("ltv_micros");
    const std::string margin =
        fmt::format("gross margin {}%{}", format_money_exact(Money{m_o.gross_margin.micros * 100}),
                    m_o.gross_margin_given ? "" : " (default; set --gross-margin)");
    r.note =
        fmt::format("CASE WHEN cohort = 0 THEN {} WHEN t_cx = 0 THEN {} ELSE {} END", text("no starting customers"),
                    text("no churn in period: LTV unbounded; " + margin), text(margin));
  }

  void ltv_cac_record(RecordSql& r) const {
    const Dialect& q = m_q;
    const auto text = [&](std::string_view s) { return q.lit(s); };
    const std::string cac_n = m_o.cac ? "1" : "cac_count";
    r.n = cac_n;
    r.numerator = q.units("ltv_micros");
    r.denominator = fmt::format("CASE WHEN {} > 0 THEN {} END", cac_n, q.units("mean_cac_micros"));
    r.value = fmt::format("CASE WHEN ltv_micros IS NULL OR {} = 0 OR mean_cac_micros <= 0 THEN NULL ELSE {} END", cac_n,
                          q.div("ltv_micros", "mean_cac_micros"));
    r.note =
        fmt::format("CASE WHEN ltv_micros IS NULL THEN CASE WHEN cohort = 0 THEN {} ELSE {} END WHEN {} = 0 THEN {} "
                    "WHEN mean_cac_micros <= 0 THEN {} END",
                    text("no starting customers"), text("no churn in period: LTV unbounded"), cac_n,
                    text("no CAC values in this group"), text("mean CAC is 0"));
    if (m_o.cac) r.note = join_notes(q, r.note, text("CAC from --cac"), true);
  }

  void records() {
    const Dialect& q = m_q;
    std::string body;
    int order = 0;
    for (const std::string& id : sql_metric_ids(m_o)) {
      const MetricDef& def = *find_metric(id);
      const bool costs = def.section == Section::efficiency;    // the whole base, from the costs join
      const bool invoicing = def.section == Section::invoicing; // beside the annual figures
      const RecordSql r = costs ? costs_record(def, m_o) : invoicing ? invoice_record(def, m_o) : record_of(def);
      const std::string value = q.as_real(r.value);
      const std::string rated = def.annualization != Annualization::none ? q.as_real(r.annualized) : value;
      if (!body.empty()) body += "\nUNION ALL\n";
      const char* from = costs ? "cskpi_costs" : invoicing ? "cskpi_invoices" : "cskpi_annual";
      body +=
          fmt::format("SELECT period, grp, whole, cohort AS starting, {} AS ord, {} AS metric, {} AS name, {} AS "
                      "value, {} AS unit,\n"
                      "  {} AS annualized, {} AS method, {} AS numerator, {} AS denominator, {} AS n, {} AS note,\n"
                      "  {} AS tier\nFROM {{{{{}}}}}",
                      ++order, q.lit(def.id), q.lit(def.name), value, q.lit(to_string(def.unit)),
                      q.as_real(r.annualized), q.as_text(r.method), q.as_real(r.numerator), q.as_real(r.denominator),
                      q.as_int(r.n), q.as_text(r.note), q.as_int(tier_expr(rated, m_bands.rules_for(def.id))), from);
    }
    step("cskpi_records", "one record per period, group and metric, before rating by group size", std::move(body));
  }

  void kpis() {
    const Dialect& q = m_q;
    const std::string small = fmt::format("starting < {}", m_o.min_group);
    const std::string not_rated =
        fmt::format("{} || {} || {}", q.lit("not rated: "), q.as_text("starting"),
                    fmt::format("CASE WHEN starting = 1 THEN {} ELSE {} END",
                                q.lit(fmt::format(" starting customer, fewer than {} (--min-group)", m_o.min_group)),
                                q.lit(fmt::format(" starting customers, fewer than {} (--min-group)", m_o.min_group))));
    std::string band = "CASE tier";
    for (Tier t : {Tier::best_in_class, Tier::good, Tier::acceptable, Tier::warning, Tier::critical})
      band += fmt::format(" WHEN {} THEN {}", severity(t), q.lit(to_string(t)));
    band += " END";
    std::string body = fmt::format(
        "SELECT\n  period AS {},\n  CASE WHEN whole = 1 THEN {} ELSE grp END AS {},\n  metric AS {},\n  name AS {},\n  "
        "value AS {},\n"
        "  unit AS {},\n  annualized AS {},\n  method AS {},\n  CASE WHEN {} THEN NULL ELSE {} END AS {},\n"
        "  CASE WHEN {} THEN NULL ELSE tier END AS {},\n  numerator AS {},\n  denominator AS {},\n  n AS {},\n"
        "  CASE WHEN tier IS NOT NULL AND {} THEN {} ELSE note END AS {},\n  {} AS {},\n  CASE WHEN whole = 1 THEN {} "
        "ELSE {} END AS {}\n"
        "FROM {{{{cskpi_records}}}}\nORDER BY period, whole DESC, {}, ord",
        q.ident("period"), q.lit("all"), q.ident("segment"), q.ident("metric"), q.ident("name"), q.ident("value"),
        q.ident("unit"), q.ident("annualized"), q.ident("method"), small, band, q.ident("band"), small,
        q.ident("severity"), q.ident("numerator"), q.ident("denominator"), q.ident("n"), small,
        join_notes(q, "note", "(" + not_rated + ")", true), q.ident("note"), q.as_text("NULL"), q.ident("key"),
        q.as_text("NULL"), m_o.by.empty() ? q.as_text("NULL") : q.lit(m_o.by), q.ident("by"), q.order_key("grp"));
    if (m_q.d == SqlDialect::postgres) {
      const std::string from = "ORDER BY period, whole DESC";
      body.replace(body.find(from), from.size(), "ORDER BY " + q.order_key("period") + ", whole DESC");
    }
    step("cskpi_kpis", "the records of `cskpi report --format csv`, rated, in report order", std::move(body));
  }
};

/// `{{name}}` of every step replaced by `replace(name)`.
template <typename Replace> std::string resolve(std::string body, const std::vector<SqlStep>& steps, Replace replace) {
  for (const SqlStep& s : steps) {
    const std::string token = "{{" + s.name + "}}";
    for (std::size_t at = body.find(token); at != std::string::npos; at = body.find(token, at)) {
      const std::string with = replace(s.name);
      body.replace(at, token.size(), with);
      at += with.size();
    }
  }
  return body;
}

std::string indent(const std::string& text) {
  std::string out = "  ";
  for (char ch : text) {
    out += ch;
    if (ch == '\n') out += "  ";
  }
  return out;
}

} // namespace

std::vector<std::string> sql_metric_ids(const SqlOptions& o) {
  std::vector<std::string> out;
  for (const MetricDef& def : metric_table()) {
    // The efficiency and invoice metrics have no shape of their own: sql_costs.cpp and
    // sql_invoices.cpp write them.
    const bool own = def.section == Section::efficiency || def.section == Section::invoicing;
    if ((def.sql.shape == SqlShape::none && !own) || !needs_met(def.needs, o)) continue;
    if (!o.metrics.empty() && std::find(o.metrics.begin(), o.metrics.end(), def.id) == o.metrics.end()) continue;
    out.emplace_back(def.id);
  }
  return out;
}

std::vector<SqlStep> plan_sql(const SqlOptions& o, const BandTable& bands) { return Planner(o, bands).plan(); }

std::string render_sql_query(const std::vector<SqlStep>& steps, const std::string& header) {
  std::string out = header;
  const auto name = [](const std::string& n) { return n; };
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    const SqlStep& s = steps[i];
    out += fmt::format("{}-- {}\n{} AS (\n{}\n)", i == 0 ? "WITH\n" : ",\n", s.description, s.name,
                       indent(resolve(s.body, steps, name)));
  }
  if (!steps.empty())
    out += fmt::format("\n-- {}\n{};\n", steps.back().description, resolve(steps.back().body, steps, name));
  return out;
}

std::vector<std::pair<std::string, std::string>> render_dbt_models(const std::vector<SqlStep>& steps,
                                                                   const std::string& header) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto ref = [](const std::string& n) { return fmt::format("{{{{ ref('{}') }}}}", n); };
  // The header's "-- " lines as a Jinja comment in the models (a table such as "{{ ref(...) }}"
  // in a SQL comment would still be rendered by dbt) and as YAML comments in schema.yml.
  std::string jinja = "{#", yaml;
  for (std::size_t at = 0; at < header.size();) {
    const std::size_t end = std::min(header.find('\n', at), header.size());
    const std::string_view line = std::string_view(header).substr(at, end - at);
    const std::string_view text = line.starts_with("--") ? line.substr(2) : line;
    jinja.append(at == 0 ? "" : "\n  ").append(text);
    yaml.append("#").append(text).append("\n");
    at = end + 1;
  }
  jinja.append(" #}\n");
  std::string schema = yaml + "version: 2\n\nmodels:\n";
  for (const SqlStep& s : steps) {
    out.emplace_back(s.name + ".sql", fmt::format("{}-- {}\n{}\n", jinja, s.description, resolve(s.body, steps, ref)));
    schema += fmt::format("  - name: {}\n    description: \"{}\"\n", s.name, s.description);
  }
  out.emplace_back("schema.yml", schema);
  return out;
}

} // namespace cskpi
