// SPDX-License-Identifier: MIT
// The report as an Excel workbook (issue 14), made with report/workbook.hpp.
#pragma once

#include "report/report.hpp"

#include <string>

namespace cskpi {

/// The report as the bytes of an .xlsx workbook:
///   - Summary: the MRR bridge and the KPIs of the latest period's whole base, tiers coloured;
///   - Records: every record as in --format csv, numbers as numbers with their formats
///     (percent, money, counts), so a pivot table takes them as they are;
///   - one sheet per segment (and `all`) with the periods as columns, when there are several.
/// Every text is written as a text cell, never as a formula. The workbook is the same
/// bytes for the same report.
std::string render_xlsx(const Report& r);

} // namespace cskpi
