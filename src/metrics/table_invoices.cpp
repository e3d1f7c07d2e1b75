// SPDX-License-Identifier: MIT
// Billings and recognised revenue from invoice lines (issue 31, --invoices): billings,
// recognised revenue and its reconciliation with MRR, deferred revenue. Their figures come
// from metrics/invoices.cpp (book_invoices) through MetricInputs::invoices; a run without
// --invoices never computes them (Needs::invoices).
#include "metrics/formula.hpp"
#include "metrics/invoices.hpp"

namespace cskpi {

namespace {

using A = Annualization;
using S = Section;
using U = Unit;
using N = Needs;

/// The reconciliation of one group, each figure rounded once (half-to-even, micro-units);
/// `unexplained` is what is left, so that the lines add up exactly to `recognized`.
struct Reconciliation {
  i128 from_mrr = 0, one_time = 0, prorations = 0, credits = 0, without_mrr = 0, unexplained = 0, recognized = 0;
  bool exact = true;
};

const InvoiceFigures& figures(const MetricInputs& in) {
  static const InvoiceFigures k_none{};
  return in.invoices != nullptr ? *in.invoices : k_none;
}

Reconciliation reconcile(const MetricInputs& in) {
  const InvoiceFigures& f = figures(in);
  Reconciliation r;
  bool e = true;
  const auto round = [&](const ExactSum& s) {
    const std::int64_t v = s.rounded(&e);
    r.exact = r.exact && e;
    return static_cast<i128>(v);
  };
  r.recognized = round(f.recognized);
  r.one_time = round(f.one_time);
  r.prorations = round(f.prorations);
  r.credits = round(f.credits);
  r.without_mrr = round(f.without_mrr);
  r.from_mrr = static_cast<i128>(in.t.end_mrr.micros) * months_per_period(in.ctx.period_length);
  r.unexplained = r.recognized - r.from_mrr - r.one_time - r.prorations - r.credits - r.without_mrr;
  return r;
}

/// A line of the reconciliation: its figure over the lines recognised in the period.
void line_of(const MetricInputs& in, MetricValue& m, i128 Reconciliation::*part) {
  const Reconciliation r = reconcile(in);
  total(m, money_or_real(r.*part), figures(in).lines_recognized);
  if (!r.exact) m.note = "rounded per service length: the exact sum needs more than 128 bits";
}

constexpr std::string_view k_invoice_sources =
    "Straight-line (ratable) recognition of a service over its period, as ASC 606 / IFRS 15 do for a service "
    "delivered evenly; Stripe Revenue Recognition recognises an invoice line over its period "
    "(docs.stripe.com/revenue-recognition/methodology); Stripe API, the invoice line item: amount, period.start, "
    "period.end (docs.stripe.com/api/invoice-line-item/object)";

constexpr std::string_view k_no_sql_invoices =
    "it needs an invoice-lines table beside the MRR table: name it with --invoices-table";

constexpr MetricDef k_invoices[] = {
    {.id = "billings",
     .name = "Billings",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "sum of the amounts of the invoice lines dated in the period (credit notes negative)",
     .description = "What was invoiced in the period, whatever period the service is for.",
     .sources = k_invoice_sources,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           const InvoiceFigures& f = figures(in);
           total(m, money_or_real(f.billings), f.lines_billed);
           if (f.lines_billed == 0) m.note = "no invoice line dated in the period";
         },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_from_mrr",
     .name = "Ending MRR x months",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "ending MRR x months in the period (1, 3 or 12)",
     .description = "The revenue the period's MRR stands for: the reconciliation's starting line. The input has one "
                    "MRR per period, so each of its months counts at the period's ending MRR.",
     .sources = k_invoice_sources,
     .compute = [](const MetricInputs& in,
                   MetricValue& m) { total(m, money_or_real(reconcile(in).from_mrr), in.t.ending); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_one_time",
     .name = "One-time lines",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "recognised revenue of non-negative lines without a service period (on their invoice date)",
     .description = "Revenue no MRR stands for: set-up fees, services, one-off charges.",
     .sources = k_invoice_sources,
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { line_of(in, m, &Reconciliation::one_time); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_prorations",
     .name = "Prorations",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "recognised revenue of non-negative lines whose service period is not a whole number of months, of "
                "customers with MRR at the period's end",
     .description = "Partial periods: upgrades, downgrades and starts mid-period, which MRR shows whole.",
     .sources = k_invoice_sources,
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { line_of(in, m, &Reconciliation::prorations); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_credits",
     .name = "Credit notes",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "recognised revenue of negative lines (a negative figure)",
     .description = "Credits and refunds invoiced as negative lines, recognised as their other lines are.",
     .sources = k_invoice_sources,
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { line_of(in, m, &Reconciliation::credits); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_without_mrr",
     .name = "Lines of customers without MRR",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "recognised revenue of the other lines whose customer has no MRR at the period's end (or is not in "
                "the MRR input)",
     .description = "Service of customers the MRR does not count: churned in the period, not yet live, or missing "
                    "from the MRR input.",
     .sources = k_invoice_sources,
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { line_of(in, m, &Reconciliation::without_mrr); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "revenue_unexplained",
     .name = "Unexplained",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "recognised revenue - ending MRR x months - one-time - prorations - credits - without MRR",
     .description = "What the residuals do not explain: MRR that was not invoiced (or not as MRR says), "
                    "whole-month lines that differ from the MRR, MRR changes within a quarter or year.",
     .sources = k_invoice_sources,
     .sign = "+",
     .compute = [](const MetricInputs& in, MetricValue& m) { line_of(in, m, &Reconciliation::unexplained); },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "recognized_revenue",
     .name = "Recognised revenue",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "sum over lines of amount x (service days inside the period / service days), exact, rounded once "
                "half-to-even; a line without a service period on its invoice date",
     .description = "Revenue earned in the period: each line spread evenly over the days of its service period.",
     .sources = k_invoice_sources,
     .sign = "=",
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           line_of(in, m, &Reconciliation::recognized);
           if (figures(in).lines_recognized == 0) add_note(m.note, "no invoice line recognised in the period");
         },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
    {.id = "deferred_revenue",
     .name = "Deferred revenue",
     .unit = U::currency,
     .annualization = A::none,
     .section = S::invoicing,
     .needs = N::invoices,
     .formula = "billings to date - recognised revenue to date, at the period's end: the unrecognised part of the "
                "lines invoiced by then (service billed in arrears lowers it)",
     .description = "Billed but not yet earned at the period's end: the balance-sheet liability.",
     .sources = k_invoice_sources,
     .compute =
         [](const MetricInputs& in, MetricValue& m) {
           bool exact = true;
           total(m, money_or_real(figures(in).deferred.rounded(&exact)), figures(in).lines_to_date);
           if (!exact) m.note = "rounded per service length: the exact sum needs more than 128 bits";
         },
     .band = k_unrated,
     .sql = {.why_not = k_no_sql_invoices}},
};

} // namespace

std::span<const MetricDef> invoice_metrics() noexcept { return k_invoices; }

} // namespace cskpi
