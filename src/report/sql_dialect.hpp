// SPDX-License-Identifier: MIT
// The SQL dialects cskpi writes (report/sql.cpp): where they differ, in one place.
#pragma once

#include "report/sql.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace cskpi::sql_text {

// Where the dialects differ. Everything else in the text is the same for all five: CASE,
// COALESCE, NULLIF, CAST, POWER, SQRT, GREATEST, LEAST, LPAD, SUBSTR, LENGTH, UPPER, TRIM,
// ||, GROUPING SETS and GROUPING().
struct Dialect {
  SqlDialect d;
  std::string_view text, real, money, integer; // type names
  char quote;                                  // identifier quote
  bool backslash_escapes;                      // string literals treat \ as an escape

  /// A string literal.
  std::string lit(std::string_view s) const {
    std::string out = "'";
    for (char ch : s) {
      if (ch == '\'') out += backslash_escapes ? "\\'" : "''";
      else if (ch == '\\' && backslash_escapes) out += "\\\\";
      else out += ch;
    }
    return out + "'";
  }
  std::string ident(std::string_view s) const { return fmt::format("{}{}{}", quote, s, quote); }
  std::string as_text(const std::string& e) const { return fmt::format("CAST({} AS {})", e, text); }
  std::string as_real(const std::string& e) const { return fmt::format("CAST({} AS {})", e, real); }
  std::string as_money(const std::string& e) const { return fmt::format("CAST({} AS {})", e, money); }
  std::string as_int(const std::string& e) const { return fmt::format("CAST({} AS {})", e, integer); }
  /// a / b as a real number; NULL when b is 0.
  std::string div(const std::string& a, const std::string& b) const {
    return fmt::format("{} / NULLIF({}, 0)", as_real(a), as_real(b));
  }
  std::string mod(const std::string& a, int b) const {
    if (d == SqlDialect::bigquery) return fmt::format("MOD({}, {})", a, b);
    return fmt::format("({}) % {}", a, b);
  }
  /// An integer type wide enough for products of micro-units (38 digits).
  std::string_view wide() const {
    switch (d) {
    case SqlDialect::duckdb: return "HUGEINT";
    case SqlDialect::postgres: return "NUMERIC";
    case SqlDialect::bigquery: return "NUMERIC"; // 29 whole digits: enough for micro-unit products
    case SqlDialect::snowflake: return "NUMBER(38,0)";
    case SqlDialect::spark: return "DECIMAL(38,0)";
    }
    return "HUGEINT";
  }
  /// A money amount as whole micro-units, exactly.
  std::string micros(const std::string& e) const { return fmt::format("CAST(({}) * 1000000 AS {})", e, wide()); }
  /// floor(a / b) of whole numbers a >= 0, b > 0, exactly.
  std::string exact_div(const std::string& a, const std::string& b) const {
    switch (d) {
    case SqlDialect::duckdb: return fmt::format("(({}) // ({}))", a, b);
    case SqlDialect::postgres:
    case SqlDialect::bigquery: return fmt::format("DIV({}, {})", a, b);
    case SqlDialect::snowflake: return fmt::format("FLOOR(({}) / ({}))", a, b);
    case SqlDialect::spark: return fmt::format("(({}) div ({}))", a, b);
    }
    return "";
  }
  /// a / b of whole numbers a >= 0, b > 0, rounded half to even as cskpi's money is.
  std::string div_round_even(const std::string& a, const std::string& b) const {
    const std::string q = exact_div(a, b);
    return fmt::format(
        "({0} + CASE WHEN 2 * (({1}) - {0} * ({2})) > ({2}) OR (2 * (({1}) - {0} * ({2})) = ({2}) AND {3} = 1) "
        "THEN 1 ELSE 0 END)",
        q, a, b, mod(q, 2));
  }
  /// Micro-units back to currency units, as a real number.
  std::string units(const std::string& micros) const { return fmt::format("{} / 1000000", as_real(micros)); }
  /// floor(a / b) for a >= 0, as an integer.
  std::string idiv(const std::string& a, int b) const { return as_int(fmt::format("FLOOR({} / {})", a, b)); }
  /// ORDER BY key: byte order everywhere (PostgreSQL's default collation follows the locale).
  std::string order_key(std::string_view e) const {
    if (d == SqlDialect::postgres) return fmt::format("{} COLLATE \"C\"", e);
    return std::string(e);
  }
};

inline Dialect dialect_of(SqlDialect d) {
  switch (d) {
  case SqlDialect::duckdb: return {d, "VARCHAR", "DOUBLE", "DECIMAL(18,6)", "BIGINT", '"', false};
  case SqlDialect::postgres: return {d, "TEXT", "DOUBLE PRECISION", "NUMERIC(18,6)", "BIGINT", '"', false};
  case SqlDialect::bigquery: return {d, "STRING", "FLOAT64", "NUMERIC", "INT64", '`', true};
  case SqlDialect::snowflake: return {d, "VARCHAR", "DOUBLE", "NUMBER(18,6)", "BIGINT", '"', true};
  case SqlDialect::spark: return {d, "STRING", "DOUBLE", "DECIMAL(18,6)", "BIGINT", '`', true};
  }
  return {d, "VARCHAR", "DOUBLE", "DECIMAL(18,6)", "BIGINT", '"', false};
}

/// The group columns of a step summed for the whole base and each --by group: "grp" and
/// "GROUPING(grp) AS whole" under GROUPING SETS, else a NULL group and "1 AS whole"; `between`
/// joins the two as the step lays out its columns.
inline std::string group_and_whole(const Dialect& q, bool grouped, std::string_view between = ", ") {
  return grouped ? fmt::format("grp{}GROUPING(grp) AS whole", between)
                 : fmt::format("{} AS grp{}1 AS whole", q.as_text("NULL"), between);
}

/// "CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE a || '; ' || b END": add_note() in
/// SQL; shorter when `b` is never NULL.
inline std::string join_notes(const Dialect& q, const std::string& a, const std::string& b, bool b_never_null = false) {
  if (a.empty() || a == "NULL") return b;
  if (b.empty() || b == "NULL") return a;
  if (b_never_null)
    return fmt::format("CASE WHEN ({0}) IS NULL THEN {1} ELSE ({0}) || {2} || {1} END", a, b, q.lit("; "));
  return fmt::format("CASE WHEN ({0}) IS NULL THEN {1} WHEN ({1}) IS NULL THEN {0} ELSE ({0}) || {2} || ({1}) END", a,
                     b, q.lit("; "));
}

} // namespace cskpi::sql_text
