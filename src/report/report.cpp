// SPDX-License-Identifier: MIT
#include "report/report.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace cskpi {

namespace {

std::optional<BandRule> next_better(const BandTable& bands, std::string_view metric, Tier tier) {
  std::optional<BandRule> best;
  for (const BandRule& r : bands.rules_for(metric))
    if (severity(r.tier) > severity(tier) && (!best || severity(r.tier) < severity(best->tier))) best = r;
  return best;
}

Group make_group(std::optional<std::string> period, std::string segment, const Totals& t, const MetricContext& ctx,
                 const BandTable& bands, const std::vector<std::string>& metrics, const CohortFigures* cohort,
                 const LeadingTotals* lead) {
  Group g{std::move(period), std::move(segment), t, {}};
  g.billing = ctx.billing;
  if (lead != nullptr) g.customer_records = lead->health_n + lead->unscored;
  // Too few customers to say more than the figure: no tier (issue 12).
  const std::uint64_t size = ctx.billing ? t.cohort : g.customer_records;
  const bool too_small = size < ctx.min_group;
  for (MetricValue& m : compute_metrics(t, ctx, cohort, lead)) {
    if (!metrics.empty() && std::find(metrics.begin(), metrics.end(), m.def->id) == metrics.end()) continue;
    Record rec;
    if (m.value) rec.rated_value = m.def->annualization != Annualization::none ? m.annualized : m.value->as_double();
    const std::string_view key = m.band_key.empty() ? m.def->id : std::string_view(m.band_key);
    if (rec.rated_value) {
      rec.tier = bands.rate(key, *rec.rated_value);
      if (rec.tier && too_small) {
        rec.tier.reset();
        if (!m.note.empty()) m.note += "; ";
        m.note += fmt::format("not rated: {} {}, fewer than {} (--min-group)", size,
                              ctx.billing ? (size == 1 ? "starting customer" : "starting customers")
                                          : (size == 1 ? "customer" : "customers"),
                              ctx.min_group);
      }
      if (rec.tier) rec.next = next_better(bands, key, *rec.tier);
    }
    rec.metric = std::move(m);
    g.records.push_back(std::move(rec));
  }
  return g;
}

} // namespace

std::vector<Group> build_groups(const Aggregator& agg, const MetricContext& ctx, const BandTable& bands,
                                const std::vector<std::string>& metrics, bool grouped, const AnnualCohorts* cohorts,
                                const Leading* leading, const std::string& motion) {
  std::vector<Group> out;
  std::set<std::string, std::less<>> keys;
  for (const auto& [label, pt] : agg.periods()) keys.insert(label);
  if (leading != nullptr)
    for (const auto& [label, lp] : leading->periods) keys.insert(label);
  if (keys.empty()) { // no valid rows: one empty group whose ratios say why they are null
    out.push_back(make_group(std::nullopt, "all", Totals{}, ctx, bands, metrics, nullptr, nullptr));
    out.back().whole = true;
    return out;
  }
  static const PeriodTotals k_no_totals{};
  static const LeadingPeriod k_no_leading{};
  const std::string latest = leading == nullptr ? std::string() : ctx.columns.period ? leading->summary.latest_period : std::string();
  for (const std::string& label : keys) {
    const auto pit = agg.periods().find(label);
    const PeriodTotals& pt = pit != agg.periods().end() ? pit->second : k_no_totals;
    const LeadingPeriod* lp = nullptr;
    if (leading != nullptr) {
      const auto lit = leading->periods.find(label);
      lp = lit != leading->periods.end() ? &lit->second : &k_no_leading;
    }
    // The leading totals of one group, with what only the group's label tells.
    const auto lead_of = [&](const LeadingTotals* found, const std::string& segment) -> std::optional<LeadingTotals> {
      if (lp == nullptr) return std::nullopt;
      LeadingTotals l = found != nullptr ? *found : LeadingTotals{};
      if (label == latest) l.as_of = true;
      l.motion = segment.empty() ? motion : motion_of(segment);
      if (l.motion.empty()) l.motion = motion;
      return l;
    };
    std::optional<std::string> period;
    if (ctx.columns.period) period = label;
    const std::optional<LeadingTotals> all = lead_of(lp != nullptr ? &lp->all : nullptr, "");
    out.push_back(make_group(period, "all", pt.all, ctx, bands, metrics, cohorts ? cohorts->find(label, nullptr) : nullptr,
                             all ? &*all : nullptr));
    out.back().whole = true;
    if (!grouped) continue;
    std::set<std::string, std::less<>> segments;
    for (const auto& [seg, totals] : pt.groups) segments.insert(seg);
    if (lp != nullptr)
      for (const auto& [seg, lt] : lp->groups) segments.insert(seg);
    for (const std::string& seg : segments) {
      const auto tit = pt.groups.find(seg);
      const LeadingTotals* found = nullptr;
      if (lp != nullptr)
        if (const auto lit = lp->groups.find(seg); lit != lp->groups.end()) found = &lit->second;
      const std::optional<LeadingTotals> lead = lead_of(found, seg.empty() ? "(blank)" : seg);
      out.push_back(make_group(period, seg.empty() ? "(blank)" : seg, tit != pt.groups.end() ? tit->second : Totals{}, ctx,
                               bands, metrics, cohorts ? cohorts->find(label, &seg) : nullptr, lead ? &*lead : nullptr));
    }
  }
  return out;
}

