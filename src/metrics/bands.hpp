// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

/// The shared severity scale of SPEC §3: 4 best ... 0 critical.
enum class Tier : std::uint8_t { critical = 0, warning = 1, acceptable = 2, good = 3, best_in_class = 4 };
std::string_view to_string(Tier t) noexcept;
std::optional<Tier> parse_tier(std::string_view text) noexcept;
inline int severity(Tier t) noexcept { return static_cast<int>(t); }

/// Comparison of a band rule: value OP bound.
enum class BandOp : std::uint8_t { ge, gt, le, lt, eq };
std::string_view to_string(BandOp op) noexcept;

/// How close a value must come to `bound`, written with `decimals` decimals, to count as equal
/// to it: 1e-9 of the bound (at least 1e-9), which covers the floating-point noise of ratios
/// and compounded figures and the micro-unit rounding of the sums beneath them, but never more
/// than a hundredth of the bound's last written decimal, so it cannot absorb a difference the
/// bound as written can express.
double band_tolerance(double bound, int decimals) noexcept;

/// `value OP bound`, where values within band_tolerance() of the bound count as equal to it:
/// exact edges hold despite floating-point noise in compounded figures. `decimals`: how many
/// decimals the bound is written with (money's 6 by default).
bool compare(double value, BandOp op, double bound, int decimals = 6) noexcept;

/// One tier of one metric: the value is in `tier` when `value OP bound` holds. A metric's
/// rules are tried in order; the first that holds wins.
struct BandRule {
  std::string metric;
  Tier tier = Tier::acceptable;
  BandOp op = BandOp::ge;
  double bound = 0.0;
  int decimals = 0; ///< how many decimals the bound is written with (0..6), for compare()
};

/// How many decimals (0..6) `bound` needs when written exactly: 0 for 120, 1 for 4.5.
int written_decimals(Money bound) noexcept;

/// The benchmark bands of SPEC §3 as data; replaceable per metric from a CSV file.
class BandTable {
public:
  /// The built-in bands with their sources.
  static BandTable builtin();

  /// Replaces the rules of every metric named in `csv_text` (columns: metric, tier, bound,
  /// direction with direction one of >=, >, <=, <). `known_metric` decides which ids exist.
  /// Throws a usage Error naming `name:line` on malformed rows.
  void override_from_csv(std::string_view csv_text, const std::string& name, bool (*known_metric)(std::string_view));

  /// The tier of `value` for `metric`, or nullopt if the metric is unrated or no rule holds.
  /// Values within band_tolerance() of a bound count as equal to it, so exact edges rate as
  /// the contract says despite floating-point noise in compounded figures.
  std::optional<Tier> rate(std::string_view metric, double value) const;

  /// The rules of one metric in evaluation order.
  std::vector<BandRule> rules_for(std::string_view metric) const;
  /// The source articles for a metric's bands ("" when overridden or unrated).
  std::string_view source_for(std::string_view metric) const;
  /// Metric ids with rules, in table order.
  std::vector<std::string> rated_metrics() const;
  /// "builtin" or the override file's name.
  const std::string& origin() const { return m_origin; }

private:
  std::vector<BandRule> m_rules;
  std::vector<std::pair<std::string, std::string>> m_sources;
  std::string m_origin = "builtin";
};

/// The reference articles (shared/reference/, German) that metrics and bands cite by number:
/// "002" -> "Post-Sale Metrics Guide: Wesentliche KPIs für Customer Success Teams". The
/// articles name no publisher; an author or date is given where the article has one.
std::string_view reference_title(std::string_view number) noexcept;

/// The references `text` mentions by number, in the numbers' order, each as cite_sources
/// names it ("\"Post-Sale Metrics Guide\"") with its full title.
std::vector<std::pair<std::string_view, std::string_view>> cited_references(std::string_view text);
/// `text` with each reference number replaced by the article's short title, for people who
/// do not have the files: "002 (B2B)" -> "\"Post-Sale Metrics Guide\" (B2B)".
std::string cite_sources(std::string_view text);
/// "sources ...:" and a line per cited article, short title then full title; "" when none.
std::string reference_legend(std::string_view text);

/// Describes one rule for people: ">= 120", "< 5".
std::string describe_bound(const BandRule& rule);

/// A record of a small settings CSV (a bands or a peer bands file) and where it is, for errors.
struct SettingsRecord {
  const std::vector<std::string_view>& fields;
  const std::string& file;
  std::size_t line = 0;
  /// A usage error at file:line:column.
  Error fail(std::size_t column, const std::string& message) const;
};
/// Calls `take` for each record of `text`. A UTF-8 BOM, blank lines, lines starting with '#'
/// and a first record whose first field is "metric" (the header) are skipped; a record that
/// does not split into `min_fields` to `max_fields` comma-separated fields is a usage error
/// "expected `expected`".
void each_settings_record(std::string_view text, const std::string& file, std::size_t min_fields,
                          std::size_t max_fields, std::string_view expected,
                          const std::function<void(const SettingsRecord&)>& take);

} // namespace cskpi
