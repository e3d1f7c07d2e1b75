// SPDX-License-Identifier: MIT
// MRR snapshot files (issue 6): the long form (one row per customer and month) and the
// wide form (one row per customer, one column per month). Read whole into the run's
// SnapshotTable, then movements are derived from it.
#include "reader.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

namespace {

constexpr std::string_view k_month_names[] = {"month", "date", "snapshot_date", "period"};

class LongSnapshotsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"customer_id"});
    m_mrr = rd.find({"mrr"});
    m_month = rd.find(k_month_names);
    m_currency = rd.find({"currency", "currency_code"});
    m_table = open_snapshot_table(rd, false);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const std::string_view id = rd.fields[m_id];
    if (is_blank(id)) rd.field_error(m_id, "customer_id is empty");
    const std::optional<MonthIndex> m = rd.month(m_month, rd.names[m_month]);
    if (!m && rd.row_ok) rd.field_error(m_month, fmt::format("{} is empty: every row needs its month", rd.names[m_month]));
    const Money mrr = rd.amount(m_mrr, "mrr", false);
    if (m_currency != k_absent) m_currencies.note(rd, m_currency);
    if (rd.row_ok) {
      const std::uint32_t c = m_table->customer(id, rd.by_value());
      if (!m_table->set(c, *m, mrr))
        rd.field_error(m_month, fmt::format("customer {} already has MRR for {}: one row per customer and month", show(id),
                                            month_label(*m)));
      else if (rd.run.fx && m_currency != k_absent)
        m_native.push_back(Native{c, *m, mrr, std::string(rd.fields[m_currency]), rd.line});
    }
    rd.count_row();
  }

  void finish(FileReader& rd) override {
    m_currencies.finish(rd);
    if (rd.summary.unreadable) return;
    // --fx: every month at the rate of the last one (constant currency), so exchange rates
    // moving never show as expansion or contraction.
    m_table->close_range();
    for (const Native& n : m_native) {
      rd.line = n.line;
      rd.row_ok = true;
      const Money converted = rd.convert(n.mrr, n.currency, m_table->last(), m_currency);
      if (!rd.row_ok) {
        rd.summary.unreadable = true; // the error names the row; the history is incomplete without it
        return;
      }
      m_table->replace(n.customer, n.month, converted);
    }
    finish_snapshots(rd, *m_table);
  }

private:
  std::size_t m_id = k_absent, m_mrr = k_absent, m_month = k_absent, m_currency = k_absent;
  SnapshotTable* m_table = nullptr;
  CurrencyCheck m_currencies;
  struct Native { ///< an amount to convert once the last month is known
    std::uint32_t customer;
    MonthIndex month;
    Money mrr;
    std::string currency;
    std::uint64_t line;
  };
  std::vector<Native> m_native;
};

class WideSnapshotsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"customer_id"});
    for (std::size_t i = 0; i < rd.fields.size(); ++i) {
      if (i == m_id || i == rd.by_pos) continue;
      if (const std::optional<MonthIndex> m = parse_month(rd.fields[i])) {
        for (const auto& [f, seen] : m_months)
          if (seen == *m) {
            rd.fatal(rd.line, fmt::format("month {} appears twice in the header (fields {} and {})", month_label(*m), f + 1, i + 1));
            return false;
          }
        m_months.emplace_back(i, *m);
      }
    }
    m_values.resize(m_months.size());
    m_table = open_snapshot_table(rd, false);
    return m_table != nullptr;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const std::string_view id = rd.fields[m_id];
    if (is_blank(id)) rd.field_error(m_id, "customer_id is empty");
    for (std::size_t i = 0; i < m_months.size(); ++i) {
      const std::size_t f = m_months[i].first;
      m_values[i] = is_blank(rd.fields[f]) ? std::nullopt : std::optional<Money>(rd.amount(f, month_label(m_months[i].second), false));
    }
    if (rd.row_ok) {
      const std::size_t before = m_table->customers();
      const std::uint32_t c = m_table->customer(id, rd.by_value());
      if (c < before) rd.field_error(m_id, fmt::format("customer {} has a second row: one row per customer", show(id)));
      else
        for (std::size_t i = 0; i < m_months.size(); ++i) m_table->set(c, m_months[i].second, m_values[i].value_or(Money{}));
    }
    rd.count_row();
  }

  void finish(FileReader& rd) override { finish_snapshots(rd, *m_table); }

private:
  std::size_t m_id = k_absent;
  std::vector<std::pair<std::size_t, MonthIndex>> m_months; ///< (field, month)
  std::vector<std::optional<Money>> m_values;              ///< one row's cells
  SnapshotTable* m_table = nullptr;
};

/// Movement columns: a file with them is a movements file with a misnamed start_mrr, not
/// a snapshot file (issue 12: start_mrr renamed to MRR).
constexpr std::string_view k_movement_names[] = {"expansion_mrr", "contraction_mrr", "churned_mrr"};

FileRole recognise_long(const Header& h) {
  return h.has("customer_id") && h.has("mrr") && h.has_any(k_month_names) && !h.has_any(k_movement_names) ? FileRole::billing
                                                                                                          : FileRole::unknown;
}

FileRole recognise_wide(const Header& h) {
  if (!h.has("customer_id") || h.has_any(k_movement_names)) return FileRole::unknown;
  std::size_t months = 0;
  for (std::string_view f : h.raw)
    if (parse_month(f)) ++months;
  return months >= 2 ? FileRole::billing : FileRole::unknown;
}

} // namespace

const FormInfo k_long_snapshots_form{"snapshots (long)", "customer_id, mrr, month", "customer_id, mrr and a month or date column", recognise_long,
                                     [] { return std::unique_ptr<Form>(new LongSnapshotsForm); }};
const FormInfo k_wide_snapshots_form{"snapshots (wide)", "customer_id, one column per month", "customer_id and one column per month, such as 2026-01",
                                     recognise_wide, [] { return std::unique_ptr<Form>(new WideSnapshotsForm); }};

} // namespace cskpi::ingest
