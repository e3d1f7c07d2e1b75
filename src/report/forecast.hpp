// SPDX-License-Identifier: MIT
// cskpi forecast (issue 32): a retention model fitted to each acquisition cohort, and what it
// projects, in every format the command writes.
#pragma once

#include "core/money.hpp"
#include "metrics/retention_model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One cohort (or the pooled model): its survivors, the model fitted to them, its projection.
struct ForecastCohort {
  std::string cohort;                  ///< its label; "all" for the pooled model
  std::vector<std::uint64_t> observed; ///< survivors per age from 0
  std::vector<std::uint64_t> base;     ///< per age: the age-0 customers of the cohorts behind observed[age]
  SbgFit fit;                          ///< alpha and beta, or the reason there are none
  std::vector<double> fitted;          ///< S(age) from 0 to the last observed age + horizon (fitted only)
  std::uint64_t derl_at = 0;           ///< n of DERL: the renewals made + 1 (last observed age + 1)
  std::optional<double> derl;          ///< discounted expected residual lifetime, in periods
  std::optional<Money> arpa;           ///< MRR per customer at the last observed age (age 0 pooled)
  std::optional<Money> ltv;            ///< ARPA x gross margin x DERL, in cents
  std::string ltv_reason;              ///< why no LTV, when there is none
};

/// Everything cskpi forecast --model sbg prints.
struct Forecast {
  std::string model = "sbg";
  std::string input;             ///< the file read
  std::string period = "month";  ///< the length of one age: month, quarter or year
  std::string period_note;       ///< how the period was chosen, when not given
  std::size_t horizon = 12;      ///< periods projected past each cohort's last observed age
  double annual_discount = 0.10; ///< --discount
  double period_discount = 0;    ///< the same per period
  Money gross_margin;            ///< a fraction in micro-units
  std::vector<ForecastCohort> cohorts;
  ForecastCohort pooled; ///< one model across every cohort with a known age
  std::string version;
};

/// The forecast as table, json, csv, markdown or html (a page that draws the observed and fitted
/// curves with `chart_js`, inlined).
std::string render_forecast(const Forecast& f, const std::string& format, std::string_view chart_js);

/// What the model assumes, in one paragraph (every format says it).
std::string_view sbg_assumptions();

} // namespace cskpi
