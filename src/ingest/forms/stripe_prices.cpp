// SPDX-License-Identifier: MIT
// Stripe's prices export (Product catalogue > Export prices): the amount, currency and
// interval of each price, for a subscriptions export that names its price or plan but has
// no Amount or Interval column (issue 28). Read before the subscriptions
// (FileRole::reference), kept in the run by price id.
//
// The columns are those of Stripe's price object (https://docs.stripe.com/api/prices/object):
// id, currency, unit_amount (in the currency's smallest unit: cents) or unit_amount_decimal,
// recurring.interval (day, week, month or year) and recurring.interval_count, billing_scheme
// (per_unit or tiered) and recurring.usage_type (licensed or metered). The Dashboard's export
// names them Price ID, Amount (in currency units, like the subscriptions export's Amount),
// Currency, Interval, Interval Count, Billing Scheme and Usage Type. A tiered price has no
// unit amount, and a metered one bills usage, not a fixed amount: neither gives an MRR, so a
// subscription on one is an error (stripe.cpp), not a silent 0.
#include "ingest/exact.hpp"
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::ingest {

namespace {

class StripePricesForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"price_id", "id"});
    m_amount = rd.find({"amount"});
    if (m_amount == k_absent) {
      m_amount = rd.find({"unit_amount", "unit_amount_decimal"});
      m_smallest_unit = m_amount != k_absent; // the API's fields: cents
    }
    m_currency = rd.find({"currency"});
    m_interval = rd.find({"interval", "recurring_interval"});
    m_count = rd.find({"interval_count", "recurring_interval_count"});
    m_scheme = rd.find({"billing_scheme"});
    m_usage = rd.find({"usage_type", "recurring_usage_type"});
    const auto missing = [&](std::string_view what) {
      rd.fatal(rd.line, fmt::format("a Stripe prices export needs {} (columns: {})", what, shown_columns(rd.names)));
      return false;
    };
    if (m_id == k_absent) return missing("its Price ID column");
    if (m_amount == k_absent) return missing("its Amount column");
    if (m_interval == k_absent) return missing("its Interval column");
    if (m_smallest_unit && m_currency == k_absent)
      return missing("its Currency column: unit_amount is in the currency's smallest unit (cents, or yen)");
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    if (m_totals.reject(rd, m_id, {}, k_absent)) return rd.count_row();
    Price p;
    p.line = rd.line;
    p.id.assign(key_cell(rd.fields[m_id]));
    if (p.id.empty()) rd.field_error(m_id, "the price id is empty");
    else if (!m_duplicates.note(rd, m_id, "price", show(p.id), p.id)) return rd.count_row();
    if (m_currency != k_absent && !is_blank(rd.fields[m_currency])) {
      p.currency = currency_code(rd.fields[m_currency]);
      if (p.currency.empty())
        rd.field_error(
            m_currency,
            fmt::format("currency {} is not a three-letter ISO code such as EUR", show(rd.fields[m_currency])));
    }
    p.recurring = !is_blank(rd.fields[m_interval]); // no interval: a one-time price
    if (p.recurring) {
      const std::optional<ParsedInterval> interval = parse_interval(rd.fields[m_interval]);
      if (!interval)
        rd.field_error(m_interval,
                       fmt::format("Interval {} is not day, week, month or year", show(rd.fields[m_interval])));
      else {
        p.unit = interval->unit;
        p.count = interval->count_factor;
      }
      if (m_count != k_absent && !is_blank(rd.fields[m_count])) {
        const int n = rd.whole(m_count, 1, 1000);
        if (n > 0) p.count *= n;
      }
    }
    const std::string scheme = m_scheme == k_absent ? std::string() : normalise_column_name(rd.fields[m_scheme]);
    const std::string usage = m_usage == k_absent ? std::string() : normalise_column_name(rd.fields[m_usage]);
    if (scheme == "tiered") p.no_amount_why = "tiered (Billing Scheme tiered)";
    else if (usage == "metered") p.no_amount_why = "metered (Usage Type metered)";
    else p.unit_amount = unit_amount(rd, p.currency);
    if (rd.row_ok && !rd.run.prices.try_emplace(p.id, p).second)
      rd.field_error(m_id, fmt::format("price {} appears twice in the prices files", show(p.id)));
    rd.count_row();
  }

private:
  /// The price's unit amount in currency units; an empty cell is an error.
  Money unit_amount(FileReader& rd, std::string_view currency) {
    Money m = required_amount(rd, m_amount, rd.names[m_amount] == "amount" ? "Amount" : rd.names[m_amount],
                              "a per-unit price needs its unit amount (if the price is tiered or metered, export its "
                              "Billing Scheme and Usage Type columns too)",
                              false);
    if (!m_smallest_unit || !rd.row_ok || stripe_zero_decimal(currency)) return m;
    if (m.micros % 100 != 0) {
      rd.field_error(m_amount,
                     fmt::format("{} {} has more decimals than cskpi keeps once divided by 100 (it is in "
                                 "cents)",
                                 rd.names[m_amount], show(rd.fields[m_amount])));
      return Money{};
    }
    m.micros /= 100; // cents to currency units
    return m;
  }

  std::size_t m_id = k_absent, m_amount = k_absent, m_currency = k_absent, m_interval = k_absent, m_count = k_absent,
              m_scheme = k_absent, m_usage = k_absent;
  bool m_smallest_unit = false;
  TotalsRule m_totals;
  DuplicateRule m_duplicates;
};

FileRole recognise_prices(const Header& h) {
  if (h.has("customer_id") || h.has("customer")) return FileRole::unknown; // a subscriptions export
  const bool id = h.has("price_id") || (h.has("id") && (h.has("billing_scheme") || h.has("usage_type")));
  const bool amount = h.has("amount") || h.has("unit_amount") || h.has("unit_amount_decimal");
  return id && amount && (h.has("interval") || h.has("recurring_interval")) ? FileRole::reference : FileRole::unknown;
}

} // namespace

const FormInfo k_stripe_prices_form{
    "stripe prices",
    "Price ID, Amount, Interval",
    "Stripe's prices export: Price ID (or id with Billing Scheme), Amount and Interval",
    recognise_prices,
    [] { return std::unique_ptr<Form>(new StripePricesForm); },
    {"Price ID (or id), trimmed", "the same price id twice, in one prices file (naming both lines) or in two",
     "Price ID Total, Grand total, Summe, Gesamt and the like",
     "an empty Amount is an error for a per-unit price; a tiered or metered price has none, and a subscription on "
     "it is an error; an empty Interval is a one-time price"}};

} // namespace cskpi::ingest
