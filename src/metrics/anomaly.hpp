// SPDX-License-Identifier: MIT
// Anomaly gates (issue 32): is the latest period's figure far from its own recent history?
// The history's centre is the median and its spread the median absolute deviation (MAD),
// both robust: one earlier spike does not widen the band the next one is judged by, as it
// would a mean and a standard deviation. The MAD is scaled by 1.4826 (1 / the normal
// distribution's 0.75 quantile) so that it estimates the standard deviation for normal data:
// "K robust deviations" reads as "K standard deviations" would. K = 3.5 is Iglewicz and
// Hoaglin's cutoff (1993, "How to Detect and Handle Outliers") for the modified z-score
// 0.6745 (x - median) / MAD, which is the same test: 0.6745 = 1 / 1.4826. Pure, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace cskpi {

inline constexpr double k_anomaly_default_k = 3.5;      ///< Iglewicz & Hoaglin's cutoff
inline constexpr double k_mad_scale = 1.4826;           ///< MAD to a normal standard deviation
inline constexpr std::size_t k_anomaly_window = 12;     ///< trailing periods judged against
inline constexpr std::size_t k_anomaly_min_history = 6; ///< fewer defined ones: no judgement

/// The median of `values` (not empty); the mean of the two middle ones for an even count.
double median_of(std::span<const double> values);

struct AnomalyJudgement {
  enum class Kind { normal, anomaly, no_judgement };
  Kind kind = Kind::no_judgement;
  std::size_t history = 0;   ///< trailing periods with a value, the ones judged against
  std::size_t undefined = 0; ///< trailing periods whose value is undefined (null): skipped
  double median = 0;         ///< of the history
  double deviation = 0;      ///< the robust deviation: 1.4826 x the MAD of the history
  /// |x - median| / deviation; infinite when the deviation is 0 and x differs from the median.
  double score = 0;
  bool constant = false;         ///< every value of the history is the same
  bool latest_undefined = false; ///< no judgement because the latest figure is null
};

/// Judges `latest` against `trailing` (the periods before it, oldest first; only the last
/// k_anomaly_window count). Null values are skipped and counted. Fewer than
/// k_anomaly_min_history defined values, or a null latest figure: no judgement. Otherwise an
/// anomaly when |latest - median| > k x 1.4826 x MAD. A MAD of 0 (a constant history, or more
/// than half of it one value) has no spread to measure by: any change from the median is
/// flagged (score infinite), none is normal. That is what a reader expects of a figure that
/// never moved and now does; the verdict says "history is constant".
AnomalyJudgement judge_anomaly(std::optional<double> latest, std::span<const std::optional<double>> trailing, double k);

} // namespace cskpi
