// SPDX-License-Identifier: MIT
// The machine formats and markdown: JSON, JSON lines, CSV, markdown.
#include "report/display.hpp"
#include "report/movers.hpp"
#include "report/peers.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

using detail::cohort_legend;
using detail::csv_number;
using detail::definitions_line;
using detail::display_tier;
using detail::group_title;

namespace {

std::string json_double(std::optional<double> v) {
  return v ? json_number(Quantity::of_real(*v)) : std::string("null");
}
std::string json_quantity(const std::optional<Quantity>& q) { return q ? json_number(*q) : std::string("null"); }

/// One record as a JSON object, appended to `out`: written piece by piece, since a report's
/// JSON is mostly its records (a 100-row report by segment holds over a hundred).
void append_record_json(std::string& out, const Group& g, const Record& rec, const ReportSettings& s) {
  const MetricValue& m = rec.metric;
  const auto text = [&out](std::string_view key, std::string_view value) {
    out += key;
    append_json_string(out, value);
  };
  const auto text_or_null = [&](std::string_view key, bool given, std::string_view value) {
    if (given) return text(key, value);
    out += key;
    out += "null";
  };
  text_or_null("{\"period\":", g.period.has_value(), g.period ? std::string_view(*g.period) : std::string_view());
  text(",\"segment\":", g.segment);
  const std::string_view by = segment_column(g, s);
  text_or_null(",\"by\":", !by.empty(), by);
  text(",\"metric\":", m.def->id);
  text_or_null(",\"key\":", !m.key.empty(), m.key);
  text(",\"name\":", m.def->name);
  out += ",\"value\":";
  out += json_quantity(m.value);
  text(",\"unit\":", to_string(m.def->unit));
  out += ",\"annualized\":";
  out += json_double(m.annualized);
  text_or_null(",\"method\":", !m.method.empty() && m.annualized, m.method);
  text_or_null(",\"band\":", rec.tier.has_value(), rec.tier ? to_string(*rec.tier) : std::string_view());
  out += ",\"severity\":";
  out += rec.tier ? std::to_string(severity(*rec.tier)) : "null";
  out += ",\"numerator\":";
  out += json_quantity(m.numerator);
  out += ",\"denominator\":";
  out += json_quantity(m.denominator);
  fmt::format_to(std::back_inserter(out), ",\"n\":{}", m.n);
  text_or_null(",\"note\":", !m.note.empty(), m.note);
  // report --peers (issue 31) adds "peers" last; without it a record is as it was.
  if (rec.peers) {
    out += ",\"peers\":";
    out += peer_json(*rec.peers);
  }
  out += '}';
}

std::string record_json(const Group& g, const Record& rec, const ReportSettings& s) {
  std::string out;
  append_record_json(out, g, rec, s);
  return out;
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
    out += fmt::format(
        "{}\n    {{\"file\": {}, \"role\": {}, \"rows_read\": {}, \"rows_used\": {}, \"rows_rejected\": {}, "
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
        "\"responses\": {}, \"responses_anonymous\": {}, \"responses_unknown_customer\": {}, \"responses_undated\": "
        "{}, "
        "\"responses_outside_periods\": {}, \"as_of\": {}, \"as_of_source\": {}, \"health_scheme\": {}, "
        "\"csat_scale\": {}}},\n",
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
      "\"tolerance\": {}, \"skip_invalid\": {}, \"metrics\": {}, \"bands\": {}, \"reactivation\": {}, \"min_group\": "
      "{}, "
      "\"definitions\": {}}},\n",
      json_string(s.period_length_source), format_money_exact(s.gross_margin), s.gross_margin_given ? "false" : "true",
      s.cac ? format_money_exact(*s.cac) : "null", format_money_exact(s.tolerance), s.skip_invalid ? "true" : "false",
      s.metrics.empty() ? "null" : fmt::format("[{}]", fmt::join(metric_ids, ", ")), json_string(s.bands),
      !s.include_reactivation       ? "null"
          : *s.include_reactivation ? "\"include\""
                                    : "\"exclude\"",
      s.min_group, json_string(s.definitions));
  out += "  \"records\": [";
  bool first = true;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      out += first ? "\n    " : ",\n    ";
      first = false;
      append_record_json(out, g, rec, r.settings);
    }
  out += first ? "]" : "\n  ]";
  if (r.movers) { // issue 30: only when asked for (--top), so a report without stays as it was
    const std::string entries = movers_json_entries(*r.movers, s.by, "    ");
    out += entries.empty() ? ",\n  \"movers\": []" : ",\n  \"movers\": [\n" + entries + "\n  ]";
  }
  out += "\n}\n";
  return out;
}

std::string render_jsonl(const Report& r) {
  std::string out;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      append_record_json(out, g, rec, r.settings);
      out += '\n';
    }
  if (r.movers) { // issue 30: one last line, {"movers": [...]}, when asked for (--top)
    std::string entries = movers_json_entries(*r.movers, r.settings.by, "");
    std::erase(entries, '\n'); // JSON text holds no raw line break: json_string escapes it
    out += "{\"movers\":[" + entries + "]}\n";
  }
  return out;
}

std::string render_csv(const Report& r, const CsvStyle& style) {
  const char d = style.delimiter;
  std::string out = fmt::format("{}\n", fmt::join(detail::k_record_csv_columns, std::string_view(&d, 1)));
  for (const Group& g : r.groups)
    for (const Record& rec : g.records)
      out += fmt::format("{}\n", fmt::join(detail::record_csv(g, rec, r.settings, style), std::string_view(&d, 1)));
  return out;
}

std::string render_markdown(const Report& r) {
  std::string out = markdown_cell(inputs_line(r)) + "\n";
  // Appended piece by piece: GCC 12 takes "\n" + a string here for an overlapping copy (-Wrestrict).
  if (r.join) {
    out += '\n';
    out += markdown_cell(join_line(*r.join));
    out += '\n';
  }
  if (const std::string d = definitions_line(r); !d.empty()) {
    out += '\n';
    out += markdown_cell(d.substr(0, d.size() - 1));
    out += '\n';
  }
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
      out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(display_name(rec)),
                         markdown_cell(display_value(rec)), markdown_cell(display_annual(rec)),
                         markdown_cell(display_tier(rec)), markdown_cell(display_note(rec)));
  }
  return out;
}

std::string detail::record_json(const Group& g, const Record& rec, const ReportSettings& s) {
  return cskpi::record_json(g, rec, s);
}

std::vector<std::string> detail::record_csv(const Group& g, const Record& rec, const ReportSettings& s,
                                            const CsvStyle& style) {
  const char d = style.delimiter;
  const auto text = [d](std::string_view v) { return csv_text_cell(v, d); };
  const auto num = [&style](const std::optional<Quantity>& q) { return csv_number(q, style); };
  const MetricValue& m = rec.metric;
  return {g.period ? text(*g.period) : "",
          text(g.segment),
          text(m.def->id),
          text(m.def->name),
          num(m.value),
          std::string(to_string(m.def->unit)),
          m.annualized ? num(Quantity::of_real(*m.annualized)) : "",
          m.annualized ? std::string(m.method) : "",
          rec.tier ? std::string(to_string(*rec.tier)) : "",
          rec.tier ? std::to_string(severity(*rec.tier)) : "",
          num(m.numerator),
          num(m.denominator),
          std::to_string(m.n),
          text(m.note),
          text(m.key),
          text(segment_column(g, s))};
}

} // namespace cskpi
