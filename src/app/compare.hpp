// SPDX-License-Identifier: MIT
// cskpi report --compare (issue 30): the presets' reports from as few readings of the inputs
// as their knobs allow, and the runs that switch one knob at a time for the attribution.
#pragma once

#include "app/run.hpp"
#include "report/compare.hpp"

#include <optional>

namespace cskpi::app {

/// The report of every preset `request.compare` names (the headline metrics unless
/// request.metrics names others), and of the first preset with each knob that another preset
/// sets otherwise switched alone. The inputs are read once, and again only for a knob that
/// changes how an input read is derived (a Stripe export's MRR): once per such setting.
/// Returns nullopt after a note to `sink` when the inputs cannot be reported on; throws usage
/// errors (an unknown preset, standard input where a second reading is needed).
std::optional<Comparison> run_comparison(const ReportRequest& request, RunSink& sink);

} // namespace cskpi::app
