// SPDX-License-Identifier: MIT
// Chargebee's monthly MRR summary per subscription (subscription_mrr_monthly_summary in
// Chargebee's data catalog: one row per subscription and reporting_month, the month's last
// day, MRR already normalised to a month by Chargebee). A customer's subscriptions are
// summed per month. Amounts are taken in the reporting currency: mrr_billing_currency x
// exchange_rate (exact), every month at the billing currency's latest rate (constant
// currency); without exchange_rate, mrr_reporting_currency (or mrr) as it is.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace cskpi::ingest {

namespace {

class ChargebeeForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_customer = rd.find({"customer_id"});
    m_subscription = rd.find({"subscription_id"});
    m_month = rd.find({"reporting_month"});
    m_reporting = rd.find({"mrr_reporting_currency", "mrr_in_reporting_currency"});
    m_billing = rd.find({"mrr_billing_currency", "mrr_in_billing_currency", "mrr"});
    m_rate = rd.find({"exchange_rate"});
    m_currency = rd.find({"reporting_currency_code", "reporting_currency"});
    m_billing_currency = rd.find({"billing_currency_code", "currency_code", "currency"});
    m_status = rd.find({"status"});
    m_status_previous = rd.find({"status_previous"});
    if (m_reporting == k_absent && m_billing == k_absent) {
      rd.fatal(rd.line,
               fmt::format("a Chargebee MRR summary needs mrr_reporting_currency or mrr_billing_currency "
                           "(columns: {})",
                           shown_columns(rd.names)));
      return false;
    }
    if (m_reporting == k_absent && m_rate == k_absent && m_billing_currency != k_absent && m_currency != k_absent) {
      rd.fatal(rd.line, "mrr_billing_currency needs exchange_rate to be read in the reporting currency");
      return false;
    }
    m_table = open_snapshot_table(rd, std::nullopt);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    Row r;
    r.line = rd.line;
    const std::string_view id = key_cell(rd.fields[m_customer]);
    // One amount per row (a subscription's month): totals rows are known by their label only.
    if (m_totals.reject(rd, m_customer, {}, k_absent) ||
        (m_subscription != k_absent && m_totals.reject(rd, m_subscription, {}, k_absent))) {
      rd.count_row();
      return;
    }
    if (id.empty()) rd.field_error(m_customer, "customer_id is empty");
    const std::optional<MonthIndex> m = rd.month(m_month, "reporting_month");
    if (!m && rd.row_ok) rd.field_error(m_month, "reporting_month is empty");
    if (m_billing != k_absent && m_rate != k_absent) { // billing currency x the month's rate
      r.mrr = required_amount(rd, m_billing, rd.names[m_billing], k_empty_mrr, false);
      r.rate = parse_decimal(trim_spaces(rd.fields[m_rate]), rd.style);
      if (!r.rate)
        rd.field_error(m_rate,
                       fmt::format("exchange_rate {} is not a positive decimal number such as {}",
                                   show(rd.fields[m_rate]), decimal_example(rd.style)));
      // Whose latest rate converts the row: its billing currency's; without that column, its
      // subscription's own (a subscription is billed in one currency), never another's.
      if (m_billing_currency != k_absent) r.billing_currency = currency_code(rd.fields[m_billing_currency]);
      else
        r.billing_currency =
            fmt::format("\x1f{}", key_cell(rd.fields[m_subscription != k_absent ? m_subscription : m_customer]));
    } else {
      const std::size_t at = m_reporting != k_absent ? m_reporting : m_billing;
      r.mrr = required_amount(rd, at, rd.names[at], k_empty_mrr, false);
    }
    // The currency the row's amount is in: the reporting currency once converted (or read as
    // mrr_reporting_currency), never the billing currency it was converted from.
    const std::size_t currency_col = converted() || m_billing_currency == k_absent ? m_currency : m_billing_currency;
    if (currency_col != k_absent) {
      m_currencies.note(rd, currency_col);
      r.currency.assign(rd.fields[currency_col]);
    }
    if (rd.row_ok && m_subscription != k_absent) { // the summary's key: a subscription's month
      const std::string_view sub = key_cell(rd.fields[m_subscription]);
      m_seen.note(rd, m_subscription, "subscription_id", fmt::format("{} in {}", show(sub), month_label(*m)),
                  fmt::format("{}\x1f{}", sub, *m));
    } else if (
        rd.row_ok) { // without subscription_id, two rows of a customer's month cannot be told apart from a repeat
      m_seen.note(rd, m_customer, "customer_id", fmt::format("{} in {}", show(id), month_label(*m)),
                  fmt::format("{}\x1f{}", id, *m),
                  "export subscription_id too, so that a customer's subscriptions are summed");
    }
    lifecycle(rd, r);
    if (rd.row_ok) {
      r.customer = m_table->customer(id, key_cell(rd.by_value()));
      r.month = *m;
      if (r.rate) {
        auto [it, fresh] = m_latest_rate.try_emplace(r.billing_currency, r.month, *r.rate);
        if (!fresh && it->second.first <= r.month) it->second = {r.month, *r.rate};
      }
      m_rows.push_back(std::move(r));
    }
    rd.count_row();
  }

  /// Every month at the latest month's rates (constant currency): exchange rates moving
  /// never show as expansion or contraction.
  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (rd.summary.unreadable) return;
    rd.building_history = true; // an error from here on leaves the history incomplete
    MonthIndex last = 0;
    for (const Row& r : m_rows) last = std::max(last, r.month);
    for (const Row& r : m_rows) {
      rd.line = r.line;
      rd.row_ok = true;
      Money mrr = r.mrr;
      if (r.rate) {
        const std::optional<Money> converted = convert(mrr, m_latest_rate.at(r.billing_currency).second);
        if (!converted) {
          rd.fatal(r.line, "the MRR converted at exchange_rate overflows the money range");
          return;
        }
        mrr = *converted;
      }
      const Money native = mrr;
      if (!r.currency.empty())
        mrr = snapshot_value(rd, *m_table, r.customer, r.month, last, mrr, r.currency,
                             converted() || m_billing_currency == k_absent ? m_currency
                                                                           : m_billing_currency); // --fx-method
      if (!rd.row_ok || !m_table->add(r.customer, r.month, mrr)) {
        if (rd.row_ok) rd.fatal(r.line, "the customer's MRR overflows the money range");
        rd.summary.unreadable = true;
        return;
      }
      if (!m_month_sums.add(rd, r.line, m_rate != k_absent || m_reporting == k_absent ? m_billing : m_reporting, "row",
                            r.month, mrr))
        return;
      if ((r.non_renewing && mrr.micros > 0) || r.trial_ended) { // issue 30: parts of the MRR, which fits
        Lifecycle& l = m_table->lifecycle(r.customer, r.month);
        if (r.non_renewing && mrr.micros > 0)
          add_part(rd, *m_table, r.customer, r.month, SnapshotTable::Part::scheduled, mrr, native, r.currency);
        l.trials_ended += r.trial_ended;
        l.trials_converted += r.trial_ended && r.paying;
        rd.run.columns.scheduled |= r.non_renewing && mrr.micros > 0;
        rd.run.columns.trials |= r.trial_ended;
      }
    }
    finish_snapshots(rd, *m_table);
  }

