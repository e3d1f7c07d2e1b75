// SPDX-License-Identifier: MIT
#include "app/forecast.hpp"

#include "metrics/cohorts.hpp"
#include "metrics/formula.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace cskpi::app {

std::vector<CohortCounts> counts_from_snapshots(const SnapshotTable& t) {
  std::vector<CohortCounts> out;
  for (const CohortSurvivors& s : cohort_survivors(t)) {
    CohortCounts c;
    c.cohort = (s.before_data ? "<=" : "") + month_label(s.month);
    c.alive = s.alive;
    if (!s.mrr.empty()) c.first_mrr = s.mrr.front(), c.last_mrr = s.mrr.back();
    if (s.before_data)
      c.unknown_age = "already paying in the data's first month: acquired then or earlier, its age is unknown";
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<CohortCounts> counts_from_table(const LogoCohortTable& t) {
  std::vector<CohortCounts> out;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const LogoCohortRow& r : t.rows) { // ingest checked: ages from 0, no gap, never rising
    auto [it, added] = index.try_emplace(r.cohort, out.size());
    if (added) out.push_back(CohortCounts{r.cohort, {}, std::nullopt, std::nullopt, {}});
    CohortCounts& c = out[it->second];
    if (c.alive.size() <= r.age) c.alive.resize(r.age + 1, 0);
    c.alive[r.age] = r.customers;
  }
  // The MRR of the first and last age, when the table has an mrr column.
  for (const LogoCohortRow& r : t.rows) {
    CohortCounts& c = out[index.find(r.cohort)->second];
    if (r.age == 0) c.first_mrr = r.mrr;
    if (r.age + 1 == c.alive.size()) c.last_mrr = r.mrr;
  }
  return out;
}

std::optional<PeriodLength> period_of_labels(const LogoCohortTable& t) {
  std::optional<PeriodLength> length;
  for (const LogoCohortRow& r : t.rows) {
    const std::optional<Period> p = parse_period(r.cohort);
    if (!p || (length && *length != p->length)) return std::nullopt;
    length = p->length;
  }
  return length;
}

namespace {

std::optional<Money> per_customer(const std::optional<Money>& mrr, std::uint64_t customers) {
  if (!mrr || customers == 0) return std::nullopt;
  return Money{div_round(mrr->micros, static_cast<i128>(customers))};
}

/// The curve, DERL, ARPA and LTV of a fitted model.
void project(ForecastCohort& c, std::size_t last_age, const ForecastSettings& s, double period_discount) {
  if (!c.fit.fitted) {
    c.ltv_reason = "no model fitted";
    return;
  }
  c.fitted = sbg_survival(c.fit.alpha, c.fit.beta, last_age + s.horizon);
  c.derl = sbg_derl(c.fit.alpha, c.fit.beta, c.derl_at, period_discount);
  if (!c.arpa) {
    if (c.ltv_reason.empty()) c.ltv_reason = "no MRR for the ARPA (a logo cohort table without an mrr column)";
    return;
  }
  // ARPA (micro-units) x margin (a fraction in micro-units) x DERL, rounded once, to cents.
  const long double micros = static_cast<long double>(c.arpa->micros) * s.gross_margin.micros / Money::k_scale *
      static_cast<long double>(*c.derl);
  c.ltv = Money{static_cast<std::int64_t>(std::llround(micros / 10'000.0L)) * 10'000};
}

} // namespace

void forecast_sbg(const std::vector<CohortCounts>& counts, const ForecastSettings& s, Forecast& f) {
  f.model = "sbg";
  f.horizon = s.horizon;
  f.period = std::string(to_string(s.period));
  f.annual_discount = s.annual_discount;
  f.period_discount = period_discount_rate(s.annual_discount, periods_per_year(s.period));
  f.gross_margin = s.gross_margin;
  std::vector<SurvivorCounts> known;
  std::size_t longest = 0;
  Money first_mrr;
  std::uint64_t first_customers = 0;
  bool first_known = true;
  for (const CohortCounts& in : counts) {
    ForecastCohort c;
    c.cohort = in.cohort;
    c.observed = in.alive;
    c.base.assign(in.alive.size(), in.alive.empty() ? 0 : in.alive[0]);
    const std::size_t last_age = in.alive.empty() ? 0 : in.alive.size() - 1;
    c.derl_at = last_age + 1;
    if (!in.unknown_age.empty()) {
      c.fit.reason = in.unknown_age;
    } else {
      c.fit = fit_sbg(std::span<const SurvivorCounts>(&in.alive, 1));
      known.push_back(in.alive);
      longest = std::max(longest, last_age);
      if (in.first_mrr && !in.alive.empty() && checked_add(first_mrr, *in.first_mrr)) first_customers += in.alive[0];
      else first_known = false;
    }
    c.arpa = per_customer(in.last_mrr, in.alive.empty() ? 0 : in.alive.back());
    if (!c.arpa && in.last_mrr) c.ltv_reason = "no customer left at the last age";
    project(c, last_age, s, f.period_discount);
    f.cohorts.push_back(std::move(c));
  }
  ForecastCohort& p = f.pooled;
  p.cohort = "all";
  for (const SurvivorCounts& c : known)
    for (std::size_t age = 0; age < c.size(); ++age) {
      if (p.observed.size() <= age) p.observed.resize(age + 1, 0), p.base.resize(age + 1, 0);
      p.observed[age] += c[age]; // the cohorts observed that long: shown as a share of their start
      p.base[age] += c[0];
    }
  p.fit = known.empty() ? SbgFit{false, "no cohort with a known age", 0, 0, 0, 0} : fit_sbg(known);
  p.derl_at = 1; // a new customer: acquired, no renewal yet
  if (first_known && first_customers > 0) p.arpa = per_customer(first_mrr, first_customers);
  project(p, longest, s, f.period_discount);
}

} // namespace cskpi::app
