// SPDX-License-Identifier: MIT
#include "app/projection.hpp"

namespace cskpi::app {

std::vector<BridgeMonth> monthly_bridges(const Report& r) {
  std::vector<BridgeMonth> out;
  for (const Group& g : r.groups) {
    if (!g.whole || !g.period || !g.billing) continue;
    const Totals& t = g.totals;
    BridgeMonth m{*g.period, t.start, {}, t.end_mrr};
    m.lines[static_cast<std::size_t>(BridgeLine::new_mrr)] = t.new_mrr;
    m.lines[static_cast<std::size_t>(BridgeLine::reactivation)] = t.reactivation;
    m.lines[static_cast<std::size_t>(BridgeLine::expansion)] = t.expansion;
    m.lines[static_cast<std::size_t>(BridgeLine::contraction)] = t.contraction;
    m.lines[static_cast<std::size_t>(BridgeLine::churned)] = t.churned;
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<Money> latest_cmrr(const Report& r) {
  for (auto g = r.groups.rbegin(); g != r.groups.rend(); ++g) {
    if (!g->whole) continue;
    for (const Record& rec : g->records)
      if (rec.metric.def && rec.metric.def->id == "cmrr" && rec.metric.value &&
          rec.metric.value->kind == Quantity::Kind::money)
        return rec.metric.value->money;
    return std::nullopt; // the latest period alone counts
  }
  return std::nullopt;
}

Projection project_report(const Report& r, ProjectionSettings settings) {
  settings.cmrr = latest_cmrr(r);
  const std::vector<BridgeMonth> history = monthly_bridges(r);
  if (history.empty()) {
    Projection p;
    p.not_projected = "the input has no MRR by period (--model trailing reads what cskpi report reads: a "
                      "movements file, MRR snapshots or a billing export)";
    return p;
  }
  return project_trailing(history, settings);
}

} // namespace cskpi::app
