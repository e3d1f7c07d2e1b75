// SPDX-License-Identifier: MIT
#include "cskpi/aggregate.hpp"

#include "cskpi/error.hpp"

#include <fmt/format.h>

namespace cskpi {

bool Totals::add(const MovementRow& row) noexcept {
  Totals next = *this;
  ++next.customers;
  bool ok = true;
  if (row.start.micros > 0) {
    ++next.cohort;
    if (row.churned.micros > 0) ++next.churned_logos;
    if (row.expansion.micros > 0) ++next.expanding;
    ok = checked_add(next.start, row.start) && checked_add(next.expansion, row.expansion) &&
         checked_add(next.contraction, row.contraction) && checked_add(next.churned, row.churned);
  } else {
    ++next.new_customers;
  }
  ok = ok && checked_add(next.new_mrr, row.new_mrr) && checked_add(next.reactivation, row.reactivation);
  if (row.cac) {
    ++next.cac_count;
    ok = ok && checked_add(next.cac_sum, *row.cac);
  }
  if (row.at_risk) {
    ++next.at_risk;
    if (row.saved) ++next.saved;
    ok = ok && checked_add(next.at_risk_mrr, row.start);
  }
  if (row.nps >= 9) ++next.promoters;
  else if (row.nps >= 7) ++next.passives;
  else if (row.nps >= 0) ++next.detractors;
  if (!ok) return false;
  *this = next;
  return true;
}

bool Totals::merge(const Totals& o) noexcept {
  Totals next = *this;
  next.customers += o.customers;
  next.new_customers += o.new_customers;
  next.cohort += o.cohort;
  next.churned_logos += o.churned_logos;
  next.expanding += o.expanding;
  next.cac_count += o.cac_count;
  next.at_risk += o.at_risk;
  next.saved += o.saved;
  next.promoters += o.promoters;
  next.passives += o.passives;
  next.detractors += o.detractors;
  const bool ok = checked_add(next.start, o.start) && checked_add(next.expansion, o.expansion) &&
                  checked_add(next.contraction, o.contraction) && checked_add(next.churned, o.churned) &&
                  checked_add(next.new_mrr, o.new_mrr) && checked_add(next.reactivation, o.reactivation) &&
                  checked_add(next.at_risk_mrr, o.at_risk_mrr) && checked_add(next.cac_sum, o.cac_sum);
  if (!ok) return false;
  *this = next;
  return true;
}

void Aggregator::add(const MovementRow& row) {
  if (m_last == nullptr || m_last_period != row.period) {
    auto it = m_periods.find(row.period);
    if (it == m_periods.end()) it = m_periods.emplace(std::string(row.period), PeriodTotals{}).first;
    m_last = &it->second;
    m_last_period.assign(row.period);
  }
  const auto overflow = [&](std::string_view group) {
    return input_error(fmt::format("{}:{}: money totals of group {} overflow the exact range (+-9,223,372,036,854.775807)",
                                   row.file, row.line, group));
  };
  if (!m_last->all.add(row)) throw overflow("all");
  if (m_grouped) {
    auto it = m_last->groups.find(row.group);
    if (it == m_last->groups.end()) it = m_last->groups.emplace(std::string(row.group), Totals{}).first;
    if (!it->second.add(row)) throw overflow(row.group);
  }
}

} // namespace cskpi
