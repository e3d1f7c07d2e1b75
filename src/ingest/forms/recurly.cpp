// SPDX-License-Identifier: MIT
// Recurly's subscriptions export (Admin > Exports > Subscriptions; docs.recurly.com/docs/
// subscriptions-exports: one row per subscription, uuid the subscription's, account_code its
// account's), turned into monthly MRR per account (issue 32), the way Stripe's export is:
// - a subscription's MRR is quantity x unit_amount plus add_ons_total, per billing interval,
//   normalised to a month (exact.hpp: months /length, days x365/12 /length). The interval is
//   the plan's (plan_interval_length and plan_interval_unit, Recurly's days or months) when
//   the export has it; else the current billing period's length (current_period_started_at
//   to current_period_ends_at: whole months when the day of month repeats, else days);
// - it counts in a month from its activated_at when it had not ended by the month's last
//   day: expires_at ends it (a canceled subscription at the end of its term, an expired one
//   when it expired); a paused one stops at paused_at (else its current period's start);
// - months of a trial (trial_ends_at after the month's last day) count 0; failed (never
//   created) and future (not started) subscriptions never count;
// - a canceled subscription is scheduled to end (cmrr) from its canceled_at; a trial that
//   ended in a month of the history counts for trial_conversion;
// - timestamps may end in the site's zone abbreviation ("2014-01-07 23:54:41 PST", as
//   Recurly's exports document): the date is taken as written, in the site's zone;
// - amounts are currency units (unit_amount), or cents in the *_in_cents columns; with
//   --fx every month is converted at the last month's rate (constant currency).
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::ingest {

namespace {

class RecurlyForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"uuid", "subscription_uuid", "subscription_id"});
    m_customer = rd.find({"account_code"});
    m_state = rd.find({"state", "subscription_state", "status"});
    m_amount = rd.find({"unit_amount", "subscription_unit_amount"});
    if (m_amount == k_absent) {
      m_amount = rd.find({"unit_amount_in_cents", "subscription_unit_amount_in_cents"});
      m_in_cents = m_amount != k_absent;
    }
    m_add_ons = m_in_cents ? rd.find({"add_ons_total_in_cents", "subscription_add_ons_total_in_cents"})
                           : rd.find({"add_ons_total", "subscription_add_ons_total"});
    m_quantity = rd.find({"quantity", "subscription_quantity"});
    m_currency = rd.find({"currency"});
    m_length = rd.find({"plan_interval_length", "interval_length"});
    m_unit = rd.find({"plan_interval_unit", "interval_unit"});
    m_activated = rd.find({"activated_at", "subscription_activated_at"});
    m_canceled = rd.find({"canceled_at", "subscription_canceled_at"});
    m_expires = rd.find({"expires_at", "subscription_expires_at"});
    m_period_start = rd.find({"current_period_started_at"});
    m_period_end = rd.find({"current_period_ends_at", "current_period_ended_at"});
    m_trial_end = rd.find({"trial_ends_at", "subscription_trial_ends_at"});
    m_paused = rd.find({"paused_at"});
    std::vector<std::string_view> missing;
    if (m_state == k_absent) missing.push_back("state");
    if (m_amount == k_absent) missing.push_back("unit_amount (or unit_amount_in_cents)");
    if (m_activated == k_absent) missing.push_back("activated_at");
    if ((m_length == k_absent || m_unit == k_absent) && (m_period_start == k_absent || m_period_end == k_absent))
      missing.push_back("plan_interval_length and plan_interval_unit, or current_period_started_at and "
                        "current_period_ends_at (the billing interval)");
    if (!missing.empty()) {
      rd.fatal(rd.line,
               fmt::format("a Recurly subscriptions export needs {} (columns: {})", fmt::join(missing, ", "),
                           shown_columns(rd.names)));
      return false;
    }
    m_table = open_snapshot_table(rd, m_in_cents ? std::optional<bool>(true) : std::nullopt);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    if (m_totals.reject(rd, m_customer, {}, k_absent) ||
        (m_id != k_absent && m_totals.reject(rd, m_id, {}, k_absent)) || !unique(rd))
      return rd.count_row();
    Subscription s;
    s.line = rd.line;
    s.customer.assign(key_cell(rd.fields[m_customer]));
    if (s.customer.empty()) rd.field_error(m_customer, "account_code is empty");
    if (rd.by_pos != k_absent) s.group.assign(key_cell(rd.by_value()));
    s.state = normalise_column_name(rd.fields[m_state]);
    static constexpr std::string_view k_states[] = {"active", "canceled", "expired", "failed", "future", "paused"};
    if (std::find(std::begin(k_states), std::end(k_states), s.state) == std::end(k_states))
      rd.field_error(m_state,
                     fmt::format("state {} is not a Recurly subscription state (active, canceled, "
                                 "expired, failed, future, paused)",
                                 show(rd.fields[m_state])));
    if (rd.row_ok && (s.state == "failed" || s.state == "future")) { // never paid, or not started yet
      ++(s.state == "failed" ? m_failed : m_future);
      return rd.count_row();
    }
    amounts(rd, s);
    dates(rd, s);
    if (rd.row_ok) interval(rd, s);
    if (rd.row_ok) m_subscriptions.push_back(std::move(s));
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (rd.summary.unreadable || m_subscriptions.empty()) return close(rd, 0, 0);
    rd.building_history = true; // an error from here on leaves the history incomplete
    // The last whole month on or before the export's date (or --as-of).
    const Day as_of = rd.options().as_of_day.value_or(m_latest);
    const MonthIndex last = last_day_of_month(month_of(as_of)) == as_of ? month_of(as_of) : month_of(as_of) - 1;
    std::uint64_t trials = 0;
    const bool by_month = rd.run.fx && rd.options().fx_method != FxMethod::constant;
    for (const Subscription& s : m_subscriptions) {
      const std::uint32_t c = m_table->customer(s.customer, s.group);
      const MonthIndex first = month_of(s.start);
      if (first > last) continue; // activated after --as-of
      note_trial(s, c, last);
      const std::optional<Money> mrr = s.per_interval ? monthly(*s.per_interval, s.unit, s.count) : std::nullopt;
      if (!mrr) return rd.fatal(s.line, "the subscription's MRR overflows the money range");
      rd.line = s.line;
      rd.row_ok = true;
      const Money constant = rd.convert(*mrr, s.currency, last, m_currency); // constant currency
      if (!rd.row_ok) { // no exchange rate: the error names the subscription's line
        rd.summary.unreadable = true;
        return;
      }
      for (MonthIndex m = first; m <= last; ++m) {
        const Day at = last_day_of_month(m); // the snapshot's day
        if (s.end && *s.end <= at) break;
        const bool trial = s.trial_end && *s.trial_end > at;
        trials += trial && m == last; // still in trial when the history ends
        Money value = trial ? Money{} : constant;
        if (!trial && by_month) { // --fx-method period-end or transaction: this month's rate
          value = snapshot_value(rd, *m_table, c, m, last, *mrr, s.currency, m_currency);
          if (!rd.row_ok) return void(rd.summary.unreadable = true);
        }
        if (!m_table->add(c, m, value)) return rd.fatal(s.line, "the customer's MRR overflows the money range");
        if (!m_month_sums.add(rd, s.line, m_amount, "subscription", m, value)) return;
        if (!trial) note_scheduled(rd, s, c, m, m == last, value, *mrr);
      }
    }
    close(rd, last, trials);
  }

