// SPDX-License-Identifier: MIT
// Billings and recognised revenue in `cskpi sql` (issue 31): an invoice-lines table booked over
// the periods of the MRR table, per period and group, as report --invoices books a file
// (metrics/invoices.cpp) and computes its metrics (metrics/table_invoices.cpp). Internal to
// report/sql*.cpp.
#pragma once

#include "metrics/metrics.hpp"
#include "report/sql.hpp"
#include "report/sql_costs.hpp"

#include <string>
#include <vector>

namespace cskpi::sql_text {

/// The steps that book the invoice lines, after {{cskpi_annual}}; the last, "cskpi_invoices",
/// is cskpi_annual's rows with the rounded invoice figures beside them. They read
/// {{cskpi_rows}}, which then has the customer's `id`.
std::vector<SqlStep> invoice_steps(const SqlOptions& o);
/// The record of an invoice metric, read from a row of cskpi_invoices.
RecordSql invoice_record(const MetricDef& def, const SqlOptions& o);

} // namespace cskpi::sql_text