private:
  /// The amounts are in the reporting currency: converted at exchange_rate, or read so.
  bool converted() const { return (m_billing != k_absent && m_rate != k_absent) || m_reporting != k_absent; }
  std::size_t m_customer = k_absent, m_subscription = k_absent, m_month = k_absent, m_reporting = k_absent,
              m_billing = k_absent, m_rate = k_absent, m_currency = k_absent, m_billing_currency = k_absent,
              m_status = k_absent, m_status_previous = k_absent;
  SnapshotTable* m_table = nullptr;
  MonthSums m_month_sums; ///< each month's MRR over the customers, checked as it is added
  CurrencyCheck m_currencies;
  static constexpr std::string_view k_empty_mrr = "write 0 for a month without MRR, or leave the row out";
  TotalsRule m_totals;
  DuplicateRule m_seen; ///< (subscription, month), or (customer, month) without subscription_id
  struct Row {
    std::uint32_t customer = 0;
    MonthIndex month = 0;
    Money mrr;                    ///< in the billing currency when `rate` is set
    std::optional<Decimal> rate;  ///< exchange_rate into the reporting currency
    std::string billing_currency; ///< whose latest rate converts every month (a subscription's without the column)
    std::string currency;         ///< the currency `mrr` is in once converted
    std::uint64_t line = 0;
    bool non_renewing = false, trial_ended = false, paying = false; ///< lifecycle(): issue 30
  };
  std::vector<Row> m_rows;

  /// The lifecycle facts of a subscription's month (issue 30) from its status at the month's
  /// end and the month before (Chargebee's statuses: future, in_trial, active, non_renewing,
  /// paused, cancelled): non_renewing is cancelled at the end of its term, a scheduled
  /// cancellation; in_trial before and not now, a trial that ended, converted when paying.
  void lifecycle(FileReader& rd, Row& r) const {
    const std::string now = m_status == k_absent ? std::string() : normalise_column_name(rd.fields[m_status]);
    r.non_renewing = now == "non_renewing";
    r.trial_ended = m_status_previous != k_absent && now != "in_trial" && !now.empty() &&
        normalise_column_name(rd.fields[m_status_previous]) == "in_trial";
    r.paying = now == "active" || now == "non_renewing";
  }
  std::map<std::string, std::pair<MonthIndex, Decimal>> m_latest_rate; ///< billing currency -> (month, rate)
};

FileRole recognise_chargebee(const Header& h) {
  return h.has("customer_id") && h.has("reporting_month") ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_chargebee_form{
    "chargebee",
    "customer_id, reporting_month",
    "Chargebee's subscription_mrr_monthly_summary: customer_id and reporting_month",
    recognise_chargebee,
    [] { return std::unique_ptr<Form>(new ChargebeeForm); },
    {"subscription_id and reporting_month (customer_id and reporting_month without a "
     "subscription_id column); a customer's subscriptions are summed",
     "the same subscription_id twice in one reporting_month (without subscription_id: the same "
     "customer_id twice in one month)",
     "customer_id or subscription_id Total, Grand total, Summe, SMB Total and the like (one amount "
     "per row: no sums check)",
     "an empty MRR (or exchange_rate) is an error: write 0 for a month without MRR; a month with no "
     "row at all is an error"},
    true};

} // namespace cskpi::ingest