std::string join_line(const JoinSummary& j) {
  std::vector<std::string> parts;
  if (j.customer_records > 0 || j.billed_without_record > 0) {
    std::string c = fmt::format("{} customer record{}", group_thousands(j.customer_records), j.customer_records == 1 ? "" : "s");
    if (j.customers_without_billing > 0)
      c += fmt::format(" ({} without a billing row: {}{})", group_thousands(j.customers_without_billing),
                       fmt::join(j.unbilled_examples, ", "), j.customers_without_billing > j.unbilled_examples.size() ? ", ..." : "");
    parts.push_back(c);
    if (j.billed_without_record > 0)
      parts.push_back(fmt::format("{} active customer{} without a record ({}{})", group_thousands(j.billed_without_record),
                                  j.billed_without_record == 1 ? "" : "s", fmt::join(j.unrecorded_examples, ", "),
                                  j.billed_without_record > j.unrecorded_examples.size() ? ", ..." : ""));
  }
  if (j.responses > 0) {
    std::vector<std::string> r;
    if (j.responses_anonymous > 0) r.push_back(fmt::format("{} anonymous", group_thousands(j.responses_anonymous)));
    if (j.responses_unknown_customer > 0)
      r.push_back(fmt::format("{} from unknown customers", group_thousands(j.responses_unknown_customer)));
    if (j.responses_undated > 0) r.push_back(fmt::format("{} undated, counted in {}", group_thousands(j.responses_undated), j.latest_period));
    if (j.responses_outside > 0)
      r.push_back(fmt::format("{} dated outside the billing periods, left out", group_thousands(j.responses_outside)));
    parts.push_back(fmt::format("{} response{}{}", group_thousands(j.responses), j.responses == 1 ? "" : "s",
                                r.empty() ? "" : fmt::format(" ({})", fmt::join(r, "; "))));
  }
  std::string out = fmt::format("joined on customer_id: {}", fmt::join(parts, ", "));
  if (j.as_of) out += fmt::format("; health and time to value as of {} ({})", format_date(*j.as_of), j.as_of_source);
  return out;
}

// ---------------------------------------------------------------------------- escaping

std::string json_string(std::string_view s) {
  std::string out = "\"";
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04x}", c);
        else out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence; copy it whole or replace the lead byte.
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = len != 0 && c < 0xF5 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out.push_back('"');
  return out;
}

std::string csv_text_cell(std::string_view s, char delimiter) {
  std::string text(s);
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r'))
    text.insert(0, 1, '\'');
  return csv_quote(text, delimiter);
}

std::string markdown_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '|': out += "\\|"; break;
    case '\\': out += "\\\\"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '`': out += "\\`"; break;
    case '*': out += "\\*"; break;
    case '_': out += "\\_"; break;
    case '[': out += "\\["; break;
    case ']': out += "\\]"; break;
    case '\n':
    case '\r': out += ' '; break;
    default: out.push_back(c);
    }
  }
  return out;
}

std::string json_number(const Quantity& q) {
  switch (q.kind) {
  case Quantity::Kind::money: return format_money_exact(q.money);
  case Quantity::Kind::count: return std::to_string(q.count);
  case Quantity::Kind::real:
    if (!std::isfinite(q.real)) return "null";
    return fmt::format("{}", q.real == 0.0 ? 0.0 : q.real);
  }
  return "null";
}

