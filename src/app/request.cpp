// SPDX-License-Identifier: MIT
#include "app/request.hpp"

#include "core/csv.hpp"
#include "core/definitions.hpp"
#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cskpi::app {

HealthScheme health_scheme(const ReportRequest& o) {
  const std::optional<HealthScheme> s = parse_health_scheme(o.health_scheme);
  if (!s)
    throw usage_error(fmt::format("--health-scheme \"{}\" is not default, power-users or GREEN/YELLOW cut-offs with "
                                  "0 < YELLOW < GREEN <= 100 (e.g. 75/40)",
                                  o.health_scheme));
  return *s;
}

namespace {

/// --fx-method, or the preset's method when --fx converts; constant without --fx.
FxMethod fx_method_of(const ReportRequest& o, const DefinitionPreset& preset) {
  if (o.fx_method.empty()) return o.fx.empty() ? FxMethod::constant : preset.fx_method;
  const std::optional<FxMethod> m = parse_fx_method(o.fx_method);
  if (!m) throw usage_error(fmt::format("--fx-method \"{}\" is not constant, period-end or transaction", o.fx_method));
  if (o.fx.empty()) throw usage_error("--fx-method needs --fx FILE: the rates it values MRR with");
  return *m;
}

} // namespace

IngestOptions ingest_options(const ReportRequest& o) {
  IngestOptions in;
  if (!o.delimiter.empty()) {
    if (o.delimiter == "," || o.delimiter == "comma") in.delimiter = ',';
    else if (o.delimiter == ";" || o.delimiter == "semicolon") in.delimiter = ';';
    else if (o.delimiter == "\t" || o.delimiter == "tab" || o.delimiter == "\\t") in.delimiter = '\t';
    else throw usage_error(fmt::format("--delimiter \"{}\" is not one of , ; tab", o.delimiter));
  }
  in.decimal_comma = o.decimal_comma;
  if (!o.tolerance.empty()) in.tolerance = parse_amount_flag("--tolerance", o.tolerance);
  in.strict = o.strict;
  in.names = o.top.has_value(); // movers show the customer's name where the input has one
  if (!o.by.empty()) in.by_column = normalise_column_name(o.by);
  if (!o.period_length.empty()) {
    in.period_length = parse_period_length(o.period_length);
    if (!in.period_length)
      throw usage_error(fmt::format("--period-length \"{}\" is not month, quarter or year", o.period_length));
  }
  if (!o.amounts.empty()) in.amounts_in_cents = o.amounts == "cents";
  in.health_over_100 = health_scheme(o).power_users;
  if (o.csat_scale == "5" || o.csat_scale == "10") in.csat_scale = std::stoi(o.csat_scale);
  in.encoding = o.encoding;
  in.threads = o.threads;
  in.date_format = o.date_format == "auto" ? std::string() : o.date_format;
  for (const std::string& pair : o.map) {
    const std::size_t eq = pair.find('=');
    const std::string ours = normalise_column_name(pair.substr(0, eq == std::string::npos ? 0 : eq));
    const std::string theirs = eq == std::string::npos ? std::string() : normalise_column_name(pair.substr(eq + 1));
    if (ours.empty() || theirs.empty())
      throw usage_error(fmt::format("--map \"{}\" is not OURS=THEIRS, e.g. start_mrr=MRR Start", pair));
    in.column_map.emplace_back(ours, theirs);
  }
  in.fx_file = o.fx;
  in.currency = o.currency;
  for (char& c : in.currency) // usd is USD
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const DefinitionPreset* preset = find_definition_preset(o.definitions);
  if (preset == nullptr)
    throw usage_error(fmt::format("--definitions \"{}\" is not cskpi, smsb, chartmogul or profitwell", o.definitions));
  apply_definitions(in, o, *preset);
  if (!o.as_of.empty()) {
    in.as_of_day = parse_date(o.as_of);
    if (!in.as_of_day) throw usage_error(fmt::format("--as-of \"{}\" is not a date YYYY-MM-DD", o.as_of));
  }
  check_ingest_options(in);
  return in;
}

