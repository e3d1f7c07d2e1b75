// SPDX-License-Identifier: MIT
// Rating: every group's metrics computed and judged against the bands (build_groups).
#include "report/report.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace cskpi {

namespace {

std::optional<BandRule> next_better(const BandTable& bands, std::string_view metric, Tier tier) {
  std::optional<BandRule> best;
  for (const BandRule& r : bands.rules_for(metric))
    if (severity(r.tier) > severity(tier) && (!best || severity(r.tier) < severity(best->tier))) best = r;
  return best;
}

Group make_group(std::optional<std::string> period, std::string segment, const Totals& t, const MetricContext& ctx,
                 const BandTable& bands, const std::vector<std::string>& metrics, const CohortFigures* cohort,
                 const LeadingTotals* lead, const InvoiceFigures* invoices, const PeriodCosts* costs = nullptr) {
  Group g{std::move(period), std::move(segment), t, {}};
  g.billing = ctx.billing;
  if (lead != nullptr) g.customer_records = lead->health_n + lead->unscored;
  // Too few customers to say more than the figure: no tier (issue 12).
  const std::uint64_t size = ctx.billing ? t.cohort : g.customer_records;
  const bool too_small = size < ctx.min_group;
  std::vector<MetricValue> values = compute_metrics(t, ctx, cohort, lead, invoices, costs);
  g.records.reserve(metrics.empty() ? values.size() : std::min(values.size(), metrics.size()));
  for (MetricValue& m : values) {
    if (!metrics.empty() && std::find(metrics.begin(), metrics.end(), m.def->id) == metrics.end()) continue;
    Record rec;
    if (m.value) rec.rated_value = m.def->annualization != Annualization::none ? m.annualized : m.value->as_double();
    const std::string_view key = m.band_key.empty() ? m.def->id : std::string_view(m.band_key);
    if (rec.rated_value) {
      rec.tier = bands.rate(key, *rec.rated_value);
      if (rec.tier && too_small) {
        rec.tier.reset();
        if (!m.note.empty()) m.note += "; ";
        m.note += fmt::format("not rated: {} {}, fewer than {} (--min-group)", size,
                              ctx.billing ? (size == 1 ? "starting customer" : "starting customers")
                                          : (size == 1 ? "customer" : "customers"),
                              ctx.min_group);
      }
      if (rec.tier) rec.next = next_better(bands, key, *rec.tier);
    }
    rec.metric = std::move(m);
    g.records.push_back(std::move(rec));
  }
  return g;
}

} // namespace

std::vector<Group> build_groups(const Aggregator& agg, const MetricContext& ctx, const BandTable& bands,
                                const std::vector<std::string>& metrics, bool grouped, const AnnualCohorts* cohorts,
                                const Leading* leading, const std::string& motion, const InvoiceBook* invoices,
                                const CostsJoin* costs) {
  std::vector<Group> out;
  std::set<std::string, std::less<>> keys;
  for (const auto& [label, pt] : agg.periods()) keys.insert(label);
  if (leading != nullptr)
    for (const auto& [label, lp] : leading->periods) keys.insert(label);
  if (keys.empty()) { // no valid rows: one empty group whose ratios say why they are null
    out.push_back(make_group(std::nullopt, "all", Totals{}, ctx, bands, metrics, nullptr, nullptr, nullptr));
    out.back().whole = true;
    return out;
  }
  static const PeriodTotals k_no_totals{};
  static const LeadingPeriod k_no_leading{};
  const std::string latest = leading == nullptr ? std::string()
      : ctx.columns.period                      ? leading->summary.latest_period
                                                : std::string();
  for (const std::string& label : keys) {
    const auto pit = agg.periods().find(label);
    const PeriodTotals& pt = pit != agg.periods().end() ? pit->second : k_no_totals;
    const LeadingPeriod* lp = nullptr;
    if (leading != nullptr) {
      const auto lit = leading->periods.find(label);
      lp = lit != leading->periods.end() ? &lit->second : &k_no_leading;
    }
    // The leading totals of one group, with what only the group's label tells.
    const auto lead_of = [&](const LeadingTotals* found, const std::string& segment) -> std::optional<LeadingTotals> {
      if (lp == nullptr) return std::nullopt;
      LeadingTotals l = found != nullptr ? *found : LeadingTotals{};
      if (label == latest) l.as_of = true;
      l.motion = segment.empty() ? motion : motion_of(segment);
      if (l.motion.empty()) l.motion = motion;
      return l;
    };
    std::optional<std::string> period;
    if (ctx.columns.period) period = label;
    const std::optional<LeadingTotals> all = lead_of(lp != nullptr ? &lp->all : nullptr, "");
    const PeriodCosts* pc = nullptr;
    if (costs != nullptr)
      if (const auto cit = costs->periods.find(label); cit != costs->periods.end()) pc = &cit->second;
    out.push_back(make_group(period, "all", pt.all, ctx, bands, metrics,
                             cohorts ? cohorts->find(label, nullptr) : nullptr, all ? &*all : nullptr,
                             invoices != nullptr ? invoices->find(label, nullptr) : nullptr, pc));
    out.back().whole = true;
    if (!grouped) continue;
    std::set<std::string, std::less<>> segments;
    for (const auto& [seg, totals] : pt.groups) segments.insert(seg);
    if (lp != nullptr)
      for (const auto& [seg, lt] : lp->groups) segments.insert(seg);
    // An empty value is reported as the group "(blank)": a value written "(blank)" would be a second
    // group of the same name, which no reader of the records (nor cskpi sql, which merges them) tells apart.
    if (segments.count("") != 0 && segments.count("(blank)") != 0)
      throw input_error(fmt::format("{}the --by column has empty values and the value \"(blank)\", which the report "
                                    "names alike; rename that value",
                                    label.empty() ? "" : fmt::format("period {}: ", label)));
    for (const std::string& seg : segments) {
      const auto tit = pt.groups.find(seg);
      const LeadingTotals* found = nullptr;
      if (lp != nullptr)
        if (const auto lit = lp->groups.find(seg); lit != lp->groups.end()) found = &lit->second;
      const std::optional<LeadingTotals> lead = lead_of(found, seg.empty() ? "(blank)" : seg);
      out.push_back(make_group(period, seg.empty() ? "(blank)" : seg, tit != pt.groups.end() ? tit->second : Totals{},
                               ctx, bands, metrics, cohorts ? cohorts->find(label, &seg) : nullptr,
                               lead ? &*lead : nullptr, invoices != nullptr ? invoices->find(label, &seg) : nullptr));
    }
  }
  return out;
}

} // namespace cskpi
