// SPDX-License-Identifier: MIT
// cskpi forecast --model trailing (issue 32): the whole base's monthly bridges of a report, and
// the projection made from them.
#pragma once

#include "metrics/projection.hpp"
#include "report/report.hpp"

#include <optional>
#include <vector>

namespace cskpi::app {

/// The whole base's bridge of each period of `r`, oldest first (the periods are months when
/// the report was made with a monthly period length).
std::vector<BridgeMonth> monthly_bridges(const Report& r);
/// Committed MRR at the end of the latest period, when the input has scheduled cancellations.
std::optional<Money> latest_cmrr(const Report& r);
/// The projection of `r`'s whole base with `settings` (its cmrr set from the report's).
Projection project_report(const Report& r, ProjectionSettings settings);

} // namespace cskpi::app
