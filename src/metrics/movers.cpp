// SPDX-License-Identifier: MIT
#include "metrics/movers.hpp"

#include "core/csv.hpp"

#include <algorithm>
#include <utility>

namespace cskpi {

std::size_t mover_kind_index(std::string_view id) noexcept {
  for (std::size_t k = 0; k < k_mover_kind_count; ++k)
    if (k_mover_kinds[k].id == id) return k;
  return k_mover_kind_count;
}

namespace {

/// The kinds of rows, not transfers, in k_mover_kinds order: what add() looks at.
constexpr std::size_t k_row_kind_count = k_mover_kind_count - 2;
constexpr std::array<std::size_t, k_row_kind_count> k_row_kinds = [] {
  std::array<std::size_t, k_row_kind_count> out{};
  std::size_t n = 0;
  for (std::size_t k = 0; k < k_mover_kind_count; ++k)
    if (!is_transfer_kind(k)) out[n++] = k;
  return out;
}();

} // namespace

void MoversSink::offer(Line& line, std::string_view customer, std::string_view name, Money amount) const {
  std::vector<Mover>& heap = line.heap;
  if (m_limit == 0) {
    heap.push_back(Mover{std::string(customer), amount, std::string(name)});
    return;
  }
  if (heap.size() < m_limit) {
    heap.push_back(Mover{std::string(customer), amount, std::string(name)});
    std::push_heap(heap.begin(), heap.end(), mover_before);
    return;
  }
  // Full: the front ranks last. Most rows lose to it on the amount alone, without a copy.
  const Mover& last = heap.front();
  if (amount.micros < last.amount.micros ||
      (amount.micros == last.amount.micros && std::string_view(last.customer_id) <= customer))
    return;
  std::pop_heap(heap.begin(), heap.end(), mover_before);
  heap.back().customer_id.assign(customer);
  heap.back().amount = amount;
  heap.back().name.assign(name);
  std::push_heap(heap.begin(), heap.end(), mover_before);
}

void MoversSink::take(Line& into, const Line& from) const {
  into.total += from.total;
  into.customers += from.customers;
  for (const Mover& m : from.heap) offer(into, m.customer_id, m.name, m.amount);
}

MoversSink::Lines& MoversSink::lines_of(const MovementRow& row) {
  if (m_last == nullptr || !same_text(m_last_period, row.period)) {
    auto it = m_periods.find(row.period);
    if (it == m_periods.end()) it = m_periods.emplace(std::string(row.period), Period{}).first;
    m_last = &it->second;
    m_last_period.assign(row.period);
    m_recent.clear();
  }
  if (!m_grouped) return m_last->all;
  // As in Aggregator::add: a --by column has few values, and rows of different groups alternate.
  for (const auto& [name, lines] : m_recent)
    if (same_text(name, row.group)) return *lines;
  auto it = m_last->groups.find(row.group);
  if (it == m_last->groups.end()) it = m_last->groups.emplace(std::string(row.group), Lines{}).first;
  if (m_recent.size() < 8) m_recent.emplace_back(std::string_view(it->first), &it->second);
  return it->second;
}

void MoversSink::add(const MovementRow& row) {
  // Most rows of a period are flat: a starting customer whose columns move nothing is on no
  // line (its amounts are those columns). One test, not a look at each kind.
  if (row.start.micros > 0 &&
      (row.new_mrr.micros | row.expansion.micros | row.reactivation.micros | row.contraction.micros |
       row.churned.micros) == 0)
    return;
  offer_rows(row, std::make_index_sequence<k_row_kind_count>{});
}

template <std::size_t... I> void MoversSink::offer_rows(const MovementRow& row, std::index_sequence<I...>) {
  // Each kind's amount function is a constant here, so the compiler calls it inline, not
  // through the pointer (a loop over k_mover_kinds costs about 70 instructions a row).
  Lines* lines = nullptr; // looked up only for a row that moves
  (offer_row<k_row_kinds[I]>(row, lines), ...);
}

template <std::size_t K> void MoversSink::offer_row(const MovementRow& row, Lines*& lines) {
  const Money amount = k_mover_kinds[K].amount(row);
  if (amount.micros == 0) return;
  if (lines == nullptr) lines = &lines_of(row);
  Line& line = (*lines)[K];
  line.total += amount.micros;
  if (amount.micros < 0) return; // counts in the sum, but moves no customer onto the line
  ++line.customers;
  std::string buffer;
  offer(line, row.customer_id, row_name(row, buffer), amount);
}

void MoversSink::transfer(const TransferRow& t) {
  if (!m_grouped) return; // no groups, no transfers (the ingestor finds none)
  auto p = m_periods.find(t.period);
  if (p == m_periods.end()) p = m_periods.emplace(std::string(t.period), Period{}).first;
  const auto group = [&](std::string_view g) -> Lines& {
    auto it = p->second.groups.find(g);
    if (it == p->second.groups.end()) it = p->second.groups.emplace(std::string(g), Lines{}).first;
    return it->second;
  };
  for (Line* line : {&group(t.from)[k_transfer_out], &group(t.to)[k_transfer_in]}) {
    line->total += t.amount.micros;
    if (t.amount.micros <= 0) continue;
    ++line->customers;
    offer(*line, t.customer_id, t.name, t.amount);
  }
  m_last = nullptr; // transfers come after every row; look the period up again all the same
  m_recent.clear();
}

bool MoversSink::merge(RowSink& part) {
  const MoversSink& from = dynamic_cast<const MoversSink&>(part);
  for (const auto& [label, theirs] : from.m_periods) {
    auto it = m_periods.find(label);
    if (it == m_periods.end()) it = m_periods.emplace(label, Period{}).first;
    Period& ours = it->second;
    for (std::size_t k = 0; k < k_mover_kind_count; ++k) take(ours.all[k], theirs.all[k]);
    for (const auto& [group, lines] : theirs.groups) {
      Lines& into = ours.groups[group];
      for (std::size_t k = 0; k < k_mover_kind_count; ++k) take(into[k], lines[k]);
    }
  }
  m_last = nullptr; // a new period's node may now sort before it; look it up again
  m_recent.clear();
  return true;
}

std::vector<MoverLine> MoversSink::lines() const {
  std::vector<MoverLine> out;
  const auto emit = [&](const std::string& period, const std::string& group, bool whole, const Lines& lines) {
    for (std::size_t k = 0; k < k_mover_kind_count; ++k) {
      const Line& l = lines[k];
      if (l.total == 0 && l.customers == 0) continue;
      MoverLine m{period, group, whole, k, l.total, l.customers, l.heap};
      std::sort(m.movers.begin(), m.movers.end(), mover_before);
      out.push_back(std::move(m));
    }
  };
  for (const auto& [period, p] : m_periods) {
    if (m_grouped) {
      Lines all; // the top N of the whole base is among the groups' top N; transfers cancel out in it
      for (const auto& [group, lines] : p.groups)
        for (const std::size_t k : k_row_kinds) take(all[k], lines[k]);
      emit(period, "", true, all);
      for (const auto& [group, lines] : p.groups) emit(period, group, false, lines);
    } else {
      emit(period, "", true, p.all);
    }
  }
  return out;
}

std::unique_ptr<RowSink> TeeSink::fork() const {
  std::unique_ptr<RowSink> a = m_first->fork();
  if (a == nullptr) return nullptr;
  std::unique_ptr<RowSink> b = m_second->fork();
  if (b == nullptr) return nullptr;
  auto tee = std::make_unique<TeeSink>(*a, *b);
  tee->m_own_first = std::move(a);
  tee->m_own_second = std::move(b);
  return tee;
}

bool TeeSink::merge(RowSink& part) {
  TeeSink& from = dynamic_cast<TeeSink&>(part);
  if (!m_first->merge(*from.m_first)) return false;
  return m_second->merge(*from.m_second);
}

} // namespace cskpi
