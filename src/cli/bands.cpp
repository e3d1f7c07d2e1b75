// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "app/peers.hpp"
#include "core/error.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

namespace cskpi::cli {

void setup_bands(CLI::App& app, BandsOptions& o) {
  CLI::App* cmd =
      app.add_subcommand("bands", "Print the benchmark bands every rated metric is judged by, with sources");
  add_format_option(*cmd, o.format, o.output, {"table", "json", "csv", "markdown"},
                    "table, json (an array of one object per rule, or per peer band with --peers: jq-friendly), "
                    "csv (editable, feeds --bands) or markdown");
  cmd->add_option("--bands", o.bands, "Show the bands with this override file applied")->type_name(k_file);
  cmd->add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name(k_file);
  cmd->add_flag("--peers", o.peers,
                "The peer benchmark bands instead: published medians and quartiles by ARPA, ACV or ARR band, each "
                "with its source, data year, sample, definition and where it differs from cskpi's (cskpi report "
                "--peers rates against them); csv writes a file for --peer-bands");
  cmd->add_option("--peer-bands", o.peer_bands, "With --peers: show them with this peer band file applied")
      ->type_name(k_file);
  cmd->footer(R"(Examples:
  cskpi bands
  cskpi bands --format csv > my-bands.csv    # edit, then: cskpi report data.csv --bands my-bands.csv
  cskpi bands --peers                        # published peer figures: cskpi report data.csv --peers arpa
  cskpi bands --peers --format csv > peers.csv   # edit, then: cskpi report data.csv --peers acv --peer-bands peers.csv
  cskpi bands --format json | jq '.[] | select(.metric == "nrr")'
  cskpi bands --peers --format json | jq '.[] | select(.dimension == "arpa") | {metric, band, median, source}'

Tiers share one severity scale: best_in_class 4, good 3, acceptable 2, warning 1, critical 0.
A metric's rules are tried in order; the first that holds gives the tier. Bands rate the
annual figure of annualised metrics.)");
}

int run_bands(const BandsOptions& o) {
  if (!o.peer_bands.empty() && !o.peers) throw usage_error("--peer-bands is for the peer bands: add --peers");
  if (o.peers) {
    write_output(o.output, render_peer_bands(app::load_peer_bands(o.peer_bands), o.format));
    return 0;
  }
  const BandTable bands = load_bands(o.bands);
  std::string out;
  if (o.format == "csv") out = "metric,tier,bound,direction,source\n";
  if (o.format == "markdown") out = "| Metric | Tier | Rule | Source |\n|---|---|---|---|\n";
  if (o.format == "json") out = "[";
  for (const std::string& id : bands.rated_metrics()) {
    const MetricDef* def = find_band_metric(id);
    std::string name = def != nullptr ? std::string(def->name) : id;
    if (const std::size_t colon = id.find(':'); colon != std::string::npos)
      name += id.starts_with("csat") ? fmt::format(", scale 1-{}", id.substr(colon + 1))
                                     : fmt::format(", {} motion", id.substr(colon + 1));
    const bool annual = def != nullptr && def->annualization != Annualization::none;
    const std::string source = cite_sources(bands.source_for(id));
    if (o.format == "table")
      out += fmt::format("{} ({}), {} basis; source: {}\n", name, id, annual ? "annual" : "period", source);
    for (const BandRule& r : bands.rules_for(id)) {
      if (o.format == "csv")
        out += fmt::format("{},{},{},{},{}\n", id, to_string(r.tier), r.bound, to_string(r.op), csv_quote(source));
      else if (o.format == "json") // one object per rule, the keys of the csv and the words of the table
        out += fmt::format("{}\n  {{\"metric\": {}, \"name\": {}, \"basis\": {}, \"tier\": {}, \"bound\": {}, "
                           "\"direction\": {}, \"rule\": {}, \"source\": {}}}",
                           out.size() > 1 ? "," : "", json_string(id), json_string(name),
                           json_string(annual ? "annual" : "period"), json_string(to_string(r.tier)),
                           json_number(Quantity::of_real(r.bound)), json_string(to_string(r.op)),
                           json_string(describe_bound(r)), json_string(source));
      else if (o.format == "markdown")
        out += fmt::format("| {} | {} | {} | {} |\n", markdown_cell(id), to_string(r.tier),
                           markdown_cell(describe_bound(r)), markdown_cell(source));
      else out += fmt::format("  {:<14} {}\n", to_string(r.tier), describe_bound(r));
    }
  }
  if (o.format == "json") out += "\n]\n";
  if (o.format != "csv" && o.format != "json") { // the titles of the articles the sources name
    std::string sources;
    for (const std::string& id : bands.rated_metrics()) sources += std::string(bands.source_for(id)) + "\n";
    if (o.format == "table") {
      if (const std::string legend = reference_legend(sources); !legend.empty()) out += "\n" + legend;
    } else {
      const auto cited = cited_references(sources);
      if (!cited.empty()) out += "\nSources (German articles):\n\n";
      for (const auto& [cite, title] : cited)
        out += fmt::format("- {}: {}\n", markdown_cell(cite), markdown_cell(title));
    }
  }
  write_output(o.output, out);
  return 0;
}

} // namespace cskpi::cli
