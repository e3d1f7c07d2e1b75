// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "ingest/annotations.hpp"
#include "metrics/anomaly.hpp"
#include "platform/files.hpp"
#include "report/anomaly.hpp"
#include "report/baseline.hpp"
#include "report/check.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace cskpi::cli {

void setup_check(CLI::App& app, CheckOptions& o) {
  CLI::App* cmd = app.add_subcommand("check", "Gate a CI pipeline: fail (exit 1) when a KPI breaks a rule or a tier");
  add_input_options(*cmd, o.run);
  CLI::App& rules = option_part(*cmd); // parts of a dozen options or fewer: option_part
  add_reactivation_option(rules, o.run);
  add_leading_options(rules, o.run);
  rules.add_option("-r,--require", o.require, "A rule [COLUMN=VALUE:]METRIC[@annual] OP NUMBER; repeatable")
      ->type_name("RULE")
      ->allow_extra_args(false);
  rules
      .add_option("--rules", o.rules_file,
                  "A file of rules, one per line; # at the start of a line or after a space starts a comment")
      ->type_name(k_file);
  rules.add_option("--fail-on", o.fail_on, "Fail when any rated metric is in this tier or worse")
      ->check(CLI::IsMember({"critical", "warning", "acceptable", "good"}))
      ->type_name("TIER");
  rules.add_flag("--allow-missing", o.allow_missing,
                 "Skip (not fail) rules whose metric is undefined or whose group is absent, and baseline periods "
                 "absent from the data");
  CLI::App& history = option_part(*cmd);
  history
      .add_option("--baseline", o.baseline,
                  "Month-close lock: an earlier cskpi report --format json (best with --lock). Fail when a figure of a "
                  "period it holds has changed since; those periods are judged by it alone, the others by the rules")
      ->type_name(k_file);
  history
      .add_option("--baseline-tolerance", o.baseline_tolerance,
                  "How far a closed figure may move, in its own unit: 0.01 lets money move a cent and percentages "
                  "0.01 points (default: exact)")
      ->type_name("N");
  history
      .add_option("--anomaly", o.anomaly,
                  "Fail when a metric of the latest period lies more than K robust deviations from the median of "
                  "its trailing 12 periods (each --by group too; fewer than 6 with a value: no judgement). The "
                  "robust deviation is 1.4826 x the median absolute deviation, which estimates the standard "
                  "deviation for normal data; K defaults to 3.5, Iglewicz & Hoaglin's modified z-score cutoff "
                  "(the same test). A history that never changed flags any change")
      ->expected(0, 1)
      ->type_name("[K]");
  history
      .add_option("--annotations", o.annotations,
                  "CSV of known events, columns date (YYYY-MM-DD, or YYYY-MM) and label: a figure --anomaly flags in "
                  "a period holding one is reported as expected: LABEL, not failed")
      ->type_name(k_file);
  add_period_option(history, o.run);
  CLI::App& output = option_part(*cmd);
  add_format_option(output, o.run.format, o.run.output, {"table", "json", "github", "markdown"},
                    "table, json, github (workflow annotations) or markdown (PR comment)");
  output.add_option("--gross-margin", o.run.gross_margin, "Gross margin for LTV as a fraction, e.g. 0.8")
      ->type_name("FRACTION");
  output.add_option("--cac", o.run.cac, "Acquisition cost per customer for LTV:CAC")->type_name("AMOUNT");
  output.add_option("--bands", o.run.bands, "CSV of metric,tier,bound,direction replacing built-in bands")
      ->type_name(k_file);
  add_costs_option(output, o.run);
  output.add_flag(
      "-q,--quiet", o.quiet,
      "Print only the rules that failed (and were skipped, and --anomaly's expected figures), and the summary");
  add_color_option(output, o.run.color, "PASS/FAIL");
  cmd->footer(R"(Rules:
  nrr>=100                   period NRR of each period's whole base
  grr@annual>=90             the annualised figure instead of the period one
  segment=SMB:logo_churn<=3  one group of a --by column (grouped automatically)
  period=2026-10:nps>30      one period
  OP is one of >= > <= < ==; NUMBER is in the metric's unit (percent,
  currency, ratio, points): nrr>=95 or nrr>=95%, not the fraction 0.95
  (a retention threshold under 2 is refused as that mistake).

Examples:
  cskpi check export.csv --require 'nrr>=100' --require 'grr@annual>=90'
  cskpi check export.csv --require 'segment=SMB:logo_churn<=3' --fail-on warning
  cskpi check export.csv --rules kpi-gates.txt --format github
  cskpi check export.csv --baseline closed-2026-10.json --require 'nrr>=100'
  cskpi check export.csv --anomaly --annotations events.csv --format github

The input is validated first: an invalid export fails with exit 3 before any rule is judged.
A rule on an undefined metric fails unless --allow-missing is given.
With --baseline, each changed figure of a closed period fails with its value
then and now and the customers whose movements differ (when the baseline was
saved with report --lock); the baseline must have been made with the same
--by, --definitions, --period-length, --gross-margin and --cac (exit 2), and
a file that is not a cskpi report's JSON is an input error (exit 3).
With --anomaly, every metric of the latest period (of each --by group) is
judged against its trailing 12 periods; a flagged figure fails unless
--annotations names an event in its period ("expected: LABEL").
Exit codes: 0 all passed, 1 a rule failed, 2 usage error, 3 input error.)");
}

