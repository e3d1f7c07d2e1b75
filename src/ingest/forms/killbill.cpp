// SPDX-License-Identifier: MIT
// Kill Bill's analytics plugin table analytics_subscription_transitions (issue 32), exported to
// CSV: one row per transition of a subscription, with the state it enters (next_*) from
// next_start_date. Columns as in the plugin's DDL (killbill-analytics-plugin,
// src/main/resources/org/killbill/billing/plugin/analytics/ddl.sql). Turned into monthly MRR
// per account:
// - a subscription's MRR is its plan phase's next_price normalised by next_billing_period
//   (exact.hpp: MONTHLY /1, QUARTERLY /3, ANNUAL /12, WEEKLY x52/12, THIRTY_DAYS x365/360...);
//   without next_price and next_billing_period, next_mrr as the plugin computed it;
// - its transitions are played in next_start_date order (record_id order within a day): the
//   billing events (START_BILLING, PAUSE_BILLING, RESUME_BILLING, STOP_BILLING) say when it
//   counts, START_*, CHANGE, SYSTEM_CHANGE (a phase) and RESUME_* give its price; a file
//   with no billing event at all is played on the entitlement events, with a warning;
// - it counts in a month when it was billing at the month's last day and not paused; a stop
//   counts from its effective day (not requested_timestamp, the day it was asked for);
// - an account's subscriptions are summed; months run from the first transition to the last
//   whole month on or before --as-of, or the latest created_date (the last transition Kill
//   Bill recorded: future-dated ones, an end-of-term cancellation, are effective later);
// - transitions of test accounts (report_group test) are left out, with a warning;
// - a STOP asked for (requested_timestamp) before the month's end and effective after it is
//   a scheduled cancellation (cmrr); a phase change out of TRIAL ends a trial (trial_conversion).
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