void apply_definitions(IngestOptions& in, const ReportRequest& o, const DefinitionPreset& preset) {
  in.once_discounts_in_mrr = preset.once_discounts_in_mrr;
  in.unpaid_keeps_mrr = preset.unpaid_keeps_mrr;
  in.fx_method = fx_method_of(o, preset);
}

std::vector<const DefinitionPreset*> parse_compare(const std::vector<std::string>& names) {
  std::vector<std::string> known;
  for (const DefinitionPreset& p : definition_presets()) known.emplace_back(p.name);
  std::vector<const DefinitionPreset*> presets;
  for (std::string name : names) {
    // --compare "cskpi, ChartMogul": names in any case, spaces around them ignored.
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.empty()) continue;
    const DefinitionPreset* p = find_definition_preset(name);
    if (p == nullptr) {
      std::string near;
      std::size_t best = 3; // more edits than this is a different word, not a typo
      for (const std::string& k : known)
        if (const std::size_t d = edit_distance(name, k); d < best) {
          best = d;
          near = k;
        }
      throw usage_error(
          fmt::format("--compare: unknown preset \"{}\"{}; the presets are {} (cskpi explain definitions)", name,
                      near.empty() ? "" : fmt::format(" (did you mean {}?)", near), fmt::join(known, ", ")));
    }
    if (std::find(presets.begin(), presets.end(), p) != presets.end())
      throw usage_error(fmt::format("--compare: {} is named twice", name));
    presets.push_back(p);
  }
  if (presets.size() == 1)
    throw usage_error(fmt::format("--compare {} names one preset: name two or more, the first the base (e.g. "
                                  "--compare cskpi,chartmogul), or report one with --definitions {}",
                                  presets[0]->name, presets[0]->name));
  if (presets.empty()) throw usage_error("--compare names no preset: e.g. --compare cskpi,chartmogul");
  return presets;
}

Money parse_amount_flag(const std::string& flag, const std::string& text) {
  const ParsedMoney p = parse_money(text, DecimalStyle::point);
  if (p.status != ParsedMoney::Status::ok || p.value.micros < 0)
    throw usage_error(fmt::format("{} \"{}\" is not a non-negative number (use a decimal point: 0.8)", flag, text));
  return p.value;
}

namespace {

bool known_metric(std::string_view id) { return find_band_metric(id) != nullptr; }

} // namespace

BandTable load_bands(const std::string& path) {
  BandTable bands = BandTable::builtin();
  if (path.empty()) return bands;
  const std::optional<platform::FileInfo> info = platform::file_info(path);
  if (info && info->kind == platform::FileKind::directory)
    throw input_error(fmt::format("{}: is a directory, not a bands file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open bands file: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  bands.override_from_csv(text.str(), path, known_metric);
  return bands;
}

std::vector<std::string> parse_metric_list(const std::vector<std::string>& ids) {
  // --metrics "nrr, GRR": ids in any case, spaces around them ignored.
  std::vector<std::string> metrics;
  for (std::string id : ids) {
    while (!id.empty() && id.front() == ' ') id.erase(0, 1);
    while (!id.empty() && id.back() == ' ') id.pop_back();
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (id.empty()) continue;
    metrics.push_back(id);
    if (find_metric(id) != nullptr) continue;
    const std::string near = suggest_metric(id);
    throw usage_error(fmt::format("unknown metric \"{}\"{}", id,
                                  near.empty() ? " (see cskpi bands)" : fmt::format("; did you mean {}?", near)));
  }
  return metrics;
}

Money parse_gross_margin(const std::string& text) {
  // 0.8, or 80% (a percentage: divided by 100 exactly).
  const bool percent = !text.empty() && text.back() == '%';
  const std::string number = percent ? text.substr(0, text.size() - 1) : text;
  Money margin = parse_amount_flag("--gross-margin", number);
  if (percent) {
    if (margin.micros % 100 != 0)
      throw usage_error(fmt::format("--gross-margin \"{}\" has more decimals than a fraction keeps (6)", text));
    margin = Money{margin.micros / 100};
  }
  if (margin > Money::from_units(1))
    throw usage_error(
        fmt::format("--gross-margin \"{}\" must be a fraction from 0 to 1 (0.8), or a percentage up to 100%", text));
  return margin;
}

} // namespace cskpi::app
