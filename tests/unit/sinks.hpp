// SPDX-License-Identifier: MIT
// The sinks the form tests read through: rows dropped, problems kept as the CLI prints them.
#pragma once

#include "core/error.hpp"
#include "core/records.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi::testing {

/// Takes every row and keeps none: the tests look at the form's own tables and summaries.
struct NoRows : RowSink {
  void add(const MovementRow&) override {}
};

/// Keeps each problem as one formatted line.
struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
  /// Whether some line holds `what`.
  bool told(std::string_view what) const {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(what) != l.npos; });
  }
};

} // namespace cskpi::testing