namespace cskpi::ingest {

namespace {

/// BusinessSubscriptionEvent.EventType of the plugin; the event cell is one of them, '_' and
/// the product category (START_ENTITLEMENT_BASE, CHANGE_ADD_ON, STOP_BILLING_UNSPECIFIED).
enum class Event : std::uint8_t {
  start_entitlement,
  start_billing,
  pause_entitlement,
  pause_billing,
  resume_entitlement,
  resume_billing,
  stop_entitlement,
  stop_billing,
  state_change,
  change,
  system_change,
  error
};

std::optional<Event> parse_event(std::string_view cell) {
  static constexpr std::pair<std::string_view, Event> k_names[] = {{"start_entitlement", Event::start_entitlement},
                                                                   {"start_billing", Event::start_billing},
                                                                   {"pause_entitlement", Event::pause_entitlement},
                                                                   {"pause_billing", Event::pause_billing},
                                                                   {"resume_entitlement", Event::resume_entitlement},
                                                                   {"resume_billing", Event::resume_billing},
                                                                   {"stop_entitlement", Event::stop_entitlement},
                                                                   {"stop_billing", Event::stop_billing},
                                                                   {"state_change", Event::state_change},
                                                                   {"change", Event::change},
                                                                   {"system_change", Event::system_change},
                                                                   {"error", Event::error}};
  const std::string t = normalise_column_name(cell);
  for (const auto& [name, event] : k_names)
    if (t.starts_with(name) && (t.size() == name.size() || t[name.size()] == '_')) return event;
  return std::nullopt;
}

/// The transitions that give the subscription its plan's price.
bool sets_plan(Event e) {
  return e == Event::start_entitlement || e == Event::start_billing || e == Event::change ||
      e == Event::system_change || e == Event::resume_entitlement || e == Event::resume_billing;
}

/// Kill Bill's BillingPeriod (killbill-api, org.killbill.billing.catalog.api): count 0 is
/// NO_BILLING_PERIOD, no recurring price.
struct BillingPeriod {
  std::string_view name;
  Interval unit;
  int count;
};

std::optional<BillingPeriod> parse_period(std::string_view cell) {
  static constexpr BillingPeriod k_periods[] = {{"daily", Interval::day, 1},
                                                {"weekly", Interval::week, 1},
                                                {"biweekly", Interval::week, 2},
                                                {"thirty_days", Interval::day, 30},
                                                {"thirty_one_days", Interval::day, 31},
                                                {"sixty_days", Interval::day, 60},
                                                {"ninety_days", Interval::day, 90},
                                                {"monthly", Interval::month, 1},
                                                {"bimestrial", Interval::month, 2},
                                                {"quarterly", Interval::month, 3},
                                                {"triannual", Interval::month, 4},
                                                {"biannual", Interval::month, 6},
                                                {"annual", Interval::year, 1},
                                                {"sesquiennial", Interval::month, 18},
                                                {"biennial", Interval::year, 2},
                                                {"triennial", Interval::year, 3},
                                                {"no_billing_period", Interval::month, 0}};
  const std::string t = normalise_column_name(cell);
  for (const BillingPeriod& p : k_periods)
    if (t == p.name) return p;
  return std::nullopt;
}

MonthIndex month_of(Day d) { return *parse_month(format_date(d)); }
Day last_day_of_month(MonthIndex m) { return *last_day_of_period(month_label(m)); }

class KillBillForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_record = rd.find({"record_id"});
    m_account = rd.find({"account_id", "account_record_id", "account_external_key"});
    m_subscription = rd.find({"subscription_id"});
    m_event = rd.find({"event"});
    m_effective = rd.find({"next_start_date"});
    m_price = rd.find({"next_price"});
    m_period = rd.find({"next_billing_period"});
    m_mrr = rd.find({"next_mrr"});
    m_currency = rd.find({"next_currency"});
    m_phase = rd.find({"next_phase"});
    m_requested = rd.find({"requested_timestamp"});
    m_created = rd.find({"created_date"});
    m_group = rd.find({"report_group"});
    if (rd.options().names) m_name = rd.find({"account_name"}); // movers (issue 30)
    std::vector<std::string_view> missing;
    if (m_account == k_absent) missing.push_back("account_id");
    if ((m_price == k_absent || m_period == k_absent) && m_mrr == k_absent)
      missing.push_back("next_price and next_billing_period (or next_mrr)");
    if (!missing.empty()) {
      rd.fatal(rd.line,
               fmt::format("a Kill Bill analytics_subscription_transitions export needs {} (columns: {})",
                           fmt::join(missing, " and "), shown_columns(rd.names)));
      return false;
    }
    m_by_price = m_price != k_absent && m_period != k_absent;
    m_table = open_snapshot_table(rd, std::nullopt);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    if (m_totals.reject(rd, m_account, {}, k_absent) || m_totals.reject(rd, m_subscription, {}, k_absent) ||
        !unique(rd))
      return rd.count_row();
    Transition t;
    t.line = rd.line;
    t.order = rd.line;
    if (m_record != k_absent) { // Kill Bill numbers a bundle's transitions in timeline order
      const std::string_view id = key_cell(rd.fields[m_record]);
      (void)std::from_chars(id.data(), id.data() + id.size(), t.order);
    }
    const std::string_view account = key_cell(rd.fields[m_account]);
    const std::string_view id = key_cell(rd.fields[m_subscription]);
    if (account.empty()) rd.field_error(m_account, fmt::format("{} is empty", rd.names[m_account]));
    if (id.empty()) rd.field_error(m_subscription, "subscription_id is empty");
    const std::optional<Event> e = parse_event(rd.fields[m_event]);
    if (!e || *e == Event::error)
      rd.field_error(
          m_event,
          fmt::format("event {} is not a transition cskpi can read (START_ENTITLEMENT, START_BILLING, "
                      "CHANGE, SYSTEM_CHANGE, PAUSE_*, RESUME_*, STOP_ENTITLEMENT, STOP_BILLING, "
                      "STATE_CHANGE, each with its category: CHANGE_BASE){}",
                      show(rd.fields[m_event]),
                      e ? ": Kill Bill's analytics could not classify it; refresh the account's analytics" : ""));
    t.event = e.value_or(Event::state_change);
    m_billing_events |= rd.row_ok &&
        (t.event == Event::start_billing || t.event == Event::stop_billing || t.event == Event::pause_billing ||
         t.event == Event::resume_billing);
    dates(rd, t);
    amount(rd, t);
    if (m_currency != k_absent && !is_blank(rd.fields[m_currency])) m_currencies.note(rd, m_currency);
    const bool test = m_group != k_absent && normalise_column_name(rd.fields[m_group]) == "test";
    if (rd.row_ok && test) ++m_test_rows;
    else if (rd.row_ok) keep(rd, account, id, std::move(t));
    if (!rd.row_ok && !id.empty()) m_rejected.try_emplace(std::string(id), rd.line); // its other transitions too
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (rd.summary.unreadable || m_subscriptions.empty()) return;
    reject_rest(rd);
    rd.building_history = true; // an error from here on leaves the history incomplete
    // The last whole month on or before the export's date (or --as-of).
    const Day as_of = rd.options().as_of_day.value_or(m_created_latest != k_none     ? m_created_latest
                                                          : m_asked_latest != k_none ? m_asked_latest
                                                                                     : m_effective_latest);
    const MonthIndex last = last_day_of_month(month_of(as_of)) == as_of ? month_of(as_of) : month_of(as_of) - 1;
    for (auto& [id, s] : m_subscriptions) {
      if (m_rejected.contains(id)) continue; // left out whole: reject_rest() named its lines
      std::stable_sort(s.transitions.begin(), s.transitions.end(), [](const Transition& a, const Transition& b) {
        return a.day < b.day || (a.day == b.day && a.order < b.order);
      });
      if (!play(rd, id, s, last)) return;
    }
    std::vector<std::string> notes;
    if (m_test_rows > 0)
      notes.push_back(fmt::format("left out of MRR: {} transition{} of test accounts (report_group test)", m_test_rows,
                                  m_test_rows == 1 ? "" : "s"));
    if (!m_billing_events)
      notes.push_back("no billing transition (START_BILLING, STOP_BILLING, PAUSE_BILLING, RESUME_BILLING) in the "
                      "file: MRR follows the entitlement transitions, as Kill Bill's own MRR report does");
    for (std::string& n : notes) rd.diag(0, k_absent, Severity::warning, std::move(n));
    rd.run.columns.scheduled |= m_any_scheduled;
    rd.run.columns.trials |= m_any_trial;
    finish_snapshots(rd, *m_table);
  }

private:
  struct Transition {
    Event event = Event::state_change;
    Day day = 0;              ///< next_start_date: the day the transition takes effect
    std::optional<Day> asked; ///< requested_timestamp
    Money mrr;                ///< the plan's MRR from this transition (sets_plan only)
    bool trial = false;       ///< next_phase TRIAL
    std::uint64_t line = 0;
    std::uint64_t order = 0; ///< within a day: record_id when it is a number, else the line
  };
  struct Subscription {
    std::string account, group, name, currency;
    std::vector<Transition> transitions; ///< in file order; sorted by day before they are played
  };
  static constexpr std::string_view k_empty_price =
      "the phase bills every next_billing_period, so it has a price (an empty cell is not 0): export the table "
      "again, or delete the subscription's lines";

