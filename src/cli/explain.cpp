// SPDX-License-Identifier: MIT
#include "common.hpp"

#include "cskpi/error.hpp"

#include <fmt/format.h>

namespace cskpi::cli {

void setup_explain(CLI::App& app, ExplainOptions& o) {
  CLI::App* cmd = app.add_subcommand("explain", "Print the definition, formula, annualisation and bands of one metric");
  cmd->add_option("metric", o.metric, "Metric id, e.g. nrr (cskpi explain list shows all)")->required()->type_name("METRIC");
  cmd->add_option("--bands", o.bands, "Show bands with this override file applied")->type_name("FILE");
  cmd->footer(R"(Examples:
  cskpi explain nrr
  cskpi explain list)");
}

namespace {

std::string_view annualization_text(Annualization a) {
  switch (a) {
  case Annualization::none: return "not annualised (point-in-time or per-period figure)";
  case Annualization::retention: return "compounded: annual = (period / 100)^k * 100, k = 12 months, 4 quarters, 1 year";
  case Annualization::churn: return "compounded: annual = (1 - (1 - period / 100)^k) * 100";
  case Annualization::net_churn: return "annual = 100 - annual NRR";
  case Annualization::expansion_mrr: return "annual = annual NRR - annual GRR (so NRR = GRR + expansion holds annually)";
  case Annualization::churn_estimate: return "estimated: annual = (1 - (1 - period / 100)^k) * 100";
  }
  return "";
}

} // namespace

int run_explain(const ExplainOptions& o) {
  std::string out;
  if (o.metric == "list" || o.metric == "all") {
    for (const MetricDef& m : metric_table()) out += fmt::format("{:<22} {}\n", m.id, m.name);
    write_output("", out);
    return 0;
  }
  const MetricDef* def = find_metric(o.metric);
  if (def == nullptr) {
    const std::string near = suggest_metric(o.metric);
    throw usage_error(fmt::format("unknown metric \"{}\"{}; cskpi explain list shows all", o.metric,
                                  near.empty() ? "" : fmt::format(" (did you mean {}?)", near)));
  }
  const BandTable bands = load_bands(o.bands);
  out += fmt::format("{} ({})\n\n{}\n\n", def->name, def->id, def->description);
  out += fmt::format("formula        {}\n", def->formula);
  if (def->needs == Needs::nothing) {
    out += "               S, E, C, X = start, expansion, contraction, churned MRR of the starting cohort\n";
    out += "               (rows with start_mrr > 0); N = its customers, L = those with churned_mrr > 0\n";
  } else {
    out += fmt::format("needs          {}\n", needed_column(def->needs));
  }
  if (def->latest_only)
    out += "period         the latest period only: customers as they are at its end (or --as-of), joined on customer_id\n";
  if (def->keyed) out += "records        one per churn reason; check rules name it: " + std::string(def->id) + "[price]<=30\n";
  out += fmt::format("unit           {}\n", to_string(def->unit));
  out += fmt::format("annualisation  {}\n", annualization_text(def->annualization));
  out += fmt::format("sources        {} (shared/reference)\n", def->sources);
  // The metric's own bands, then its per-scale or per-motion ones ("csat:5", "ttv_median:smb").
  std::vector<std::string> keys;
  for (const std::string& key : bands.rated_metrics())
    if (key == def->id || (key.starts_with(def->id) && key.size() > def->id.size() && key[def->id.size()] == ':'))
      keys.push_back(key);
  if (keys.empty()) out += "bands          none: reported, not rated\n";
  for (const std::string& key : keys) {
    out += fmt::format("bands          {}{} basis; source {}\n", key == def->id                ? std::string()
                       : def->id == "csat" ? "scale 1-" + key.substr(key.find(':') + 1) + ": "
                                           : key.substr(key.find(':') + 1) + " motion: ",
                       def->annualization != Annualization::none ? "annual" : "period", bands.source_for(key));
    for (const BandRule& r : bands.rules_for(key)) out += fmt::format("  {:<14} {}\n", to_string(r.tier), describe_bound(r));
  }
  write_output("", out);
  return 0;
}

} // namespace cskpi::cli
