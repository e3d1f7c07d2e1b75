// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/money.hpp"
#include "metrics/bands.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One gate of `cskpi check`: `[COLUMN=VALUE:]METRIC[[KEY]][@annual] OP NUMBER` (SPEC §4).
struct Rule {
  std::string text;         ///< as written, trimmed
  std::string scope_column; ///< normalised column name; empty: the `all` group
  std::string scope_value;  ///< the group value (a normalised label for `period`)
  std::string metric;
  std::string key; ///< keyed metrics: churn_reason_logos[price] judges the "price" record
  bool annual = false;
  BandOp op = BandOp::ge;
  Money threshold{};          ///< in the metric's unit, rounded to micro-units
  std::int64_t exact_num = 0; ///< the threshold exactly as written: exact_num / 10^exact_scale
  int exact_scale = 0;        ///< 0..18, trailing decimal zeros dropped
  int written_decimals = 0;   ///< how many decimals the rule writes (trailing zeros too)
  double real = 0.0;          ///< the nearest double, for ratios
};

/// The threshold's exact decimal text: "13301114.53", "88.5109796".
std::string threshold_text(const Rule& rule);

/// Whether `value` (the metric's period value; money and counts are compared exactly, ratios
/// within band_tolerance() at the rule's written decimals) satisfies the rule's operator and
/// threshold.
bool rule_holds(const Quantity& value, const Rule& rule);

/// A malformed rule; `offset` is the 0-based byte in the rule text to put a caret under.
class RuleError : public Error {
public:
  RuleError(const std::string& message, std::size_t offset) : Error(ExitCode::usage, message), m_offset(offset) {}
  std::size_t offset() const noexcept { return m_offset; }

private:
  std::size_t m_offset;
};

/// Parses one rule; throws RuleError naming what is wrong and where. Metric ids are
/// checked against the metric table (with a suggestion for a misspelt one).
Rule parse_rule(std::string_view text);

/// The caret line for an error at byte `offset` of `text`, indented by `indent` columns.
std::string caret_line(std::string_view text, std::size_t offset, std::size_t indent);

/// The outcome of one rule on one group.
struct Verdict {
  enum class Status { pass, fail, skip };
  Status status = Status::fail;
  std::string rule; ///< the rule text, or "fail-on TIER: METRIC"
  std::string metric;
  bool annual = false;
  std::optional<std::string> period;
  std::string segment;
  bool by_value = false; ///< a --by group, even one named "all" (not the whole base)
  std::optional<double> value;
  Unit unit = Unit::percent;
  std::string expect; ///< ">= 100", "better than warning"
  std::string reason; ///< why it failed or was skipped; empty when it passed
  // check --baseline (issue 30): a figure of a closed period compared with its value at close.
  bool baseline = false;
  std::optional<double> was;          ///< the figure at close (nullopt: it was undefined)
  std::vector<std::string> customers; ///< the customers whose movements differ, all of them
  std::string shown;                  ///< shown instead of the value when set ("12 figures")
  // check --anomaly (issue 32): the latest figure against its trailing periods' median and MAD.
  struct Anomaly {
    double k = 0;
    std::optional<double> median, deviation, score; ///< nullopt: no judgement (score: infinite)
    std::size_t history = 0, undefined = 0;
    bool constant = false;
    std::string expected; ///< the annotations' labels when the figure was flagged in an annotated period
  };
  std::optional<Anomaly> anomaly;
};

struct CheckOptions {
  std::optional<Tier> fail_on; ///< fail any rated metric in this tier or worse
  bool allow_missing = false;  ///< a null metric or missing group is skipped, not failed
  /// Periods locked by a baseline (check --baseline): judged against it, not by the rules or
  /// --fail-on. A rule scoped to one of them is skipped and says so.
  std::vector<std::string> closed_periods;
};

/// Judges every rule on every group it applies to (unscoped rules: each period's `all`
/// group), then applies --fail-on to every rated metric of every group. Pure.
std::vector<Verdict> judge(const std::vector<Rule>& rules, const std::vector<Group>& groups, const CheckOptions& opts);

/// Why --fail-on judged nothing: it was given, but no metric of a group it judges (one of a
/// closed period is not) has a tier, most often because every group has fewer than `min_group`
/// starting customers (--min-group). Empty when it judged something or was not given. Pure.
std::string fail_on_judged_nothing(const std::vector<Group>& groups, const CheckOptions& opts, std::uint64_t min_group);

struct CheckSummary {
  std::size_t rules = 0, checks = 0, passed = 0, failed = 0, skipped = 0;
};
CheckSummary summarize(std::size_t rules, const std::vector<Verdict>& verdicts);
/// "3 rules, 2 passed, 1 failed" (with the number of checks when it differs, and skips).
std::string summary_line(const CheckSummary& s);

/// One line per verdict (PASS/FAIL, value, rule, group), then the summary line.
std::string render_check_table(const std::vector<Verdict>& v, const CheckSummary& s, bool color);
/// Verdict records and the summary as one JSON document.
std::string render_check_json(const Report& r, const std::vector<Verdict>& v, const CheckSummary& s);
/// GitHub Actions workflow commands: ::error for failures, ::notice for passes.
std::string render_check_github(const std::vector<Verdict>& v, const CheckSummary& s, std::string_view file);
/// A markdown table for a pull-request comment.
std::string render_check_markdown(const std::vector<Verdict>& v, const CheckSummary& s);

} // namespace cskpi
