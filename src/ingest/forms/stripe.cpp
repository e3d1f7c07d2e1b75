// SPDX-License-Identifier: MIT
// Stripe's subscriptions export (Dashboard > Billing > Subscriptions > Export), turned into
// monthly MRR per customer (issue 12):
// - a subscription's MRR is quantity x Amount (the plan's unit price, in currency units),
//   less its coupon, normalised to a month (exact.hpp: year /12, week x52/12, day x365/12);
// - it counts in a month when it started on or before the month's last day and had not
//   ended by then: cancellations are dated by their end (Ended At, or the current period's
//   end when cancelled at period end), not by when the customer asked;
// - months of a trial (Trial End after the month's last day) count 0; incomplete and
//   incomplete_expired subscriptions never count (never paid); unpaid and paused ones
//   stop counting from their current period's start (the unpaid or paused period);
// - a customer's subscriptions are summed; each month's MRR is as of its last day, from
//   the first start to the last whole month on or before the export's date (its latest
//   start, period start, cancellation or end), or --as-of.
// - a trialing subscription without a Trial End (no such column, or an empty cell) is in
//   trial through the export's last month: it counts 0, like any trial;
// - the same subscription id twice is an error, and so is an empty Amount (a tiered or
//   metered price exports this way) unless a prices export gives the price's amount.
// Coupons come from Stripe's coupons export in the same run (stripe_coupons.cpp), prices from
// its prices export (stripe_prices.cpp), when the subscriptions have no Amount. With --fx,
// every month is converted at the rate of the last month (constant currency), so exchange
// rates moving never show as expansion or contraction.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::ingest {

namespace {

class StripeForm : public Form {
public:
  bool start(FileReader& rd) override {
    static constexpr std::string_view k_customer[] = {"customer_id", "customer"};
    static constexpr std::string_view k_start[] = {"start", "start_date"};
    static constexpr std::string_view k_created[] = {"created"};
    static constexpr std::string_view k_period_start[] = {"current_period_start"};
    static constexpr std::string_view k_period_end[] = {"current_period_end"};
    static constexpr std::string_view k_trial_end[] = {"trial_end"};
    static constexpr std::string_view k_canceled[] = {"canceled_at"};
    static constexpr std::string_view k_ended[] = {"ended_at"};
    static constexpr std::string_view k_cancel_at[] = {"cancel_at"};
    m_customer = rd.find(k_customer);
    m_id = rd.find({"id", "subscription_id"});
    m_price = rd.find({"price_id", "plan_id", "price", "plan"});
    m_amount = rd.find({"amount"});
    m_quantity = rd.find({"quantity"});
    m_interval = rd.find({"interval"});
    m_count = rd.find({"interval_count"});
    m_status = rd.find({"status"});
    m_currency = rd.find({"currency"});
    m_coupon = rd.find({"coupon"});
    m_at_period_end = rd.find({"cancel_at_period_end"});
    // Movers (issue 30) show the customer's name: Dashboard exports of subscriptions carry a
    // Customer Name column (Customer Email is no name, and is not read).
    if (rd.options().names) m_name = rd.find({"customer_name"});
    m_start = rd.find_utc(k_start);
    m_created = rd.find_utc(k_created);
    m_period_start = rd.find_utc(k_period_start);
    m_period_end = rd.find_utc(k_period_end);
    m_trial_end = rd.find_utc(k_trial_end);
    m_canceled = rd.find_utc(k_canceled);
    m_ended = rd.find_utc(k_ended);
    m_cancel_at = rd.find_utc(k_cancel_at);
    m_reason = rd.find({"cancellation_reason", "cancellation_details.reason", "cancellation_details_reason"});
    if (m_start == k_absent && m_created == k_absent) {
      rd.fatal(rd.line,
               fmt::format("a Stripe subscriptions export needs Start (UTC) or Created (UTC) (columns: {})",
                           shown_columns(rd.names)));
      return false;
    }
    if ((m_amount == k_absent || m_interval == k_absent) && !from_prices(rd)) return false;
    m_table = open_snapshot_table(rd, std::nullopt);
    return m_table != nullptr;
  }

