// SPDX-License-Identifier: MIT
// cskpi movements --kind (issue 30): every customer behind the bridge lines asked for, from any
// input form. Without --kind and --format, cskpi movements derives movements rows from MRR
// snapshots (snapshots.cpp).
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "report/movers.hpp"

#include <fmt/format.h>

#include <array>

namespace cskpi::cli {

namespace {

/// The kinds named (in k_mover_kinds order), "all" for every one; a usage error names an unknown one.
std::array<bool, k_mover_kind_count> kinds_of(const std::vector<std::string>& names) {
  std::array<bool, k_mover_kind_count> wanted{};
  if (names.empty()) wanted.fill(true);
  std::vector<std::string> known;
  for (const MoverKind& k : k_mover_kinds) known.emplace_back(k.id);
  for (const std::string& raw : names) {
    const std::string name = normalise_column_name(raw);
    if (name == "all") {
      wanted.fill(true);
      continue;
    }
    const std::size_t k = mover_kind_index(name == "churn" ? "churned" : name);
    if (k < k_mover_kind_count) {
      wanted[k] = true;
      continue;
    }
    std::string best;
    std::size_t best_d = 3;
    for (const std::string& id : known)
      if (const std::size_t d = edit_distance(name, id); d < best_d) best_d = d, best = id;
    throw usage_error(fmt::format("--kind \"{}\" is not a bridge line{}; the kinds are {} and all", raw,
                                  best.empty() ? "" : fmt::format(" (did you mean {}?)", best),
                                  fmt::join(known, ", ")));
  }
  return wanted;
}

} // namespace

void add_mover_options(CLI::App& cmd, MovementsOptions& o) {
  cmd.add_option("--kind", o.kinds,
                 "List the customers behind these bridge lines, comma-separated: new, expansion, reactivation, "
                 "contraction, churned, transfer_in, transfer_out (customers whose --by group changed: the group "
                 "entered, the group left), or all; per period (and --by group), the largest first, with each one's "
                 "share of the line. Works on every input form")
      ->delimiter(',')
      ->type_name("KIND,...");
  o.format_option = cmd.add_option("--format", o.run.format,
                                   "The list's format: table (default), csv or json; given without --kind, it lists "
                                   "every kind")
                        ->type_name("FORMAT")
                        ->check(CLI::IsMember({"table", "csv", "json"}));
  // -o's extension picks the list's format as it does report's. Without --kind or --format the
  // output is movements rows, CSV only: -o names a .csv file, a .txt one or one with no extension.
  cmd.callback([&o, &cmd] {
    std::string& format = o.run.format;
    if (o.lists()) {
      format = format_for_output(cmd, o.run.output, format, o.format_option->count() > 0, {"table", "csv", "json"});
      return;
    }
    if (const std::string ext = extension_of(o.run.output); !ext.empty() && ext != "csv" && ext != "txt")
      throw CLI::ValidationError(fmt::format(
          "-o {}: without --kind or --format, cskpi movements writes movements rows, as CSV: name a .csv file, or "
          "add --kind all to list the movers as {}",
          o.run.output, format_of_extension(ext) == "json" ? "json" : "a table, csv or json"));
  });
}

int run_mover_list(const MovementsOptions& mo) {
  const std::array<bool, k_mover_kind_count> wanted = kinds_of(mo.kinds);
  RunOptions o = mo.run;
  o.top = 0; // every customer
  const std::optional<Report> r = compute_report(o);
  if (!r) return static_cast<int>(ExitCode::input);
  std::vector<MoverLine> lines = r->movers.value_or(std::vector<MoverLine>{});
  std::erase_if(lines, [&](const MoverLine& l) { return !wanted[l.kind]; });
  if (r->settings.by) // the whole base repeats its groups' customers: list it only without --by
    std::erase_if(lines, [](const MoverLine& l) { return l.whole; });
  write_output(o.output, render_mover_list(lines, r->settings.by, o.format, CSKPI_VERSION));
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
