// SPDX-License-Identifier: MIT
// The shifted-beta-geometric (sBG) retention model of Fader & Hardie (2007, "How to Project
// Customer Retention", Journal of Interactive Marketing 21(1)), fitted by maximum likelihood to
// survivor counts, and its discounted expected residual lifetime (Fader & Hardie 2010,
// "Customer-Base Valuation in a Contractual Setting", Marketing Science 29(1)). Pure: no I/O.
//
// The model: each customer renews at the end of every period with its own probability 1 - theta,
// and theta varies across customers as Beta(alpha, beta). A cohort's retention rate then rises
// with age, as the customers most likely to leave leave first.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cskpi {

/// One cohort's survivor counts: alive[0] the customers acquired (age 0), alive[t] those still
/// customers at age t (every one of them renewed t times). Counts never rise with age.
using SurvivorCounts = std::vector<std::uint64_t>;

/// A maximum-likelihood fit, or the reason there is none.
struct SbgFit {
  bool fitted = false;
  std::string reason; ///< why not fitted ("" when fitted)
  double alpha = 0, beta = 0;
  double log_likelihood = 0;
  int iterations = 0; ///< Nelder-Mead iterations taken
};

/// The log-likelihood of (alpha, beta) for cohorts' counts: the customers lost at each age t
/// (alive[t-1] - alive[t]) weigh ln P(T = t), those alive at the last age n ln S(n) (right-censored).
double sbg_log_likelihood(double alpha, double beta, std::span<const SurvivorCounts> cohorts);

/// Fits alpha and beta to one cohort or to several sharing one model (pooled).
///
/// Optimiser: Nelder-Mead on (ln alpha, ln beta), minimising the negative log-likelihood, started
/// at alpha = beta = 1 (ln 0, 0: a uniform spread of churn probabilities) with a first simplex
/// step of 0.5 in each log-parameter, bounded to [-9, 9] (alpha and beta from about 1.2e-4 to
/// 8100): a point outside the box is moved onto it. Convergence: the simplex's three values of
/// the negative log-likelihood lie within 1e-10 (absolute) of each other and its vertices within
/// 1e-9 of the best in each log-parameter, or 5,000 iterations (then not fitted). A best point
/// within 1e-3 of a bound is not an estimate (the likelihood keeps rising towards the bound) and
/// is not fitted either.
///
/// Not fitted, with a reason: no customers at age 0; fewer than three ages (ages 0 to 2: one
/// period of renewals cannot separate alpha from beta); no customer lost; every customer lost
/// in the first period; counts rising with age.
SbgFit fit_sbg(std::span<const SurvivorCounts> cohorts);

/// S(0..last): the share of a cohort still customers at each age.
std::vector<double> sbg_survival(double alpha, double beta, std::size_t last);

/// The discounted expected residual lifetime of a customer who has made n - 1 renewals (n >= 1),
/// at the period discount rate d > 0, in periods:
/// DERL = (beta+n-1)/(alpha+beta+n-1) * 2F1(1, beta+n; alpha+beta+n; 1/(1+d)), the
/// hypergeometric function by its series (it converges: 1/(1+d) < 1). The customer's next
/// renewal counts as the first period, discounted by nothing; the period it is in does not count.
double sbg_derl(double alpha, double beta, std::uint64_t n, double d);

/// The period discount rate of an annual rate: (1 + annual)^(1 / periods_per_year) - 1.
double period_discount_rate(double annual, int periods_per_year);

} // namespace cskpi