  /// The transition's effective day, the day it was asked for, and the export's date.
  void dates(FileReader& rd, Transition& t) {
    const std::optional<Day> day = rd.day(m_effective, "next_start_date");
    if (!day && rd.row_ok) rd.field_error(m_effective, "next_start_date is empty");
    t.day = day.value_or(0);
    if (m_requested != k_absent) t.asked = rd.day(m_requested, "requested_timestamp");
    const std::optional<Day> created = m_created == k_absent ? std::nullopt : rd.day(m_created, "created_date");
    if (!rd.row_ok) return;
    m_effective_latest = std::max(m_effective_latest, t.day);
    if (t.asked) m_asked_latest = std::max(m_asked_latest, *t.asked);
    if (created) m_created_latest = std::max(m_created_latest, *created);
  }

  /// The plan's MRR a transition gives: next_price per next_billing_period, or next_mrr. An
  /// empty amount is 0 only for a phase without a recurring price (no billing period, or TRIAL).
  void amount(FileReader& rd, Transition& t) {
    t.trial = m_phase != k_absent && normalise_column_name(rd.fields[m_phase]) == "trial";
    if (!sets_plan(t.event)) return; // a STOP or a PAUSE carries no plan
    const std::size_t at = m_by_price ? m_price : m_mrr;
    const bool no_period = m_period != k_absent &&
        (is_blank(rd.fields[m_period]) || normalise_column_name(rd.fields[m_period]) == "no_billing_period");
    if (is_blank(rd.fields[at]) && (no_period || t.trial)) return;
    const Money a = required_amount(rd, at, rd.names[at], k_empty_price, false);
    if (!m_by_price || !rd.row_ok) {
      t.mrr = a;
      return;
    }
    const std::optional<BillingPeriod> p = parse_period(rd.fields[m_period]);
    if (!p) {
      rd.field_error(m_period,
                     fmt::format("next_billing_period {} is not one of Kill Bill's billing periods "
                                 "(MONTHLY, QUARTERLY, ANNUAL, WEEKLY, THIRTY_DAYS, NO_BILLING_PERIOD...)",
                                 show(rd.fields[m_period])));
      return;
    }
    if (p->count == 0) return; // no recurring price
    const std::optional<Money> m = monthly(a, p->unit, p->count);
    if (!m) rd.field_error(at, "the price normalised to a month overflows the money range");
    t.mrr = m.value_or(Money{});
  }

