// SPDX-License-Identifier: MIT
#include "metrics/leading.hpp"

#include "core/csv.hpp"

#include <algorithm>
#include <cmath>

namespace cskpi {

std::string motion_of(std::string_view segment) {
  const std::string s = normalise_column_name(segment);
  for (std::string_view n : {"plg", "product_led", "productled", "self_serve", "self_service", "product_led_growth"})
    if (s == n) return "product_led";
  for (std::string_view n : {"smb", "small_business", "small", "smb_self_serve"})
    if (s == n) return "smb";
  for (std::string_view n : {"mid_market", "midmarket", "mid", "mm", "mid_size", "midsize"})
    if (s == n) return "mid_market";
  for (std::string_view n : {"enterprise", "ent", "large_enterprise", "large"})
    if (s == n) return "enterprise";
  return "";
}

std::optional<std::string> parse_motion(std::string_view text) {
  std::string m = motion_of(text);
  if (m.empty()) return std::nullopt;
  return m;
}

double percentile(const std::vector<std::int32_t>& v, double p) {
  if (v.empty()) return 0.0;
  const double h = static_cast<double>(v.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

std::uint32_t Joiner::intern(Names& names, std::string_view text) {
  const auto [it, fresh] = names.index.try_emplace(std::string(text), static_cast<std::uint32_t>(names.list.size()));
  if (fresh) names.list.emplace_back(text);
  return it->second;
}

void Joiner::add(const MovementRow& row) {
  if (m_attributes() != nullptr) {
    const std::uint32_t p = intern(m_periods, row.period), g = intern(m_groups, row.group);
    const auto [it, fresh] =
        m_customer_index.try_emplace(std::string(row.customer_id), static_cast<std::uint32_t>(m_facts.size()));
    const Money end = end_mrr(row);
    if (fresh) {
      m_customer_ids.emplace_back(row.customer_id);
      m_facts.push_back(Facts{p, p, g, end});
    } else {
      Facts& f = m_facts[it->second];
      if (m_periods.list[p] < m_periods.list[f.first]) f.first = p;
      if (m_periods.list[p] >= m_periods.list[f.last]) {
        f.last = p;
        f.group = g;
        f.end_mrr = end;
      }
    }
    if (row.start.micros > 0 && row.churned.micros > 0) m_churn.push_back(Churn{it->second, p, g, row.churned});
  }
  m_next.add(row);
}

namespace {

constexpr std::size_t k_examples = 3;

void example(std::vector<std::string>& list, const std::string& id) {
  if (list.size() < k_examples) list.push_back(id);
}

/// The totals a record adds to: the period's `all` and, when grouped, its group.
struct Targets {
  LeadingTotals* all = nullptr;
  LeadingTotals* group = nullptr;
  template <class F> void each(F&& f) {
    f(*all);
    if (group != nullptr) f(*group);
  }
};

} // namespace

/// One join in progress: its inputs, its output and where a record adds up.
struct Joiner::JoinRun {
  const Attributes& a;
  const LeadingOptions& opt;
  bool has_periods = false;
  bool billing = false;        ///< the run has billing rows
  std::string latest = {};     ///< the latest billing period
  std::string latest_key = {}; ///< its key in `out.periods` ("" without periods)
  Leading out = {};

  /// The totals of `period`'s `all` and, when grouped, of `group` in it.
  Targets targets(const std::string& period, const std::string* group) {
    LeadingPeriod& lp = out.periods[period];
    Targets t;
    t.all = &lp.all;
    if (opt.grouped && group != nullptr) t.group = &lp.groups[*group];
    return t;
  }
};

namespace {

/// The date health and time to value describe: --as-of, the end of the latest period, or the
/// latest date in the customers and responses files.
void find_as_of(const Attributes& a, const LeadingOptions& opt, bool has_periods, const std::string& latest,
                JoinSummary& js) {
  if (opt.as_of) {
    js.as_of = opt.as_of;
    js.as_of_source = "--as-of";
  } else if (has_periods && !latest.empty()) {
    js.as_of = last_day_of_period(latest);
    js.as_of_source = "end of period " + latest;
  } else {
    std::optional<Day> last;
    const auto see = [&](std::optional<Day> d) {
      if (d && (!last || *d > *last)) last = d;
    };
    for (const CustomerRecord& r : a.customers) {
      see(r.signup);
      see(r.first_value);
    }
    for (const ResponseRecord& r : a.responses) see(r.date);
    if (last) {
      js.as_of = last;
      js.as_of_source = "latest date in the files";
    }
  }
}

} // namespace

Leading Joiner::join(const Attributes& a, const LeadingOptions& opt, bool has_periods) const {
  JoinRun run{.a = a, .opt = opt, .has_periods = has_periods, .billing = !m_facts.empty()};
  JoinSummary& js = run.out.summary;
  js.active = true;
  js.customer_records = a.customers.size();
  js.responses = a.responses.size();
  for (const std::string& p : m_periods.list) run.latest = std::max(run.latest, p);
  js.latest_period = run.latest;
  find_as_of(a, opt, has_periods, run.latest, js);
  run.latest_key = has_periods ? run.latest : std::string();

  join_customers(run);
  join_churn(run);
  join_renewals(run);
  join_responses(run);
  for (auto& [label, lp] : run.out.periods) {
    const auto finish = [&](LeadingTotals& t) {
      std::sort(t.ttv_days.begin(), t.ttv_days.end());
      std::sort(t.open_ages.begin(), t.open_ages.end());
      t.csat_scale = js.csat_scale;
    };
    finish(lp.all);
    for (auto& [g, t] : lp.groups) finish(t);
  }
  return std::move(run.out);
}

void Joiner::join_customers(JoinRun& run) const {
  const Attributes& a = run.a;
  const LeadingOptions& opt = run.opt;
  const bool billing = run.billing;
  JoinSummary& js = run.out.summary;
  // Health and time to value: the customers active at the end of the latest period (every
  // customer record when the run has no billing file).
  const auto add_customer = [&](const CustomerRecord* rec, const std::string* group, Money mrr) {
    run.targets(run.latest_key, group).each([&](LeadingTotals& t) {
      t.as_of = true;
      t.has_mrr = billing;
      if (rec == nullptr || !rec->health) {
        ++t.unscored;
      } else {
        const auto band = static_cast<std::size_t>(health_band(*rec->health, opt.scheme));
        ++t.health_n;
        ++t.band_customers[band];
        checked_add(t.band_mrr[band], mrr);
        if (*rec->health > 80 * Money::k_scale) ++t.over_80;
      }
      if (rec == nullptr) return;
      if (rec->first_value) {
        if (rec->signup) t.ttv_days.push_back(*rec->first_value - *rec->signup);
        else ++t.ttv_no_signup;
      } else if (rec->signup && js.as_of && *rec->signup <= *js.as_of) {
        t.open_ages.push_back(*js.as_of - *rec->signup);
      }
    });
  };
  run.out.periods[run.latest_key].all.as_of = true;
  run.out.periods[run.latest_key].all.has_mrr = billing;
  if (billing) {
    for (std::size_t c = 0; c < m_facts.size(); ++c) {
      const Facts& f = m_facts[c];
      if (m_periods.list[f.last] != run.latest || f.end_mrr.micros <= 0) continue;
      const CustomerRecord* rec = a.find(m_customer_ids[c]);
      if (rec == nullptr) {
        ++js.billed_without_record;
        example(js.unrecorded_examples, m_customer_ids[c]);
      }
      add_customer(rec, &m_groups.list[f.group], f.end_mrr);
    }
    for (const CustomerRecord& r : a.customers)
      if (m_customer_index.find(r.id) == m_customer_index.end()) {
        ++js.customers_without_billing;
        example(js.unbilled_examples, r.id);
      }
  } else {
    for (const CustomerRecord& r : a.customers) add_customer(&r, r.has_group ? &r.group : nullptr, Money{});
  }
}

void Joiner::join_churn(JoinRun& run) const {
  // Churn reasons: the churned starting customers of each period.
  for (const Churn& e : m_churn) {
    const CustomerRecord* rec = run.a.find(m_customer_ids[e.customer]);
    const std::string reason = rec != nullptr ? rec->churn_reason : std::string();
    const std::string period = run.has_periods ? m_periods.list[e.period] : std::string();
    run.targets(period, &m_groups.list[e.group]).each([&](LeadingTotals& t) {
      auto& [customers, mrr] = t.reasons[reason];
      ++customers;
      checked_add(mrr, e.mrr);
      ++t.churned;
      checked_add(t.churned_mrr, e.mrr);
    });
  }
}

void Joiner::join_renewals(JoinRun& run) const {
  const Attributes& a = run.a;
  const LeadingOptions& opt = run.opt;
  const bool billing = run.billing, has_periods = run.has_periods;
  const JoinSummary& js = run.out.summary;
  // Renewals: due in the period the renewal date falls in, while the customer was billed.
  if (a.columns.renewal) {
    std::unordered_set<std::uint64_t> churned; // (customer, period) pairs
    for (const Churn& e : m_churn) churned.insert((static_cast<std::uint64_t>(e.customer) << 32) | e.period);
    for (const CustomerRecord& r : a.customers) {
      if (!r.renewal) continue;
      if (billing) {
        const auto ci = m_customer_index.find(r.id);
        if (ci == m_customer_index.end()) continue; // counted as a record without billing
        const Facts& f = m_facts[ci->second];
        std::string period;
        if (has_periods) {
          period = period_of_day(*r.renewal, opt.period_length);
          if (period < m_periods.list[f.first] || period > m_periods.list[f.last]) continue; // not a customer then
        }
        bool renewed = false, derived = false;
        if (r.renewed) {
          renewed = *r.renewed;
        } else {
          const auto pi = m_periods.index.find(period);
          renewed = pi == m_periods.index.end() ||
              churned.count((static_cast<std::uint64_t>(ci->second) << 32) | pi->second) == 0;
          derived = true;
        }
        run.targets(period, &m_groups.list[f.group]).each([&](LeadingTotals& t) {
          ++t.renewals_due;
          if (renewed) ++t.renewed;
          if (derived) ++t.renewed_derived;
        });
      } else {
        if (js.as_of && *r.renewal > *js.as_of) continue; // not due yet
        run.targets(std::string(), r.has_group ? &r.group : nullptr).each([&](LeadingTotals& t) {
          if (!r.renewed) {
            ++t.renewals_unknown;
            return;
          }
          ++t.renewals_due;
          if (*r.renewed) ++t.renewed;
        });
      }
    }
  }
}

void Joiner::join_responses(JoinRun& run) const {
  const Attributes& a = run.a;
  const LeadingOptions& opt = run.opt;
  const bool billing = run.billing, has_periods = run.has_periods;
  const std::string& latest = run.latest;
  JoinSummary& js = run.out.summary;
  // Survey responses: the period of their date, the group of their customer.
  int max_csat = 0;
  for (const ResponseRecord& r : a.responses) max_csat = std::max(max_csat, r.csat);
  js.csat_scale = a.csat_scale != 0 ? a.csat_scale : (max_csat > 5 ? 10 : 5);
  js.csat_scale_source = a.csat_scale != 0 ? "--csat-scale" : "detected";
  const int satisfied_from = js.csat_scale == 5 ? 4 : 8;
  for (const ResponseRecord& r : a.responses) {
    std::string period;
    if (billing && has_periods) {
      if (r.date) {
        period = period_of_day(*r.date, opt.period_length);
        if (m_periods.index.find(period) == m_periods.index.end()) {
          ++js.responses_outside;
          continue;
        }
      } else {
        period = latest;
        ++js.responses_undated;
      }
    }
    const std::string* group = nullptr;
    if (r.customer_id.empty()) {
      ++js.responses_anonymous;
    } else {
      const auto ci = m_customer_index.find(r.customer_id);
      const CustomerRecord* rec = a.find(r.customer_id);
      // With billing, a group is a group of billed customers: the answer of a customer with a
      // record but no billing row (a trial user) counts in `all` only, like the record itself,
      // and never makes a group of its own (issue 28). Without billing, records form the groups.
      if (ci != m_customer_index.end()) group = &m_groups.list[m_facts[ci->second].group];
      else if (rec != nullptr && rec->has_group && !billing) group = &rec->group;
      if (ci == m_customer_index.end() && rec == nullptr) ++js.responses_unknown_customer;
    }
    run.targets(period, group).each([&](LeadingTotals& t) {
      t.csat_scale = js.csat_scale;
      if (r.score >= 9) ++t.promoters;
      else if (r.score >= 7) ++t.passives;
      else if (r.score >= 0) ++t.detractors;
      if (r.csat >= 1) {
        ++t.csat_n;
        t.csat_sum += static_cast<std::uint64_t>(r.csat);
        if (r.csat >= satisfied_from) ++t.csat_satisfied;
      }
      if (r.ces >= 1) {
        ++t.ces_n;
        t.ces_sum += static_cast<std::uint64_t>(r.ces);
      }
    });
  }
}

} // namespace cskpi