namespace {

/// Parses one rule; on error throws a usage error showing the rule with a caret.
/// `where` is "--require '...'" or "file:line"; a file position also gets the column.
Rule parse_or_explain(std::string_view text, const std::string& where, bool with_column) {
  try {
    return parse_rule(text);
  } catch (const RuleError& e) {
    const std::string at = with_column ? fmt::format("{}:{}", where, e.offset() + 1) : where;
    throw usage_error(fmt::format("{}: {}\n    {}\n{}", at, e.what(), text, caret_line(text, e.offset(), 4)));
  }
}

/// Where a trailing comment starts in a rules file's line: a '#' after a space or tab; the
/// line's end when there is none.
std::size_t comment_start(std::string_view line) {
  for (std::size_t i = 1; i < line.size(); ++i)
    if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) return i;
  return line.size();
}

std::vector<Rule> collect_rules(const CheckOptions& o) {
  std::vector<Rule> rules;
  for (const std::string& text : o.require)
    rules.push_back(parse_or_explain(text, fmt::format("--require '{}'", text), false));
  if (!o.rules_file.empty()) {
    const std::optional<platform::FileInfo> info = platform::file_info(o.rules_file);
    if (info && info->kind == platform::FileKind::directory)
      throw input_error(fmt::format("{}: is a directory, not a rules file", o.rules_file));
    std::ifstream in(o.rules_file, std::ios::binary);
    if (!in) throw input_error(fmt::format("{}: cannot open rules file: {}", o.rules_file, std::strerror(errno)));
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (n == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3); // a UTF-8 byte order mark
      line.erase(comment_start(line));
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#') continue;
      rules.push_back(parse_or_explain(line, fmt::format("{}:{}", o.rules_file, n), true));
    }
  }
  if (rules.empty() && o.fail_on.empty() && o.baseline.empty() && o.anomaly.empty())
    throw usage_error(
        "nothing to check: give --require RULE, --rules FILE, --fail-on TIER, --baseline FILE or --anomaly");
  return rules;
}

/// --anomaly's K: 3.5 when the flag is given alone; a usage error unless a number above 0.
double anomaly_k(const std::vector<std::string>& given) {
  const std::string text = given.empty() ? std::string() : given.back();
  if (text.empty() || text == "true") return k_anomaly_default_k; // "true": cskpi.toml's anomaly = true
  double k = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
  if (ec != std::errc() || end != text.data() + text.size() || !(k > 0) || !std::isfinite(k))
    throw usage_error(fmt::format("--anomaly {}: K is a number of robust deviations above 0, such as 3.5 (a file "
                                  "name after --anomaly is taken as K: put the files first, or write --anomaly=3.5)",
                                  text));
  return k;
}

} // namespace

