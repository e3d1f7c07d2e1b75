// SPDX-License-Identifier: MIT
#include "app/costs.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::app {

namespace {

std::string not_costs(const ReportRequest& q, std::string_view role) {
  return fmt::format("--costs {}: its header makes it a {} file, not a costs file (columns period, sales_marketing "
                     "and net_burn; cskpi explain inputs)",
                     q.costs, role);
}

} // namespace

std::vector<std::string> files_with_costs(const ReportRequest& q, const IngestOptions& opts) {
  std::vector<std::string> files = q.files;
  if (q.costs.empty()) return files;
  // Refused before anything is read: its rows must not reach the billing data.
  switch (q.costs == "-" ? FileRole::unknown : peek_role(q.costs, opts)) {
  case FileRole::billing:
  case FileRole::billing_with_attributes: throw usage_error(not_costs(q, "billing"));
  case FileRole::customers: throw usage_error(not_costs(q, "customers"));
  case FileRole::responses: throw usage_error(not_costs(q, "responses"));
  case FileRole::unknown:
  case FileRole::reference: break; // unreadable, standard input, or a reference file: known once read
  }
  files.push_back(q.costs);
  return files;
}

void check_costs_file(const ReportRequest& q, const Loaded& l) {
  // The costs file is read right after the report's files (files_with_costs), before any other.
  if (q.costs.empty() || l.inputs.size() <= q.files.size()) return;
  const InputSummary& in = l.inputs[q.files.size()];
  if (in.unreadable || in.role == "costs") return;
  throw usage_error(not_costs(q, in.role));
}

std::optional<CostsJoin> join_run_costs(const Loaded& l, MetricContext& ctx, RunSink& sink) {
  if (!l.costs) return std::nullopt;
  if (!l.columns.period) {
    sink.note(Severity::warning,
              "the billing input has no period column: the costs file cannot be joined to it, "
              "no efficiency metrics");
    return std::nullopt;
  }
  CostsJoin join = join_costs(*l.costs, l.aggregator->periods(), ctx.period_length);
  if (!join.unused.empty())
    sink.note(Severity::warning,
              fmt::format("the costs file's period {} is not a {} as the report's are: left out", join.unused.front(),
                          to_string(ctx.period_length)));
  ctx.costs = true;
  return join;
}

void warn_missing_costs(const CostsJoin& join, const std::vector<Group>& groups, RunSink& sink) {
  std::vector<std::string> missing;
  for (const Group& g : groups) {
    if (!g.whole || !g.period || std::find(join.missing.begin(), join.missing.end(), *g.period) == join.missing.end())
      continue;
    // A period the file holds only part of (a quarter without one of its months) says which part.
    if (const auto it = join.periods.find(*g.period); it != join.periods.end() && !it->second.why_none.empty())
      sink.note(Severity::warning, fmt::format("{}: its efficiency metrics are null", it->second.why_none));
    else missing.push_back(*g.period);
  }
  if (missing.empty()) return;
  sink.note(Severity::warning,
            fmt::format("the costs file has no row for period{} {}: {} efficiency metrics are null",
                        missing.size() == 1 ? "" : "s", fmt::join(missing, ", "),
                        missing.size() == 1 ? "its" : "their"));
}

} // namespace cskpi::app
