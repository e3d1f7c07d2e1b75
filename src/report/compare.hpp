// SPDX-License-Identifier: MIT
// Definitions side by side (issue 30, report --compare): the headline figures of several
// presets, and each difference from the first preset split among the knobs that cause it.
// The reports come from src/app (compare.cpp); this renders them and does the arithmetic.
#pragma once

#include "core/definitions.hpp"
#include "report/report.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cskpi {

/// The metrics --compare shows unless --metrics names others: the headline figures that move
/// with the presets' knobs (billing exports' MRR; snapshot files' annual cohorts).
inline constexpr const char* k_compare_metrics[] = {"mrr_end",    "nrr", "grr", "net_mrr_churn", "expansion_mrr_rate",
                                                    "logo_churn", "arpa"};

/// One report of a comparison and the knob values it was computed with.
struct ComparedRun {
  std::string name;             ///< the preset's, or "cskpi+unpaid_keeps_mrr" for a switched run
  DefinitionPreset definitions; ///< its knob values (the texts are the preset's it came from)
  Report report;
};

/// What --compare computed: a run per preset named, and per other preset and knob that differs
/// from the base, the base's run with that knob switched to the other preset's value.
struct Comparison {
  std::vector<ComparedRun> runs; ///< the presets named first, in order (the base first); then the switched runs
  std::size_t presets = 0;       ///< how many of `runs` are the presets named
  /// switched[p][k]: the run of the base with knob k (definition_knobs()) as preset p has it,
  /// or SIZE_MAX where p has the base's value (p = 0, the base, has none).
  std::vector<std::vector<std::size_t>> switched;
  /// The run converts with --fx: the FX method knob (DefinitionKnob::fx) is shown; without
  /// --fx it changes nothing and every output is as it was before the knob.
  bool fx = false;
};

/// A difference split among the knobs, in millionths of the figure's unit (percentage points,
/// currency, customers): exact, so the shares and the interaction add up to the difference.
struct Attribution {
  std::optional<std::int64_t> difference;          ///< preset - base; nullopt when either is undefined
  std::vector<std::optional<std::int64_t>> shares; ///< per knob switched: its run - base (nullopt: undefined)
  std::optional<std::int64_t> interaction;         ///< difference - the shares (nullopt: some share undefined)
};

/// Splits `preset - base` among the knobs: each share is what switching that knob alone from
/// the base changes (`switched`, one value per knob); the interaction is what is left, so that
/// the shares and the interaction sum to the difference exactly. Values in millionths.
Attribution attribute(std::optional<std::int64_t> base, std::optional<std::int64_t> preset,
                      const std::vector<std::optional<std::int64_t>>& switched);

/// A figure in millionths of its unit: money exactly, counts and reals rounded; nullopt for
/// an undefined one (or one beyond the range).
std::optional<std::int64_t> figure_millionths(const Quantity& q);
std::optional<std::int64_t> figure_millionths(double v);

/// The comparison as a table (the presets' columns and, under each figure that differs, a row
/// per knob with its share), json (the records, each with its definitions, and an attribution
/// array), csv (the records with their definitions and attribution columns) or markdown.
std::string render_comparison(const Comparison& c, const std::string& format, const CsvStyle& style = {});

} // namespace cskpi