namespace {

std::string json_double(std::optional<double> v) {
  return v ? json_number(Quantity::of_real(*v)) : std::string("null");
}
std::string json_opt(const std::optional<Quantity>& q) { return q ? json_number(*q) : std::string("null"); }

// ---------------------------------------------------------------------------- display

/// Fixed decimals without "-0.00".
std::string fixed(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string display(const Quantity& q, Unit unit) {
  switch (unit) {
  case Unit::percent: return fixed(q.as_double(), 2) + "%";
  case Unit::currency:
    return q.kind == Quantity::Kind::money ? format_money_fixed(q.money, 2, true) : fixed(q.as_double(), 2);
  case Unit::ratio: return fixed(q.as_double(), 2);
  case Unit::points: {
    const std::string s = fixed(q.as_double(), 1);
    return s[0] == '-' || s == "0.0" ? s : "+" + s;
  }
  case Unit::count: return group_thousands(static_cast<std::uint64_t>(q.count));
  case Unit::days: return fixed(q.as_double(), 1) + " d";
  case Unit::score: return fixed(q.as_double(), 2);
  }
  return "";
}

} // namespace

std::string display_number(double value, Unit unit) {
  if (unit == Unit::currency && std::fabs(value) < 9e12) // display only: records keep the exact figure
    return format_money_fixed(Money{static_cast<std::int64_t>(std::llround(value * 1e6))}, 2, true);
  if (unit == Unit::count) return group_thousands(static_cast<std::uint64_t>(std::llround(value)));
  return display(Quantity::of_real(value), unit);
}

/// The metric's name, with the key of a keyed record ("Churned customers: price") or the
/// sign of a bridge line ("+ New MRR").
std::string display_name(const Record& r) {
  if (!r.metric.def->sign.empty()) return fmt::format("{} {}", r.metric.def->sign, r.metric.def->name);
  if (r.metric.key.empty()) return std::string(r.metric.def->name);
  return fmt::format("{}: {}", r.metric.def->name, r.metric.key);
}

std::string inputs_line(const Report& r) {
  std::vector<std::string> names;
  std::uint64_t rejected = 0;
  for (const InputSummary& in : r.inputs) {
    if (in.role == "movements") names.push_back(in.file);
    else if (in.role == "customers" || in.role == "responses") names.push_back(fmt::format("{} ({})", in.file, in.role));
    else if (in.role == "coupons") names.push_back(fmt::format("{} (coupons)", in.file));
    else
      names.push_back(fmt::format("{} ({}, {} movements rows derived{}{})", in.file, in.role, group_thousands(in.derived_rows),
                                  in.amounts == "cents" ? ", amounts in cents" : "",
                                  !in.converted_from.empty() ? fmt::format(", {} converted to {}", in.converted_from, in.currency)
                                  : !in.currency.empty()     ? fmt::format(", in {}", in.currency)
                                                             : std::string()));
    rejected += in.rows_rejected;
  }
  std::vector<std::string> periods;
  for (const Group& g : r.groups)
    if (g.period && (periods.empty() || periods.back() != *g.period)) periods.push_back(*g.period);
  std::string period;
  const std::string_view len = to_string(r.settings.period_length);
  if (periods.empty()) period = fmt::format("one {} (no period column)", len);
  else if (periods.size() == 1) period = fmt::format("period {} ({})", periods.front(), len);
  else period = fmt::format("periods {} to {} ({} {}s)", periods.front(), periods.back(), periods.size(), len);
  std::uint64_t customers = 0;
  for (const Group& g : r.groups)
    if (g.whole) customers += g.totals.customers;
  if (!r.groups.empty() && !r.groups.front().billing)
    return fmt::format("{} · no billing file · {} row{} rejected", fmt::join(names, ", "), group_thousands(rejected), rejected == 1 ? "" : "s");
  const std::string who = fmt::format("{} customer{}{}", group_thousands(customers), periods.size() > 1 ? "-period" : "",
                                      customers == 1 ? "" : "s");
  return fmt::format("{} · {} · {} · {} row{} rejected", fmt::join(names, ", "), period, who, group_thousands(rejected), rejected == 1 ? "" : "s");
}

std::string display_value(const Record& r) {
  if (!r.metric.value) return "n/a";
  // A margin of error is a half-width, not a signed score.
  if (r.metric.def->display.margin) return "+/-" + fixed(r.metric.value->as_double(), 1);
  return display(*r.metric.value, r.metric.def->unit);
}

std::string display_annual(const Record& r) {
  if (!r.metric.annualized) return "";
  // '*': exact trailing-12-month cohort, explained under the inputs line.
  return fixed(*r.metric.annualized, 2) + (r.metric.method == "cohort" ? "%*" : "%");
}

/// The last column: reasons, caveats, and what the next tier needs.
std::string display_note(const Record& r) {
  std::string out = r.metric.note;
  if (r.next) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} at {}", to_string(r.next->tier), describe_bound(*r.next));
  }
  return out;
}

namespace {

/// The legend of '*' in the annual column, if any record has a cohort figure.
std::string cohort_legend(const Report& r) {
  for (const Group& g : r.groups)
    for (const Record& rec : g.records)
      if (rec.metric.method == "cohort")
        return fmt::format("annual *: exact trailing-12-month cohort ({}); other annual figures compound the period\n",
                           r.settings.include_reactivation.value_or(true) ? "reactivated customers included"
                                                                          : "reactivated customers excluded");
  return "";
}

std::string display_tier(const Record& r) { return r.tier ? std::string(to_string(*r.tier)) : ""; }


/// `s` with control bytes shown as \xNN: a group's name is a cell of the input, and a line
/// break in it must not start a line of its own (a CI log takes "::error::..." there as a command).
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out.push_back(c);
  }
  return out;
}

