// SPDX-License-Identifier: MIT
#include "metrics/projection.hpp"

#include "metrics/formula.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace cskpi {

std::string_view to_string(BridgeLine line) noexcept {
  switch (line) {
  case BridgeLine::new_mrr: return "new";
  case BridgeLine::reactivation: return "reactivation";
  case BridgeLine::expansion: return "expansion";
  case BridgeLine::contraction: return "contraction";
  case BridgeLine::churned: return "churned";
  }
  return "";
}

int bridge_sign(BridgeLine line) noexcept {
  return line == BridgeLine::contraction || line == BridgeLine::churned ? -1 : 1;
}

bool scales_with_base(BridgeLine line) noexcept {
  return line != BridgeLine::new_mrr && line != BridgeLine::reactivation;
}

std::string next_month_label(std::string_view label) {
  int year = 0, month = 0;
  if (label.size() != 7 || label[4] != '-') return {};
  if (std::from_chars(label.data(), label.data() + 4, year).ptr != label.data() + 4) return {};
  if (std::from_chars(label.data() + 5, label.data() + 7, month).ptr != label.data() + 7) return {};
  if (month < 1 || month > 12) return {};
  if (++month == 13) {
    month = 1;
    ++year;
  }
  return fmt::format("{:04}-{:02}", year, month);
}

namespace {

/// The normal quantile of probability p (0 < p < 1), by bisection on erfc: the interval's z
/// needs no more than a few digits, and this needs no table of coefficients.
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = (lo + hi) / 2;
    const double cdf = 0.5 * std::erfc(-mid / std::sqrt(2.0));
    (cdf < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

/// Why the window cannot give rates, or "" when it can.
std::string window_problem(const std::vector<BridgeMonth>& history, std::size_t first) {
  for (std::size_t i = first; i < history.size(); ++i) {
    const BridgeMonth& m = history[i];
    if (m.start.micros <= 0) return fmt::format("{} starts without MRR, so it has no rates", m.label);
    if (m.end.micros <= 0) return fmt::format("{} ends without MRR, so it has no growth to measure", m.label);
    if (i > first && next_month_label(history[i - 1].label) != m.label)
      return fmt::format("the months are not consecutive ({} follows {})", m.label, history[i - 1].label);
  }
  return {};
}

/// Sums the window's lines and starting MRR; false when a sum overflows int64 micro-units.
bool sum_rates(const std::vector<BridgeMonth>& history, std::size_t first, Projection& p) {
  for (std::size_t k = 0; k < k_bridge_lines; ++k) p.rates[k].line = static_cast<BridgeLine>(k);
  Money start_sum;
  for (std::size_t i = first; i < history.size(); ++i) {
    if (!checked_add(start_sum, history[i].start)) return false;
    for (std::size_t k = 0; k < k_bridge_lines; ++k)
      if (!checked_add(p.rates[k].sum, history[i].lines[k])) return false;
  }
  p.net_percent = 0;
  const auto months = static_cast<std::int64_t>(history.size() - first);
  for (TrailingRate& r : p.rates) {
    r.start_sum = start_sum;
    r.per_month = Money{div_round(r.sum.micros, months)};
    r.percent = percent(r.sum.micros, start_sum.micros);
    p.net_percent += bridge_sign(r.line) * r.percent;
  }
  return true;
}

/// The sample standard deviation of the window's monthly log growth, in %.
double growth_spread(const std::vector<BridgeMonth>& history, std::size_t first) {
  std::vector<double> g;
  for (std::size_t i = first; i < history.size(); ++i)
    g.push_back(std::log(static_cast<double>(history[i].end.micros) / static_cast<double>(history[i].start.micros)));
  if (g.size() < 2) return 0;
  double mean = 0;
  for (double x : g) mean += x;
  mean /= static_cast<double>(g.size());
  double ss = 0;
  for (double x : g) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(g.size() - 1)) * 100;
}

/// `m` x exp(`log_factor`), the factor rounded to 1e-9 so that the money stays integer.
Money scale(Money m, double log_factor) {
  constexpr std::int64_t k_nano = 1'000'000'000;
  const auto nanos = static_cast<std::int64_t>(std::llround(std::exp(log_factor) * k_nano));
  return Money{div_round(static_cast<i128>(m.micros) * nanos, k_nano)};
}

/// One projected month from its start; false when the end would overflow.
bool project_month(const Projection& p, std::string label, Money start, ProjectedMonth& out) {
  out.label = std::move(label);
  out.start = start;
  i128 end = start.micros;
  for (std::size_t k = 0; k < k_bridge_lines; ++k) {
    const TrailingRate& r = p.rates[k];
    out.lines[k] = scales_with_base(r.line)
        ? Money{div_round(static_cast<i128>(start.micros) * r.sum.micros, r.start_sum.micros)}
        : r.per_month;
    end += bridge_sign(r.line) * static_cast<i128>(out.lines[k].micros);
  }
  if (end < 0 || end > INT64_MAX) return false;
  out.end = Money{static_cast<std::int64_t>(end)};
  return true;
}

} // namespace

Projection project_trailing(const std::vector<BridgeMonth>& history, const ProjectionSettings& settings) {
  Projection p;
  const auto observed = static_cast<int>(history.size());
  for (const BridgeMonth& m : history)
    if (next_month_label(m.label).empty()) {
      p.not_projected = fmt::format("{} is not a month (YYYY-MM): the projection runs month by month", m.label);
      return p;
    }
  if (observed < settings.min_history) {
    p.not_projected =
        fmt::format("needs at least {} months of history, the input has {}", settings.min_history, observed);
    return p;
  }
  const std::size_t first = history.size() - static_cast<std::size_t>(std::min(observed, settings.window));
  if (std::string why = window_problem(history, first); !why.empty()) {
    p.not_projected = std::move(why);
    return p;
  }
  if (!sum_rates(history, first, p)) {
    p.not_projected = "the window's MRR sums overflow";
    return p;
  }
  p.window_first = history[first].label;
  p.window_last = history.back().label;
  p.window_months = static_cast<int>(history.size() - first);
  for (std::size_t i = first; i < history.size(); ++i) p.observed.emplace_back(history[i].label, history[i].end);
  if (p.window_months < settings.window)
    p.notes.push_back(
        fmt::format("the rates come from {} months, not {}: the input has no more", p.window_months, settings.window));
  p.spread_percent = growth_spread(history, first);
  p.z = normal_quantile(0.5 + settings.coverage / 2);
  p.from_cmrr = settings.cmrr.has_value();
  p.origin = settings.cmrr.value_or(history.back().end);
  p.notes.push_back(p.from_cmrr ? fmt::format("starts from committed MRR (CMRR) at the end of {}: ending MRR less "
                                              "scheduled cancellations",
                                              p.window_last)
                                : fmt::format("starts from ending MRR of {}: the input has no scheduled "
                                              "cancellations, so CMRR is not known",
                                              p.window_last));
  Money start = p.origin;
  std::string label = history.back().label;
  for (int h = 1; h <= settings.horizon; ++h) {
    label = next_month_label(label);
    ProjectedMonth m;
    if (!project_month(p, label, start, m)) {
      p.not_projected = fmt::format("the projected MRR of {} overflows", label);
      p.months.clear();
      return p;
    }
    const double width = p.z * p.spread_percent / 100 * std::sqrt(static_cast<double>(h));
    m.low = scale(m.end, -width);
    m.high = scale(m.end, width);
    start = m.end;
    p.months.push_back(std::move(m));
  }
  return p;
}

} // namespace cskpi
