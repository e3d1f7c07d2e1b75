// SPDX-License-Identifier: MIT
// Invoice lines in a run (issue 31, --invoices): what the MRR input tells of each customer
// (its group, the periods it has MRR in), and the book of billings and recognised revenue
// over the report's periods.
#pragma once

#include "app/run.hpp"
#include "core/records.hpp"
#include "metrics/invoices.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cskpi::app {

/// Takes every MRR row on its way to the aggregator and keeps, per customer, its --by value
/// (of its latest period) and the periods whose end finds it with MRR above 0. Forks and
/// merges, so a file read on several threads gives the same customers.
class InvoiceCustomersSink : public RowSink {
public:
  void add(const MovementRow& row) override;
  std::unique_ptr<RowSink> fork() const override { return std::make_unique<InvoiceCustomersSink>(); }
  bool merge(RowSink& part) override;
  const std::map<std::string, InvoiceCustomer, std::less<>>& customers() const { return m_customers; }

private:
  std::map<std::string, InvoiceCustomer, std::less<>> m_customers;
  std::map<std::string, std::string, std::less<>> m_group_period; ///< customer -> the period its group is from
};

/// Whether an input was read as invoice lines (either form).
bool is_invoices_input(const InputSummary& in);

/// Books the run's invoice lines over `periods` (labels of the report's periods) and tells
/// `sink` what the report cannot show: lines without a service period, lines of customers
/// the MRR input does not hold, lines after the last period. Throws a usage error when the
/// MRR input has no period column.
InvoiceBook book_run_invoices(const std::vector<InvoiceLine>& lines, const std::vector<std::string>& periods,
                              const InvoiceCustomersSink& customers, bool grouped, bool has_periods, RunSink& sink);

} // namespace cskpi::app