std::string group_title(const Group& g) {
  std::string title = g.period ? *g.period + " · " + g.segment : g.segment;
  if (!g.billing)
    return fmt::format("{}: {} customer record{}", title, group_thousands(g.customer_records), g.customer_records == 1 ? "" : "s");
  return fmt::format("{}: {} customer{} ({} starting, {} new)", title, group_thousands(g.totals.customers),
                     g.totals.customers == 1 ? "" : "s",
                     group_thousands(g.totals.cohort), group_thousands(g.totals.new_customers));
}

/// "definitions: chartmogul (cskpi explain definitions)\n" when the preset can matter: the
/// run derived movements from a snapshot or billing export, or the preset is not cskpi.
std::string definitions_line(const Report& r) {
  bool derived = false;
  for (const InputSummary& in : r.inputs) derived = derived || in.derived_rows > 0;
  if (!derived && r.settings.definitions == "cskpi") return "";
  return fmt::format("definitions: {} (cskpi explain definitions)\n", r.settings.definitions);
}

const char* tier_color(Tier t) {
  switch (t) {
  case Tier::best_in_class: return "\x1b[1;32m";
  case Tier::good: return "\x1b[32m";
  case Tier::acceptable: return "\x1b[36m";
  case Tier::warning: return "\x1b[33m";
  case Tier::critical: return "\x1b[1;31m";
  }
  return "";
}

} // namespace

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  width = std::max<std::size_t>(width, 1);
  std::string line;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t space = text.find(' ', at);
    std::string_view word = text.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at);
    at = space == std::string_view::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    while (word.size() > width) { // a word longer than a line: cut
      if (!line.empty()) {
        lines.push_back(std::move(line));
        line.clear();
      }
      lines.emplace_back(word.substr(0, width));
      word.remove_prefix(width);
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string render_table(const Report& r, bool color, std::size_t width) {
  std::string out = inputs_line(r) + "\n" + cohort_legend(r);
  if (r.join) out += join_line(*r.join) + "\n";
  out += definitions_line(r);
  if (r.settings.period_length_source != "detected")
    out += fmt::format("period length: {} ({})\n", to_string(r.settings.period_length), r.settings.period_length_source);
  std::size_t name_w = 6;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) name_w = std::max(name_w, display_name(rec).size());
  const std::size_t value_w = 14, annual_w = 10, tier_w = 14;
  for (const Group& g : r.groups) {
    out += fmt::format("\n{}\n", printable(group_title(g)));
    out += fmt::format("  {:<{}}  {:>{}}  {:>{}}  {:<{}}  {}\n", "metric", name_w, "period", value_w, "annual", annual_w,
                       "tier", tier_w, "note");
    std::optional<Section> section;
    for (const Record& rec : g.records) {
      if (section != rec.metric.def->section) {
        section = rec.metric.def->section;
        out += fmt::format("{}\n", to_string(*section));
      }
      std::string tier = fmt::format("{:<{}}", display_tier(rec), tier_w);
      if (color && rec.tier) tier = tier_color(*rec.tier) + tier + "\x1b[0m";
      std::string line = fmt::format("  {:<{}}  {:>{}}  {:>{}}  {}  ", display_name(rec), name_w, display_value(rec),
                                     value_w, display_annual(rec), annual_w, tier);
      const std::string note = display_note(rec);
      const std::size_t note_col = 2 + name_w + 2 + value_w + 2 + annual_w + 2 + tier_w + 2;
      if (note_col + note.size() <= width) {
        line += note;
      } else if (width > note_col && width - note_col >= 24) { // wrapped under the note column
        const std::vector<std::string> lines = wrap_words(note, width - note_col);
        line += fmt::format("{}", fmt::join(lines, "\n" + std::string(note_col, ' ')));
      } else { // too narrow: below the record
        while (!line.empty() && line.back() == ' ') line.pop_back();
        for (const std::string& l : wrap_words(note, width > 8 ? width - 6 : 1)) line += "\n      " + l;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

namespace {

std::string record_json(const Group& g, const Record& rec, const ReportSettings& s) {
  const MetricValue& m = rec.metric;
  return fmt::format(
      "{{\"period\":{},\"segment\":{},\"by\":{},\"metric\":{},\"key\":{},\"name\":{},\"value\":{},\"unit\":{},\"annualized\":{},"
      "\"method\":{},\"band\":{},\"severity\":{},\"numerator\":{},\"denominator\":{},\"n\":{},\"note\":{}}}",
      g.period ? json_string(*g.period) : "null", json_string(g.segment),
      segment_column(g, s).empty() ? "null" : json_string(segment_column(g, s)), json_string(m.def->id),
      m.key.empty() ? "null" : json_string(m.key), json_string(m.def->name),
      json_opt(m.value), json_string(to_string(m.def->unit)), json_double(m.annualized),
      m.method.empty() || !m.annualized ? "null" : json_string(m.method),
      rec.tier ? json_string(to_string(*rec.tier)) : "null", rec.tier ? std::to_string(severity(*rec.tier)) : "null",
      json_opt(m.numerator), json_opt(m.denominator), m.n, m.note.empty() ? "null" : json_string(m.note));
}

} // namespace

std::string render_json_head(const Report& r) {
  const ReportSettings& s = r.settings;
  std::string out = "{\n";
  out += fmt::format("  \"schema_version\": {},\n", k_report_schema_version);
  out += fmt::format("  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n", json_string(s.version));
  out += "  \"inputs\": [";
  for (std::size_t i = 0; i < r.inputs.size(); ++i) {
    const InputSummary& in = r.inputs[i];
    out += fmt::format("{}\n    {{\"file\": {}, \"role\": {}, \"rows_read\": {}, \"rows_used\": {}, \"rows_rejected\": {}, "
                       "\"warnings\": {}, \"amounts\": {}, \"currency\": {}, \"converted_from\": {}}}",
                       i ? "," : "", json_string(in.file), json_string(in.role), in.rows_read, in.rows_used, in.rows_rejected,
                       in.warnings, json_string(in.amounts), in.currency.empty() ? "null" : json_string(in.currency),
                       in.converted_from.empty() ? "null" : json_string(in.converted_from));
  }
  out += "\n  ],\n";
  out += fmt::format("  \"period_length\": {},\n", json_string(to_string(s.period_length)));
  out += fmt::format("  \"by\": {},\n", s.by ? json_string(*s.by) : "null");
  if (r.join) {
    const JoinSummary& j = *r.join;
    out += fmt::format(
        "  \"join\": {{\"customer_records\": {}, \"customers_without_billing\": {}, \"billed_without_record\": {}, "
        "\"responses\": {}, \"responses_anonymous\": {}, \"responses_unknown_customer\": {}, \"responses_undated\": {}, "
        "\"responses_outside_periods\": {}, \"as_of\": {}, \"as_of_source\": {}, \"health_scheme\": {}, \"csat_scale\": {}}},\n",
        j.customer_records, j.customers_without_billing, j.billed_without_record, j.responses, j.responses_anonymous,
        j.responses_unknown_customer, j.responses_undated, j.responses_outside,
        j.as_of ? json_string(format_date(*j.as_of)) : "null", j.as_of ? json_string(j.as_of_source) : "null",
        json_string(s.health_scheme), j.responses > 0 ? std::to_string(j.csat_scale) : "null");
  }
  return out;
}

std::string render_json(const Report& r) {
  const ReportSettings& s = r.settings;
  std::string out = render_json_head(r);
  std::vector<std::string> metric_ids;
  for (const std::string& id : s.metrics) metric_ids.push_back(json_string(id));
  out += fmt::format(
      "  \"options\": {{\"period_length_source\": {}, \"gross_margin\": {}, \"gross_margin_default\": {}, \"cac\": {}, "
      "\"tolerance\": {}, \"skip_invalid\": {}, \"metrics\": {}, \"bands\": {}, \"reactivation\": {}, \"min_group\": {}, "
      "\"definitions\": {}}},\n",
      json_string(s.period_length_source), format_money_exact(s.gross_margin), s.gross_margin_given ? "false" : "true",
      s.cac ? format_money_exact(*s.cac) : "null", format_money_exact(s.tolerance), s.skip_invalid ? "true" : "false",
      s.metrics.empty() ? "null" : fmt::format("[{}]", fmt::join(metric_ids, ", ")), json_string(s.bands),
      !s.include_reactivation ? "null" : *s.include_reactivation ? "\"include\"" : "\"exclude\"", s.min_group,
      json_string(s.definitions));
  out += "  \"records\": [";
  bool first = true;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      out += first ? "\n    " : ",\n    ";
      first = false;
      out += record_json(g, rec, r.settings);
    }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string render_jsonl(const Report& r) {
  std::string out;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) out += record_json(g, rec, r.settings) + "\n";
  return out;
}

namespace {

/// A number of a CSV record in the style's decimal mark ("" for none).
std::string csv_number(const std::optional<Quantity>& q, const CsvStyle& style) {
  if (!q) return "";
  std::string s = json_number(*q);
  if (style.decimal != '.') std::replace(s.begin(), s.end(), '.', style.decimal);
  return s;
}

} // namespace

std::string render_csv(const Report& r, const CsvStyle& style) {
  const char d = style.delimiter;
  const auto text = [d](std::string_view s) { return csv_text_cell(s, d); };
  const auto num = [&style](const std::optional<Quantity>& q) { return csv_number(q, style); };
  std::string out = "period,segment,metric,name,value,unit,annualized,method,band,severity,numerator,denominator,n,note,key,by\n";
  std::replace(out.begin(), out.end(), ',', d);
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      const MetricValue& m = rec.metric;
      const std::string fields[] = {g.period ? text(*g.period) : "", text(g.segment), text(m.def->id), text(m.def->name), num(m.value),
                                    std::string(to_string(m.def->unit)),
                                    m.annualized ? num(Quantity::of_real(*m.annualized)) : "", m.annualized ? std::string(m.method) : "",
                                    rec.tier ? std::string(to_string(*rec.tier)) : "", rec.tier ? std::to_string(severity(*rec.tier)) : "",
                                    num(m.numerator), num(m.denominator), std::to_string(m.n), text(m.note), text(m.key),
                                    text(segment_column(g, r.settings))};
      out += fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
    }
  return out;
}

std::string render_markdown(const Report& r) {
  std::string out = markdown_cell(inputs_line(r)) + "\n";
  if (r.join) out += "\n" + markdown_cell(join_line(*r.join)) + "\n";
  if (const std::string d = definitions_line(r); !d.empty()) out += "\n" + markdown_cell(d.substr(0, d.size() - 1)) + "\n";
  if (std::string legend = cohort_legend(r); !legend.empty()) {
    legend.pop_back(); // its newline
    out += '\n';
    out += markdown_cell(legend);
    out += '\n';
  }
  for (const Group& g : r.groups) {
    out += fmt::format("\n### {}\n\n", markdown_cell(group_title(g)));
    out += "| Metric | Period | Annual | Tier | Note |\n|---|--:|--:|---|---|\n";
    for (const Record& rec : g.records)
      out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(display_name(rec)), markdown_cell(display_value(rec)),
                         markdown_cell(display_annual(rec)), markdown_cell(display_tier(rec)),
                         markdown_cell(display_note(rec)));
  }
  return out;
}

// ---------------------------------------------------------------------------- trends

Trends::Trends(const Report& r) {
  for (const Group& g : r.groups) {
    const std::string p = g.period.value_or("");
    if (periods.empty() || periods.back() != p) periods.push_back(p);
    auto b = std::find_if(blocks.begin(), blocks.end(), [&](const Block& x) { return x.whole == g.whole && x.segment == g.segment; });
    if (b == blocks.end()) b = blocks.insert(blocks.end(), Block{g.segment, g.whole, {}});
    for (const Record& rec : g.records) {
      auto row = std::find_if(b->rows.begin(), b->rows.end(),
                              [&](const Row& x) { return x.def == rec.metric.def && x.key == rec.metric.key; });
      if (row == b->rows.end()) row = b->rows.insert(b->rows.end(), Row{rec.metric.def, rec.metric.key, display_name(rec), {}});
      row->cells.resize(periods.size(), nullptr);
      row->cells.back() = &rec;
    }
  }
  for (Block& b : blocks)
    for (Row& row : b.rows) row.cells.resize(periods.size(), nullptr);
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
    return a.whole ? !b.whole : !b.whole && a.segment < b.segment;
  });
}

