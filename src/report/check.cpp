// SPDX-License-Identifier: MIT
#include "report/check.hpp"

#include "core/csv.hpp"
#include "core/period.hpp"
#include "metrics/metrics.hpp"
#include "report/anomaly.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace cskpi {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Reads `text` from position `i` with a cursor that knows where it is for carets.
struct Cursor {
  std::string_view text;
  std::size_t i = 0;
  void skip_spaces() {
    while (i < text.size() && is_space(text[i])) ++i;
  }
  bool done() const { return i >= text.size(); }
  [[noreturn]] void fail(const std::string& message, std::optional<std::size_t> at = std::nullopt) const {
    throw RuleError(message, at.value_or(i));
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// Whether a threshold for this metric cannot mean percent points when it lies in (0, 2): the
/// share of the base kept or renewed (nrr, grr, logo_retention, renewal_rate), which lives near
/// 100 and whose annual figure is a retention too. A gate of nrr>=0.95 is the fraction 95 %
/// written the way --gross-margin takes it (issue 28). Rates that can be small are left alone:
/// logo_churn<=0.5 (0.5 % a month) and expansion_rate>=1 are real gates, and so may a share of
/// health, CSAT or saves be.
bool fraction_is_a_mistake(const MetricDef& def) {
  return def.unit == Unit::percent && (def.annualization == Annualization::retention || def.id == "renewal_rate");
}

/// Reads the rule's number (already accepted by parse_money) exactly into `rule`: its digits,
/// sign and decimals, and the nearest double for ratios. More than 18 significant digits or
/// 18 decimals is a usage error rather than a silent rounding.
void read_exact(std::string_view number, Rule& rule, const Cursor& cur) {
  bool negative = false, point = false;
  std::string digits;
  int decimals = 0;
  for (const char c : number) {
    if (c == '-') negative = true;
    else if (c == '.') point = true;
    else if (c >= '0' && c <= '9') {
      digits += c;
      if (point) ++decimals;
    }
  }
  rule.written_decimals = decimals;
  while (decimals > 0 && digits.back() == '0') digits.pop_back(), --decimals;
  const std::size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  if (decimals > 18 || digits.size() > 18)
    cur.fail(fmt::format("\"{}\" has more digits than a rule compares exactly (18, with at most 18 decimals)", number));
  std::int64_t num = 0;
  for (const char c : digits) num = num * 10 + (c - '0');
  rule.exact_num = negative ? -num : num;
  rule.exact_scale = decimals;
  const std::string scientific = fmt::format("{}{}e-{}", negative ? "-" : "", digits, decimals);
  std::from_chars(scientific.data(), scientific.data() + scientific.size(), rule.real);
}

__extension__ typedef __int128 rule_i128; // exact: 18 digits times 10^18 fit

rule_i128 power_of_ten(int n) {
  rule_i128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

/// -1, 0 or 1 as `value` / 10^scale is below, at or above the rule's exact threshold.
int exact_order(std::int64_t value, int scale, const Rule& rule) {
  const int common = std::max(scale, rule.exact_scale);
  const rule_i128 a = static_cast<rule_i128>(value) * power_of_ten(common - scale);
  const rule_i128 b = static_cast<rule_i128>(rule.exact_num) * power_of_ten(common - rule.exact_scale);
  return a < b ? -1 : a > b ? 1 : 0;
}

bool order_holds(int order, BandOp op) {
  switch (op) {
  case BandOp::ge: return order >= 0;
  case BandOp::gt: return order > 0;
  case BandOp::le: return order <= 0;
  case BandOp::lt: return order < 0;
  case BandOp::eq: return order == 0;
  }
  return false;
}

std::string metric_error(const std::string& id) {
  const std::string near = suggest_metric(id);
  return fmt::format("unknown metric \"{}\"{}", id,
                     near.empty() ? " (cskpi explain list shows all)" : fmt::format("; did you mean {}?", near));
}

} // namespace

Rule parse_rule(std::string_view text) {
  std::size_t lead = 0;
  while (lead < text.size() && is_space(text[lead])) ++lead;
  std::size_t end = text.size();
  while (end > lead && is_space(text[end - 1])) --end;
  Rule rule;
  rule.text = std::string(text.substr(lead, end - lead));
  if (rule.text.empty()) throw RuleError("empty rule: expected METRIC OP NUMBER, e.g. nrr>=100", 0);

  Cursor cur{text.substr(0, end), lead};
  // Scope: everything before the last ':' (metric ids never contain one).
  const std::size_t colon = text.substr(0, end).rfind(':');
  if (colon != std::string_view::npos && colon >= lead) {
    const std::string_view scope = text.substr(lead, colon - lead);
    const std::size_t eq = scope.find('=');
    if (eq == std::string_view::npos || eq == 0)
      cur.fail("a scope is COLUMN=VALUE before ':', e.g. segment=SMB:grr>=85", lead);
    std::string_view column = scope.substr(0, eq), value = scope.substr(eq + 1);
    while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
    while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
    if (value.empty()) cur.fail("the scope has no value after '='", lead + eq + 1);
    rule.scope_column = normalise_column_name(column);
    if (rule.scope_column.empty()) cur.fail("the scope has no column before '='", lead);
    rule.scope_value = std::string(value);
    if (rule.scope_column == "period") {
      const auto p = parse_period(value);
      if (!p) cur.fail(fmt::format("period \"{}\" is not a period (YYYY-MM, YYYY-Qn or YYYY)", value), lead + eq + 1);
      rule.scope_value = p->label;
    }
    cur.i = colon + 1;
  }

  cur.skip_spaces();
  const std::size_t metric_at = cur.i;
  while (!cur.done() && is_id_char(cur.text[cur.i])) ++cur.i;
  if (cur.i == metric_at) cur.fail("expected a metric id, e.g. nrr>=100");
  rule.metric = lower(cur.text.substr(metric_at, cur.i - metric_at));
  const MetricDef* def = find_metric(rule.metric);
  if (def == nullptr) cur.fail(metric_error(rule.metric), metric_at);
  if (!cur.done() && cur.text[cur.i] == '[') {
    const std::size_t open = cur.i;
    const std::size_t close = cur.text.find(']', open);
    if (!def->keyed) cur.fail(fmt::format("{} has no keys; drop [...]", rule.metric), open);
    if (close == std::string_view::npos) cur.fail("the key has no closing ']'", open);
    std::string_view key = cur.text.substr(open + 1, close - open - 1);
    while (!key.empty() && is_space(key.front())) key.remove_prefix(1);
    while (!key.empty() && is_space(key.back())) key.remove_suffix(1);
    if (key.empty()) cur.fail("the key is empty", open + 1);
    rule.key = std::string(key);
    cur.i = close + 1;
  } else if (def->keyed) {
    cur.fail(fmt::format("{} needs a key: the churn reason, e.g. {}[price]<=30", rule.metric, rule.metric), cur.i);
  }
  if (!cur.done() && cur.text[cur.i] == '@') {
    const std::size_t at = cur.i;
    ++cur.i;
    const std::size_t word = cur.i;
    while (!cur.done() && is_id_char(cur.text[cur.i])) ++cur.i;
    if (lower(cur.text.substr(word, cur.i - word)) != "annual") cur.fail("the only suffix is @annual", at);
    if (def->annualization == Annualization::none)
      cur.fail(fmt::format("{} has no annual figure; drop @annual", rule.metric), at);
    rule.annual = true;
  }

  cur.skip_spaces();
  const std::size_t op_at = cur.i;
  const std::string_view rest = cur.text.substr(cur.i);
  if (rest.rfind(">=", 0) == 0) rule.op = BandOp::ge, cur.i += 2;
  else if (rest.rfind("<=", 0) == 0) rule.op = BandOp::le, cur.i += 2;
  else if (rest.rfind("==", 0) == 0) rule.op = BandOp::eq, cur.i += 2;
  else if (rest.rfind(">", 0) == 0) rule.op = BandOp::gt, cur.i += 1;
  else if (rest.rfind("<", 0) == 0) rule.op = BandOp::lt, cur.i += 1;
  else cur.fail(fmt::format("expected one of >= > <= < == after {}", rule.metric), op_at);

  cur.skip_spaces();
  const std::size_t number_at = cur.i;
  std::string_view number = cur.text.substr(cur.i);
  if (number.empty()) cur.fail(fmt::format("expected a number after {}", to_string(rule.op)));
  // 'nrr>=100%': a percent sign where the metric is a percentage (the number is already in %).
  const bool percent_sign = number.back() == '%';
  if (percent_sign) {
    if (def->unit != Unit::percent)
      cur.fail(fmt::format("{} is not a percentage ({}); drop the %", rule.metric, to_string(def->unit)),
               number_at + number.size() - 1);
    number.remove_suffix(1);
    while (!number.empty() && is_space(number.back())) number.remove_suffix(1);
  }
  const ParsedMoney p = parse_money(number, DecimalStyle::point);
  if (p.status == ParsedMoney::Status::overflow) cur.fail(fmt::format("{} is too large", number), number_at);
  if (p.status != ParsedMoney::Status::ok)
    cur.fail(fmt::format("\"{}\" is not a number (use a decimal point: 99.5)", number), number_at);
  rule.threshold = p.value;
  cur.i = number_at;
  read_exact(number, rule, cur);
  // 'nrr>=0.95': no one gates a retention at under 2 %; '0.95%' says it is meant.
  const bool fraction = rule.threshold.micros > 0 && rule.threshold.micros < 2 * Money::k_scale;
  if (fraction && !percent_sign && fraction_is_a_mistake(*def)) {
    const std::string meant =
        rule.text.substr(0, number_at - lead) + format_money_exact(Money{rule.threshold.micros * 100});
    cur.fail(fmt::format("{} is in percent: did you mean {}? (write {}% if you mean that)", rule.metric, meant,
                         format_money_exact(rule.threshold)),
             number_at);
  }
  return rule;
}

std::string threshold_text(const Rule& rule) {
  const bool negative = rule.exact_num < 0;
  std::string digits = std::to_string(negative ? -rule.exact_num : rule.exact_num);
  const auto scale = static_cast<std::size_t>(rule.exact_scale);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return negative ? "-" + digits : digits;
}

bool rule_holds(const Quantity& value, const Rule& rule) {
  switch (value.kind) {
  case Quantity::Kind::money: return order_holds(exact_order(value.money.micros, 6, rule), rule.op);
  case Quantity::Kind::count: return order_holds(exact_order(value.count, 0, rule), rule.op);
  case Quantity::Kind::real: break;
  }
  return compare(value.real, rule.op, rule.real, rule.written_decimals);
}

std::string caret_line(std::string_view text, std::size_t offset, std::size_t indent) {
  // Count characters, not bytes, so the caret sits under the right glyph.
  std::size_t column = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return std::string(indent + column, ' ') + "^";
}

namespace {

/// The record a rule judges. A keyed rule whose key has no record in a group that has
/// others (say, no churned customer gave that reason) judges `zero`: the share is 0.
const Record* find_rule_record(const Group& g, const Rule& rule, const Record& zero) {
  const Record* any = nullptr;
  for (const Record& r : g.records) {
    if (r.metric.def->id != rule.metric) continue;
    if (r.metric.key == rule.key) return &r;
    if (r.metric.value) any = &r;
  }
  return any != nullptr ? &zero : nullptr;
}

bool any_group_has(const std::vector<Group>& groups, std::string_view metric) {
  for (const Group& g : groups)
    for (const Record& r : g.records)
      if (r.metric.def->id == metric) return true;
  return false;
}

/// Why a group holds no record of `def`: the input it lacks, named. A metric of billing rows
/// in a run of customers and responses files only lacks the billing rows; one whose input is
/// there (another metric that needs it has a record) is left out by the run's options.
std::string not_computed(const MetricDef& def, const Group& g) {
  const bool customer_input = def.needs == Needs::health || def.needs == Needs::ttv || def.needs == Needs::renewal ||
      def.needs == Needs::nps || def.needs == Needs::csat || def.needs == Needs::ces;
  if (!g.billing && !customer_input)
    return fmt::format("{} is not computed: the input has no billing rows; add a movements file, MRR snapshots or a "
                       "billing export",
                       def.id);
  const bool input_there = std::any_of(g.records.begin(), g.records.end(), [&def](const Record& r) {
    return r.metric.def != nullptr && r.metric.def->needs == def.needs;
  });
  const std::string_view column = needed_column(def.needs);
  if (!column.empty() && !input_there)
    return fmt::format("{} is not computed: the input has no {} column", def.id, column);
  return fmt::format("{} is not computed in this run: cskpi explain {} says when it is", def.id, def.id);
}

std::string expect_text(const Rule& r) { return fmt::format("{} {}", to_string(r.op), threshold_text(r)); }

} // namespace

std::vector<Verdict> judge(const std::vector<Rule>& rules, const std::vector<Group>& groups, const CheckOptions& opts) {
  std::vector<Verdict> out;
  const auto missing = opts.allow_missing ? Verdict::Status::skip : Verdict::Status::fail;
  const auto closed = [&opts](const Group& g) {
    return std::find(opts.closed_periods.begin(), opts.closed_periods.end(), g.period.value_or("")) !=
        opts.closed_periods.end();
  };
  for (const Rule& rule : rules) {
    const MetricDef* def = find_metric(rule.metric);
    bool matched = false;
    if (rule.scope_column == "period" &&
        std::find(opts.closed_periods.begin(), opts.closed_periods.end(), rule.scope_value) !=
            opts.closed_periods.end()) {
      Verdict v;
      v.rule = rule.text;
      v.metric = rule.metric;
      v.annual = rule.annual;
      v.period = rule.scope_value;
      v.segment = "all";
      v.unit = rule.annual ? Unit::percent : def->unit;
      v.expect = expect_text(rule);
      v.status = Verdict::Status::skip;
      v.reason = fmt::format("{} is closed: judged against the baseline", rule.scope_value);
      out.push_back(std::move(v));
      continue;
    }
    bool closed_only = false; // the rule applies to groups of closed periods only
    for (const Group& g : groups) {
      const bool applies = rule.scope_column.empty() ? g.whole
          : rule.scope_column == "period"            ? g.whole && g.period == rule.scope_value
                                                     : !g.whole && g.segment == rule.scope_value;
      if (!applies) continue;
      if (closed(g)) {
        closed_only = !matched;
        continue;
      }
      matched = true;
      Verdict v;
      v.rule = rule.text;
      v.metric = rule.metric;
      v.annual = rule.annual;
      v.period = g.period;
      v.segment = g.segment;
      v.by_value = !g.whole;
      v.unit = rule.annual ? Unit::percent : def->unit;
      v.expect = expect_text(rule);
      Record zero;
      zero.metric.def = def;
      zero.metric.value = Quantity::of_real(0.0);
      const Record* rec = find_rule_record(g, rule, zero);
      if (rec == nullptr && def->latest_only && any_group_has(groups, rule.metric)) {
        v.status = Verdict::Status::skip;
        v.reason = fmt::format("{} describes customers as they are now: judged in the latest period only", rule.metric);
      } else if (rec == nullptr) {
        v.status = missing;
        v.reason = not_computed(*def, g);
      } else if (const auto value = rule.annual
                     ? (rec->metric.annualized ? std::optional(Quantity::of_real(*rec->metric.annualized))
                                               : std::nullopt)
                     : rec->metric.value) {
        v.value = value->as_double();
        const bool ok = rule_holds(*value, rule);
        v.status = ok ? Verdict::Status::pass : Verdict::Status::fail;
        if (!ok) v.reason = fmt::format("{} is not {}", display_number(*v.value, v.unit), v.expect);
      } else {
        v.status = missing;
        v.reason =
            fmt::format("{} is undefined: {}", rule.metric, rec->metric.note.empty() ? "no value" : rec->metric.note);
      }
      out.push_back(std::move(v));
    }
    if (!matched && closed_only) {
      Verdict v;
      v.rule = rule.text;
      v.metric = rule.metric;
      v.annual = rule.annual;
      v.segment = rule.scope_column.empty() ? "all" : rule.scope_value;
      v.unit = def->unit;
      v.expect = expect_text(rule);
      v.status = Verdict::Status::skip;
      v.reason = "every period it applies to is closed: judged against the baseline";
      out.push_back(std::move(v));
    } else if (!matched) {
      Verdict v;
      v.rule = rule.text;
      v.metric = rule.metric;
      v.annual = rule.annual;
      v.segment = rule.scope_column == "period" ? "all" : rule.scope_value;
      if (rule.scope_column == "period") v.period = rule.scope_value;
      v.unit = def->unit;
      v.expect = expect_text(rule);
      v.status = missing;
      v.reason = fmt::format("no group {}={} in the data", rule.scope_column, rule.scope_value);
      out.push_back(std::move(v));
    }
  }
  if (opts.fail_on) {
    for (const Group& g : groups)
      for (const Record& rec : g.records) {
        if (!rec.tier || closed(g)) continue;
        Verdict v;
        v.metric = std::string(rec.metric.def->id);
        v.annual = rec.metric.def->annualization != Annualization::none;
        v.rule = fmt::format("fail-on {}: {}{}", to_string(*opts.fail_on), v.metric, v.annual ? "@annual" : "");
        v.period = g.period;
        v.segment = g.segment;
        v.by_value = !g.whole;
        v.value = rec.rated_value;
        v.unit = rec.metric.def->unit;
        v.expect = fmt::format("better than {}", to_string(*opts.fail_on));
        const bool ok = severity(*rec.tier) > severity(*opts.fail_on);
        v.status = ok ? Verdict::Status::pass : Verdict::Status::fail;
        v.reason = ok ? "" : fmt::format("tier {}", to_string(*rec.tier));
        out.push_back(std::move(v));
      }
  }
  return out;
}

std::string fail_on_judged_nothing(const std::vector<Group>& groups, const CheckOptions& opts,
                                   std::uint64_t min_group) {
  if (!opts.fail_on) return {};
  bool open = false, all_small = true;
  for (const Group& g : groups) {
    if (std::find(opts.closed_periods.begin(), opts.closed_periods.end(), g.period.value_or("")) !=
        opts.closed_periods.end())
      continue; // judged against the baseline, not by --fail-on
    open = true;
    if (std::any_of(g.records.begin(), g.records.end(), [](const Record& r) { return r.tier.has_value(); })) return {};
    if ((g.billing ? g.totals.cohort : g.customer_records) >= min_group) all_small = false;
  }
  if (!open) return {};
  const bool billing = groups.empty() || groups.front().billing;
  if (all_small)
    return fmt::format("no group has --min-group {} {}: nothing was rated, so --fail-on judged nothing; lower "
                       "--min-group to rate smaller groups",
                       min_group, billing ? "starting customers" : "customers");
  return "no metric of this run was rated (none has a value and a band): --fail-on judged nothing";
}

CheckSummary summarize(std::size_t rules, const std::vector<Verdict>& verdicts) {
  CheckSummary s;
  s.rules = rules;
  s.checks = verdicts.size();
  for (const Verdict& v : verdicts) {
    if (v.status == Verdict::Status::pass) ++s.passed;
    else if (v.status == Verdict::Status::fail) ++s.failed;
    else ++s.skipped;
  }
  return s;
}

std::string summary_line(const CheckSummary& s) {
  std::string head = fmt::format("{} rule{}", s.rules, s.rules == 1 ? "" : "s");
  if (s.checks != s.rules) head += fmt::format(" ({} checks)", s.checks);
  std::string line = fmt::format("{}, {} passed, {} failed", head, s.passed, s.failed);
  if (s.skipped > 0) line += fmt::format(", {} skipped", s.skipped);
  return line;
}

namespace {

std::string_view status_word(Verdict::Status s) {
  switch (s) {
  case Verdict::Status::pass: return "PASS";
  case Verdict::Status::fail: return "FAIL";
  case Verdict::Status::skip: return "SKIP";
  }
  return "FAIL";
}

std::string group_text(const Verdict& v) {
  const std::string segment = shown_segment(v.segment, !v.by_value);
  return v.period ? fmt::format("{} · {}", segment, *v.period) : segment;
}

std::string verdict_value(const Verdict& v) {
  if (!v.shown.empty()) return v.shown;
  return v.value ? display_number(*v.value, v.unit) : "n/a";
}

} // namespace

std::string render_check_table(const std::vector<Verdict>& verdicts, const CheckSummary& s, bool color) {
  std::size_t rule_w = 4, value_w = 5;
  for (const Verdict& v : verdicts) {
    rule_w = std::max(rule_w, v.rule.size());
    value_w = std::max(value_w, verdict_value(v).size());
  }
  std::string out;
  for (const Verdict& v : verdicts) {
    std::string word(status_word(v.status));
    if (color)
      word = (v.status == Verdict::Status::pass       ? "\x1b[32m"
                  : v.status == Verdict::Status::fail ? "\x1b[1;31m"
                                                      : "\x1b[33m") +
          word + "\x1b[0m";
    std::string line =
        fmt::format("{}  {:>{}}  {:<{}}  {}", word, verdict_value(v), value_w, v.rule, rule_w, group_text(v));
    if (!v.reason.empty()) line += "  (" + v.reason + ")";
    out += line + "\n";
  }
  return out + summary_line(s) + "\n";
}

std::string render_check_json(const Report& r, const std::vector<Verdict>& verdicts, const CheckSummary& s) {
  std::string out = render_json_head(r);
  out += fmt::format("  \"passed\": {},\n", s.failed == 0 ? "true" : "false");
  out += fmt::format(
      "  \"summary\": {{\"rules\": {}, \"checks\": {}, \"passed\": {}, \"failed\": {}, \"skipped\": {}}},\n", s.rules,
      s.checks, s.passed, s.failed, s.skipped);
  out += "  \"verdicts\": [";
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const Verdict& v = verdicts[i];
    std::string status(status_word(v.status));
    for (char& c : status) c = static_cast<char>(c - 'A' + 'a');
    out +=
        fmt::format("{}\n    {{\"status\":\"{}\",\"rule\":{},\"metric\":{},\"annual\":{},\"period\":{},\"segment\":{},"
                    "\"value\":{},\"unit\":{},\"expect\":{},\"reason\":{}}}",
                    i ? "," : "", status, json_string(v.rule), json_string(v.metric), v.annual ? "true" : "false",
                    v.period ? json_string(*v.period) : "null", json_string(v.segment),
                    v.value ? json_number(Quantity::of_real(*v.value)) : "null", json_string(to_string(v.unit)),
                    json_string(v.expect), v.reason.empty() ? "null" : json_string(v.reason));
    if (v.baseline) { // issue 30: only baseline verdicts carry these, so other outputs stay as they were
      std::vector<std::string> names;
      for (const std::string& c : v.customers) names.push_back(json_string(c));
      out.pop_back(); // the closing brace
      out += fmt::format(",\"was\":{},\"customers\":[{}]}}", v.was ? json_number(Quantity::of_real(*v.was)) : "null",
                         fmt::join(names, ","));
    }
    if (v.anomaly) { // issue 32: likewise only the anomaly gate's verdicts
      out.pop_back();
      out += anomaly_json(v) + "}";
    }
  }
  out += verdicts.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

namespace {

/// Escapes for GitHub workflow commands: data escapes %, CR, LF; properties also : and ,.
std::string gh_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out.push_back(c);
  }
  return out;
}

} // namespace

