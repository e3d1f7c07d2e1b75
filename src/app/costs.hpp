// SPDX-License-Identifier: MIT
// A run's costs file (issue 31): read with the other inputs (--costs FILE, or a file whose
// header is a costs file's), joined to the report's periods for the efficiency metrics.
#pragma once

#include "app/inputs.hpp"
#include "app/request.hpp"
#include "app/run.hpp"
#include "metrics/efficiency.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cskpi::app {

/// The files a run reads: the request's, then its --costs file. Throws a usage error when the
/// --costs file's header makes it a billing, customers or responses file.
std::vector<std::string> files_with_costs(const ReportRequest& q, const IngestOptions& opts);
/// Throws a usage error when the --costs file was read as another form than costs.
void check_costs_file(const ReportRequest& q, const Loaded& l);
/// The costs joined to the periods read, the efficiency metrics switched on in `ctx`; nullopt
/// (after a warning when a costs file was given) when the run cannot join them.
std::optional<CostsJoin> join_run_costs(const Loaded& l, MetricContext& ctx, RunSink& sink);
/// Warns about the report's periods the costs file lacks, naming them.
void warn_missing_costs(const CostsJoin& join, const std::vector<Group>& groups, RunSink& sink);

} // namespace cskpi::app
