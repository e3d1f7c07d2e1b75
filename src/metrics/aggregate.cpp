// SPDX-License-Identifier: MIT
#include "metrics/aggregate.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

namespace cskpi {

namespace {

/// Totals::add of a billing export's row with lifecycle facts (issue 30), into a copy so that
/// an overflow changes nothing; out of line, so the rows of every other form pay one test.
[[gnu::cold, gnu::noinline]] bool add_with_life(Totals& t, const MovementRow& row) noexcept {
  Totals next = t;
  if (!add_lifecycle(next.life, *row.life)) return false;
  MovementRow plain = row;
  plain.life = nullptr;
  if (!no_mrr(row) && !next.add(plain)) return false; // without MRR, only the lifecycle facts count
  t = next;
  return true;
}

} // namespace

bool Totals::add(const MovementRow& row) noexcept {
  if (row.life != nullptr) [[unlikely]]
    return add_with_life(*this, row);
  // The money sums first, into locals: on overflow nothing changes. Counts cannot overflow.
  const bool cohort_row = row.start.micros > 0;
  std::int64_t s = start.micros, e = expansion.micros, c = contraction.micros, x = churned.micros, n = new_mrr.micros,
               r = reactivation.micros, cac = cac_sum.micros, risk = at_risk_mrr.micros, end = end_mrr.micros,
               f = fx.micros, nc = new_contraction.micros, nx = new_churned.micros;
  const Money row_end = cskpi::end_mrr(row);
  bool overflow = __builtin_add_overflow(end, row_end.micros, &end);
  if (cohort_row) {
    overflow |= __builtin_add_overflow(s, row.start.micros, &s);
    overflow |= __builtin_add_overflow(e, row.expansion.micros, &e);
    overflow |= __builtin_add_overflow(c, row.contraction.micros, &c);
    overflow |= __builtin_add_overflow(x, row.churned.micros, &x);
    if (row.fx.micros != 0) overflow |= __builtin_add_overflow(f, row.fx.micros, &f);
  } else {
    overflow |= __builtin_add_overflow(nc, row.contraction.micros, &nc);
    overflow |= __builtin_add_overflow(nx, row.churned.micros, &nx);
  }
  overflow |= __builtin_add_overflow(n, row.new_mrr.micros, &n);
  overflow |= __builtin_add_overflow(r, row.reactivation.micros, &r);
  if (row.cac) overflow |= __builtin_add_overflow(cac, row.cac->micros, &cac);
  if (row.at_risk) overflow |= __builtin_add_overflow(risk, row.start.micros, &risk);
  if (overflow) return false;
  start.micros = s;
  expansion.micros = e;
  contraction.micros = c;
  churned.micros = x;
  new_mrr.micros = n;
  reactivation.micros = r;
  cac_sum.micros = cac;
  at_risk_mrr.micros = risk;
  end_mrr.micros = end;
  fx.micros = f;
  new_contraction.micros = nc;
  new_churned.micros = nx;
  ++customers;
  ending += row_end.micros > 0;
  if (cohort_row) {
    ++cohort;
    churned_logos += row.churned.micros > 0;
    expanding += row.expansion.micros > 0;
  } else {
    ++new_customers;
    new_churned_logos += row.churned.micros > 0;
  }
  if (row.cac) ++cac_count;
  if (row.at_risk) {
    ++at_risk;
    saved += row.saved;
  }
  if (row.nps >= 9) ++promoters;
  else if (row.nps >= 7) ++passives;
  else if (row.nps >= 0) ++detractors;
  return true;
}

bool Totals::merge(const Totals& o) noexcept {
  Totals next = *this;
  next.customers += o.customers;
  next.new_customers += o.new_customers;
  next.cohort += o.cohort;
  next.churned_logos += o.churned_logos;
  next.new_churned_logos += o.new_churned_logos;
  next.expanding += o.expanding;
  next.cac_count += o.cac_count;
  next.at_risk += o.at_risk;
  next.saved += o.saved;
  next.promoters += o.promoters;
  next.passives += o.passives;
  next.detractors += o.detractors;
  next.ending += o.ending;
  next.transfers_in += o.transfers_in;
  next.transfers_out += o.transfers_out;
  const bool ok = checked_add(next.start, o.start) && checked_add(next.expansion, o.expansion) &&
      checked_add(next.contraction, o.contraction) && checked_add(next.churned, o.churned) &&
      checked_add(next.new_mrr, o.new_mrr) && checked_add(next.reactivation, o.reactivation) &&
      checked_add(next.at_risk_mrr, o.at_risk_mrr) && checked_add(next.cac_sum, o.cac_sum) &&
      checked_add(next.end_mrr, o.end_mrr) && checked_add(next.transfer_in, o.transfer_in) &&
      checked_add(next.transfer_out, o.transfer_out) && checked_add(next.fx, o.fx) &&
      checked_add(next.new_contraction, o.new_contraction) && checked_add(next.new_churned, o.new_churned) &&
      add_lifecycle(next.life, o.life);
  if (!ok) return false;
  *this = next;
  return true;
}

bool Aggregator::merge(RowSink& part) {
  const Aggregator& from = dynamic_cast<const Aggregator&>(part);
  // Into a copy, so an overflow anywhere leaves this one as it was.
  std::map<std::string, PeriodTotals, std::less<>> next = m_periods;
  for (const auto& [label, theirs] : from.m_periods) {
    PeriodTotals& ours = next[label];
    Totals all = theirs.all;
    if (from.m_all_from_groups && !m_all_from_groups) // every row is in exactly one group (a fork keeps groups only)
      for (const auto& [group, totals] : theirs.groups)
        if (!all.merge(totals)) return false;
    if (!ours.all.merge(all)) return false;
    for (const auto& [group, totals] : theirs.groups)
      if (!ours.groups[group].merge(totals)) return false;
  }
  m_periods.swap(next);
  m_last = nullptr; // the nodes it pointed to are gone
  m_recent.clear();
  return true;
}

void Aggregator::transfer(const TransferRow& t) {
  if (!m_grouped) return;
  PeriodTotals& p = m_periods[std::string(t.period)];
  Totals& from = p.groups[std::string(t.from)];
  Totals& to = p.groups[std::string(t.to)];
  // Each is at most the group's starting MRR, a sum that fits.
  if (!checked_add(from.transfer_out, t.amount) || !checked_add(to.transfer_in, t.amount))
    throw input_error(fmt::format("period {}: the MRR moving between groups overflows the exact range", t.period));
  ++from.transfers_out;
  ++to.transfers_in;
  m_transfers = true;
  m_last = nullptr; // the map may have grown
  m_recent.clear();
}

void Aggregator::add(const MovementRow& row) {
  if (m_last == nullptr || !same_text(m_last_period, row.period)) {
    auto it = m_periods.find(row.period);
    if (it == m_periods.end()) it = m_periods.emplace(std::string(row.period), PeriodTotals{}).first;
    m_last = &it->second;
    m_last_period.assign(row.period);
    m_recent.clear(); // another period's groups
  }
  const auto overflow = [&](std::string_view group) {
    if (row.line == 0) // a row derived from snapshots: no line of the file is the one
      return input_error(fmt::format("{}: money totals of group {} in {} overflow the exact range "
                                     "(+-9,223,372,036,854.775807), summed over the customers: is an amount in the "
                                     "right unit?",
                                     row.file, group, row.period));
    return input_error(
        fmt::format("{}:{}: money totals of group {} overflow the exact range (+-9,223,372,036,854.775807)", row.file,
                    row.line, group));
  };
  if (!m_all_from_groups && !m_last->all.add(row)) throw overflow("all");
  if (m_grouped) {
    // The groups of the current period met so far are kept at hand: a --by column has few
    // values, and rows of different groups alternate.
    Totals* totals = nullptr;
    for (const auto& [name, t] : m_recent)
      if (same_text(name, row.group)) {
        totals = t;
        break;
      }
    if (totals == nullptr) {
      auto it = m_last->groups.find(row.group);
      if (it == m_last->groups.end()) it = m_last->groups.emplace(std::string(row.group), Totals{}).first;
      totals = &it->second;
      if (m_recent.size() < k_recent) m_recent.emplace_back(std::string_view(it->first), totals); // map nodes stay put
    }
    if (!totals->add(row)) throw overflow(row.group);
  }
}

} // namespace cskpi
