// SPDX-License-Identifier: MIT
// The continuity of movements files (issue 28); see continuity.hpp.
#include "ingest/continuity.hpp"

#include "ingest/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace cskpi::ingest {

std::unique_ptr<RowSink> ContinuitySink::fork() const {
  std::unique_ptr<RowSink> inner = m_inner->fork();
  if (!inner) return nullptr;
  auto part = std::make_unique<ContinuitySink>(*inner, *m_on, m_lazy_file);
  part->m_owned = std::move(inner);
  return part;
}

bool ContinuitySink::merge(RowSink& part) {
  auto& p = static_cast<ContinuitySink&>(part);
  if (!m_inner->merge(*p.m_inner)) return false; // the caller adds its rows one by one: they are summed then
  add_sums(m_sums, p.sums());
  return true;
}

ContinuitySums& ContinuitySink::find(std::uint64_t key) {
  for (std::size_t i = 0; i < m_sums.size(); ++i)
    if (m_sums[i].first == key) {
      m_last = i;
      return m_sums[i].second;
    }
  m_last = m_sums.size();
  return m_sums.emplace_back(key, ContinuitySums{}).second;
}

void add_sums(PeriodSums& into, const PeriodSums& from) {
  for (const auto& [key, s] : from) {
    auto it = std::find_if(into.begin(), into.end(), [key = key](const auto& e) { return e.first == key; });
    if (it == into.end()) it = into.emplace(into.end(), key, ContinuitySums{});
    ContinuitySums& t = it->second;
    t.starts += s.starts;
    t.ends += s.ends;
    t.group_starts += s.group_starts;
    t.group_ends += s.group_ends;
    t.starting += s.starting;
    t.ending += s.ending;
    t.partial = t.partial || s.partial;
  }
}

std::vector<ContinuityBreak> continuity_breaks(const std::string& before_label,
                                               const std::vector<ContinuityRow>& before, const std::string& after_label,
                                               const std::vector<ContinuityRow>& after, Money tolerance,
                                               const std::vector<std::string>& names,
                                               const std::vector<std::pair<std::uint32_t, std::uint32_t>>& columns) {
  std::unordered_map<std::string_view, const ContinuityRow*> earlier, later;
  earlier.reserve(before.size());
  later.reserve(after.size());
  for (const ContinuityRow& r : before) earlier.emplace(r.id, &r);
  for (const ContinuityRow& r : after) later.emplace(r.id, &r);
  const auto column = [&](const ContinuityRow& r, bool start) {
    return r.file < columns.size() ? (start ? columns[r.file].second : columns[r.file].first) : 0u;
  };
  const auto where = [&](const ContinuityRow& r, const ContinuityRow& from) {
    return r.file == from.file ? fmt::format("line {}", r.line) : fmt::format("{}:{}", names[r.file], r.line);
  };
  std::vector<ContinuityBreak> breaks;
  for (const ContinuityRow& r : after) {
    const auto it = earlier.find(r.id);
    if (it == earlier.end()) {
      if (r.start > tolerance)
        breaks.push_back(
            {names[r.file], r.line, column(r, true),
             fmt::format("customer {} starts {} at {}, but has no row in {}, the period before: a customer "
                         "with MRR at the start of a period ended the one before with it",
                         show(r.id), after_label, show_money(r.start), before_label),
             r.file});
      continue;
    }
    const ContinuityRow& b = *it->second;
    Money diff = r.start;
    checked_sub(diff, b.end);
    if (Money{diff.micros < 0 ? -diff.micros : diff.micros} > tolerance)
      breaks.push_back(
          {names[r.file], r.line, column(r, true),
           fmt::format("customer {} starts {} at {}, but ended {} at {} ({}): start_mrr is the MRR at the "
                       "end of the period before",
                       show(r.id), after_label, show_money(r.start), before_label, show_money(b.end), where(b, r)),
           r.file});
  }
  for (const ContinuityRow& b : before)
    if (b.end > tolerance && later.find(b.id) == later.end())
      breaks.push_back({names[b.file], b.line, column(b, false),
                        fmt::format("customer {} ends {} at {}, but has no row in {}: a customer with MRR is in every "
                                    "period until a row churns it",
                                    show(b.id), before_label, show_money(b.end), after_label),
                        b.file});
  return breaks;
}

std::vector<ContinuityTransfer> continuity_transfers(const std::vector<ContinuityRow>& before,
                                                     const std::vector<ContinuityRow>& after) {
  std::unordered_map<std::string_view, const ContinuityRow*> earlier;
  earlier.reserve(before.size());
  for (const ContinuityRow& r : before) earlier.emplace(r.id, &r);
  std::vector<ContinuityTransfer> out;
  for (const ContinuityRow& r : after) {
    if (r.start.micros <= 0) continue; // a customer coming back at 0 is new or reactivated where it comes back
    const auto it = earlier.find(r.id);
    if (it == earlier.end() || it->second->end.micros <= 0 || it->second->group == r.group) continue;
    out.push_back({r.id, it->second->group, r.group, r.start, r.name.empty() ? it->second->name : r.name});
  }
  return out;
}

} // namespace cskpi::ingest
