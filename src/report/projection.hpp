// SPDX-License-Identifier: MIT
// cskpi forecast --model trailing (issue 32): the projection in words, as a table, CSV, markdown
// and a JSON object. Each says it is a projection of recent rates, not a forecast of deals.
#pragma once

#include "metrics/projection.hpp"
#include "report/report.hpp"

#include <string>
#include <vector>

namespace cskpi {

/// The sentence every rendering opens with.
inline constexpr std::string_view k_projection_caveat =
    "A projection of the last months' movement rates, not a forecast of deals: it assumes the coming months move "
    "MRR as the trailing window did on average.";

/// The lines above the months: caveat, start point, rates, interval, notes (or why not).
std::vector<std::string> projection_summary(const Projection& p, double coverage);
/// A plain-text table of the projected months under the summary.
std::string render_projection_table(const Projection& p, double coverage);
/// One CSV row per projected month (month, start, the five lines, end, low, high).
std::string render_projection_csv(const Projection& p, const CsvStyle& style);
/// The summary as paragraphs and the months as a GitHub table.
std::string render_projection_markdown(const Projection& p, double coverage);
/// What a projection's document says of its run beside the projection.
struct ProjectionHead {
  std::string version;
  std::vector<std::string> inputs;
  int horizon = 12;
  double coverage = 0.80;
};
/// cskpi forecast --model trailing in `format`: table, json, csv, markdown or html (a page with
/// the observed and projected MRR drawn, the interval shaded; `chart_js` is Chart.js).
std::string render_projection(const Projection& p, const ProjectionHead& head, const std::string& format,
                              std::string_view chart_js);

/// The "projection" object of forecast's JSON (no trailing newline): null members and
/// "not_projected" with the reason when there is no projection.
std::string projection_json(const Projection& p, double coverage);

} // namespace cskpi