std::optional<Quantity> Trends::Row::change() const {
  const std::size_t n = cells.size();
  if (n < 2 || cells[n - 1] == nullptr || cells[n - 2] == nullptr) return std::nullopt;
  const std::optional<Quantity>& a = cells[n - 2]->metric.value;
  const std::optional<Quantity>& b = cells[n - 1]->metric.value;
  if (!a || !b) return std::nullopt;
  if (a->kind == Quantity::Kind::money && b->kind == Quantity::Kind::money) {
    Money d = b->money;
    if (checked_sub(d, a->money)) return Quantity::of_money(d);
  }
  if (a->kind == Quantity::Kind::count && b->kind == Quantity::Kind::count) return Quantity::of_count(b->count - a->count);
  return Quantity::of_real(b->as_double() - a->as_double());
}

namespace {

/// A change for people, always signed: "+0.20 pts", "-1,234.00", "+12".
std::string display_change(const std::optional<Quantity>& d, Unit unit) {
  if (!d) return "";
  std::string s;
  switch (unit) {
  case Unit::percent: s = fixed(d->as_double(), 2) + " pts"; break;
  case Unit::points: s = fixed(d->as_double(), 1); break;
  case Unit::count:
    s = d->count < 0 ? "-" + group_thousands(static_cast<std::uint64_t>(-d->count)) : group_thousands(static_cast<std::uint64_t>(d->count));
    break;
  default: s = display(*d, unit);
  }
  return s.front() == '-' ? s : "+" + s;
}

std::string cell_text(const Record* rec) { return rec == nullptr ? "" : display_value(*rec); }

} // namespace

