// SPDX-License-Identifier: MIT
#include "app/invoices.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

namespace cskpi::app {

void InvoiceCustomersSink::add(const MovementRow& row) {
  const auto [it, fresh] = m_customers.try_emplace(std::string(row.customer_id));
  std::string& from = m_group_period[it->first];
  // The group of the customer's latest period: labels of one length sort as time does.
  if (fresh || row.period >= std::string_view(from)) {
    it->second.group.assign(row.group);
    from.assign(row.period);
  }
  if (end_mrr(row).micros > 0) it->second.with_mrr.emplace(row.period);
}

bool InvoiceCustomersSink::merge(RowSink& part) {
  auto& from = dynamic_cast<InvoiceCustomersSink&>(part);
  for (auto& [id, c] : from.m_customers) {
    const std::string& period = from.m_group_period[id];
    const auto [it, fresh] = m_customers.try_emplace(id);
    std::string& mine = m_group_period[id];
    if (fresh || period >= mine) {
      it->second.group = c.group;
      mine = period;
    }
    it->second.with_mrr.merge(c.with_mrr);
  }
  return true;
}

bool is_invoices_input(const InputSummary& in) { return in.role == "invoices" || in.role == "stripe invoices"; }

InvoiceBook book_run_invoices(const std::vector<InvoiceLine>& lines, const std::vector<std::string>& periods,
                              const InvoiceCustomersSink& customers, bool grouped, bool has_periods, RunSink& sink) {
  if (!has_periods)
    throw usage_error("--invoices: the MRR input has no period column, so there are no periods to book the invoice "
                      "lines in");
  std::vector<InvoicePeriod> days;
  for (const std::string& label : periods)
    if (const std::optional<InvoicePeriod> p = invoice_period(label)) days.push_back(*p);
  const InvoiceBook book = book_invoices(lines, days, customers.customers(), grouped);
  if (book.no_service > 0)
    sink.note(Severity::warning,
              fmt::format("{} invoice line{} no service period: recognised on {} invoice date (one-time lines)",
                          group_thousands(book.no_service), book.no_service == 1 ? " has" : "s have",
                          book.no_service == 1 ? "its" : "their"));
  if (book.unknown > 0)
    sink.note(Severity::warning,
              fmt::format("{} invoice line{} of customers the MRR input does not hold (first: {}): counted as lines "
                          "of customers without MRR{}",
                          group_thousands(book.unknown), book.unknown == 1 ? "" : "s", book.unknown_example,
                          grouped ? ", in the whole base only (they have no group)" : ""));
  std::uint64_t later = 0;
  if (!days.empty())
    for (const InvoiceLine& l : lines)
      later += l.invoice_date >= days.back().end && (!l.has_service() || *l.service_start >= days.back().end);
  if (later > 0)
    sink.note(Severity::warning,
              fmt::format("{} invoice line{} after the last period ({}): not in the report", group_thousands(later),
                          later == 1 ? " is" : "s are", days.back().label));
  return book;
}

} // namespace cskpi::app