  /// Files the transition under its subscription; a subscription is one account's.
  void keep(FileReader& rd, std::string_view account, std::string_view id, Transition t) {
    auto [it, fresh] = m_subscriptions.try_emplace(std::string(id));
    Subscription& s = it->second;
    if (fresh) {
      s.account.assign(account);
      s.group.assign(key_cell(rd.by_value()));
      if (m_name != k_absent) s.name.assign(trim_spaces(rd.fields[m_name]));
    } else if (s.account != account) {
      rd.field_error(m_account,
                     fmt::format("subscription {} is account {}'s on line {}, not {}'s", show(id), show(s.account),
                                 s.transitions.front().line, show(account)));
      return;
    }
    if (s.currency.empty() && m_currency != k_absent) s.currency = currency_code(rd.fields[m_currency]);
    s.transitions.push_back(std::move(t));
  }

  /// The same transition twice (by record_id; without it, a row repeating an earlier one
  /// cell for cell) is an error naming both lines.
  bool unique(FileReader& rd) {
    if (m_record != k_absent) {
      const std::string_view id = key_cell(rd.fields[m_record]);
      return id.empty() || m_duplicates.note(rd, m_record, "transition record_id", show(id), std::string(id));
    }
    return m_duplicates.note(rd, m_subscription, "a transition of subscription_id",
                             show(key_cell(rd.fields[m_subscription])) + " (no record_id column: every cell the same)",
                             row_key(rd));
  }

  /// What a subscription is at a month's end, after its transitions up to then.
  struct State {
    bool started = false, stopped = false, paused = false, trial = false;
    Money mrr;
  };

  /// Applies one transition: the billing events drive the state (the entitlement events in a
  /// file without billing events); any transition that sets a plan sets the price.
  void apply(State& st, const Transition& t) const {
    const bool billing = m_billing_events;
    const Event start = billing ? Event::start_billing : Event::start_entitlement;
    const Event stop = billing ? Event::stop_billing : Event::stop_entitlement;
    const Event pause = billing ? Event::pause_billing : Event::pause_entitlement;
    const Event resume = billing ? Event::resume_billing : Event::resume_entitlement;
    if (sets_plan(t.event)) {
      st.mrr = t.mrr;
      st.trial = t.trial;
    }
    if (t.event == start) st.started = true;
    else if (t.event == stop) st.stopped = true;
    else if (t.event == pause) st.paused = true;
    else if (t.event == resume) st.paused = false;
  }

  /// Plays a subscription's transitions month by month into the account's MRR.
  bool play(FileReader& rd, const std::string& id, const Subscription& s, MonthIndex last) {
    const Event start = m_billing_events ? Event::start_billing : Event::start_entitlement;
    const Event stop = m_billing_events ? Event::stop_billing : Event::stop_entitlement;
    const auto starts =
        std::find_if(s.transitions.begin(), s.transitions.end(), [&](const Transition& t) { return t.event == start; });
    if (starts == s.transitions.end()) {
      rd.diag(s.transitions.front().line, m_event, Severity::error,
              fmt::format("subscription {} has no {} transition: export every transition of its account (a "
                          "subscription cannot be read from its changes alone)",
                          show(id), m_billing_events ? "START_BILLING" : "START_ENTITLEMENT"));
      rd.summary.unreadable = true;
      return false;
    }
    const auto stops =
        std::find_if(s.transitions.begin(), s.transitions.end(), [&](const Transition& t) { return t.event == stop; });
    const std::uint32_t c = m_table->customer(s.account, s.group);
    m_table->name(c, s.name);
    State st;
    std::size_t next = 0;
    for (MonthIndex m = month_of(starts->day); m <= last; ++m) {
      const Day end = last_day_of_month(m); // the snapshot's day
      const bool trial_before = st.trial;
      while (next < s.transitions.size() && s.transitions[next].day <= end) apply(st, s.transitions[next++]);
      if (trial_before && (!st.trial || st.stopped)) note_trial(c, m, !st.stopped && !st.paused && st.mrr.micros > 0);
      if (st.stopped) break;
      rd.line = starts->line;
      rd.row_ok = true;
      const Money value = snapshot_value(rd, *m_table, c, m, last, st.paused ? Money{} : st.mrr, s.currency,
                                         m_currency); // --fx-method
      if (!rd.row_ok) {
        rd.summary.unreadable = true;
        return false;
      }
      if (!m_table->add(c, m, value)) {
        rd.fatal(starts->line, "the account's MRR overflows the money range");
        return false;
      }
      if (!m_month_sums.add(rd, starts->line, m_by_price ? m_price : m_mrr, "subscription", m, value)) return false;
      // A stop asked for by the month's end, effective after it: scheduled to cancel (cmrr).
      if (stops != s.transitions.end() && stops->asked && *stops->asked <= end && stops->day > end &&
          value.micros > 0) {
        add_part(rd, *m_table, c, m, SnapshotTable::Part::scheduled, value, st.mrr, s.currency);
        m_any_scheduled = true;
      }
    }
    return true;
  }

