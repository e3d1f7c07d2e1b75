// SPDX-License-Identifier: MIT
// The sBG model: likelihood by the recursions of Fader & Hardie (2007, eq. 7 and the appendix),
// no gamma function needed; a small bounded Nelder-Mead; DERL by its hypergeometric series.
#include "metrics/retention_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace cskpi {

double sbg_log_likelihood(double alpha, double beta, std::span<const SurvivorCounts> cohorts) {
  std::size_t ages = 0;
  for (const SurvivorCounts& c : cohorts) ages = std::max(ages, c.size());
  // P(T = t) and S(t) once for the longest cohort: P(1) = a/(a+b), P(t) = P(t-1)(b+t-2)/(a+b+t-1).
  std::vector<double> p(ages, 0.0), s(ages, 1.0);
  for (std::size_t t = 1; t < ages; ++t) {
    const auto td = static_cast<double>(t);
    p[t] = t == 1 ? alpha / (alpha + beta) : p[t - 1] * (beta + td - 2) / (alpha + beta + td - 1);
    s[t] = s[t - 1] - p[t];
  }
  double ll = 0;
  for (const SurvivorCounts& c : cohorts) {
    if (c.size() < 2) continue;
    for (std::size_t t = 1; t < c.size(); ++t)
      if (const std::uint64_t lost = c[t - 1] - c[t]; lost > 0) ll += static_cast<double>(lost) * std::log(p[t]);
    if (const std::uint64_t alive = c.back(); alive > 0) {
      const double last = s[c.size() - 1];
      if (!(last > 0)) return -std::numeric_limits<double>::infinity();
      ll += static_cast<double>(alive) * std::log(last);
    }
  }
  return std::isfinite(ll) ? ll : -std::numeric_limits<double>::infinity();
}

namespace {

constexpr double k_bound = 9.0;       ///< |ln alpha|, |ln beta| at most this
constexpr double k_edge = 1e-3;       ///< a best point this close to a bound is no estimate
constexpr double k_value_tol = 1e-10; ///< the simplex's values this close: converged
constexpr double k_point_tol = 1e-9;  ///< and its vertices this close in each log-parameter
constexpr int k_max_iterations = 5000;

using Point = std::array<double, 2>;

Point clamp(Point x) {
  for (double& v : x) v = std::clamp(v, -k_bound, k_bound);
  return x;
}

/// Why the counts cannot be fitted, or "".
std::string unfit_reason(std::span<const SurvivorCounts> cohorts) {
  std::uint64_t acquired = 0, lost = 0, survived_first = 0;
  std::size_t ages = 0;
  for (const SurvivorCounts& c : cohorts) {
    if (c.empty()) continue;
    ages = std::max(ages, c.size());
    acquired += c[0];
    for (std::size_t t = 1; t < c.size(); ++t) {
      if (c[t] > c[t - 1]) return "the customers rise with age: survivors cannot grow";
      lost += c[t - 1] - c[t];
    }
    if (c.size() > 1) survived_first += c[1];
  }
  if (acquired == 0) return "no customers at age 0";
  if (ages < 3) return "fewer than three ages (0 to 2): one period of renewals cannot separate alpha from beta";
  if (lost == 0) return "no customer lost: the churn rate and its spread cannot be estimated";
  if (survived_first == 0) return "every customer lost in the first period";
  return {};
}

} // namespace

