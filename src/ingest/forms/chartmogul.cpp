// SPDX-License-Identifier: MIT
// ChartMogul's MRR movements export (issue 6): one movement per row, summed per customer
// and month and accumulated into running MRR. MRR_MOVEMENT and MRR are in the account's
// currency whatever the invoice currency (CURRENCY_CODE) was, so one export is one
// currency (issue 12); the MRR column, the customer's MRR after the movement, is checked
// against the running sum.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace cskpi::ingest {

namespace {

class ChartMogulForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_mrr = rd.find({"mrr_movement"});
    m_date = rd.find({"date"});
    m_running = rd.find({"mrr"});
    for (std::string_view o : {"customer_external_id", "customer_uuid", "customer_id", "customer_name"})
      if (const std::size_t i = rd.find({o}); i != k_absent) m_ids.push_back(i);
    m_external = rd.find({"customer_external_id"});
    m_uuid = rd.find({"customer_uuid"});
    m_type = rd.find({"movement_type"});
    if (rd.options().names) m_name = rd.find({"customer_name"}); // movers (issue 30) show it
    m_subscription = rd.find({"subscription_external_id"});
    if (m_ids.empty()) {
      rd.fatal(rd.line, "a ChartMogul movements export needs CUSTOMER_EXTERNAL_ID, CUSTOMER_UUID or CUSTOMER_NAME");
      return false;
    }
    m_table = open_snapshot_table(rd, true);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    std::string_view id;
    std::size_t id_field = m_ids.front();
    for (std::size_t f : m_ids)
      if (!is_blank(rd.fields[f])) {
        id = key_cell(rd.fields[f]);
        id_field = f;
        break;
      }
    // One amount per row (an event): totals rows are known by their label only.
    if (m_totals.reject(rd, id_field, {}, k_absent)) {
      rd.count_row();
      return;
    }
    if (id.empty()) rd.field_error(m_ids.front(), "the customer has no external id, uuid or name");
    const std::optional<DateCell> d = rd.date(m_date, "DATE");
    if (!d && rd.row_ok) rd.field_error(m_date, "DATE is empty: every movement needs its date");
    const Money delta =
        required_amount(rd, m_mrr, "MRR_MOVEMENT", "every movement needs its amount (write 0 for none)", true);
    const Money running = m_running != k_absent ? rd.amount(m_running, "MRR", false) : Money{};
    if (m_type != k_absent) {
      static constexpr std::string_view k_types[] = {"new_biz", "expansion", "contraction", "churn", "reactivation"};
      const std::string t = normalise_column_name(rd.fields[m_type]);
      if (std::find(std::begin(k_types), std::end(k_types), t) == std::end(k_types))
        rd.field_error(m_type,
                       fmt::format("MOVEMENT_TYPE {} is not new_biz, expansion, contraction, churn or reactivation",
                                   show(rd.fields[m_type])));
      // The sign carries the direction: a churn written as a positive amount would add MRR.
      const bool loss = t == "contraction" || t == "churn";
      if (rd.row_ok && (loss ? delta.micros > 0 : delta.micros < 0))
        rd.field_error(m_mrr,
                       fmt::format("MRR_MOVEMENT {} is {}, but MOVEMENT_TYPE is {}: ChartMogul writes {} as {} amounts",
                                   show(rd.fields[m_mrr]), loss ? "positive" : "negative", t,
                                   loss ? "contraction and churn" : "new_biz, expansion and reactivation",
                                   loss ? "negative" : "positive"));
    }
    // Movements are events: several for one customer and day are legitimate. A line equal to
    // an earlier one in every cell is taken for the same movement exported twice: MRR (the
    // MRR after the movement) or SUBSCRIPTION_EXTERNAL_ID tells two real ones apart.
    if (rd.row_ok)
      m_lines.note(rd, m_mrr, "the movement",
                   fmt::format("{} of {} on {}", show_money(delta), show(id), trim_spaces(rd.fields[m_date])),
                   row_key(rd), "the same line twice is one movement exported twice: delete one");
    if (rd.row_ok) take(rd, id, id_field, Movement{d->month, d->day.value_or(0), rd.line, delta, running});
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    if (!resolve_uuids(rd)) return;
    if (const auto bad = m_table->accumulate()) {
      rd.fatal(0,
               fmt::format("customer {}'s MRR falls below 0 in {}: the log does not hold the customer's whole history",
                           show(m_table->id(bad->first)), month_label(bad->second)));
      return;
    }
    if (!reconciled(rd)) return;
    finish_snapshots(rd, *m_table);
  }

