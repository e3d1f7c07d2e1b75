// SPDX-License-Identifier: MIT
#include "metrics/peers.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/money.hpp"
#include "metrics/bands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cskpi {

std::string_view to_string(PeerDimension d) noexcept {
  switch (d) {
  case PeerDimension::arpa: return "arpa";
  case PeerDimension::acv: return "acv";
  case PeerDimension::arr: return "arr";
  }
  return "arpa";
}

std::optional<PeerDimension> parse_peer_dimension(std::string_view text) noexcept {
  for (PeerDimension d : {PeerDimension::arpa, PeerDimension::acv, PeerDimension::arr})
    if (to_string(d) == text) return d;
  return std::nullopt;
}

std::string_view to_string(PeerHorizon h) noexcept { return h == PeerHorizon::month ? "month" : "cohort_12m"; }

std::string_view to_string(PeerPosition p) noexcept {
  switch (p) {
  case PeerPosition::below_p25: return "below_p25";
  case PeerPosition::below_median: return "below_median";
  case PeerPosition::at_median: return "at_median";
  case PeerPosition::above_median: return "above_median";
  case PeerPosition::above_p75: return "above_p75";
  }
  return "at_median";
}

bool PeerRow::contains(double value) const noexcept {
  // The lower edge belongs to the band, the upper to the next: $12k is in "$12k-25k".
  return (!from || compare(value, BandOp::ge, *from)) && (!to || compare(value, BandOp::lt, *to));
}

std::string peer_amount(double usd) {
  const auto trimmed = [](double v) {
    std::string s = fmt::format("{:.2f}", v);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  };
  // fmt, not "$" + a string: GCC 12 takes that for an overlapping copy (-Wrestrict).
  if (usd >= 1e6) return fmt::format("${}M", trimmed(usd / 1e6));
  if (usd >= 1e3) return fmt::format("${}k", trimmed(usd / 1e3));
  return fmt::format("${}", trimmed(usd));
}

std::string PeerRow::band_label() const {
  std::string dim(to_string(dimension));
  for (char& c : dim) c = static_cast<char>(c - 'a' + 'A');
  if (from && to && *from > 0) return fmt::format("{} {}-{}", dim, peer_amount(*from), peer_amount(*to).substr(1));
  if (to) return fmt::format("{} under {}", dim, peer_amount(*to));
  if (from) return fmt::format("{} {} and more", dim, peer_amount(*from));
  return fmt::format("{} any", dim);
}

PeerPosition peer_position(const PeerRow& row, double value) noexcept {
  if (compare(value, BandOp::eq, row.median)) return PeerPosition::at_median;
  if (value < row.median)
    return row.p25 && compare(value, BandOp::lt, *row.p25) ? PeerPosition::below_p25 : PeerPosition::below_median;
  return row.p75 && compare(value, BandOp::gt, *row.p75) ? PeerPosition::above_p75 : PeerPosition::above_median;
}

