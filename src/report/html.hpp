// SPDX-License-Identifier: MIT
// The report as one self-contained HTML page (issue 14): headline figures and tiers, the MRR
// bridge as a waterfall, NRR, GRR and logo churn over the periods with the benchmark bands
// shaded, segments side by side, health, time to value and NPS where the run has them, and
// the cohort heatmap for snapshot inputs. Charts are drawn by Chart.js, inlined into the page
// with the report's JSON, so the page opens offline. Pure: the caller passes Chart.js in.
#pragma once

#include "core/snapshot_table.hpp"
#include "metrics/bands.hpp"
#include "metrics/cohorts.hpp"
#include "report/report.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// `chart_js`: the text of Chart.js (chart.umd.js / chart.min.js). `cohorts`: the classic
/// cohort table of a snapshot input, or nullptr. The page carries render_json(r) verbatim in
/// a <script type="application/json" id="cskpi-data"> element ("</" written as "<\/"): every
/// figure it shows comes from those records. Once drawn, the page sets data-charts="drawn/all"
/// and data-errors on <body>, for a headless browser to read.
std::string render_html(const Report& r, const BandTable& bands, std::string_view chart_js,
                        const std::vector<CohortRow>* cohorts);

} // namespace cskpi
