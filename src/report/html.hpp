// SPDX-License-Identifier: MIT
// The report as one self-contained HTML page (issue 14; made board-ready in issue 30):
// headline tiles with tiers by name and the money's unit, the MRR bridge as a waterfall from 0
// with every bar labelled, NRR, GRR and logo churn over the periods with the benchmark bands
// shaded, NRR and GRR by segment as dots on their bands around 100 %, health, time to value
// and NPS where the run has them, the cohort heatmap for snapshot inputs, and a movers slot.
// Charts are drawn by Chart.js, inlined into the page with the report's JSON, so the page opens
// offline; it prints on A4 landscape. Pure: the caller passes Chart.js in.
#pragma once

#include "core/annotations.hpp"
#include "core/snapshot_table.hpp"
#include "metrics/bands.hpp"
#include "metrics/cohorts.hpp"
#include "report/report.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// `chart_js`: the text of Chart.js (chart.umd.js / chart.min.js). `cohorts`: the classic
/// cohort table of a snapshot input, or nullptr. `currency`: the --currency value, shown as
/// the money's unit when no input names a currency ("units" when neither does). The page
/// carries render_json(r) verbatim in a <script type="application/json" id="cskpi-data">
/// element ("</" written as "<\/"): every figure it shows comes from those records. Once
/// drawn, the page sets on <body> data-charts="drawn/all", data-errors, data-overflow (the
/// elements whose text runs past their box, or "none") and data-labels (the charts whose bars
/// or dots lack their figure, or "none"), for a headless browser to read; window.cskpiLayout()
/// runs that layout check again (after a resize, or in print media).
///
/// Movers (issue 30): when the records carry a top-level "movers" array (report --top N), the
/// page's code (renderMovers in html_assets.cpp) shows a table per bridge line of the latest
/// period's whole base in the #movers section, which stays hidden otherwise.
///
/// Annotations (issue 32, report --annotations): every trend chart draws a dashed vertical
/// marker with the labels at each period an annotation falls in.
std::string render_html(const Report& r, const BandTable& bands, std::string_view chart_js,
                        const std::vector<CohortRow>* cohorts, std::string_view currency = {},
                        const std::vector<Annotation>& annotations = {});

/// Text for HTML markup, & < > " ' escaped (the forecast page shares it, issue 32).
std::string html_escape(std::string_view s);
/// Code inside a <script> element, "</" written "<\/".
std::string html_in_script(std::string_view s);
/// JSON inside a <script> element: every "<" written "\u003c" (still the same JSON).
std::string html_json_in_script(std::string_view json);

} // namespace cskpi