namespace {

constexpr std::size_t k_fields = 15;

/// One data row of a peer band file; `fail` throws for a column (1-based).
template <typename Fail>
PeerRow parse_row(const std::vector<std::string_view>& f, Fail fail, bool (*known_metric)(std::string_view)) {
  const auto number = [&](std::size_t col, bool required) -> std::optional<double> {
    const std::string_view text = trim_spaces(f[col - 1]);
    if (text.empty()) {
      if (required) throw fail(col, "is empty: the median is required");
      return std::nullopt;
    }
    const ParsedMoney p = parse_money(text, DecimalStyle::point);
    if (p.status != ParsedMoney::Status::ok || p.value.micros < 0)
      throw fail(col, fmt::format("\"{}\" is not a non-negative number", text));
    return static_cast<double>(p.value.micros) / static_cast<double>(Money::k_scale);
  };
  PeerRow r;
  r.metric = std::string(trim_spaces(f[0]));
  if (!known_metric(r.metric)) throw fail(1, fmt::format("unknown metric \"{}\" (see cskpi explain)", r.metric));
  const auto dim = parse_peer_dimension(trim_spaces(f[1]));
  if (!dim) throw fail(2, fmt::format("dimension \"{}\" is not arpa, acv or arr", trim_spaces(f[1])));
  r.dimension = *dim;
  r.from = number(3, false);
  r.to = number(4, false);
  if (r.from && r.to && !(*r.from < *r.to)) throw fail(4, "the band's upper edge must be above its lower edge");
  r.p25 = number(5, false);
  r.median = *number(6, true);
  r.p75 = number(7, false);
  if ((r.p25 && *r.p25 > r.median) || (r.p75 && *r.p75 < r.median))
    throw fail(r.p25 && *r.p25 > r.median ? 5 : 7,
               "p25 <= median <= p75 as numbers (the 25th percentile of the figure, not the better quarter)");
  const std::string_view horizon = trim_spaces(f[7]);
  if (horizon != "month" && horizon != "cohort_12m")
    throw fail(8, fmt::format("horizon \"{}\" is not month or cohort_12m", horizon));
  r.horizon = horizon == "month" ? PeerHorizon::month : PeerHorizon::cohort_12m;
  const std::string_view better = trim_spaces(f[8]);
  if (better != "higher" && better != "lower")
    throw fail(9, fmt::format("better \"{}\" is not higher or lower", better));
  r.higher_is_better = better == "higher";
  r.source = std::string(trim_spaces(f[9]));
  if (r.source.empty()) throw fail(10, "is empty: every row names its source");
  r.year = std::string(trim_spaces(f[10]));
  r.sample = std::string(trim_spaces(f[11]));
  r.definition = std::string(trim_spaces(f[12]));
  r.caveat = std::string(trim_spaces(f[13]));
  r.url = std::string(trim_spaces(f[14]));
  return r;
}

} // namespace

std::vector<PeerRow> PeerTable::parse_csv(std::string_view text, const std::string& name,
                                          bool (*known_metric)(std::string_view)) {
  std::vector<PeerRow> rows;
  each_settings_record(text, name, k_fields, k_fields, fmt::format("the {} fields {}", k_fields, k_peer_columns),
                       [&](const SettingsRecord& rec) {
                         const auto fail = [&](std::size_t col, const std::string& msg) { return rec.fail(col, msg); };
                         rows.push_back(parse_row(rec.fields, fail, known_metric));
                       });
  if (rows.empty()) throw usage_error(fmt::format("{}: no peer bands found", name));
  return rows;
}

void PeerTable::override_from_csv(std::string_view text, const std::string& name,
                                  bool (*known_metric)(std::string_view)) {
  std::vector<PeerRow> replacement = parse_csv(text, name, known_metric);
  for (const PeerRow& r : replacement)
    std::erase_if(m_rows, [&](const PeerRow& old) { return old.metric == r.metric; });
  for (PeerRow& r : replacement) m_rows.push_back(std::move(r));
  m_origin = name;
}

PeerTable PeerTable::builtin() {
  PeerTable t;
  t.m_rows = parse_csv(builtin_peer_csv(), "builtin peer bands", [](std::string_view) { return true; });
  return t;
}

bool PeerTable::rates(std::string_view metric, PeerDimension dimension) const {
  return std::any_of(m_rows.begin(), m_rows.end(),
                     [&](const PeerRow& r) { return r.metric == metric && r.dimension == dimension; });
}

const PeerRow* PeerTable::lookup(std::string_view metric, PeerDimension dimension, double value) const {
  for (const PeerRow& r : m_rows)
    if (r.metric == metric && r.dimension == dimension && r.contains(value)) return &r;
  return nullptr;
}

std::string PeerTable::bands_of(std::string_view metric, PeerDimension dimension) const {
  std::vector<std::string> labels;
  for (const PeerRow& r : m_rows)
    if (r.metric == metric && r.dimension == dimension)
      if (std::string l = r.band_label(); std::find(labels.begin(), labels.end(), l) == labels.end())
        labels.push_back(std::move(l));
  return fmt::format("{}", fmt::join(labels, ", "));
}

} // namespace cskpi