int run_check(CheckOptions o) {
  if (!o.anomaly.empty() && o.anomaly.back() == "false") o.anomaly.clear(); // cskpi.toml's anomaly = false
  const std::vector<Rule> rules = collect_rules(o);
  // Group by the column the rules scope on, unless --by says otherwise.
  std::string by = o.run.by.empty() ? std::string() : normalise_column_name(o.run.by);
  for (const Rule& r : rules) {
    if (r.scope_column.empty() || r.scope_column == "period") continue;
    if (by.empty()) by = r.scope_column;
    else if (by != r.scope_column)
      throw usage_error(fmt::format("rule '{}' groups by {}, but this run groups by {}; one grouping column per run",
                                    r.text, r.scope_column, by));
  }
  o.run.by = by;
  o.run.skip_invalid = false; // a broken export never passes a gate
  if (o.baseline.empty() && !o.baseline_tolerance.empty())
    throw usage_error("--baseline-tolerance needs --baseline FILE");
  const Money tolerance =
      o.baseline_tolerance.empty() ? Money{} : app::parse_amount_flag("--baseline-tolerance", o.baseline_tolerance);
  if (o.anomaly.empty() && !o.annotations.empty()) throw usage_error("--annotations FILE needs --anomaly");
  const double k = o.anomaly.empty() ? 0 : anomaly_k(o.anomaly);
  const std::vector<Annotation> annotations =
      o.annotations.empty() ? std::vector<Annotation>{} : ingest::read_annotations(o.annotations);
  // The baseline is read first: a bad one stops the check before the inputs are.
  const std::optional<Baseline> baseline =
      o.baseline.empty() ? std::nullopt : std::optional<Baseline>(app::read_baseline(o.baseline));
  CustomerLedger ledger;
  const std::optional<Report> report =
      compute_report(o.run, true, nullptr, baseline && baseline->ledger ? &ledger : nullptr);
  if (!report) return static_cast<int>(ExitCode::input);

  cskpi::CheckOptions judge_opts;
  if (!o.fail_on.empty()) judge_opts.fail_on = parse_tier(o.fail_on);
  judge_opts.allow_missing = o.allow_missing;
  std::vector<Verdict> verdicts;
  if (baseline) {
    check_compatible(*baseline, report->settings);
    judge_opts.closed_periods = baseline->periods();
    verdicts = judge_baseline(*baseline, *report, baseline->ledger ? &ledger : nullptr,
                              BaselineOptions{.tolerance = tolerance, .allow_missing = o.allow_missing});
  }
  std::vector<Verdict> judged = judge(rules, report->groups, judge_opts);
  // A gate that judged nothing passes: say why, so that it does not pass unnoticed.
  if (const std::string why = fail_on_judged_nothing(report->groups, judge_opts, report->settings.min_group);
      !why.empty())
    print_problem(why, true);
  verdicts.insert(verdicts.end(), std::make_move_iterator(judged.begin()), std::make_move_iterator(judged.end()));
  if (!o.anomaly.empty()) {
    std::vector<Verdict> anomalies = judge_anomalies(report->groups, k, annotations);
    verdicts.insert(verdicts.end(), std::make_move_iterator(anomalies.begin()),
                    std::make_move_iterator(anomalies.end()));
  }
  const std::size_t gates =
      rules.size() + (judge_opts.fail_on ? 1 : 0) + (baseline ? 1 : 0) + (o.anomaly.empty() ? 0 : 1);
  const CheckSummary summary = summarize(gates, verdicts);
  // A flagged figure of a known event passes but is still news: -q keeps it.
  if (o.quiet)
    std::erase_if(verdicts, [](const Verdict& v) {
      return v.status == Verdict::Status::pass && !(v.anomaly && !v.anomaly->expected.empty());
    });

  std::string text;
  if (o.run.format == "json") text = render_check_json(*report, verdicts, summary);
  else if (o.run.format == "github") text = render_check_github(verdicts, summary, report->inputs.front().file);
  else if (o.run.format == "markdown") text = render_check_markdown(verdicts, summary);
  else text = render_check_table(verdicts, summary, use_color(o.run.color, o.run.output));
  write_output(o.run.output, text);
  return static_cast<int>(summary.failed > 0 ? ExitCode::check_failed : ExitCode::ok);
}

} // namespace cskpi::cli