  /// A subscriptions export without Amount or Interval: they come from a prices export in
  /// the run, joined on the Plan or Price ID column; without one, a fatal error says so.
  bool from_prices(FileReader& rd) {
    std::vector<std::string_view> missing;
    if (m_amount == k_absent) missing.push_back("Amount");
    if (m_interval == k_absent) missing.push_back("Interval");
    if (m_price != k_absent && !rd.run.prices.empty()) return m_from_prices = true;
    rd.fatal(rd.line,
             fmt::format("this is a Stripe subscriptions export without its {} column{} (columns: {}): cskpi cannot "
                         "compute MRR without them. Export the subscriptions again with {} (Dashboard > Billing > "
                         "Subscriptions > Export, edit columns), or give Stripe's prices export (Product catalogue > "
                         "Export prices) on the same command line{}",
                         fmt::join(missing, " and "), missing.size() == 1 ? "" : "s", shown_columns(rd.names),
                         fmt::join(missing, " and "),
                         m_price != k_absent
                             ? ": its Price ID joins this file's " + std::string(rd.fields[m_price]) + " column"
                             : ", with a Plan or Price ID column here to join it on"));
    return false;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    if (m_totals.reject(rd, m_customer, {}, k_absent) || !unique(rd)) return rd.count_row();
    Subscription s;
    s.line = rd.line;
    s.customer.assign(key_cell(rd.fields[m_customer]));
    if (s.customer.empty()) rd.field_error(m_customer, "Customer ID is empty");
    if (rd.by_pos != k_absent) s.group.assign(key_cell(rd.fields[rd.by_pos]));
    if (m_name != k_absent) s.name.assign(trim_spaces(rd.fields[m_name]));
    s.status = normalise_column_name(rd.fields[m_status]);
    static constexpr std::string_view k_statuses[] = {
        "active", "past_due", "trialing", "canceled", "unpaid", "incomplete", "incomplete_expired", "paused", "ended"};
    if (std::find(std::begin(k_statuses), std::end(k_statuses), s.status) == std::end(k_statuses))
      rd.field_error(m_status,
                     fmt::format("Status {} is not a Stripe subscription status (active, past_due, trialing, "
                                 "canceled, unpaid, incomplete, incomplete_expired, paused)",
                                 show(rd.fields[m_status])));
    terms(rd, s);
    s.quantity = m_quantity == k_absent || is_blank(rd.fields[m_quantity]) ? 1 : rd.whole(m_quantity, 0, 1'000'000'000);
    if (m_currency != k_absent && !is_blank(rd.fields[m_currency])) {
      m_currencies.note(rd, m_currency);
      s.currency = currency_code(rd.fields[m_currency]);
    } else if (s.price != nullptr && !s.price->currency.empty()) {
      s.currency = s.price->currency; // the subscription is billed in its price's currency
      m_price_currencies.try_emplace(s.currency, rd.line);
    }
    if (s.price != nullptr && rd.row_ok && !s.price->currency.empty() && s.currency != s.price->currency)
      rd.field_error(m_currency,
                     fmt::format("the subscription is billed in {}, but its price {} is in {} "
                                 "(prices file line {})",
                                 s.currency, show(s.price->id), s.price->currency, s.price->line));
    if (m_coupon != k_absent && !is_blank(rd.fields[m_coupon])) {
      const std::string_view id = key_cell(rd.fields[m_coupon]);
      const auto it = rd.run.coupons.find(id);
      if (it == rd.run.coupons.end())
        rd.field_error(m_coupon,
                       fmt::format("coupon {} is not in a coupons file of this run: add Stripe's coupons export "
                                   "(Billing > Coupons > Export) to the command line",
                                   show(id)));
      else s.coupon = &it->second;
    }
    s.start = day_of(rd, m_start, "Start");
    if (!s.start) s.start = day_of(rd, m_created, "Created");
    if (!s.start && rd.row_ok)
      rd.field_error(m_start != k_absent ? m_start : m_created, "the subscription has no start date");
    const std::optional<Day> period_start = day_of(rd, m_period_start, "Current Period Start");
    const std::optional<Day> period_end = day_of(rd, m_period_end, "Current Period End");
    s.trial_end = day_of(rd, m_trial_end, "Trial End");
    // Without a Trial End date, the status says a trial has not ended: it lasts to the end.
    s.open_trial = s.status == "trialing" && !s.trial_end;
    ends(rd, s, period_start, period_end);
    // The export's date: the latest event that has happened (period and trial ends lie ahead).
    for (const std::optional<Day>& d : {s.start, period_start})
      if (d) m_latest = std::max(m_latest, *d);
    if (rd.row_ok && s.start && s.end && *s.end < *s.start)
      rd.field_error(m_ended != k_absent ? m_ended : m_canceled, "the subscription ends before it starts");
    if (rd.row_ok) {
      if (s.status == "incomplete" || s.status == "incomplete_expired") ++m_never_paid;
      else m_subscriptions.push_back(std::move(s));
    }
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (!m_price_currencies.empty() && !price_currencies(rd)) return;
    if (rd.summary.unreadable || m_subscriptions.empty()) return;
    rd.building_history = true; // an error from here on leaves the history incomplete
    // The last whole month on or before the export's date (or --as-of).
    const Day as_of = rd.options().as_of_day.value_or(m_latest);
    const MonthIndex last = last_day_of_month(month_of(as_of)) == as_of ? month_of(as_of) : month_of(as_of) - 1;
    std::uint64_t trials = 0, open_trials = 0;
    for (const Subscription& s : m_subscriptions) {
      const MonthIndex first = month_of(*s.start);
      const std::uint32_t c = m_table->customer(s.customer, s.group);
      m_table->name(c, s.name);
      if (first > last) continue; // starts after --as-of
      note_trial(s, c, last);
      for (MonthIndex m = first; m <= last; ++m) {
        const Day at = last_day_of_month(m); // the snapshot's day
        if (s.end && *s.end <= at) break;
        if (s.open_trial || (s.trial_end && *s.trial_end > at)) {
          trials += m == last; // still in trial when the history ends
          open_trials += m == last && s.open_trial;
          m_table->add(c, m, Money{}); // the customer exists; a trial adds no MRR
          continue;
        }
        const bool discount = s.coupon != nullptr && discounts(rd, s, first, m);
        if (discount && s.coupon->amount_off && !s.coupon->currency.empty() && s.coupon->currency != s.currency) {
          rd.diag(s.line, m_coupon, Severity::error,
                  fmt::format("coupon {} takes {} off, but the subscription is billed in {}", show(s.coupon->id),
                              s.coupon->currency, s.currency));
          rd.summary.unreadable = true;
          return;
        }
        std::optional<Money> invoice = discounted(s.amount, s.quantity, discount ? s.coupon : nullptr);
        std::optional<Money> mrr = invoice ? monthly(*invoice, s.unit, s.count) : std::nullopt;
        if (!mrr) {
          rd.fatal(s.line, "the subscription's MRR overflows the money range");
          return;
        }
        rd.line = s.line;
        rd.row_ok = true;
        const Money value = snapshot_value(rd, *m_table, c, m, last, *mrr, s.currency, m_currency); // --fx-method
        if (!rd.row_ok) { // no exchange rate: the error names the subscription's line
          rd.summary.unreadable = true;
          return;
        }
        if (!m_table->add(c, m, value)) {
          rd.fatal(s.line, "the customer's MRR overflows the money range");
          return;
        }
        if (!m_month_sums.add(rd, s.line, m_amount, "subscription", m, value)) return;
        note_month(rd, s, c, m, m == last, value, *mrr);
      }
    }
    close(rd, last, trials, open_trials);
  }

private:
  struct Subscription;
  static constexpr std::string_view k_empty_amount =
      "a tiered or metered price? cskpi cannot compute its MRR from this export; give Stripe's prices export "
      "(Product catalogue > Export prices) beside it, or leave the subscription out by deleting the line";

  /// Does the coupon lower month `m`'s MRR? MRR is the invoice of the billing interval `m` falls
  /// in, so it is discounted when that invoice is: a repeating coupon discounts every invoice
  /// dated within its months from the start (a 3-month coupon on a yearly plan: the whole first
  /// year's invoice, so 12 months of MRR); a once coupon the first invoice only (the trial's end
  /// when there is one), in MRR or not as --definitions says.
  static bool discounts(const FileReader& rd, const Subscription& s, MonthIndex first, MonthIndex m) {
    const int months = s.unit == Interval::year ? 12 * s.count : s.unit == Interval::month ? s.count : 1;
    const MonthIndex billed = s.trial_end && *s.trial_end >= *s.start ? std::max(first, month_of(*s.trial_end)) : first;
    const MonthIndex invoice = m < billed || months <= 1 ? m : billed + (m - billed) / months * months;
    if (s.coupon->duration == Coupon::Duration::once) return rd.options().once_discounts_in_mrr && invoice == billed;
    return coupon_applies(*s.coupon, static_cast<int>(invoice - first));
  }

  /// The lifecycle facts of a month the subscription counts `value` of MRR in (issue 30): part
  /// of the customer's MRR scheduled to cancel (asked for by the month's end; without Canceled
  /// At, as the export shows it: in its last month only), or to end from a failed payment.
  void note_month(FileReader& rd, const Subscription& s, std::uint32_t c, MonthIndex m, bool last, Money value,
                  Money native) {
    const bool scheduled = s.scheduled && (s.asked ? *s.asked <= last_day_of_month(m) : last);
    const bool involuntary = s.involuntary && m_reason != k_absent; // told apart only with the reasons
    if (value.micros <= 0 || (!scheduled && !involuntary)) return;
    using Part = SnapshotTable::Part;
    if (scheduled) add_part(rd, *m_table, c, m, Part::scheduled, value, native, s.currency);
    if (involuntary) add_part(rd, *m_table, c, m, Part::involuntary, value, native, s.currency);
    m_any_scheduled |= scheduled;
  }

  /// A trial that ended in a month of the history (issue 30): counted in that month, and
  /// whether the subscription was paying after it.
  void note_trial(const Subscription& s, std::uint32_t c, MonthIndex last) {
    if (!s.trial_end || *s.trial_end < *s.start || month_of(*s.trial_end) > last) return;
    Lifecycle& l = m_table->lifecycle(c, month_of(*s.trial_end));
    ++l.trials_ended;
    l.trials_converted += s.converted;
    m_any_trial = true;
  }

  /// The file's warnings and the lifecycle facts its data holds, then its snapshots.
  void close(FileReader& rd, MonthIndex last, std::uint64_t trials, std::uint64_t open_trials) {
    std::vector<std::string> left_out;
    if (m_never_paid > 0)
      left_out.push_back(
          fmt::format("{} incomplete subscription{} (never paid)", m_never_paid, m_never_paid == 1 ? "" : "s"));
    if (trials > 0)
      left_out.push_back(fmt::format(
          "{} subscription{} still in trial at the end of {}{}", trials, trials == 1 ? "" : "s", month_label(last),
          open_trials == 0 ? std::string() : fmt::format(" ({} trialing without a Trial End date)", open_trials)));
    if (!left_out.empty())
      rd.diag(0, k_absent, Severity::warning, fmt::format("left out of MRR: {}", fmt::join(left_out, ", and ")));
    // The lifecycle metrics show when the data holds their facts: other runs' reports stay as they were.
    rd.run.columns.scheduled |= m_any_scheduled;
    rd.run.columns.trials |= m_any_trial;
    rd.run.columns.churn_kind |= m_reason != k_absent;
    finish_snapshots(rd, *m_table);
  }

  /// Without a Currency column, the subscriptions are billed in their prices' currencies:
  /// one is fine, several need --fx (false: a fatal error says so).
  bool price_currencies(FileReader& rd) {
    if (rd.run.fx) {
      rd.summary.currency = rd.run.fx->target();
      return true;
    }
    if (m_price_currencies.size() == 1) {
      if (rd.summary.currency.empty()) rd.summary.currency = m_price_currencies.begin()->first;
      return true;
    }
    std::vector<std::string> seen;
    for (const auto& [code, line] : m_price_currencies)
      seen.push_back(fmt::format("{} (first at line {})", code, line));
    rd.fatal(0,
             fmt::format("mixed currencies {} (from the prices export): amounts in different currencies cannot be "
                         "added; convert them with --fx RATES.csv --currency {} (see cskpi explain fx)",
                         fmt::join(seen, ", "), m_price_currencies.begin()->first));
    return false;
  }

  /// The same subscription twice (by id; without an id column, a row repeating an earlier
  /// one cell for cell) is an error naming both lines.
  bool unique(FileReader& rd) {
    if (m_id != k_absent) {
      const std::string_view id = key_cell(rd.fields[m_id]);
      return id.empty() || m_duplicates.note(rd, m_id, "subscription", show(id), std::string(id));
    }
    return m_duplicates.note(rd, m_customer, "a subscription of Customer ID",
                             show(key_cell(rd.fields[m_customer])) + " (no id column: every cell the same)",
                             row_key(rd));
  }

  /// The subscription's amount and interval: its own Amount and Interval, or its price's from
  /// a prices export when it has none (no such columns, or an empty Amount).
  void terms(FileReader& rd, Subscription& s) {
    const bool no_amount = m_from_prices || is_blank(rd.fields[m_amount]);
    if (no_amount && m_price != k_absent && !rd.run.prices.empty()) return price_terms(rd, s);
    const std::optional<ParsedInterval> interval = parse_interval(rd.fields[m_interval]);
    if (!interval)
      rd.field_error(m_interval,
                     fmt::format("Interval {} is not day, week, month or year", show(rd.fields[m_interval])));
    s.unit = interval ? interval->unit : Interval::month;
    s.count = interval ? interval->count_factor : 1;
    if (m_count != k_absent && !is_blank(rd.fields[m_count])) {
      const int n = rd.whole(m_count, 1, 1000);
      if (n > 0) s.count *= n;
    }
    s.amount = required_amount(rd, m_amount, "Amount", k_empty_amount, false);
  }

  void price_terms(FileReader& rd, Subscription& s) {
    const std::string_view id = key_cell(rd.fields[m_price]);
    const std::string& column = rd.names[m_price];
    if (id.empty()) {
      rd.field_error(m_price,
                     fmt::format("{} is empty: cskpi needs the price to find the subscription's amount in the "
                                 "prices export",
                                 column));
      return;
    }
    const auto it = rd.run.prices.find(id);
    if (it == rd.run.prices.end()) {
      rd.field_error(m_price,
                     fmt::format("price {} is not among the prices read from this run's prices export (a price "
                                 "whose row there is invalid is left out): export the prices again (Product "
                                 "catalogue > Export prices, archived prices included)",
                                 show(id)));
      return;
    }
    const Price& p = it->second;
    if (!p.unit_amount)
      rd.field_error(m_price,
                     fmt::format("price {} is {}: it has no unit amount, so cskpi cannot compute the "
                                 "subscription's MRR; leave the subscription out by deleting the line, or give "
                                 "its MRR in a snapshots file instead",
                                 show(id), p.no_amount_why));
    else if (!p.recurring)
      rd.field_error(m_price,
                     fmt::format("price {} is a one-time price (no Interval): it is not recurring revenue", show(id)));
    if (!rd.row_ok) return;
    s.price = &p;
    s.amount = *p.unit_amount;
    s.unit = p.unit;
    s.count = p.count;
  }

  /// Canceled (or ended): the subscription has stopped, on a day the export must give.
  static bool ended_status(std::string_view status) { return status == "canceled" || status == "ended"; }

  static std::optional<Day> day_of(FileReader& rd, std::size_t field, std::string_view what) {
    return field == k_absent ? std::nullopt : rd.day(field, what);
  }

  /// The day `count` units after `from`; months keep the day of the month, or the month's last day
  /// when it is shorter (Stripe's billing periods: January 31 + 1 month is February 28).
  static Day after_interval(Day from, Interval unit, int count) {
    if (unit == Interval::day) return from + count;
    if (unit == Interval::week) return from + 7 * count;
    const Civil c = civil_from_days(from);
    const int months = c.m - 1 + (unit == Interval::year ? 12 : 1) * count;
    const int y = c.y + months / 12, m = months % 12 + 1;
    const Day next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
    return std::min(days_from_civil(y, m, 1) + c.d - 1, next - 1);
  }

  /// A subscription canceled at period end, with no Ended At or Current Period End: it ran to the
  /// end of its current period (Canceled At is the day it was asked for), which is its Current
  /// Period Start plus one interval (the trial's end, when the period is the trial). Without a
  /// Current Period Start the period's end is unknown (Start is no anchor: a billing cycle
  /// anchor, a trial or a plan change moves it), and the row is an error naming the cell. Counted from
  /// the period's start, a monthly end may fall a day or two before Stripe's (an anchor on the 31st),
  /// never in another month: the month is what the snapshots read.
  std::optional<Day> derived_period_end(FileReader& rd, const Subscription& s, std::optional<Day> period_start,
                                        std::optional<Day> canceled) {
    if (!rd.row_ok) return std::nullopt;
    const std::size_t cell = m_period_end != k_absent ? m_period_end
        : m_period_start != k_absent                  ? m_period_start
        : m_canceled != k_absent                      ? m_canceled
                                                      : m_at_period_end;
    if (!period_start) {
      rd.field_error(cell,
                     fmt::format("the subscription is {} at period end but has no Ended At or Current Period "
                                 "End, nor a Current Period Start to count its period from: cskpi cannot "
                                 "tell the month its MRR stops (Canceled At is the day it was asked for; "
                                 "export Current Period End)",
                                 s.status));
      return std::nullopt;
    }
    const bool trial = s.trial_end && *s.trial_end > *period_start;
    const Day end = trial ? *s.trial_end : after_interval(*period_start, s.unit, s.count);
    if (canceled && (*canceled < *period_start || *canceled > end)) {
      rd.field_error(m_canceled,
                     fmt::format("Canceled At {} is outside the current period ({} to {}) the "
                                 "subscription was canceled at the end of",
                                 format_date(*canceled), format_date(*period_start), format_date(end)));
      return std::nullopt;
    }
    return end;
  }

  /// When the subscription ends, and what the lifecycle metrics need of it (issue 30): a
  /// cancellation scheduled ahead (Cancel At Period End, a Cancel At date) counts from the day
  /// it was asked for (Canceled At); an end from a failed payment (unpaid, past_due, or the
  /// Cancellation Reason payment_failed) is involuntary; a trial converted when the
  /// subscription was paying after it.
  void ends(FileReader& rd, Subscription& s, std::optional<Day> period_start, std::optional<Day> period_end) {
    const std::optional<Day> canceled = day_of(rd, m_canceled, "Canceled At");
    const std::optional<Day> ended = day_of(rd, m_ended, "Ended At");
    const std::optional<Day> cancel_at = day_of(rd, m_cancel_at, "Cancel At");
    const std::optional<bool> at_period_end =
        m_at_period_end == k_absent ? std::optional<bool>(false) : parse_bool(rd.fields[m_at_period_end]);
    if (!at_period_end)
      rd.field_error(m_at_period_end,
                     fmt::format("Cancel At Period End {} is not a boolean (use true/false, 1/0, "
                                 "yes/no or y/n)",
                                 show(rd.fields[m_at_period_end])));
    // Cancellations count when the subscription ends, not when they were asked for.
    if (ended) s.end = ended;
    else if (at_period_end.value_or(false) && period_end) s.end = period_end;
    else if (at_period_end.value_or(false) && ended_status(s.status))
      s.end = derived_period_end(rd, s, period_start, canceled);
    else if (cancel_at && !ended_status(s.status)) s.end = cancel_at;
    else if (ended_status(s.status)) s.end = canceled ? canceled : period_end;
    if (ended_status(s.status) && !s.end && rd.row_ok) // counted on, it would never churn
      rd.field_error(m_ended != k_absent          ? m_ended
                         : m_canceled != k_absent ? m_canceled
                                                  : m_status,
                     fmt::format("the subscription is {} but has no Ended At, Canceled At or Current Period End "
                                 "date: cskpi cannot tell the month its MRR stops (export those columns)",
                                 s.status));
    const bool stops = s.status == "paused" || (s.status == "unpaid" && !rd.options().unpaid_keeps_mrr);
    if (stops && period_start) s.end = std::min(s.end.value_or(*period_start), *period_start);
    s.scheduled = at_period_end.value_or(false) || cancel_at.has_value();
    s.asked = canceled;
    std::string reason = m_reason == k_absent ? std::string() : normalise_column_name(rd.fields[m_reason]);
    if (reason != "" && reason != "cancellation_requested" && reason != "payment_disputed" &&
        reason != "payment_failed")
      rd.field_error(m_reason,
                     fmt::format("Cancellation Reason {} is not one of Stripe's (cancellation_requested, "
                                 "payment_disputed, payment_failed)",
                                 show(rd.fields[m_reason])));
    s.involuntary = s.end && (reason == "payment_failed" || s.status == "unpaid" || s.status == "past_due");
    // Paying after the trial: not ended by its end, and not still owing the first invoice after it.
    s.converted = s.trial_end && (!s.end || *s.end > *s.trial_end) &&
        !(s.status == "past_due" && period_start && *period_start <= *s.trial_end);
    for (const std::optional<Day>& d : {canceled, ended})
      if (d) m_latest = std::max(m_latest, *d);
  }

  struct Subscription {
    std::string customer, group, status, currency;
    std::string name; ///< Customer Name, read for movers only
    Interval unit = Interval::month;
    int count = 1;
    Money amount;
    std::int64_t quantity = 1;
    const Coupon* coupon = nullptr;
    const Price* price = nullptr; ///< from a prices export, when the amount is its
    bool open_trial = false;      ///< trialing, with no Trial End date
    bool scheduled = false;       ///< its end was scheduled ahead: Cancel At Period End, or a Cancel At date
    bool involuntary = false;     ///< it ends from a failed payment
    bool converted = false;       ///< its trial ended and it was paying after
    std::optional<Day> start, end, trial_end;
    std::optional<Day> asked; ///< Canceled At: the day a cancellation was asked for
    std::uint64_t line = 0;
  };

  static MonthIndex month_of(Day d) { return *parse_month(format_date(d)); }
  static Day last_day_of_month(MonthIndex m) { return *last_day_of_period(month_label(m)); }

  std::size_t m_id = k_absent, m_price = k_absent;
  bool m_from_prices = false; ///< no Amount or Interval column: every amount is its price's
  TotalsRule m_totals;
  DuplicateRule m_duplicates;
  std::map<std::string, std::uint64_t, std::less<>> m_price_currencies; ///< without a Currency column
  std::size_t m_name = k_absent; ///< Customer Name, read only for movers (issue 30)
  std::size_t m_customer = k_absent, m_amount = k_absent, m_quantity = k_absent, m_interval = k_absent,
              m_count = k_absent, m_status = k_absent, m_currency = k_absent, m_coupon = k_absent,
              m_at_period_end = k_absent, m_start = k_absent, m_created = k_absent, m_period_start = k_absent,
              m_period_end = k_absent, m_trial_end = k_absent, m_canceled = k_absent, m_ended = k_absent,
              m_cancel_at = k_absent, m_reason = k_absent;
  SnapshotTable* m_table = nullptr;
  MonthSums m_month_sums; ///< each month's MRR over the customers, checked as it is added
  CurrencyCheck m_currencies;
  std::vector<Subscription> m_subscriptions;
  std::uint64_t m_never_paid = 0;
  Day m_latest = 0;
  bool m_any_scheduled = false, m_any_trial = false; ///< lifecycle facts seen (issue 30)
};

FileRole recognise_stripe(const Header& h) {
  if (!(h.has("customer_id") || h.has("customer")) || !h.has("status")) return FileRole::unknown;
  if (h.has("interval") && h.has("amount")) return FileRole::billing;
  // Without its amounts (a Dashboard export of the plan or price only): still a subscriptions
  // export, never a customers file, when a column only Stripe's subscriptions have is there.
  for (std::string_view n : {"current_period_end", "current_period_start", "cancel_at_period_end", "trial_end",
                             "ended_at", "canceled_at", "price_id", "plan_id"})
    if (h.has(n) || h.has(std::string(n) + "_(utc)")) return FileRole::billing;
  const bool plan = h.has("plan") || h.has("price");
  return plan && (h.has("start_(utc)") || h.has("created_(utc)")) ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_stripe_form{
    "stripe",
    "Customer ID, Interval, Amount, Status",
    "Stripe's subscriptions export: Customer ID, Interval, Amount and Status (or, without Amount and Interval, "
    "Customer "
    "ID, Status and Plan or Current Period End: their amounts come from a prices export)",
    recognise_stripe,
    [] { return std::unique_ptr<Form>(new StripeForm); },
    {"the subscription id (id), trimmed; a customer's subscriptions (Customer ID, trimmed) are summed",
     "the same subscription id twice in one file; without an id column, a row repeating an earlier row cell for cell",
     "Customer ID Total, Grand total, Summe, Gesamt and the like",
     "an empty Amount is an error (a tiered or metered price), unless a prices export in the run gives the price's "
     "amount; an empty Quantity is 1; a trialing subscription with no Trial End is in trial to the end"}};

} // namespace cskpi::ingest
