// SPDX-License-Identifier: MIT
// Known events (issue 32, --annotations FILE): a price change, a launch, a migration. A figure
// the anomaly gate flags in a period holding one is reported as expected, not failed, and the
// HTML report's trend charts mark them. src/ingest reads the file (ingest/annotations.hpp).
#pragma once

#include "core/period.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One date of an annotations file with its labels (two rows of one date are joined).
struct Annotation {
  std::string date;  ///< as written, trimmed: YYYY-MM-DD or YYYY-MM
  int month = 0;     ///< the month it falls in, as year * 12 + month - 1 (MonthSpan's unit)
  std::string label; ///< the labels of the date, joined by "; " in the file's order
  std::uint32_t line = 0;
};

/// The labels, joined by "; ", of the annotations whose date falls in period `period` (a
/// report's period label: "2026-10", "2026-Q3", "2026"); empty when none does.
inline std::string annotation_labels(const std::vector<Annotation>& annotations, std::string_view period) {
  const std::optional<Period> p = parse_period(period);
  if (!p) return {};
  const MonthSpan span = month_span(*p);
  std::string out;
  for (const Annotation& a : annotations)
    if (a.month >= span.first && a.month <= span.last) out += (out.empty() ? "" : "; ") + a.label;
  return out;
}

} // namespace cskpi
