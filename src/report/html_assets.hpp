// SPDX-License-Identifier: MIT
// The HTML page's style sheet and code (html.cpp puts them in the page): kept apart from the
// markup so each stays readable.
#pragma once

#include <string_view>

namespace cskpi {

/// The page's CSS, screen and A4 print.
std::string_view html_style();
/// The page's code: reads the #cskpi-data, #cskpi-bands and #cskpi-page JSON elements, draws
/// the charts with Chart.js, fills the movers slot, and checks its own layout for a headless
/// browser (body data-charts, data-errors, data-overflow, data-labels).
std::string_view html_script();

} // namespace cskpi