  /// A subscription with an invalid transition is left out whole (its other transitions alone
  /// would mislead: a plan change without its stop, a start without its price). Its other
  /// transitions are rejected rows too, named in one message at the first of them, so that
  /// rows_read = rows_used + rows_rejected counts only what the MRR holds.
  void reject_rest(FileReader& rd) {
    for (const auto& [id, first_bad] : m_rejected) {
      const auto it = m_subscriptions.find(id);
      if (it == m_subscriptions.end() || it->second.transitions.empty()) continue;
      std::vector<std::uint64_t> lines;
      for (const Transition& t : it->second.transitions) lines.push_back(t.line);
      std::sort(lines.begin(), lines.end());
      const std::size_t n = lines.size();
      rd.diag(lines.front(), m_subscription, Severity::error,
              fmt::format("subscription {} has an invalid transition on line {}, so its other {} (line{} {}) {} "
                          "left out with it: a subscription is read from all its transitions or none",
                          show(id), first_bad, n == 1 ? "transition" : fmt::format("{} transitions", n),
                          n == 1 ? "" : "s", fmt::join(lines, ", "), n == 1 ? "is" : "are"));
      rd.summary.rows_used -= n;
      rd.summary.rows_rejected += n;
    }
  }

  /// A trial that ended in month `m` (its phase left TRIAL), and whether it was paying after.
  void note_trial(std::uint32_t c, MonthIndex m, bool paying) {
    Lifecycle& l = m_table->lifecycle(c, m);
    ++l.trials_ended;
    l.trials_converted += paying;
    m_any_trial = true;
  }

  std::size_t m_record = k_absent, m_account = k_absent, m_subscription = k_absent, m_event = k_absent,
              m_effective = k_absent, m_price = k_absent, m_period = k_absent, m_mrr = k_absent, m_currency = k_absent,
              m_phase = k_absent, m_requested = k_absent, m_created = k_absent, m_group = k_absent, m_name = k_absent;
  bool m_by_price = false;       ///< next_price and next_billing_period, rather than next_mrr
  bool m_billing_events = false; ///< the file has billing transitions: they drive MRR
  bool m_any_scheduled = false, m_any_trial = false;
  std::uint64_t m_test_rows = 0;
  static constexpr Day k_none = std::numeric_limits<Day>::min();
  Day m_effective_latest = k_none, m_asked_latest = k_none, m_created_latest = k_none;
  TotalsRule m_totals;
  DuplicateRule m_duplicates;
  CurrencyCheck m_currencies;
  SnapshotTable* m_table = nullptr;
  MonthSums m_month_sums; ///< each month's MRR over the customers, checked as it is added
  std::map<std::string, Subscription> m_subscriptions;
  std::map<std::string, std::uint64_t, std::less<>> m_rejected; ///< subscriptions with a rejected transition: its line
};

FileRole recognise_killbill(const Header& h) {
  return h.has("subscription_id") && h.has("event") && h.has("next_start_date") ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_killbill_form{
    "killbill",
    "subscription_id, event, next_start_date",
    "Kill Bill's analytics_subscription_transitions (analytics plugin): subscription_id, event, next_start_date, "
    "with next_price and next_billing_period (or next_mrr)",
    recognise_killbill,
    [] { return std::unique_ptr<Form>(new KillBillForm); },
    {"record_id (the transition), trimmed; without a record_id column, the whole row. A subscription's "
     "transitions are played in next_start_date order; an account's subscriptions (account_id, trimmed) are summed",
     "the same record_id twice in one file; without record_id, a row repeating an earlier row cell for cell",
     "account_id or subscription_id Total, Grand total, Summe, SMB Total and the like (one amount per row: no sums "
     "check)",
     "an empty next_price (or next_mrr) is an error on a transition that starts, changes or resumes a plan with a "
     "recurring next_billing_period; with next_billing_period empty or NO_BILLING_PERIOD, or next_phase TRIAL, it is "
     "a phase without a recurring price: 0. STOP and PAUSE transitions carry no price"}};

} // namespace cskpi::ingest