SbgFit fit_sbg(std::span<const SurvivorCounts> cohorts) {
  SbgFit fit;
  fit.reason = unfit_reason(cohorts);
  if (!fit.reason.empty()) return fit;
  const auto f = [&](const Point& x) {
    const double ll = sbg_log_likelihood(std::exp(x[0]), std::exp(x[1]), cohorts);
    return std::isfinite(ll) ? -ll : std::numeric_limits<double>::max();
  };
  std::array<Point, 3> v{Point{0, 0}, Point{0.5, 0}, Point{0, 0.5}};
  std::array<double, 3> fv{f(v[0]), f(v[1]), f(v[2])};
  int it = 0;
  for (; it < k_max_iterations; ++it) {
    std::array<std::size_t, 3> o{0, 1, 2}; // best, middle, worst
    std::sort(o.begin(), o.end(), [&](std::size_t i, std::size_t j) { return fv[i] < fv[j]; });
    const Point best = v[o[0]];
    bool close = std::fabs(fv[o[2]] - fv[o[0]]) <= k_value_tol;
    for (std::size_t i : {o[1], o[2]})
      for (std::size_t k = 0; k < 2; ++k) close = close && std::fabs(v[i][k] - best[k]) <= k_point_tol;
    if (close) break;
    const Point& w = v[o[2]];
    const Point c{(v[o[0]][0] + v[o[1]][0]) / 2, (v[o[0]][1] + v[o[1]][1]) / 2};
    const auto along = [&](double t) { return clamp(Point{c[0] + t * (w[0] - c[0]), c[1] + t * (w[1] - c[1])}); };
    const Point r = along(-1.0);
    const double fr = f(r);
    if (fr < fv[o[0]]) { // reflect, and try going twice as far
      const Point e = along(-2.0);
      const double fe = f(e);
      v[o[2]] = fe < fr ? e : r, fv[o[2]] = std::min(fe, fr);
    } else if (fr < fv[o[1]]) {
      v[o[2]] = r, fv[o[2]] = fr;
    } else { // contract towards the better of the worst and its reflection, else shrink to the best
      const Point k = fr < fv[o[2]] ? along(-0.5) : along(0.5);
      const double fk = f(k);
      if (fk < std::min(fr, fv[o[2]])) {
        v[o[2]] = k, fv[o[2]] = fk;
      } else {
        for (std::size_t i : {o[1], o[2]}) {
          v[i] = Point{(v[i][0] + best[0]) / 2, (v[i][1] + best[1]) / 2};
          fv[i] = f(v[i]);
        }
      }
    }
  }
  const auto at = static_cast<std::size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  fit.iterations = it;
  if (it == k_max_iterations) {
    fit.reason = "the optimiser did not converge in 5,000 iterations";
    return fit;
  }
  if (std::fabs(v[at][0]) > k_bound - k_edge || std::fabs(v[at][1]) > k_bound - k_edge) {
    fit.reason =
        "the likelihood has no maximum inside the bounds: alpha or beta runs to its bound (too few customers lost "
        "to tell how churn varies across them)";
    return fit;
  }
  fit.fitted = true;
  fit.alpha = std::exp(v[at][0]);
  fit.beta = std::exp(v[at][1]);
  fit.log_likelihood = -fv[at];
  return fit;
}

std::vector<double> sbg_survival(double alpha, double beta, std::size_t last) {
  std::vector<double> s(last + 1, 1.0);
  // S(t) = S(t-1) (b+t-1)/(a+b+t-1): a product of ratios, which stays accurate where S is tiny.
  for (std::size_t t = 1; t <= last; ++t) {
    const auto td = static_cast<double>(t);
    s[t] = s[t - 1] * (beta + td - 1) / (alpha + beta + td - 1);
  }
  return s;
}

double sbg_derl(double alpha, double beta, std::uint64_t n, double d) {
  const double nd = static_cast<double>(n);
  const double b = beta + nd, c = alpha + beta + nd, z = 1.0 / (1.0 + d);
  // 2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k: each term is the last times (b+k)/(c+k) z.
  double term = 1.0, sum = 1.0;
  for (std::uint64_t k = 0; k < 10'000'000; ++k) {
    const auto kd = static_cast<double>(k);
    term *= (b + kd) / (c + kd) * z;
    sum += term;
    if (term <= sum * 1e-16) break;
  }
  return (beta + nd - 1) / (alpha + beta + nd - 1) * sum;
}

double period_discount_rate(double annual, int periods_per_year) {
  return std::pow(1.0 + annual, 1.0 / periods_per_year) - 1.0;
}

} // namespace cskpi
