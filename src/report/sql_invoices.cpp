// SPDX-License-Identifier: MIT
// The invoice metrics in `cskpi sql` (issue 31; sql_invoices.hpp). Days are whole numbers
// computed from the dates' text (days_from_civil), so that every dialect counts them alike.
// Recognition is summed exactly as report's ExactSum does: per period, group and service
// length, the integer numerators amount_micros x days inside; each sum of fractions is then
// rounded once, half to even, as metrics/invoices.cpp rounds it.
#include "report/sql_invoices.hpp"

#include "report/sql_dialect.hpp"

#include <fmt/format.h>

namespace cskpi::sql_text {

namespace {

/// The day number of the date y-m-d (days_from_civil() less a constant), for years >= 1.
std::string civil_day(const Dialect& q, const std::string& y, const std::string& m, const std::string& d) {
  const std::string ya = fmt::format("({} - CASE WHEN {} <= 2 THEN 1 ELSE 0 END)", y, m);
  const std::string mp = fmt::format("(CASE WHEN {0} > 2 THEN {0} - 3 ELSE {0} + 9 END)", m);
  return fmt::format("(365 * {} + {} - {} + {} + {} + {})", ya, q.idiv(ya, 4), q.idiv(ya, 100), q.idiv(ya, 400),
                     q.idiv(fmt::format("(153 * {} + 2)", mp), 5), d);
}

/// The day number of the first day of month index `mi` (year * 12 + month - 1).
std::string first_day(const Dialect& q, const std::string& mi) {
  const std::string y = q.idiv(mi, 12);
  return civil_day(q, y, fmt::format("({} - 12 * {} + 1)", mi, y), "1");
}

/// The year, month and day of a DATE or 'YYYY-MM-DD' text column, as `prefix`y, m, d; NULL
/// when it is NULL or blank.
std::string date_parts(const Dialect& q, std::string_view column, std::string_view prefix) {
  const std::string t = fmt::format("SUBSTR(NULLIF(TRIM({}), ''), 1, 10)", q.as_text(std::string(column)));
  return fmt::format("{0} AS {3}y, {1} AS {3}m, {2} AS {3}d", q.as_int(fmt::format("SUBSTR({}, 1, 4)", t)),
                     q.as_int(fmt::format("SUBSTR({}, 6, 2)", t)), q.as_int(fmt::format("SUBSTR({}, 9, 2)", t)),
                     prefix);
}

std::string lines_body(const SqlOptions& o, const Dialect& q) {
  // The end moved on by whole months from the start, clamped to a shorter month's last day:
  // whole_months() in SQL.
  const std::string next_y = "e_y + CASE WHEN e_m = 12 THEN 1 ELSE 0 END",
                    next_m = "CASE WHEN e_m = 12 THEN 1 ELSE e_m + 1 END";
  const std::string month_days = fmt::format("{} - {}", civil_day(q, "(" + next_y + ")", "(" + next_m + ")", "1"),
                                             civil_day(q, "e_y", "e_m", "1"));
  return fmt::format(
      "SELECT id, amount, inv, svc_start, svc_end,\n"
      "  CASE WHEN svc_start IS NULL OR svc_end IS NULL OR svc_end <= svc_start THEN 1 ELSE 0 END AS one_off,\n"
      "  CASE WHEN svc_start IS NULL OR svc_end IS NULL OR svc_end <= svc_start THEN 1 ELSE svc_end - svc_start END "
      "AS d,\n"
      "  CASE WHEN svc_end > svc_start AND (e_y - s_y) * 12 + e_m - s_m >= 1 AND e_d = LEAST(s_d, {}) THEN 1 ELSE 0 "
      "END "
      "AS whole_months\n"
      "FROM (\n  SELECT id, amount, e_y, e_m, e_d, s_y, s_m, s_d,\n    {} AS inv,\n    {} AS svc_start,\n    {} AS "
      "svc_end\n"
      "  FROM (\n    SELECT TRIM({}) AS id, {} AS amount,\n      {},\n      {},\n      {}\n    FROM {}\n"
      "  ) AS parsed\n) AS dated",
      month_days, civil_day(q, "i_y", "i_m", "i_d"), civil_day(q, "s_y", "s_m", "s_d"),
      civil_day(q, "e_y", "e_m", "e_d"), q.as_text("customer_id"), q.as_money("amount"),
      date_parts(q, "invoice_date", "i_"), date_parts(q, "service_start", "s_"), date_parts(q, "service_end", "e_"),
      o.invoices_table);
}

std::string periods_body(const Dialect& q) {
  const std::string year = q.as_int("SUBSTR(period, 1, 4)");
  const std::string fm =
      fmt::format("CASE WHEN period LIKE '%Q%' THEN {0} * 12 + ({1} - 1) * 3 WHEN LENGTH(period) = 4 THEN {0} * 12 "
                  "ELSE {0} * 12 + {2} - 1 END",
                  year, q.as_int("SUBSTR(period, 7, 1)"), q.as_int("SUBSTR(period, 6, 2)"));
  return fmt::format("SELECT period, {} AS p_first, {} AS p_end\nFROM (\n  SELECT period, {} AS fm,\n"
                     "    CASE WHEN period LIKE '%Q%' THEN 3 WHEN LENGTH(period) = 4 THEN 12 ELSE 1 END AS len\n"
                     "  FROM (SELECT DISTINCT period FROM {{{{cskpi_totals}}}} WHERE period IS NOT NULL) AS t\n"
                     ") AS p",
                     first_day(q, "fm"), first_day(q, "(fm + len)"), fm);
}

std::string parts_body(const Dialect& q) {
  const std::string in_period = "inv >= p_first AND inv < p_end";
  const std::string rec = fmt::format("CASE WHEN one_off = 1 THEN CASE WHEN {} THEN a ELSE 0 END "
                                      "ELSE a * GREATEST(LEAST(p_end, svc_end) - GREATEST(p_first, svc_start), 0) END",
                                      in_period);
  return fmt::format(
      "SELECT period, grp, d, one_off, whole_months, has_mrr, a,\n"
      "  CASE WHEN {0} THEN a ELSE 0 END AS billed,\n  CASE WHEN {0} THEN 1 ELSE 0 END AS n_billed,\n"
      "  CASE WHEN inv < p_end THEN 1 ELSE 0 END AS n_to_date,\n"
      "  CASE WHEN inv < p_end AND one_off = 0 THEN a ELSE 0 END AS deferred_whole,\n"
      "  CASE WHEN one_off = 1 THEN 0 ELSE 0 - a * GREATEST(LEAST(p_end, svc_end) - svc_start, 0) END AS deferred,\n"
      "  {1} AS recognized,\n  CASE WHEN ({1}) <> 0 THEN 1 ELSE 0 END AS n_recognized\n"
      "FROM (\n  SELECT l.*, p.period, p.p_first, p.p_end, k.grp, {2} AS a,\n"
      "    CASE WHEN m.id IS NULL THEN 0 ELSE 1 END AS has_mrr\n"
      "  FROM {{{{cskpi_invoice_lines}}}} AS l\n"
      "  JOIN {{{{cskpi_invoice_periods}}}} AS p ON l.inv < p.p_end OR l.svc_start < p.p_end\n"
      "  LEFT JOIN {{{{cskpi_invoice_customers}}}} AS k ON k.id = l.id\n"
      "  LEFT JOIN {{{{cskpi_invoice_mrr}}}} AS m ON m.id = l.id AND m.period = p.period\n) AS j",
      in_period, rec, q.micros("l.amount"));
}

std::string days_body(const SqlOptions& o, const Dialect& q) {
  const bool grouped = !o.by.empty();
  std::string body = fmt::format("SELECT period, {}, d,\n", group_and_whole(q, grouped));
  body += "  SUM(billed) AS billed,\n  SUM(n_billed) AS n_billed,\n  SUM(n_to_date) AS n_to_date,\n"
          "  SUM(n_recognized) AS n_recognized,\n  SUM(deferred_whole) AS deferred_whole,\n"
          "  SUM(deferred) AS deferred,\n  SUM(recognized) AS recognized,\n"
          "  SUM(CASE WHEN a < 0 THEN recognized ELSE 0 END) AS credits,\n"
          "  SUM(CASE WHEN a >= 0 AND one_off = 1 THEN recognized ELSE 0 END) AS one_time,\n"
          "  SUM(CASE WHEN a >= 0 AND one_off = 0 AND has_mrr = 0 THEN recognized ELSE 0 END) AS without_mrr,\n"
          "  SUM(CASE WHEN a >= 0 AND one_off = 0 AND has_mrr = 1 AND whole_months = 0 THEN recognized ELSE 0 END) "
          "AS prorations\n"
          "FROM {{cskpi_invoice_parts}}\n";
  return body + (grouped ? "GROUP BY GROUPING SETS ((period, d), (period, grp, d))" : "GROUP BY period, d");
}

constexpr const char* k_fractions[] = {"recognized", "credits", "one_time", "without_mrr", "prorations", "deferred"};

/// floor(a / b) of whole numbers a >= 0, b > 0. Snowflake's FLOOR(a / b) (exact_div) floors a
/// quotient kept to 6 decimals, which a remainder within 5e-7 of b rounds up: the 1e18 scale
/// below has such remainders, so there the quotient is of a multiple of b.
std::string whole_div(const Dialect& q, const std::string& a, const std::string& b) {
  if (q.d == SqlDialect::snowflake) return fmt::format("((({0}) - MOD({0}, {1})) / ({1}))", a, b);
  return q.exact_div(a, b);
}

std::string sums_body(const Dialect& q) {
  // floor(x / d) for any sign of x (d > 0), from the division of whole numbers >= 0.
  const auto floor_div = [&](const std::string& x) {
    return fmt::format("CASE WHEN {0} >= 0 THEN {1} ELSE 0 - {2} END", x, whole_div(q, x, "d"),
                       whole_div(q, fmt::format("0 - {} + d - 1", x), "d"));
  };
  const std::string scale = fmt::format("CAST(1000000000000000000 AS {})", q.wide()); // 1e18
  std::string inner = "  SELECT period, grp, whole, COUNT(*) AS n_days,\n"
                      "    SUM(billed) AS billed, SUM(n_billed) AS n_billed, SUM(n_to_date) AS n_to_date,\n"
                      "    SUM(n_recognized) AS n_recognized";
  std::string outer = "SELECT period, grp, whole, billed, n_billed, n_to_date, n_recognized";
  for (const char* f : k_fractions) {
    // The sum of fractions x / d: its whole parts, and its remainders (< d) in units of 1e-18,
    // each truncated (so low by less than 1e-18 each: n_days of them at most).
    const std::string whole = std::string(f) == "deferred" ? "SUM(deferred_whole) + " : "";
    inner += fmt::format(",\n    {}SUM({}) AS {}_i,\n    SUM({}) AS {}_f", whole, floor_div(f), f,
                         whole_div(q, fmt::format("({} - d * ({})) * {}", f, floor_div(f), scale), "d"), f);
    // Rounded half to even: above half up; within n_days units of a half (an exact tie but for
    // the truncation) to the even neighbour.
    const std::string fl = whole_div(q, fmt::format("{}_f", f), scale);
    const std::string rem = fmt::format("({}_f - {} * {})", f, fl, scale);
    outer += fmt::format(",\n  {0}_i + {1} + CASE WHEN {2} > 500000000000000000 THEN 1 "
                         "WHEN {2} > 500000000000000000 - n_days AND {3} <> 0 THEN 1 ELSE 0 END AS {0}",
                         f, fl, rem, q.mod(fmt::format("{}_i + {}", f, fl), 2));
  }
  return outer + "\nFROM (\n" + inner + "\n  FROM {{cskpi_invoice_days}}\n  GROUP BY period, grp, whole\n) AS s";
}

std::string invoices_body() {
  std::string body = "SELECT\n  a.*";
  for (const char* c : {"billed", "n_billed", "n_to_date", "n_recognized"})
    body += fmt::format(",\n  COALESCE(i.{0}, 0) AS iv_{0}", c);
  for (const char* f : k_fractions) body += fmt::format(",\n  COALESCE(i.{0}, 0) AS iv_{0}", f);
  return body +
      "\nFROM {{cskpi_annual}} AS a\nLEFT JOIN {{cskpi_invoice_sums}} AS i\n"
      "  ON i.period = a.period AND i.whole = a.whole AND (a.whole = 1 OR i.grp = a.grp)";
}

} // namespace

std::vector<SqlStep> invoice_steps(const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  return {
      {"cskpi_invoice_lines",
       "one row per invoice line: its dates as day numbers, d its service days (1 for a one-off line)",
       lines_body(o, q)},
      {"cskpi_invoice_periods", "one row per period: its first day and the day after its last", periods_body(q)},
      {"cskpi_invoice_customers", "one row per customer of the MRR table: the group of its latest period",
       "SELECT r.id, MIN(r.grp) AS grp\nFROM {{cskpi_rows}} AS r\n"
       "JOIN (SELECT id, MAX(period) AS last_period FROM {{cskpi_rows}} GROUP BY id) AS l\n"
       "  ON l.id = r.id AND l.last_period = r.period\nGROUP BY r.id"},
      {"cskpi_invoice_mrr", "one row per customer and period whose end finds it with MRR",
       "SELECT DISTINCT id, period\nFROM {{cskpi_rows}}\nWHERE s + nw + r + e - c - x > 0"},
      {"cskpi_invoice_parts",
       "one row per invoice line and period it touches: micro-units billed, recognised (x d), deferred", parts_body(q)},
      {"cskpi_invoice_days", "per period, group and service length d: the exact integer sums", days_body(o, q)},
      {"cskpi_invoice_sums", "per period and group: each sum of fractions rounded once, half to even, in micro-units",
       sums_body(q)},
      {"cskpi_invoices", "per period and group: the annual figures and the invoice figures", invoices_body()},
  };
}

RecordSql invoice_record(const MetricDef& def, const SqlOptions& o) {
  const Dialect q = dialect_of(o.dialect);
  const std::string_view id = def.id;
  const std::string from_mrr = fmt::format("{} * months", q.micros("end_mrr"));
  RecordSql r{.n = "iv_n_recognized"};
  const auto money = [&](const std::string& micros) { r.value = q.units(micros); };
  if (id == "billings") {
    money("iv_billed");
    r.n = "iv_n_billed";
    r.note = fmt::format("CASE WHEN iv_n_billed = 0 THEN {} END", q.lit("no invoice line dated in the period"));
  } else if (id == "revenue_from_mrr") {
    money(from_mrr);
    r.n = "ending";
  } else if (id == "revenue_one_time") {
    money("iv_one_time");
  } else if (id == "revenue_prorations") {
    money("iv_prorations");
  } else if (id == "revenue_credits") {
    money("iv_credits");
  } else if (id == "revenue_without_mrr") {
    money("iv_without_mrr");
  } else if (id == "revenue_unexplained") {
    money(fmt::format("iv_recognized - {} - iv_one_time - iv_prorations - iv_credits - iv_without_mrr", from_mrr));
  } else if (id == "recognized_revenue") {
    money("iv_recognized");
    r.note =
        fmt::format("CASE WHEN iv_n_recognized = 0 THEN {} END", q.lit("no invoice line recognised in the period"));
  } else if (id == "deferred_revenue") {
    money("iv_deferred");
    r.n = "iv_n_to_date";
  }
  return r;
}

} // namespace cskpi::sql_text