std::string render_check_github(const std::vector<Verdict>& verdicts, const CheckSummary& s, std::string_view file) {
  std::string out;
  for (const Verdict& v : verdicts) {
    const char* kind = v.status == Verdict::Status::fail ? "error"
        : v.status == Verdict::Status::skip              ? "warning"
                                                         : "notice";
    const bool expected = v.anomaly && !v.anomaly->expected.empty(); // a known event's figure: a notice
    const std::string title = fmt::format("cskpi {} {}", expected ? "EXPECTED" : status_word(v.status), v.rule);
    std::string message = fmt::format("{}: {}{} = {} (needs {})", group_text(v), v.metric, v.annual ? "@annual" : "",
                                      verdict_value(v), v.expect);
    // A baseline's verdict: the reason says what it was at close (issue 30).
    if (v.baseline && !v.shown.empty()) message = fmt::format("{}: {} {}", group_text(v), v.shown, v.expect);
    else if (v.baseline) message = fmt::format("{}: {} = {}", group_text(v), v.metric, verdict_value(v));
    else if (v.anomaly) // issue 32: the reason says the median and the deviation when there is one
      message = fmt::format("{}: {} = {}{}", group_text(v), v.rule.substr(v.rule.find(' ') + 1), verdict_value(v),
                            v.reason.empty() ? fmt::format(" ({})", v.expect) : "");
    if (!v.reason.empty()) message += "; " + v.reason;
    out += fmt::format("::{} file={},title={}::{}\n", kind, gh_escape(file, true), gh_escape(title, true),
                       gh_escape(message, false));
  }
  return out + summary_line(s) + "\n";
}

std::string render_check_markdown(const std::vector<Verdict>& verdicts, const CheckSummary& s) {
  std::string out =
      fmt::format("### cskpi check: {}\n\n", s.failed == 0 ? "all gates passed" : fmt::format("{} failed", s.failed));
  out += "| Result | Value | Rule | Group | Note |\n|---|--:|---|---|---|\n";
  for (const Verdict& v : verdicts) {
    const std::string_view mark = v.status == Verdict::Status::pass ? "✅"
        : v.status == Verdict::Status::fail                         ? "❌"
                                                                    : "⚠️";
    out += fmt::format("| {} {} | {} | {} | {} | {} |\n", mark, status_word(v.status), markdown_cell(verdict_value(v)),
                       markdown_cell(v.rule), markdown_cell(group_text(v)), markdown_cell(v.reason));
  }
  return out + "\n" + summary_line(s) + "\n";
}

} // namespace cskpi
