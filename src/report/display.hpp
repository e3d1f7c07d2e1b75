// SPDX-License-Identifier: MIT
// Helpers the report's renderers share (table.cpp, formats.cpp, trends.cpp, snapshots.cpp):
// internal to src/report, defined in display.cpp.
#pragma once

#include "report/report.hpp"

#include "core/text.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cskpi::detail {

/// Fixed decimals without "-0.00", and no more digits than a double holds: from 10^13 up
/// whole units (15 digits), from 10^15 up the first 15 digits rounded, then zeros.
std::string fixed(double v, int decimals);
/// fixed(), thousands grouped ("10,800,000,000,000") at any size.
std::string fixed_grouped(double v, int decimals);
/// An amount for people: two decimals, thousands grouped ("1,234.57").
inline std::string money(Money m) { return format_money_fixed(m, 2, true); }
/// A quantity for people in a metric's unit.
std::string display(const Quantity& q, Unit unit);
/// A number of a CSV record in the style's decimal mark ("" for none).
std::string csv_number(const std::optional<Quantity>& q, const CsvStyle& style);
/// The legend of '*' in the annual column, if any record has a cohort figure.
std::string cohort_legend(const Report& r);
/// The tier's name, "" for none.
std::string display_tier(const Record& r);
/// `s` with control bytes shown as \xNN: a group's name is a cell of the input, and a line
/// break in it must not start a line of its own (a CI log takes "::error::..." there as a command).
std::string printable(std::string_view s);
/// "2026-10 · all: 12 customers (10 starting, 2 new)".
std::string group_title(const Group& g);
/// "definitions: chartmogul (cskpi explain definitions)\n" when the preset can matter: the
/// run derived movements from a snapshot or billing export, or the preset is not cskpi.
std::string definitions_line(const Report& r);
/// A record as the JSON object of the report's "records" array (formats.cpp).
std::string record_json(const Group& g, const Record& rec, const ReportSettings& s);
/// The columns of a record in --format csv, and a record's cells in them (formats.cpp).
inline constexpr std::string_view k_record_csv_columns[] = {
    "period", "segment",  "metric",    "name",        "value", "unit", "annualized", "method",
    "band",   "severity", "numerator", "denominator", "n",     "note", "key",        "by"};
std::vector<std::string> record_csv(const Group& g, const Record& rec, const ReportSettings& s, const CsvStyle& style);

} // namespace cskpi::detail
