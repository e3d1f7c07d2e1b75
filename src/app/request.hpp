// SPDX-License-Identifier: MIT
// What a run is asked (issue 29): the options of cskpi report, check, validate and the
// snapshot commands as plain values, as the user wrote them, and their parsing into the
// settings of the layers below. No CLI11 here: src/cli fills a ReportRequest from its flags.
#pragma once

#include "core/attributes.hpp"
#include "core/definitions.hpp"
#include "core/money.hpp"
#include "ingest/ingest.hpp"
#include "metrics/bands.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cskpi::app {

/// The options of a run (SPEC §4) as text: a value is checked where the run reaches it, and a
/// bad one is a usage error that names its flag.
struct ReportRequest {
  std::vector<std::string> files; ///< "-" is standard input
  std::string by;
  std::string period_length;
  std::string gross_margin;
  std::string cac;
  std::string bands; ///< a bands CSV replacing built-in bands per metric
  std::vector<std::string> metrics;
  std::string delimiter;
  std::optional<bool> decimal_comma; ///< unset: as each file's delimiter says
  bool skip_invalid = false;
  bool strict = false; ///< --strict: a break in a movements file's continuity is an error
  std::string tolerance;
  std::string amounts;      ///< "", "cents" or "units" (snapshot files)
  std::string reactivation; ///< exact annual cohorts: include or exclude reactivated customers ("": the preset's)
  // Customers and responses files (issue 7).
  std::string health_scheme = "default";
  std::string csat_scale = "auto";
  std::string as_of;
  std::string motion;
  // Real exports (issue 12).
  std::string encoding = "utf-8";
  std::string date_format;
  std::vector<std::string> map;      ///< OURS=THEIRS pairs
  std::string fx;                    ///< exchange rates file
  std::string currency;              ///< the currency to report in
  std::string fx_method;             ///< --fx-method: constant, period-end or transaction ("": the preset's)
  std::uint64_t min_group = 30;      ///< rate a group only from this many starting customers
  std::string definitions = "cskpi"; ///< the definitions preset
  std::vector<std::string> compare;  ///< report --compare: presets side by side, the first the base
  int threads = 0;                   ///< 0 = as ingest decides
  std::string period;                ///< P or FROM..TO (issue 14): only these periods
  std::string invoices;              ///< --invoices FILE (issue 31): invoice lines, "" for none
  /// Movers (issue 30): the customers kept per bridge line, the largest first; 0 keeps every
  /// one; unset: no movers are kept (and none shown).
  std::optional<std::size_t> top;
  /// --costs FILE (issue 31): a costs file (period, sales_marketing, net_burn, ...) for the
  /// efficiency metrics; read with the other files, its header must make it one.
  std::string costs;
  /// cskpi check: the failures are worded for a gate, and an input without rows fails.
  bool check_mode = false;
};

/// IngestOptions from the request; throws usage errors for bad values.
IngestOptions ingest_options(const ReportRequest& q);
/// Sets what `preset` chooses of how ingest reads an export (its knobs with forms, and its FX
/// method when the request converts with --fx and does not name one with --fx-method).
void apply_definitions(IngestOptions& in, const ReportRequest& o, const DefinitionPreset& preset);
/// The presets of --compare, in the order given; throws a usage error for an unknown name
/// (with the closest known one), a name given twice, or fewer than two names.
std::vector<const DefinitionPreset*> parse_compare(const std::vector<std::string>& names);
/// The health scheme of the request; throws a usage error for a bad value.
HealthScheme health_scheme(const ReportRequest& q);

/// Parses a non-negative decimal flag value exactly; throws a usage error naming the flag.
Money parse_amount_flag(const std::string& flag, const std::string& text);
/// Metric ids in any case, spaces around them ignored; throws a usage error naming an
/// unknown id, with the closest known one.
std::vector<std::string> parse_metric_list(const std::vector<std::string>& ids);
/// A gross margin: a fraction (0.8) or a percentage (80%), exactly; throws a usage error.
Money parse_gross_margin(const std::string& text);
/// The built-in bands, with the bands file at `path` applied ("" for none).
BandTable load_bands(const std::string& path);

} // namespace cskpi::app