std::string render_wide(const Report& r, const std::string& format, std::size_t width, const CsvStyle& style) {
  const Trends w(r);
  std::string out;
  if (format == "csv") {
    const char d = style.delimiter;
    std::vector<std::string> fields = {"segment", "metric", "key", "name", "unit"};
    for (const std::string& p : w.periods) fields.push_back(csv_text_cell(p, d));
    fields.emplace_back("change");
    out = fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
    for (const Trends::Block& b : w.blocks)
      for (const Trends::Row& row : b.rows) {
        fields = {csv_text_cell(b.segment, d), csv_text_cell(row.def->id, d), csv_text_cell(row.key, d), csv_text_cell(row.def->name, d),
                  std::string(to_string(row.def->unit))};
        for (const Record* rec : row.cells) fields.push_back(csv_number(rec != nullptr ? rec->metric.value : std::nullopt, style));
        fields.push_back(csv_number(row.change(), style));
        out += fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
      }
    return out;
  }
  if (format == "markdown") {
    out = markdown_cell(inputs_line(r)) + "\n";
    for (const Trends::Block& b : w.blocks) {
      out += fmt::format("\n### {}\n\n| Metric |", markdown_cell(b.segment));
      for (const std::string& p : w.periods) out += fmt::format(" {} |", markdown_cell(p));
      out += " Change |\n|---|";
      for (std::size_t i = 0; i <= w.periods.size(); ++i) out += "--:|";
      out += "\n";
      for (const Trends::Row& row : b.rows) {
        out += fmt::format("| {} |", markdown_cell(row.name));
        for (const Record* rec : row.cells) out += fmt::format(" {} |", markdown_cell(cell_text(rec)));
        out += fmt::format(" {} |\n", markdown_cell(display_change(row.change(), row.def->unit)));
      }
    }
    return out;
  }
  // The table: the latest periods that fit the width, the change against the period before.
  std::size_t name_w = 6, cell_w = 0, change_w = 6;
  for (const Trends::Block& b : w.blocks)
    for (const Trends::Row& row : b.rows) {
      name_w = std::max(name_w, row.name.size());
      for (const Record* rec : row.cells) cell_w = std::max(cell_w, cell_text(rec).size());
      change_w = std::max(change_w, display_change(row.change(), row.def->unit).size());
    }
  for (const std::string& p : w.periods) cell_w = std::max(cell_w, p.size());
  const std::size_t fixed_w = 2 + name_w + 2 + change_w;
  std::size_t shown = w.periods.size();
  while (shown > 1 && fixed_w + shown * (cell_w + 2) > width) --shown;
  const std::size_t first = w.periods.size() - shown;
  out = inputs_line(r) + "\n";
  if (shown < w.periods.size())
    out += fmt::format("the last {} of {} periods fit {} columns; --period FROM..TO picks others, --format csv shows all\n", shown,
                       w.periods.size(), width);
  for (const Trends::Block& b : w.blocks) {
    out += fmt::format("\n{}\n  {:<{}}", b.segment, "metric", name_w);
    for (std::size_t i = first; i < w.periods.size(); ++i) out += fmt::format("  {:>{}}", w.periods[i], cell_w);
    out += fmt::format("  {:>{}}\n", "change", change_w);
    std::optional<Section> section;
    for (const Trends::Row& row : b.rows) {
      if (section != row.def->section) {
        section = row.def->section;
        out += fmt::format("{}\n", to_string(*section));
      }
      std::string line = fmt::format("  {:<{}}", row.name, name_w);
      for (std::size_t i = first; i < w.periods.size(); ++i) line += fmt::format("  {:>{}}", cell_text(row.cells[i]), cell_w);
      line += fmt::format("  {:>{}}", display_change(row.change(), row.def->unit), change_w);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

} // namespace cskpi

namespace cskpi {

// ---------------------------------------------------------------------------- snapshots

std::string movements_csv_header(std::string_view group_column) {
  std::string out = "customer_id,";
  if (!group_column.empty()) out += csv_text_cell(group_column) + ",";
  out += "period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,new_mrr,reactivation_mrr,end_mrr\n";
  return out;
}

void append_movement_csv(std::string& out, const MovementRow& r, bool with_group) {
  const Money end = end_mrr(r);
  out += csv_text_cell(r.customer_id);
  out += ',';
  if (with_group) {
    out += csv_text_cell(r.group);
    out += ',';
  }
  out += fmt::format("{},{},{},{},{},{},{},{}\n", r.period, format_money_exact(r.start), format_money_exact(r.expansion),
                     format_money_exact(r.contraction), format_money_exact(r.churned), format_money_exact(r.new_mrr),
                     format_money_exact(r.reactivation), format_money_exact(end));
}

namespace {

std::string cohort_name(const CohortRow& row) { return (row.before_data ? "<=" : "") + month_label(row.month); }

} // namespace

std::string render_cohorts(const std::vector<CohortRow>& rows, bool logos, const std::string& file,
                           const std::string& format, const std::string& version, std::size_t width) {
  std::size_t ages = 0;
  for (const CohortRow& row : rows) ages = std::max(ages, row.retention.size());
  const auto pct = [](const std::optional<double>& v) { return v ? fixed(*v, 1) : std::string("n/a"); };
  const std::string measure = logos ? "logo retention (% of the cohort's customers still paying)"
                                    : "revenue retention (% of the cohort's first-month MRR)";
  std::string out;
  if (format == "json") {
    out = fmt::format("{{\n  \"schema_version\": 1,\n  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n"
                      "  \"input\": {},\n  \"measure\": {},\n  \"cohorts\": [",
                      json_string(version), json_string(file), logos ? "\"logos\"" : "\"revenue\"");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const CohortRow& row = rows[i];
      std::vector<std::string> cells;
      for (const auto& v : row.retention) cells.push_back(v ? json_number(Quantity::of_real(*v)) : "null");
      out += fmt::format("{}\n    {{\"cohort\": {}, \"before_data\": {}, \"customers\": {}, \"start_mrr\": {}, "
                         "\"retention\": [{}]}}",
                         i ? "," : "", json_string(month_label(row.month)), row.before_data ? "true" : "false",
                         row.customers, format_money_exact(row.start), fmt::join(cells, ", "));
    }
    out += rows.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
  }
  if (format == "csv") {
    out = "cohort,before_data,customers,start_mrr";
    for (std::size_t a = 0; a < ages; ++a) out += fmt::format(",m{}", a);
    out += '\n';
    for (const CohortRow& row : rows) {
      out += fmt::format("{},{},{},{}", month_label(row.month), row.before_data ? "true" : "false", row.customers,
                         format_money_exact(row.start));
      for (std::size_t a = 0; a < ages; ++a)
        out += a < row.retention.size() && row.retention[a] ? "," + json_number(Quantity::of_real(*row.retention[a])) : ",";
      out += '\n';
    }
    return out;
  }
  const std::string legend = fmt::format(
      "{} · {} by acquisition month; m0 is the month of the first MRR{}", file, measure,
      !rows.empty() && rows.front().before_data ? "; <= marks customers already paying when the data starts" : "");
  if (format == "markdown") {
    out = markdown_cell(legend) + "\n\n| Cohort | Customers | Start MRR |";
    std::string rule = "|---|--:|--:|";
    for (std::size_t a = 0; a < ages; ++a) {
      out += fmt::format(" m{} |", a);
      rule += "--:|";
    }
    out += "\n" + rule + "\n";
    for (const CohortRow& row : rows) {
      out += fmt::format("| {} | {} | {} |", markdown_cell(cohort_name(row)), group_thousands(row.customers),
                         format_money_fixed(row.start, 2, true));
      for (std::size_t a = 0; a < ages; ++a) out += " " + (a < row.retention.size() ? pct(row.retention[a]) : "") + " |";
      out += '\n';
    }
    return out;
  }
  out = width == SIZE_MAX ? legend + "\n" : fmt::format("{}\n", fmt::join(wrap_words(legend, width), "\n"));
  std::size_t start_w = 9;
  for (const CohortRow& row : rows) start_w = std::max(start_w, format_money_fixed(row.start, 2, true).size());
  // As many ages as fit the width in each page; every page repeats the cohort columns.
  const std::size_t lead = 10 + 1 + 9 + 1 + start_w;
  const std::size_t per_page = width > lead + 7 ? std::max<std::size_t>((width - lead) / 7, 1) : 1;
  for (std::size_t first = 0; first < std::max<std::size_t>(ages, 1); first += per_page) {
    const std::size_t last = std::min(ages, first + per_page);
    out += '\n';
    if (first > 0) out += fmt::format("(ages m{} to m{})\n", first, last - 1);
    out += fmt::format("{:<10} {:>9} {:>{}}", "cohort", "customers", "start MRR", start_w);
    for (std::size_t a = first; a < last; ++a) out += fmt::format(" {:>6}", fmt::format("m{}", a));
    out += '\n';
    for (const CohortRow& row : rows) {
      if (first > 0 && row.retention.size() <= first) continue; // too young for this page
      std::string line = fmt::format("{:<10} {:>9} {:>{}}", cohort_name(row), group_thousands(row.customers),
                                     format_money_fixed(row.start, 2, true), start_w);
      for (std::size_t a = first; a < std::min(last, row.retention.size()); ++a) line += fmt::format(" {:>6}", pct(row.retention[a]));
      out += line + "\n";
    }
  }
  return out;
}

} // namespace cskpi
