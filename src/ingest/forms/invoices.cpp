// SPDX-License-Identifier: MIT
// Invoice lines (issue 31, --invoices): what billings and recognised revenue are computed
// from. Two forms, recognised from their headers:
// - the generic form: invoice_id, customer_id, invoice_date, amount, service_start and
//   service_end (exclusive, as Stripe's line-item period end is), optional line_id and
//   currency; amounts in currency units;
// - Stripe's invoice line items, as its API and Sigma's invoice_line_items table give them
//   (docs.stripe.com/api/invoice-line-item/object): id, invoice, customer, amount (in the
//   currency's minor unit, cents), currency, period_start and period_end, with the invoice's
//   date (created or invoice_date) beside them.
// Both keep the lines in the run (Run::invoices) for metrics/invoices.cpp; credit notes
// (negative amounts) are allowed, unlike MRR. Read first (FileRole::reference): no other
// file needs them, but they must not be taken for a billing file.
#include "ingest/exact.hpp"
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::ingest {

namespace {

/// The columns of one invoice line, wherever the form finds them.
struct Columns {
  std::size_t invoice = k_absent, line = k_absent, customer = k_absent, date = k_absent, amount = k_absent,
              start = k_absent, end = k_absent, currency = k_absent;
};

class InvoicesForm : public Form {
public:
  explicit InvoicesForm(bool stripe) : m_stripe(stripe) {}

  bool start(FileReader& rd) override {
    Columns& c = m_cols;
    if (m_stripe) {
      c.invoice = rd.find({"invoice", "invoice_id"});
      c.line = rd.find({"id", "line_item_id", "invoice_line_item_id"});
      c.customer = rd.find({"customer", "customer_id"});
      c.date = rd.find_utc({"invoice_date", "invoice_created", "created", "date"});
      c.start = rd.find_utc({"period_start", "period.start"});
      c.end = rd.find_utc({"period_end", "period.end"});
      // Stripe's amounts are in the currency's minor unit, unless --amounts units says otherwise.
      rd.cents = rd.options().amounts_in_cents.value_or(true);
    } else {
      c.invoice = rd.find({"invoice_id"});
      c.line = rd.find({"line_id", "invoice_line_id"});
      c.customer = rd.find({"customer_id"});
      c.date = rd.find({"invoice_date"});
      c.start = rd.find({"service_start"});
      c.end = rd.find({"service_end"});
    }
    c.amount = rd.find({"amount"});
    c.currency = rd.find({"currency"});
    for (const auto& [at, name] : {std::pair{c.invoice, "the invoice id"}, std::pair{c.customer, "the customer"},
                                   std::pair{c.date, "the invoice date (invoice_date or created)"}}) {
      if (at != k_absent) continue;
      rd.fatal(
          rd.line,
          fmt::format("this invoice lines file has no column for {} (columns: {})", name, shown_columns(rd.names)));
      return false;
    }
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const Columns& c = m_cols;
    // No sums check: one amount per row. A label in the line id (Stripe's id column) counts too.
    if (m_totals.reject(rd, c.invoice, {}, k_absent) || m_totals.reject(rd, c.customer, {}, k_absent) ||
        (c.line != k_absent && m_totals.reject(rd, c.line, {}, k_absent)))
      return rd.count_row();
    InvoiceLine line;
    const std::string_view invoice = key_cell(rd.fields[c.invoice]);
    line.customer_id.assign(key_cell(rd.fields[c.customer]));
    if (invoice.empty()) rd.field_error(c.invoice, fmt::format("{} is empty", rd.names[c.invoice]));
    if (line.customer_id.empty()) rd.field_error(c.customer, fmt::format("{} is empty", rd.names[c.customer]));
    if (!rd.row_ok) return rd.count_row();
    // The key: the invoice and its line id when the file has one, else the whole row.
    const bool keyed = c.line != k_absent;
    const std::string key = keyed ? fmt::format("{}\x1f{}", invoice, key_cell(rd.fields[c.line])) : row_key(rd);
    const std::string shown = keyed ? fmt::format("{} line {}", show(invoice), show(key_cell(rd.fields[c.line])))
                                    : fmt::format("{} (the whole row)", show(invoice));
    if (!m_duplicates.note(rd, keyed ? c.line : c.invoice, "invoice line", shown, key,
                           keyed ? "" : "give a line_id column if an invoice bills the same line twice"))
      return rd.count_row();
    dates(rd, line);
    amount(rd, line);
    rd.count_row();
    if (rd.row_ok) rd.run.invoices.push_back(std::move(line));
  }

  void finish(FileReader& rd) override { m_currencies.finish(rd); }

private:
  /// The line's amount, converted with --fx; negative (a credit note) is fine, empty is not.
  void amount(FileReader& rd, InvoiceLine& line) {
    const Columns& c = m_cols;
    const std::string_view text = trim_spaces(rd.fields[c.amount]);
    if (m_stripe && rd.cents && text.find_first_of(".,") != std::string_view::npos) {
      rd.field_error(c.amount,
                     fmt::format("amount {} is not a whole number: Stripe gives amounts in cents (the "
                                 "currency's minor unit); for amounts in units give --amounts units",
                                 show(text)));
      return;
    }
    line.amount = required_amount(rd, c.amount, "amount", "an invoice line bills its amount; write 0 for none", true);
    if (c.currency == k_absent || is_blank(rd.fields[c.currency])) return;
    const std::string code = currency_code(rd.fields[c.currency]);
    if (m_stripe && rd.cents && stripe_zero_decimal(code)) {
      rd.field_error(c.currency,
                     fmt::format("currency {} has no minor unit: Stripe's amount is whole {} there, not cents; "
                                 "give --amounts units for a file in such a currency",
                                 code, code));
      return;
    }
    m_currencies.note(rd, c.currency);
    // Converted at the rate of the invoice's month (a monthly --fx file), or the one rate.
    if (rd.run.fx && rd.row_ok) line.amount = rd.convert(line.amount, code, month_of(line.invoice_date), c.currency);
  }

  /// The invoice date and the service period: both ends or neither, the end not before the start.
  void dates(FileReader& rd, InvoiceLine& line) {
    const Columns& c = m_cols;
    const std::optional<Day> date = day(rd, c.date);
    if (date) line.invoice_date = *date;
    else if (rd.row_ok)
      rd.field_error(c.date, fmt::format("{} is empty: an invoice line is billed on a day", rd.names[c.date]));
    const std::optional<Day> start = c.start != k_absent ? day(rd, c.start) : std::nullopt;
    const std::optional<Day> end = c.end != k_absent ? day(rd, c.end) : std::nullopt;
    if (!rd.row_ok) return;
    if (start.has_value() != end.has_value()) {
      const std::size_t empty = start ? c.end : c.start;
      rd.field_error(empty,
                     fmt::format("{} is empty but {} is not: give both ends of the service period, or "
                                 "neither for a line recognised on its invoice date",
                                 rd.names[empty], rd.names[start ? c.start : c.end]));
      return;
    }
    if (start && *end < *start) {
      rd.field_error(c.end,
                     fmt::format("{} {} is before {} {}", rd.names[c.end], show(rd.fields[c.end]), rd.names[c.start],
                                 show(rd.fields[c.start])));
      return;
    }
    line.service_start = start;
    line.service_end = end;
  }

  /// A day cell; Stripe's may also be a Unix timestamp (seconds, UTC).
  std::optional<Day> day(FileReader& rd, std::size_t field) {
    const std::string_view t = trim_spaces(rd.fields[field]);
    if (m_stripe && t.size() >= 9 && t.size() <= 11 && t.find_first_not_of("0123456789") == std::string_view::npos) {
      const std::int64_t seconds = std::stoll(std::string(t));
      return static_cast<Day>(seconds / 86400);
    }
    return rd.day(field, rd.names[field]);
  }

  static MonthIndex month_of(Day d) {
    const std::string label = format_date(d); // "YYYY-MM-DD"
    return static_cast<MonthIndex>(std::stoi(label.substr(0, 4)) * 12 + std::stoi(label.substr(5, 2)) - 1);
  }

  bool m_stripe;
  Columns m_cols;
  TotalsRule m_totals;
  DuplicateRule m_duplicates;
  CurrencyCheck m_currencies;
};

FileRole recognise_invoices(const Header& h) {
  return h.has("invoice_id") && h.has("invoice_date") && h.has("amount") && h.has("service_start") &&
          h.has("service_end")
      ? FileRole::reference
      : FileRole::unknown;
}

FileRole recognise_stripe_invoices(const Header& h) {
  const auto has_utc = [&](std::string_view n) { return h.has(n) || h.has(std::string(n) + "_(utc)"); };
  return (h.has("invoice") || h.has("invoice_id")) && h.has("amount") && has_utc("period_start") &&
          has_utc("period_end")
      ? FileRole::reference
      : FileRole::unknown;
}

} // namespace

const FormInfo k_invoices_form{
    "invoices",
    "invoice_id, invoice_date, amount, service_start, service_end",
    "invoice lines (--invoices): invoice_id, customer_id, invoice_date, amount, service_start and service_end "
    "(exclusive), optional line_id and currency",
    recognise_invoices,
    [] { return std::unique_ptr<Form>(new InvoicesForm(false)); },
    {"invoice_id and line_id, trimmed, when the file has a line_id column; else the whole row, every cell trimmed",
     "the same invoice_id and line_id twice in one file; without line_id, a row repeating an earlier row cell for "
     "cell",
     "invoice_id or customer_id Total, Grand total, Summe, SMB Total and the like",
     "an empty amount is an error (0 is written 0); negative amounts are credit notes; empty service_start and "
     "service_end: recognised on the invoice date"}};

const FormInfo k_stripe_invoices_form{
    "stripe invoices",
    "id, invoice, amount, period_start, period_end",
    "Stripe's invoice line items (API and Sigma invoice_line_items: id, invoice, amount in cents, currency, "
    "period_start, period_end) with the invoice's customer and created date",
    recognise_stripe_invoices,
    [] { return std::unique_ptr<Form>(new InvoicesForm(true)); },
    {"the invoice (invoice) and the line item id (id), trimmed; without an id column, the whole row",
     "the same invoice and line item id twice in one file; without id, a row repeating an earlier row cell for cell",
     "invoice or customer Total, Grand total, Summe, SMB Total and the like",
     "an empty amount is an error; amounts are cents (whole numbers), negative for credits; period_start equal to "
     "period_end (a one-off invoice item): recognised on the invoice date"}};

} // namespace cskpi::ingest