private:
  /// A row's movement, as booked for its customer.
  struct Movement {
    MonthIndex month;
    Day day;
    std::uint64_t line;
    Money delta, running;
    bool checked = false;                    ///< the row's MRR cell is filled in: check it
    std::uint32_t subscription = UINT32_MAX; ///< UINT32_MAX: none given
  };
  /// A row with CUSTOMER_UUID and no CUSTOMER_EXTERNAL_ID, booked once the whole file is read.
  struct Pending {
    std::string uuid, by, name;
    Movement movement;
  };
  /// The external id the rows of one CUSTOMER_UUID give it, and a second one if they disagree.
  struct Known {
    std::string id;
    std::uint64_t line = 0;
    std::string other;
    std::uint64_t other_line = 0;
  };

  /// Books the current row's movement for customer `id` (from field `id_field`). ChartMogul
  /// writes some rows with CUSTOMER_UUID only: such a row is the customer whose other rows give
  /// that uuid an external id, in any order, so it waits for the end of the file (resolve_uuids).
  void take(FileReader& rd, std::string_view id, std::size_t id_field, Movement m) {
    if (m_running != k_absent && !is_blank(rd.fields[m_running])) {
      m.checked = true;
      if (m_subscription != k_absent && !is_blank(rd.fields[m_subscription]))
        m.subscription =
            m_subscriptions
                .try_emplace(std::string(rd.fields[m_subscription]), static_cast<std::uint32_t>(m_subscriptions.size()))
                .first->second;
    }
    const std::string_view by = key_cell(rd.by_value());
    const std::string_view name = m_name != k_absent ? trim_spaces(rd.fields[m_name]) : std::string_view{};
    const std::string_view uuid = m_uuid != k_absent ? key_cell(rd.fields[m_uuid]) : std::string_view{};
    if (m_external != k_absent && id_field == m_uuid) {
      m_pending.push_back(Pending{std::string(id), std::string(by), std::string(name), m});
      return;
    }
    if (id_field == m_external && !uuid.empty()) {
      Known& k = m_known[std::string(uuid)];
      if (k.id.empty()) k = Known{std::string(id), rd.line, {}, 0};
      else if (k.id != id && k.other.empty()) k.other = id, k.other_line = rd.line;
    }
    if (!book(id, by, name, m)) rd.field_error(m_mrr, "the customer's movements in this month overflow");
  }

  bool book(std::string_view id, std::string_view by, std::string_view name, const Movement& m) {
    const std::uint32_t c = m_table->customer(id, by);
    if (m_name != k_absent) m_table->name(c, name);
    if (!m_table->add(c, m.month, m.delta)) return false;
    if (m.checked) m_checks.push_back(Check{c, m.month, m.day, m.line, m.running, m.delta, m.subscription, false});
    return true;
  }

  /// Books the rows with a uuid only under the external id the file gives the uuid (the uuid
  /// itself when none does). A uuid given two external ids leaves such a row's customer
  /// unknown: an error naming the row and both ids.
  bool resolve_uuids(FileReader& rd) {
    for (const Pending& p : m_pending) {
      std::string_view id = p.uuid;
      if (const auto it = m_known.find(p.uuid); it != m_known.end()) {
        const Known& k = it->second;
        if (!k.other.empty()) {
          rd.diag(p.movement.line, m_external, Severity::error,
                  fmt::format("CUSTOMER_EXTERNAL_ID is empty, and CUSTOMER_UUID {} is customer {} on line {} but {} on "
                              "line {}: which customer the movement is is unknown; fill in its CUSTOMER_EXTERNAL_ID",
                              show(p.uuid), show(k.id), k.line, show(k.other), k.other_line));
          rd.summary.unreadable = true;
          return false;
        }
        id = k.id;
      }
      if (!book(id, p.by, p.name, p.movement)) {
        rd.diag(p.movement.line, m_mrr, Severity::error, "the customer's movements in this month overflow");
        rd.summary.unreadable = true;
        return false;
      }
    }
    return true;
  }

  /// One row's MRR column: the customer's MRR after the movement.
  struct Check {
    std::uint32_t customer;
    MonthIndex month;
    Day day;
    std::uint64_t line;
    Money mrr, delta;
    std::uint32_t subscription; ///< UINT32_MAX: none given
    bool subscription_ok;       ///< MRR matches the subscription's own running MRR that day
  };

  /// ChartMogul does not say whether MRR is the customer's or the subscription's: with a
  /// SUBSCRIPTION_EXTERNAL_ID column, a row also passes when MRR is its subscription's
  /// running MRR at the end of the row's day.
  void check_subscriptions() {
    std::vector<std::size_t> order(m_checks.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(m_checks[a].subscription, m_checks[a].day) < std::tie(m_checks[b].subscription, m_checks[b].day);
    });
    Money running;
    for (std::size_t i = 0; i < order.size();) {
      const Check& head = m_checks[order[i]];
      if (i == 0 || m_checks[order[i - 1]].subscription != head.subscription) running = Money{};
      std::size_t j = i;
      while (j < order.size() && m_checks[order[j]].subscription == head.subscription &&
             m_checks[order[j]].day == head.day) {
        checked_add(running, m_checks[order[j]].delta);
        ++j;
      }
      bool match = false;
      for (std::size_t x = i; x < j; ++x) match = match || m_checks[order[x]].mrr == running;
      for (std::size_t x = i; x < j; ++x) m_checks[order[x]].subscription_ok = match && head.subscription != UINT32_MAX;
      i = j;
    }
  }

  /// The MRR column of each customer's last movement in a month must equal the running MRR
  /// at that month's end (movements on the same day may come in any order: one must match).
  bool reconciled(FileReader& rd) {
    if (m_subscription != k_absent) check_subscriptions();
    std::sort(m_checks.begin(), m_checks.end(), [](const Check& a, const Check& b) {
      return std::tie(a.customer, a.month, a.day) < std::tie(b.customer, b.month, b.day);
    });
    std::uint64_t off = 0;
    const Check* first_bad = nullptr;
    for (std::size_t i = 0; i < m_checks.size();) {
      std::size_t j = i; // the group of one customer and month
      while (j < m_checks.size() && m_checks[j].customer == m_checks[i].customer &&
             m_checks[j].month == m_checks[i].month)
        ++j;
      std::size_t k = j - 1; // the last day's movements
      while (k > i && m_checks[k - 1].day == m_checks[j - 1].day) --k;
      const Money end = m_table->at(m_checks[i].customer, m_checks[i].month);
      bool match = false, by_subscription = true;
      for (std::size_t x = k; x < j; ++x) match = match || m_checks[x].mrr == end;
      for (std::size_t x = i; x < j; ++x) by_subscription = by_subscription && m_checks[x].subscription_ok;
      match = match || by_subscription;
      if (!match) {
        ++off;
        if (first_bad == nullptr || m_checks[k].line < first_bad->line) first_bad = &m_checks[k];
      }
      i = j;
    }
    if (off == 0) return true;
    const Money end = m_table->at(first_bad->customer, first_bad->month);
    rd.run.diagnostics.report(Diagnostic{
        rd.name, first_bad->line, static_cast<std::uint32_t>(m_running + 1), Severity::error,
        fmt::format(
            "MRR {} of customer {} does not match {}, the sum of its MRR_MOVEMENTs up to the end of {}{}: the export "
            "is missing movements (export the whole history)",
            show_money(first_bad->mrr), show(m_table->id(first_bad->customer)), show_money(end),
            month_label(first_bad->month),
            off > 1 ? fmt::format(" ({} customer-months differ; this is the first)", off) : std::string()),
        true});
    rd.summary.unreadable = true;
    return false;
  }

  std::size_t m_mrr = k_absent, m_date = k_absent, m_running = k_absent, m_type = k_absent, m_subscription = k_absent;
  std::size_t m_name = k_absent; ///< CUSTOMER_NAME, read only for movers (issue 30)
  std::unordered_map<std::string, std::uint32_t> m_subscriptions;
  std::vector<std::size_t> m_ids; ///< id columns, preferred first
  std::size_t m_external = k_absent, m_uuid = k_absent;
  std::map<std::string, Known, std::less<>> m_known; ///< CUSTOMER_UUID -> its external id
  std::vector<Pending> m_pending;
  SnapshotTable* m_table = nullptr;
  TotalsRule m_totals;
  DuplicateRule m_lines; ///< whole lines: a movement has no key of its own
  std::vector<Check> m_checks;
};

FileRole recognise_chartmogul(const Header& h) {
  return h.has("mrr_movement") && h.has("date") ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_chartmogul_form{
    "chartmogul",
    "DATE, MRR_MOVEMENT",
    "ChartMogul's MRR movements export: DATE and MRR_MOVEMENT",
    recognise_chartmogul,
    [] { return std::unique_ptr<Form>(new ChartMogulForm); },
    {"none: a row is a movement (an event), and one customer may have several a day; summed per "
     "customer (CUSTOMER_EXTERNAL_ID, else CUSTOMER_UUID, else CUSTOMER_NAME) and month; a row with "
     "CUSTOMER_UUID but no CUSTOMER_EXTERNAL_ID is the customer whose other rows give that uuid an external id",
     "a line equal to an earlier one in every cell (trimmed): one movement exported twice",
     "a customer cell Total, Grand total, Summe, SMB Total and the like (one amount per row: no "
     "sums check)",
     "an empty MRR_MOVEMENT is an error; an empty MRR is not checked"}};

} // namespace cskpi::ingest
