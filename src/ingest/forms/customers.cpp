// SPDX-License-Identifier: MIT
// Customers files (issue 7): one customer's attributes per row, joined on customer_id. The
// attribute cells are shared with movements files that carry attribute columns.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

void AttributeCells::locate(FileReader& rd) {
  using N = AttributeNames;
  id = rd.find({"customer_id"});
  health = rd.find(N::health);
  signup = rd.find(N::signup);
  value = rd.find(N::value);
  renewal = rd.find(N::renewal);
  renewed = rd.find(N::renewed);
  reason = rd.find(N::reason);
  name = rd.find(N::name);
  AttributeColumns& c = rd.run.attrs().columns;
  c.health |= health != k_absent;
  c.signup |= signup != k_absent;
  c.first_value |= value != k_absent;
  c.renewal |= renewal != k_absent;
  c.renewed |= renewed != k_absent;
  c.churn_reason |= reason != k_absent;
}

void AttributeCells::read(FileReader& rd, CustomerRecord& rec) {
  const std::vector<std::string_view>& fields = rd.fields;
  const auto score_cell = [&](std::size_t field, bool is_health) -> std::optional<std::int64_t> {
    if (field == k_absent || is_blank(fields[field])) return std::nullopt;
    const ParsedMoney p = parse_money(fields[field], rd.style);
    const bool over = is_health && rd.options().health_over_100;
    if (p.status == ParsedMoney::Status::ok && p.value.micros >= 0 && (over || p.value.micros <= 100 * Money::k_scale))
      return p.value.micros;
    rd.field_error(field,
                   fmt::format("{} {} is not a number from 0 to 100{}", rd.names[field], show(fields[field]),
                               over ? " (or above, for power users)" : ""));
    return std::nullopt;
  };
  rec.health = score_cell(health, true);
  rec.components.clear();
  for (const std::size_t f : components) rec.components.push_back(score_cell(f, false));
  const auto day_cell = [&](std::size_t field) {
    return field == k_absent ? std::nullopt : rd.day(field, rd.names[field]);
  };
  rec.signup = day_cell(signup);
  rec.first_value = day_cell(value);
  rec.renewal = day_cell(renewal);
  if (rec.signup && rec.first_value && *rec.first_value < *rec.signup)
    rd.field_error(value,
                   fmt::format("{} {} is before {} {}", rd.names[value], show(fields[value]), rd.names[signup],
                               show(fields[signup])));
  if (renewed != k_absent && !is_blank(fields[renewed])) {
    rec.renewed = parse_bool(fields[renewed]);
    if (!rec.renewed)
      rd.field_error(
          renewed,
          fmt::format("renewed {} is not a boolean (use 1/0, true/false, yes/no or y/n)", show(fields[renewed])));
  }
  if (reason != k_absent) {
    const std::string_view text = trim_spaces(fields[reason]);
    if (text.find('\0') != std::string_view::npos)
      rd.field_error(reason,
                     fmt::format("{} {} holds a NUL byte: binary data, not text", rd.names[reason], show(text)));
    rec.churn_reason.assign(text);
  }
  if (name != k_absent) rec.name.assign(trim_spaces(fields[name]));
  rec.file = rd.name;
  rec.line = rd.line;
}

bool has_billing_columns(const Header& h) {
  static constexpr std::string_view k_money[] = {
      "expansion_mrr", "contraction_mrr", "churned_mrr", "new_mrr", "end_mrr", "mrr", "mrr_movement"};
  if (h.has_any(k_money)) return true;
  std::size_t months = 0;
  for (std::string_view f : h.raw)
    if (parse_month(f)) ++months;
  return months >= 2;
}

