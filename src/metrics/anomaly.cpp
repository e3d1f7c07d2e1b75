// SPDX-License-Identifier: MIT
#include "metrics/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace cskpi {

double median_of(std::span<const double> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

AnomalyJudgement judge_anomaly(std::optional<double> latest, std::span<const std::optional<double>> trailing,
                               double k) {
  AnomalyJudgement j;
  if (trailing.size() > k_anomaly_window) trailing = trailing.subspan(trailing.size() - k_anomaly_window);
  std::vector<double> history;
  for (const std::optional<double>& v : trailing) {
    if (v) history.push_back(*v);
    else ++j.undefined;
  }
  j.history = history.size();
  if (!latest) {
    j.latest_undefined = true;
    return j;
  }
  if (history.size() < k_anomaly_min_history) return j;
  j.median = median_of(history);
  std::vector<double> distance;
  distance.reserve(history.size());
  for (double v : history) distance.push_back(std::fabs(v - j.median));
  j.deviation = k_mad_scale * median_of(distance);
  const double off = std::fabs(*latest - j.median);
  if (j.deviation == 0) {
    j.constant = std::all_of(history.begin(), history.end(), [&](double v) { return v == history.front(); });
    // MAD = 0 with a spread history (more than half the values equal) measures no spread
    // either: any departure from the median is infinitely many deviations, as for a constant one.
    j.score = off == 0 ? 0 : std::numeric_limits<double>::infinity();
  } else {
    j.score = off / j.deviation;
  }
  j.kind = j.score > k ? AnomalyJudgement::Kind::anomaly : AnomalyJudgement::Kind::normal;
  return j;
}

} // namespace cskpi
