// SPDX-License-Identifier: MIT
#include "report/anomaly.hpp"

#include "metrics/anomaly.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <tuple>

namespace cskpi {

namespace {

using GroupKey = std::tuple<std::string, bool, std::string>; // period, whole, segment

const Record* find_like(const Group& g, const Record& like) {
  for (const Record& r : g.records)
    if (r.metric.def == like.metric.def && r.metric.key == like.metric.key) return &r;
  return nullptr;
}

std::optional<double> value_of(const Record* r) {
  if (r == nullptr || !r->metric.value) return std::nullopt;
  return r->metric.value->as_double(); // money is exact up to here: 2^53 micro-units is 9 billion
}

/// A figure in the metric's unit; a count's median or deviation may fall between two counts.
std::string shown_value(double value, Unit unit) {
  if (unit == Unit::count && value != std::round(value)) return fmt::format("{:.2f}", value);
  return display_number(value, unit);
}

std::string undefined_text(std::size_t n) { return n == 0 ? "" : fmt::format(", {} undefined skipped", n); }

Verdict verdict_for(const Group& g, const Record& rec, const AnomalyJudgement& j, double k, std::string labels) {
  Verdict v;
  const MetricDef& def = *rec.metric.def;
  v.metric = std::string(def.id);
  v.rule = rec.metric.key.empty() ? fmt::format("anomaly: {}", def.id)
                                  : fmt::format("anomaly: {}[{}]", def.id, rec.metric.key);
  v.period = g.period;
  v.segment = g.segment;
  v.value = value_of(&rec);
  v.unit = def.unit;
  Verdict::Anomaly a;
  a.k = k;
  a.history = j.history;
  a.undefined = j.undefined;
  a.constant = j.constant;
  const std::string window =
      fmt::format("{} trailing period{}{}", j.history, j.history == 1 ? "" : "s", undefined_text(j.undefined));
  if (j.kind == AnomalyJudgement::Kind::no_judgement) {
    v.status = Verdict::Status::skip;
    v.expect = fmt::format("within {:g} robust deviations of its trailing median", k);
    v.reason = j.latest_undefined
        ? fmt::format("no judgement: the latest figure is undefined{}",
                      rec.metric.note.empty() ? "" : " (" + rec.metric.note + ")")
        : fmt::format("no judgement: {} of the trailing periods (up to {}) ha{} a value, {} needed{}", j.history,
                      k_anomaly_window, j.history == 1 ? "s" : "ve", k_anomaly_min_history,
                      undefined_text(j.undefined));
    v.anomaly = a;
    return v;
  }
  a.median = j.median;
  a.deviation = j.deviation;
  if (std::isfinite(j.score)) a.score = j.score;
  v.expect = fmt::format("within {:g} robust deviations of the median {}", k, shown_value(j.median, v.unit));
  const std::string how = j.deviation == 0
      ? fmt::format("history is {}constant at {} over {}: any change is flagged", j.constant ? "" : "mostly ",
                    shown_value(j.median, v.unit), window)
      : fmt::format("{:.1f} robust deviations from the median {}; robust deviation {} over {}", j.score,
                    shown_value(j.median, v.unit), shown_value(j.deviation, v.unit), window);
  if (j.kind == AnomalyJudgement::Kind::normal) {
    v.status = Verdict::Status::pass;
  } else if (!labels.empty()) {
    v.status = Verdict::Status::pass; // a known event: reported, never failed
    v.reason = fmt::format("expected: {}; {}", labels, how);
    a.expected = std::move(labels);
  } else {
    v.status = Verdict::Status::fail;
    v.reason = how;
  }
  v.anomaly = std::move(a);
  return v;
}

} // namespace

std::vector<Verdict> judge_anomalies(const std::vector<Group>& groups, double k,
                                     const std::vector<Annotation>& annotations) {
  std::vector<std::string> periods;
  std::map<GroupKey, const Group*> by_key;
  for (const Group& g : groups) {
    if (!g.period) continue;
    if (periods.empty() || periods.back() != *g.period) periods.push_back(*g.period);
    by_key.emplace(GroupKey{*g.period, g.whole, g.segment}, &g);
  }
  std::vector<Verdict> out;
  if (periods.empty()) {
    Verdict v;
    v.rule = "anomaly";
    v.segment = "all";
    v.status = Verdict::Status::skip;
    v.expect = fmt::format("within {:g} robust deviations of its trailing median", k);
    v.reason = "no judgement: the input has no period column, so no history to compare with";
    v.anomaly.emplace().k = k;
    out.push_back(std::move(v));
    return out;
  }
  const std::string& latest = periods.back();
  const std::size_t first = periods.size() - 1 > k_anomaly_window ? periods.size() - 1 - k_anomaly_window : 0;
  const std::string labels = annotation_labels(annotations, latest);
  for (const Group& g : groups) {
    if (!g.period || *g.period != latest) continue;
    for (const Record& rec : g.records) {
      std::vector<std::optional<double>> trailing;
      for (std::size_t i = first; i + 1 < periods.size(); ++i) {
        const auto it = by_key.find(GroupKey{periods[i], g.whole, g.segment});
        trailing.push_back(it == by_key.end() ? std::nullopt : value_of(find_like(*it->second, rec)));
      }
      const AnomalyJudgement j = judge_anomaly(value_of(&rec), trailing, k);
      out.push_back(verdict_for(g, rec, j, k, labels));
    }
  }
  return out;
}

std::string anomaly_json(const Verdict& v) {
  if (!v.anomaly) return {};
  const Verdict::Anomaly& a = *v.anomaly;
  // The median, robust deviation and score are computed in doubles (1.4826 x MAD): rounded to
  // six decimals, money's micro-unit, so a deviation of 239,736.42 is not 239736.41999999998.
  const auto number = [](const std::optional<double>& d) {
    return d ? json_number(Quantity::of_real(std::round(*d * 1e6) / 1e6)) : std::string("null");
  };
  return fmt::format(",\"anomaly\":{{\"k\":{},\"median\":{},\"robust_deviation\":{},\"score\":{},\"history\":{},"
                     "\"undefined\":{},\"constant\":{},\"expected\":{}}}",
                     number(a.k), number(a.median), number(a.deviation), number(a.score), a.history, a.undefined,
                     a.constant ? "true" : "false", a.expected.empty() ? "null" : json_string(a.expected));
}

} // namespace cskpi
