// SPDX-License-Identifier: MIT
// Movers (issue 30) in every format: a section of the report's table and markdown, a
// top-level `movers` array in its JSON and JSON lines, and the lists of cskpi movements --kind.
#pragma once

#include "metrics/movers.hpp"
#include "report/report.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// The table's movers section: per period and group, each bridge line with its customers,
/// amounts and shares. `top`: the limit the run kept (named in the heading).
std::string render_movers_table(const std::vector<MoverLine>& lines, std::size_t top);
/// The same as markdown: one table per period and group.
std::string render_movers_markdown(const std::vector<MoverLine>& lines, std::size_t top);
/// The entries of the `movers` array, one JSON object each, each line starting with `indent`
/// and all but the last ending with a comma: {period, segment, by, kind, line, rank,
/// customer_id, name, amount, share}. `by`: the --by column (null for the whole base).
std::string movers_json_entries(const std::vector<MoverLine>& lines, const std::optional<std::string>& by,
                                std::string_view indent);
/// The full list of cskpi movements --kind: `format` table, csv or json.
std::string render_mover_list(const std::vector<MoverLine>& lines, const std::optional<std::string>& by,
                              const std::string& format, const std::string& version);

} // namespace cskpi