namespace {

class CustomersForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_attr.locate(rd);
    // Components are asked for by cskpi health alone, which scores from them and nothing else:
    // a column it does not use (a slash-dated renewal_date, a free-text reason) is not read,
    // so a cell in it can neither stop the scores nor reject a row (issue 28).
    if (!rd.options().components.empty()) {
      m_attr.health = m_attr.signup = m_attr.value = m_attr.renewal = m_attr.renewed = m_attr.reason = m_attr.name =
          k_absent;
      // Nor is it one of the columns the duplicate-column rule checks.
      std::erase_if(rd.read_columns, [&](std::size_t at) { return at != m_attr.id; });
    }
    for (const std::string& c : rd.options().components) {
      const std::size_t at = rd.find({c});
      if (at == k_absent) {
        rd.fatal(rd.line,
                 fmt::format("health component {} is not a column of this customers file (columns: {})", c,
                             shown_columns(rd.names)));
        return false;
      }
      m_attr.components.push_back(at);
    }
    rd.run.attrs().customer_files.push_back(rd.name);
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    const std::string_view id = key_cell(rd.fields[m_attr.id]);
    if (m_totals.reject(rd, m_attr.id, {}, k_absent)) { // no amounts: labels only
      rd.count_row();
      return;
    }
    if (id.empty()) rd.field_error(m_attr.id, "customer_id is empty");
    else if (id.find('\0') != std::string_view::npos)
      rd.field_error(m_attr.id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(id)));
    CustomerRecord rec;
    m_attr.read(rd, rec);
    if (rd.by_pos != k_absent) {
      rec.group.assign(key_cell(rd.fields[rd.by_pos]));
      rec.has_group = true;
    }
    Attributes& a = rd.run.attrs();
    if (rd.row_ok) {
      const auto it = a.index.find(std::string(id));
      if (it != a.index.end() && !a.customers[it->second].from_billing) {
        const CustomerRecord& first = a.customers[it->second];
        rd.field_error(m_attr.id,
                       fmt::format("customer_id {} appears twice in the customers files (first at {})", show(id),
                                   first.file == rd.name ? fmt::format("line {}", first.line)
                                                         : fmt::format("{}:{}", first.file, first.line)));
      }
    }
    rd.count_row();
    if (!rd.row_ok) return;
    rec.id.assign(id);
    const auto [it, fresh] = a.index.try_emplace(rec.id, a.customers.size());
    if (fresh) a.customers.push_back(std::move(rec));
    else a.customers[it->second] = std::move(rec); // a customers file outranks attribute columns of a movements file
  }

private:
  AttributeCells m_attr;
  TotalsRule m_totals;
};

/// Whether a column name reads as money, time or a subscription's state (a word of it such as
/// mrr, revenue, amount, start, period, month, date, status, interval): a file with such a
/// column and no known one is an export whose columns we did not recognise, better refused
/// by the movements form's "missing column" error (with its --map hint) than read as a list
/// of customers with nothing joined from it.
bool looks_like_billing(std::string_view name) {
  static constexpr std::string_view k_words[] = {
      "mrr",         "arr",      "revenue", "amount",   "price",    "amt",          "sum",      "total",
      "start",       "end",      "opening", "closing",  "new",      "churn",        "churned",  "expansion",
      "contraction", "movement", "period",  "month",    "quarter",  "year",         "date",     "day",
      "created",     "utc",      "status",  "interval", "quantity", "subscription", "currency", "invoice"};
  if (parse_month(name)) return true;
  while (!name.empty()) {
    const std::size_t cut = name.find_first_of("_.()/");
    const std::string_view word = name.substr(0, cut);
    for (const std::string_view w : k_words)
      if (word == w) return true;
    if (cut == std::string_view::npos) break;
    name.remove_prefix(cut + 1);
  }
  return false;
}

FileRole recognise_customers(const Header& h) {
  if (!h.has("customer_id") || has_billing_columns(h)) return FileRole::unknown;
  bool attribute = has_customer_attributes(h) || (!h.options.by_column.empty() && h.has(h.options.by_column));
  for (const std::string& c : h.options.components) attribute = attribute || h.has(c);
  if (attribute) return FileRole::customers;
  // SPEC 1.1: customer_id and none of the other forms' columns is a customers file, even when
  // no column has a role of its own (customer_id,segment; customer_id,usage,engagement): they
  // are groups for --by and health components (issue 28). Not when a column looks like money
  // or time, nor customer_id alone.
  std::size_t others = 0;
  for (const std::string& name : h.names) {
    if (name == "customer_id" || name.empty()) continue;
    if (looks_like_billing(name)) return FileRole::unknown;
    ++others;
  }
  return others > 0 ? FileRole::customers : FileRole::unknown;
}

} // namespace

const FormInfo k_customers_form{
    "customers",
    "customer_id and attribute columns",
    "customer_id and attribute columns such as health_score, signup_date or renewal_date, "
    "or only columns without a role (region), none of them money or a date",
    recognise_customers,
    [] { return std::unique_ptr<Form>(new CustomersForm); },
    {"customer_id",
     "the same customer_id twice in the customers files (a billing file's "
     "attribute columns are overridden, not duplicates)",
     "customer_id Total, Grand total, Summe, SMB Total and the like (no amounts: no sums check)",
     "no amounts; an empty attribute cell is unknown, never 0"}};

} // namespace cskpi::ingest
