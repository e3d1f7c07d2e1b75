// SPDX-License-Identifier: MIT
// The annotations file (issue 32): `date,label` rows naming known events, for check
// --anomaly and the HTML report's trend charts. It follows the rules every input form shares
// (rules.hpp): trimmed keys, a totals row refused, an empty label an error, the same
// date and label twice an error naming both lines, a file changed while read refused.
#pragma once

#include "core/annotations.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cskpi::ingest {

/// Parses the text of an annotations file named `file` (for messages): a header with the
/// columns date and label (in any order, other columns ignored), then one event a row. The
/// date is YYYY-MM-DD or YYYY-MM (a month: the event is known by its month only). Two
/// labels on one date are joined. Throws an input error (exit 3) listing every bad row as
/// file:line:col.
std::vector<Annotation> parse_annotations(std::string_view text, const std::string& file);

/// Reads and parses `file`; an input error when it cannot be read or changed while read.
std::vector<Annotation> read_annotations(const std::string& file);

} // namespace cskpi::ingest
