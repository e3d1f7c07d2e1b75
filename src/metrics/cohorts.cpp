// SPDX-License-Identifier: MIT
// Exact trailing-12-month cohorts and the classic cohort table, from the snapshot table.
#include "metrics/cohorts.hpp"

#include "core/parallel.hpp"

#include <algorithm>
#include <map>

namespace cskpi {

// ---------------------------------------------------------------------------- cohorts

const CohortFigures* AnnualCohorts::find(std::string_view period, const std::string* group) const {
  if (group == nullptr) {
    const auto it = all.find(period);
    return it == all.end() ? nullptr : &it->second;
  }
  const auto it = groups.find(std::pair{std::string(period), *group});
  return it == groups.end() ? nullptr : &it->second;
}

namespace {

struct CohortSums {
  CohortFigures f;
  bool overflow = false; ///< a sum left int64 micro-units: no exact figure (compounding stays)
  void add(const CohortFigures& o) {
    if (!checked_add(f.start, o.start) || !checked_add(f.end, o.end) || !checked_add(f.capped_end, o.capped_end))
      overflow = true;
    f.customers += o.customers;
    f.retained += o.retained;
  }
};
struct CohortPart {
  CohortSums all;
  std::map<std::string_view, CohortSums> groups;
};

/// One period's sums over customers [from, to).
CohortPart cohort_range(const SnapshotTable& t, MonthIndex start, MonthIndex end, bool grouped,
                        bool include_reactivation, std::size_t from, std::size_t to) {
  CohortPart out;
  for (auto c = static_cast<std::uint32_t>(from); c < to; ++c) {
    const Money s = t.at(c, start);
    if (s.micros <= 0) continue;
    Money e = t.at(c, end);
    if (!include_reactivation && e.micros > 0)
      for (MonthIndex m = start + 1; m < end; ++m)
        if (t.at(c, m).micros == 0) { // churned inside the window and came back: left out
          e = Money{};
          break;
        }
    const CohortFigures one{s, e, std::min(e, s), 1, e.micros > 0 ? 1u : 0u};
    out.all.add(one);
    if (grouped) out.groups[t.group(c)].add(one);
  }
  return out;
}

} // namespace

AnnualCohorts annual_cohorts(const SnapshotTable& t, PeriodLength length, bool grouped, bool include_reactivation,
                             unsigned threads) {
  AnnualCohorts out;
  out.include_reactivation = include_reactivation;
  const std::size_t n = t.customers();
  const unsigned parts = parts_for(n, threads);
  for (const DerivedPeriod& p : derivable_periods(t, length)) {
    const MonthIndex end = p.last_month, start = end - 12;
    if (start < t.first()) continue; // not 12 months of history before this period's end
    std::vector<CohortPart> sums(parts);
    parallel_for(parts, parts, [&](std::size_t i) {
      const PartRange r = part_range(n, parts, i);
      sums[i] = cohort_range(t, start, end, grouped, include_reactivation, r.from, r.to);
    });
    CohortSums all;
    std::map<std::string_view, CohortSums> groups;
    for (const CohortPart& part : sums) {
      all.add(part.all.f);
      all.overflow = all.overflow || part.all.overflow;
      for (const auto& [g, a] : part.groups) {
        CohortSums& to = groups[g];
        to.add(a.f);
        to.overflow = to.overflow || a.overflow;
      }
    }
    if (!all.overflow) out.all[p.label] = all.f;
    for (const auto& [g, a] : groups)
      if (!a.overflow) out.groups[{p.label, std::string(g)}] = a.f;
  }
  return out;
}

std::vector<CohortRow> cohort_table(const SnapshotTable& t, bool logos) {
  std::vector<CohortRow> rows;
  if (t.empty()) return rows;
  const std::size_t n = t.customers();
  const auto months = static_cast<std::size_t>(t.last() - t.first() + 1);
  // Acquisition month per customer: its first month with MRR.
  std::map<MonthIndex, std::vector<std::uint32_t>> cohorts;
  for (std::uint32_t c = 0; c < n; ++c)
    for (MonthIndex m = t.first(); m <= t.last(); ++m)
      if (t.at(c, m).micros > 0) {
        cohorts[m].push_back(c);
        break;
      }
  for (const auto& [month, members] : cohorts) {
    CohortRow row;
    row.month = month;
    row.before_data = month == t.first();
    row.customers = members.size();
    for (std::uint32_t c : members) checked_add(row.start, t.at(c, month));
    const auto ages = months - static_cast<std::size_t>(month - t.first());
    for (std::size_t age = 0; age < ages; ++age) {
      const MonthIndex m = month + static_cast<MonthIndex>(age);
      Money sum;
      std::uint64_t active = 0;
      for (std::uint32_t c : members) {
        const Money v = t.at(c, m);
        if (!checked_add(sum, v)) sum = Money{INT64_MAX};
        if (v.micros > 0) ++active;
      }
      if (logos) row.retention.push_back(static_cast<double>(active) * 100.0 / static_cast<double>(row.customers));
      else if (row.start.micros > 0)
        row.retention.push_back(static_cast<double>(static_cast<long double>(sum.micros) * 100.0L /
                                                    static_cast<long double>(row.start.micros)));
      else row.retention.push_back(std::nullopt);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<CohortSurvivors> cohort_survivors(const SnapshotTable& t) {
  std::vector<CohortSurvivors> out;
  if (t.empty()) return out;
  std::map<MonthIndex, std::size_t> index; // acquisition month -> position in `out`
  for (std::uint32_t c = 0; c < t.customers(); ++c) {
    MonthIndex first = t.first();
    while (first <= t.last() && t.at(c, first).micros <= 0) ++first;
    if (first > t.last()) continue; // never paid
    auto [it, added] = index.try_emplace(first, out.size());
    if (added) {
      CohortSurvivors s;
      s.month = first;
      s.before_data = first == t.first();
      const auto ages = static_cast<std::size_t>(t.last() - first + 1);
      s.alive.assign(ages, 0);
      s.mrr.assign(ages, Money{});
      out.push_back(std::move(s));
    }
    CohortSurvivors& s = out[it->second];
    for (MonthIndex m = first; m <= t.last() && t.at(c, m).micros > 0; ++m) {
      const auto age = static_cast<std::size_t>(m - first);
      ++s.alive[age];
      if (!checked_add(s.mrr[age], t.at(c, m))) s.mrr[age] = Money{INT64_MAX};
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CohortSurvivors& a, const CohortSurvivors& b) { return a.month < b.month; });
  return out;
}

} // namespace cskpi