private:
  struct Subscription {
    std::string customer, group, state, currency;
    std::optional<Money> per_interval; ///< quantity x unit_amount + add_ons_total; nullopt: overflow
    Interval unit = Interval::month;
    int count = 1;
    Day start = 0;
    std::optional<Day> end, trial_end, asked; ///< asked: canceled_at, when a cancellation was asked for
    bool scheduled = false;                   ///< canceled: it ends at the end of its term
    std::uint64_t line = 0;
  };

  /// The same subscription twice (by uuid; without one, a row repeating an earlier one cell
  /// for cell) is an error naming both lines.
  bool unique(FileReader& rd) {
    if (m_id != k_absent) {
      const std::string_view id = key_cell(rd.fields[m_id]);
      if (id.empty()) {
        rd.field_error(m_id, fmt::format("{} is empty", rd.names[m_id]));
        return false;
      }
      return m_duplicates.note(rd, m_id, "subscription", show(id), std::string(id));
    }
    return m_duplicates.note(rd, m_customer, "a subscription of account_code",
                             show(key_cell(rd.fields[m_customer])) + " (no uuid column: every cell the same)",
                             row_key(rd));
  }

  /// quantity x unit_amount + add_ons_total, per billing interval, and its currency.
  void amounts(FileReader& rd, Subscription& s) {
    const Money unit = required_amount(rd, m_amount, rd.names[m_amount], k_empty_amount, false);
    const std::int64_t quantity =
        m_quantity == k_absent || is_blank(rd.fields[m_quantity]) ? 1 : rd.whole(m_quantity, 0, 1'000'000'000);
    Money add_ons;
    if (m_add_ons != k_absent && !is_blank(rd.fields[m_add_ons]))
      add_ons = rd.amount(m_add_ons, rd.names[m_add_ons], false);
    s.per_interval = discounted(unit, quantity, nullptr);
    if (s.per_interval && !checked_add(*s.per_interval, add_ons)) s.per_interval.reset();
    if (m_currency != k_absent && !is_blank(rd.fields[m_currency])) {
      m_currencies.note(rd, m_currency);
      s.currency = currency_code(rd.fields[m_currency]);
    }
  }

  /// A date cell, its trailing zone abbreviation ("PST") left out: the day as written.
  static std::optional<Day> day_of(FileReader& rd, std::size_t field, std::string_view what) {
    if (field == k_absent) return std::nullopt;
    std::string_view& cell = rd.fields[field];
    const std::size_t space = cell.find_last_of(' ');
    if (space != std::string_view::npos && cell.size() - space >= 3 && cell.size() - space <= 6 &&
        std::all_of(cell.begin() + static_cast<std::ptrdiff_t>(space) + 1, cell.end(),
                    [](char c) { return c >= 'A' && c <= 'Z'; }))
      cell = cell.substr(0, space);
    return rd.day(field, what);
  }

  /// When the subscription starts and ends, its trial, and the export's date.
  void dates(FileReader& rd, Subscription& s) {
    const std::optional<Day> activated = day_of(rd, m_activated, "activated_at");
    const std::optional<Day> canceled = day_of(rd, m_canceled, "canceled_at");
    const std::optional<Day> expires = day_of(rd, m_expires, "expires_at");
    const std::optional<Day> period_start = day_of(rd, m_period_start, "current_period_started_at");
    const std::optional<Day> period_end = day_of(rd, m_period_end, "current_period_ends_at");
    const std::optional<Day> paused = day_of(rd, m_paused, "paused_at");
    s.trial_end = day_of(rd, m_trial_end, "trial_ends_at");
    m_period = {period_start, period_end};
    if (!activated && rd.row_ok) rd.field_error(m_activated, "activated_at is empty: when did the subscription start?");
    if (!rd.row_ok) return;
    s.start = *activated;
    // A cancellation counts when the subscription ends (expires_at), not when it was asked for.
    s.end = expires;
    if (!s.end && (s.state == "canceled" || s.state == "expired")) s.end = period_end;
    if (!s.end && s.state == "expired") s.end = canceled;
    if (!s.end && (s.state == "expired" || s.state == "canceled")) // counted on, it would never churn
      return rd.field_error(m_expires != k_absent ? m_expires : m_activated,
                            fmt::format("{} {} subscription needs expires_at (or current_period_ends_at): the day "
                                        "its MRR stops",
                                        s.state == "expired" ? "an" : "a", s.state));
    if (s.state == "paused" && (paused || period_start))
      s.end = std::min(s.end.value_or(*(paused ? paused : period_start)), *(paused ? paused : period_start));
    s.scheduled = s.state == "canceled";
    s.asked = canceled;
    if (s.end && *s.end < s.start)
      return rd.field_error(m_expires != k_absent ? m_expires : m_activated, "the subscription ends before it starts");
    // The export's date: the latest event that has happened (a canceled term's end lies ahead).
    for (const std::optional<Day>& d : {activated, period_start, canceled, s.state == "expired" ? s.end : std::nullopt,
                                        s.state == "paused" ? paused : std::nullopt})
      if (d) m_latest = std::max(m_latest, *d);
  }

  /// The billing interval: the plan's columns, else the current period's length.
  void interval(FileReader& rd, Subscription& s) {
    if (m_length != k_absent && m_unit != k_absent && !is_blank(rd.fields[m_unit])) {
      const std::string unit = normalise_column_name(rd.fields[m_unit]);
      if (unit != "months" && unit != "days" && unit != "month" && unit != "day")
        return rd.field_error(m_unit,
                              fmt::format("{} {} is not days or months (Recurly's interval units)", rd.names[m_unit],
                                          show(rd.fields[m_unit])));
      s.unit = unit.starts_with("month") ? Interval::month : Interval::day;
      s.count = rd.whole(m_length, 1, 1000);
      if (s.count < 1 && rd.row_ok) rd.field_error(m_length, fmt::format("{} is empty", rd.names[m_length]));
      return;
    }
    const auto [from, to] = m_period;
    if (!from || !to || *to <= *from)
      return rd.field_error(m_period_end != k_absent ? m_period_end : m_activated,
                            "the billing interval is unknown: current_period_started_at and current_period_ends_at "
                            "are empty or not in order (export plan_interval_length and plan_interval_unit, or "
                            "--map them)");
    const Civil a = civil_from_days(*from), b = civil_from_days(*to);
    const int months = (b.y * 12 + b.m) - (a.y * 12 + a.m);
    // The day of month repeats, or the period ends on the last day of a shorter month (31 Jan -> 28 Feb).
    const bool whole = months > 0 && (b.d == a.d || (b.d < a.d && civil_from_days(*to + 1).d == 1));
    s.unit = whole ? Interval::month : Interval::day;
    s.count = whole ? months : static_cast<int>(*to - *from);
  }

  /// A canceled subscription's MRR is scheduled to end (issue 30: cmrr) from the month its
  /// cancellation was asked for (canceled_at); without canceled_at, in the export's last month.
  void note_scheduled(FileReader& rd, const Subscription& s, std::uint32_t c, MonthIndex m, bool last, Money value,
                      Money native) {
    if (!s.scheduled || value.micros <= 0 || !(s.asked ? *s.asked <= last_day_of_month(m) : last)) return;
    add_part(rd, *m_table, c, m, SnapshotTable::Part::scheduled, value, native, s.currency);
    m_any_scheduled = true;
  }

  /// A trial that ended in a month of the history: converted when the subscription had not
  /// ended by then.
  void note_trial(const Subscription& s, std::uint32_t c, MonthIndex last) {
    if (!s.trial_end || *s.trial_end < s.start || month_of(*s.trial_end) > last) return;
    Lifecycle& l = m_table->lifecycle(c, month_of(*s.trial_end));
    ++l.trials_ended;
    l.trials_converted += !s.end || *s.end > *s.trial_end;
    m_any_trial = true;
  }

  /// The file's warning of what it leaves out, the lifecycle facts it holds, then its snapshots.
  void close(FileReader& rd, MonthIndex last, std::uint64_t trials) {
    std::vector<std::string> left_out;
    if (m_failed > 0)
      left_out.push_back(fmt::format("{} failed subscription{} (never created)", m_failed, m_failed == 1 ? "" : "s"));
    if (m_future > 0)
      left_out.push_back(fmt::format("{} future subscription{} (not started)", m_future, m_future == 1 ? "" : "s"));
    if (trials > 0)
      left_out.push_back(fmt::format("{} subscription{} still in trial at the end of {}", trials,
                                     trials == 1 ? "" : "s", month_label(last)));
    if (!left_out.empty())
      rd.diag(0, k_absent, Severity::warning, fmt::format("left out of MRR: {}", fmt::join(left_out, ", and ")));
    if (rd.summary.unreadable) return;
    rd.run.columns.scheduled |= m_any_scheduled;
    rd.run.columns.trials |= m_any_trial;
    finish_snapshots(rd, *m_table);
  }

  static MonthIndex month_of(Day d) { return *parse_month(format_date(d)); }
  static Day last_day_of_month(MonthIndex m) { return *last_day_of_period(month_label(m)); }

  static constexpr std::string_view k_empty_amount =
      "write 0 for a free plan; a plan priced by usage has no unit amount, so cskpi cannot compute its MRR (leave "
      "the subscription out by deleting the line)";
  std::size_t m_id = k_absent, m_customer = k_absent, m_state = k_absent, m_amount = k_absent, m_add_ons = k_absent,
              m_quantity = k_absent, m_currency = k_absent, m_length = k_absent, m_unit = k_absent,
              m_activated = k_absent, m_canceled = k_absent, m_expires = k_absent, m_period_start = k_absent,
              m_period_end = k_absent, m_trial_end = k_absent, m_paused = k_absent;
  bool m_in_cents = false; ///< unit_amount_in_cents: every amount of the file is cents
  std::pair<std::optional<Day>, std::optional<Day>> m_period; ///< the current row's current period
  TotalsRule m_totals;
  DuplicateRule m_duplicates;
  SnapshotTable* m_table = nullptr;
  MonthSums m_month_sums; ///< each month's MRR over the customers, checked as it is added
  CurrencyCheck m_currencies;
  std::vector<Subscription> m_subscriptions;
  std::uint64_t m_failed = 0, m_future = 0;
  Day m_latest = 0;
  bool m_any_scheduled = false, m_any_trial = false; ///< lifecycle facts seen (issue 30)
};

FileRole recognise_recurly(const Header& h) {
  return h.has("account_code") && (h.has("uuid") || h.has("subscription_uuid")) ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_recurly_form{
    "recurly",
    "account_code, uuid",
    "Recurly's subscriptions export: account_code and uuid (the subscription's), with state, unit_amount, "
    "quantity and activated_at",
    recognise_recurly,
    [] { return std::unique_ptr<Form>(new RecurlyForm); },
    {"the subscription's uuid, trimmed; an account's subscriptions (account_code, trimmed) are summed",
     "the same uuid twice in one file; without a uuid column, a row repeating an earlier row cell for cell",
     "account_code or uuid Total, Grand total, Summe, Gesamt and the like",
     "an empty unit_amount is an error (write 0 for a free plan); an empty quantity is 1; an empty add_ons_total "
     "is 0"}};

} // namespace cskpi::ingest
