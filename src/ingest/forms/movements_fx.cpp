// SPDX-License-Identifier: MIT
// --fx-method transaction for movements files (issue 30): each customer's MRR is held at the
// rate of the period of its last transaction. A row's value depends on the customer's rows
// before it, which may come later in the file, so under this method the rows wait here with
// their native amounts until the file is read; see TransactionRows in movements.hpp.
#include "ingest/forms/movements.hpp"

#include <algorithm>
#include <numeric>

namespace cskpi::ingest::movements {

void TransactionRows::native(const MovementRow& r, std::string_view currency) {
  m_native = {r.start, r.expansion, r.contraction, r.churned, r.new_mrr, r.reactivation};
  m_currency = currency_code(currency);
}

void TransactionRows::keep(const MovementRow& r) {
  Row k;
  k.row = r;
  k.text = std::string(r.file) + '\0' + std::string(r.customer_id) + '\0' + std::string(r.period) + '\0' +
      std::string(r.group) + '\0' + std::string(r.name);
  k.native = m_native;
  k.currency = m_currency;
  if (const std::optional<Period> p = parse_period(r.period)) k.first_month = month_span(*p).first;
  m_rows.push_back(std::move(k));
}

namespace {

/// The parts of Row::text, in the order keep() wrote them.
std::array<std::string_view, 5> parts(const std::string& text) {
  std::array<std::string_view, 5> out;
  std::size_t at = 0;
  for (std::string_view& p : out) {
    const std::size_t end = std::min(text.find('\0', at), text.size());
    p = std::string_view(text).substr(at, end - at);
    at = end + 1;
  }
  return out;
}

Money sum(std::initializer_list<Money> add, std::initializer_list<Money> take) {
  std::int64_t v = 0;
  for (const Money m : add) v += m.micros;
  for (const Money m : take) v -= m.micros;
  return Money{v};
}

} // namespace

void TransactionRows::carry(const FxTable& fx, Row& k, State& s) const {
  MovementRow& r = k.row; // its amounts at the period's rate (convert())
  const auto& [start, expansion, contraction, churned, new_mrr, reactivation] = k.native;
  const Money end_native = sum({start, expansion, new_mrr, reactivation}, {contraction, churned});
  // The value the customer opens the period with: carried from its row before when that row
  // ended where this one starts, else locked at the rate of the month before the period.
  Money open = r.start;
  const bool carried = s.known && s.held == start && (s.currency == k.currency || start.micros == 0);
  const bool switched = s.known && s.held.micros > 0 && start.micros > 0 && s.currency != k.currency;
  if (carried || switched) open = s.value;
  else if (start.micros > 0)
    if (const std::optional<Decimal> rate = fx.rate(k.currency, k.first_month - 1))
      open = convert(start, *rate).value_or(r.start);
  const bool change = expansion.micros != 0 || contraction.micros != 0 || churned.micros != 0 || new_mrr.micros != 0 ||
      reactivation.micros != 0;
  r.fx = Money{};
  if (!change && !switched) { // no transaction: the locked value, whatever the rates do
    r.start = open;
  } else if (end_native.micros == 0) { // churn removes the locked value
    const Money rest = sum({open, r.new_mrr, r.reactivation, r.expansion}, {r.contraction});
    r.start = open;
    r.churned = rest;
    if (rest.micros < 0) { // contraction at a risen rate beyond the locked value: re-pricing
      r.fx = Money{-rest.micros};
      r.start = Money{open.micros + r.fx.micros};
      r.churned = Money{};
    }
  } else if (switched) { // a new currency: the old value leaves, the new comes in at this rate
    const Money adjust{r.start.micros - open.micros};
    if (adjust.micros > 0) r.expansion = Money{r.expansion.micros + adjust.micros};
    else r.contraction = Money{r.contraction.micros - adjust.micros};
    r.start = open;
  } else { // a transaction: the kept MRR re-priced to this period's rate is the FX line
    r.fx = Money{r.start.micros - open.micros};
  }
  s.known = true;
  s.held = end_native;
  s.currency = k.currency;
  s.value = end_mrr(r);
}

void TransactionRows::finish(FileReader& rd) {
  if (m_rows.empty() || !rd.run.fx) return;
  std::vector<std::size_t> order(m_rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<std::string> ids(m_rows.size());
  for (std::size_t i = 0; i < m_rows.size(); ++i) ids[i] = std::string(parts(m_rows[i].text)[1]);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ids[a] != ids[b] ? ids[a] < ids[b] : m_rows[a].first_month < m_rows[b].first_month;
  });
  State s;
  for (std::size_t n = 0; n < order.size(); ++n) {
    if (n == 0 || ids[order[n]] != ids[order[n - 1]]) s = State{};
    carry(*rd.run.fx, m_rows[order[n]], s);
  }
  for (Row& k : m_rows) { // in file order, as the rows were read
    const std::array<std::string_view, 5> p = parts(k.text);
    k.row.file = p[0];
    k.row.customer_id = p[1];
    k.row.period = p[2];
    k.row.group = p[3];
    k.row.name = p[4];
    rd.sink.add(k.row);
  }
  m_rows.clear();
}

} // namespace cskpi::ingest::movements
