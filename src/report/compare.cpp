// SPDX-License-Identifier: MIT
// Definitions side by side (render_comparison) and the split of their differences among the
// knobs (attribute). Figures are compared in millionths of their unit, as integers: a
// difference and its shares are then exact, and what the table rounds adds up too.
#include "report/compare.hpp"

#include "report/display.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

namespace cskpi {

using detail::csv_number;
using detail::printable;

std::optional<std::int64_t> figure_millionths(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 9e12) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v * 1e6));
}

std::optional<std::int64_t> figure_millionths(const Quantity& q) {
  constexpr std::int64_t k_million = 1'000'000;
  switch (q.kind) {
  case Quantity::Kind::money: return q.money.micros;
  case Quantity::Kind::count:
    if (q.count > INT64_MAX / k_million || q.count < -(INT64_MAX / k_million)) return std::nullopt;
    return q.count * k_million;
  case Quantity::Kind::real: return figure_millionths(q.real);
  }
  return std::nullopt;
}

namespace {

std::optional<std::int64_t> minus(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  std::int64_t d = 0;
  if (!a || !b || __builtin_sub_overflow(*a, *b, &d)) return std::nullopt;
  return d;
}

} // namespace

Attribution attribute(std::optional<std::int64_t> base, std::optional<std::int64_t> preset,
                      const std::vector<std::optional<std::int64_t>>& switched) {
  Attribution a;
  a.difference = minus(preset, base);
  std::optional<std::int64_t> rest = a.difference;
  for (const std::optional<std::int64_t>& s : switched) {
    a.shares.push_back(minus(s, base));
    rest = minus(rest, a.shares.back());
  }
  a.interaction = rest;
  return a;
}

namespace {

/// A group's place (period and group), the same in every run; each part length-prefixed, so no
/// cell of the input can make two places one.
std::string group_key(const Group& g) {
  const std::string period = g.period.value_or("");
  return fmt::format("{}:{}{}{}:{}", period.size(), period, g.whole ? 'w' : 'g', g.segment.size(), g.segment);
}

/// Where a record sits: its group's place and its metric.
std::string record_key(const Group& g, const Record& r) {
  return fmt::format("{}{}:{}{}:{}", group_key(g), r.metric.def->id.size(), r.metric.def->id, r.metric.key.size(),
                     r.metric.key);
}

/// One figure of the comparison, a record's value or its annual figure, in every run.
struct Figure {
  const Group* group = nullptr; ///< of the first preset that has it
  const Record* record = nullptr;
  bool annual = false;
  std::vector<std::optional<std::int64_t>> values; ///< per run, in millionths
};

/// Every figure of the presets' reports, group by group in the order the presets give them.
std::vector<Figure> figures_of(const Comparison& c) {
  std::vector<std::map<std::string, const Record*>> found(c.runs.size());
  std::vector<std::pair<const Group*, const Record*>> order;
  std::map<std::string, std::size_t> group_rank; // first seen, first shown
  for (std::size_t i = 0; i < c.runs.size(); ++i)
    for (const Group& g : c.runs[i].report.groups)
      for (const Record& r : g.records) {
        std::string key = record_key(g, r);
        const bool fresh = found[i].emplace(key, &r).second;
        if (i >= c.presets || !fresh) continue;
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j) seen = found[j].count(key) > 0;
        if (seen) continue;
        group_rank.try_emplace(group_key(g), group_rank.size());
        order.emplace_back(&g, &r);
      }
  const auto rank = [&](const std::pair<const Group*, const Record*>& e) { return group_rank.at(group_key(*e.first)); };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  std::vector<Figure> out;
  for (const auto& [g, rec] : order) {
    const std::string key = record_key(*g, *rec);
    for (const bool annual : {false, true}) {
      Figure f{g, rec, annual, {}};
      bool shown = !annual; // an annual figure only where a preset has one
      for (std::size_t i = 0; i < c.runs.size(); ++i) {
        const auto it = found[i].find(key);
        std::optional<std::int64_t> v;
        if (it != found[i].end()) {
          const MetricValue& m = it->second->metric;
          if (annual && m.annualized) v = figure_millionths(*m.annualized);
          if (!annual && m.value) v = figure_millionths(*m.value);
          shown = shown || (i < c.presets && m.annualized);
        }
        f.values.push_back(v);
      }
      if (shown) out.push_back(std::move(f));
    }
  }
  return out;
}

/// A figure's difference between the base and preset `p`, split among the knobs p switches.
struct Split {
  std::vector<std::size_t> knobs; ///< indices into definition_knobs()
  Attribution a;
};

Split split_of(const Comparison& c, const Figure& f, std::size_t p) {
  Split s;
  std::vector<std::optional<std::int64_t>> switched;
  for (std::size_t k = 0; k < c.switched[p].size(); ++k)
    if (c.switched[p][k] != SIZE_MAX) {
      s.knobs.push_back(k);
      switched.push_back(f.values[c.switched[p][k]]);
    }
  s.a = attribute(f.values[0], f.values[p], switched);
  return s;
}

/// Whether the comparison shows knob `k`: the FX method only when the run has --fx.
bool knob_shown(const Comparison& c, const DefinitionKnob& k) { return !k.fx || c.fx; }

// ---------------------------------------------------------------------------- for people

int decimals_of(Unit u) {
  switch (u) {
  case Unit::count: return 0;
  case Unit::points:
  case Unit::days: return 1;
  default: return 2;
  }
}

/// Millionths rounded half-to-even (as money is shown) to `decimals`, in units of 10^-decimals.
std::int64_t rounded(std::int64_t millionths, int decimals) {
  std::int64_t step = 1;
  for (int k = decimals; k < 6; ++k) step *= 10;
  std::int64_t q = millionths / step;
  const std::int64_t r = millionths % step, twice = 2 * (r < 0 ? -r : r);
  if (twice > step || (twice == step && q % 2 != 0)) q += millionths < 0 ? -1 : 1;
  return q;
}

/// A rounded figure (units of 10^-decimals) as text, "+" on a change that is not zero.
std::string number_text(std::int64_t q, Unit u, bool change) {
  const int decimals = decimals_of(u);
  std::uint64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  const std::uint64_t mag = q < 0 ? 0 - static_cast<std::uint64_t>(q) : static_cast<std::uint64_t>(q);
  std::string text = q < 0 ? "-" : change && q > 0 ? "+" : "";
  text += u == Unit::currency || u == Unit::count ? group_thousands(mag / scale) : std::to_string(mag / scale);
  if (decimals > 0) text += fmt::format(".{:0{}}", mag % scale, decimals);
  if (u == Unit::percent) text += change ? " pp" : "%";
  if (u == Unit::days) text += " d";
  return text;
}

std::string compare_value(std::optional<std::int64_t> v, Unit u) {
  return v ? number_text(rounded(*v, decimals_of(u)), u, false) : "n/a";
}

/// A split as shown: each share the change of the rounded running sum from the base, so the
/// shares and the interaction add up to the difference of the figures shown (units of 10^-d).
struct ShownSplit {
  std::optional<std::int64_t> difference;
  std::vector<std::optional<std::int64_t>> shares;
  std::optional<std::int64_t> interaction;
};

ShownSplit shown_split(const Figure& f, std::size_t p, const Split& s, Unit u) {
  const int d = decimals_of(u);
  ShownSplit out;
  if (!f.values[0] || !f.values[p]) {
    out.shares.resize(s.knobs.size());
    return out;
  }
  const std::int64_t base = rounded(*f.values[0], d);
  out.difference = rounded(*f.values[p], d) - base;
  bool whole = s.a.interaction.has_value();
  std::int64_t sum = *f.values[0], shown = base;
  for (const std::optional<std::int64_t>& share : s.a.shares) {
    if (!whole || !share) {
      out.shares.push_back(share ? std::optional<std::int64_t>(rounded(*share, d)) : std::nullopt);
      whole = false;
      continue;
    }
    sum += *share;
    out.shares.push_back(rounded(sum, d) - shown);
    shown = rounded(sum, d);
  }
  if (whole) out.interaction = rounded(*f.values[p], d) - shown;
  return out;
}

std::string compare_change(std::optional<std::int64_t> q, Unit u) { return q ? number_text(*q, u, true) : "n/a"; }

/// A row of the table or the markdown: its label and a cell per preset.
struct Row {
  int depth = 0; ///< 0 a figure, 1 its difference, 2 a knob's share
  std::string label;
  std::vector<std::string> cells;
};

std::string figure_name(const Figure& f) {
  const std::string name = display_name(*f.record);
  return f.annual ? name + ", annual" : name;
}

/// The rows of one figure: its values, then, where a preset shows another value than the
/// base, the difference and the shares of the knobs (and their interaction) that are not 0.
void figure_rows(const Comparison& c, const Figure& f, std::vector<Row>& rows) {
  const Unit u = f.record->metric.def->unit;
  Row values{0, figure_name(f), {}};
  bool differs = false;
  std::vector<Split> splits(c.presets);
  std::vector<ShownSplit> shown(c.presets);
  for (std::size_t p = 0; p < c.presets; ++p) {
    values.cells.push_back(compare_value(f.values[p], u));
    if (p == 0) continue;
    splits[p] = split_of(c, f, p);
    shown[p] = shown_split(f, p, splits[p], u);
    differs = differs || values.cells[p] != values.cells[0];
  }
  rows.push_back(std::move(values));
  if (!differs) return;
  const std::string base(c.runs[0].name);
  Row difference{1, "vs " + base, std::vector<std::string>(c.presets)};
  const auto knobs = definition_knobs();
  std::vector<Row> knob_rows;
  for (std::size_t k = 0; k < knobs.size(); ++k)
    knob_rows.push_back(Row{2, std::string(knobs[k].name), std::vector<std::string>(c.presets)});
  Row interaction{2, "interaction", std::vector<std::string>(c.presets)};
  std::vector<bool> used(knobs.size(), false);
  bool interacts = false;
  for (std::size_t p = 1; p < c.presets; ++p) {
    if (splits[p].knobs.empty()) continue; // the base's knobs: the same figures
    difference.cells[p] = compare_change(shown[p].difference, u);
    for (std::size_t i = 0; i < splits[p].knobs.size(); ++i) {
      const std::size_t k = splits[p].knobs[i];
      knob_rows[k].cells[p] = compare_change(shown[p].shares[i], u);
      used[k] = used[k] || shown[p].shares[i] != 0;
    }
    if (splits[p].knobs.size() > 1) interaction.cells[p] = compare_change(shown[p].interaction, u);
    interacts = interacts || (splits[p].knobs.size() > 1 && shown[p].interaction != 0);
  }
  rows.push_back(std::move(difference));
  for (std::size_t k = 0; k < knobs.size(); ++k)
    if (used[k]) rows.push_back(std::move(knob_rows[k]));
  if (interacts) rows.push_back(std::move(interaction));
}

/// The groups of figures, in order: [first, last) ranges of `figs` with the same group.
std::vector<std::pair<std::size_t, std::size_t>> group_ranges(const std::vector<Figure>& figs) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < figs.size(); ++i) {
    const Group& g = *figs[i].group;
    if (out.empty() || figs[out.back().first].group->period != g.period ||
        figs[out.back().first].group->segment != g.segment || figs[out.back().first].group->whole != g.whole)
      out.emplace_back(i, i);
    out.back().second = i + 1;
  }
  return out;
}

std::string group_name(const Group& g) { return g.period ? *g.period + " · " + g.segment : g.segment; }

std::vector<std::string> preset_names(const Comparison& c) {
  std::vector<std::string> names;
  for (std::size_t p = 0; p < c.presets; ++p) names.emplace_back(c.runs[p].name);
  return names;
}

std::string lead_text(const Comparison& c) {
  const std::string base(c.runs[0].name);
  return fmt::format("definitions side by side, {} the base: each difference from {} is split among the knobs that "
                     "differ, each switched alone from {}; the interaction is what they change only together "
                     "(cskpi explain definitions)",
                     base, base, base);
}

/// The knobs' values: a row per knob that some preset sets otherwise than another.
std::vector<Row> knob_table(const Comparison& c) {
  std::vector<Row> rows;
  for (const DefinitionKnob& k : definition_knobs()) {
    if (!knob_shown(c, k)) continue;
    Row r{0, std::string(k.name), {}};
    const std::vector<InputSummary>& inputs = c.runs[0].report.inputs;
    if (!k.forms.empty() &&
        std::none_of(inputs.begin(), inputs.end(), [&](const InputSummary& in) { return in.role == k.forms; }))
      r.label += fmt::format(" (no {} input)", k.forms); // it cannot change a figure of this run
    bool differs = false;
    for (std::size_t p = 0; p < c.presets; ++p) {
      const int v = k.get(c.runs[p].definitions);
      differs = differs || v != k.get(c.runs[0].definitions);
      r.cells.emplace_back(k.fx ? knob_text(k, v) : v != 0 ? "yes" : "no");
    }
    if (differs) rows.push_back(std::move(r));
  }
  return rows;
}

void append_table(std::string& out, const std::string& first, const std::vector<std::string>& header,
                  const std::vector<Row>& rows, bool right) {
  std::size_t label_w = first.size() + 2;
  std::vector<std::size_t> w;
  for (const std::string& h : header) w.push_back(h.size());
  for (const Row& r : rows) {
    label_w = std::max(label_w, printable(r.label).size() + 2 * static_cast<std::size_t>(r.depth));
    for (std::size_t i = 0; i < r.cells.size(); ++i) w[i] = std::max(w[i], r.cells[i].size());
  }
  const auto line = [&](const std::string& label, const std::vector<std::string>& cells) {
    std::string l = fmt::format("  {:<{}}", label, label_w);
    for (std::size_t i = 0; i < cells.size(); ++i)
      l += right ? fmt::format("  {:>{}}", cells[i], w[i]) : fmt::format("  {:<{}}", cells[i], w[i]);
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(first, header);
  for (const Row& r : rows) line(std::string(2 * static_cast<std::size_t>(r.depth), ' ') + printable(r.label), r.cells);
}

std::string render_compare_table(const Comparison& c, const std::vector<Figure>& figs) {
  const Report& base = c.runs[0].report;
  std::string out = inputs_line(base) + "\n";
  for (const std::string& l : wrap_words(lead_text(c), 100)) out += l + "\n";
  if (base.settings.period_length_source != "detected")
    out += fmt::format("period length: {} ({})\n", to_string(base.settings.period_length),
                       base.settings.period_length_source);
  const std::vector<std::string> names = preset_names(c);
  if (const std::vector<Row> knobs = knob_table(c); !knobs.empty()) {
    out += "\n";
    append_table(out, "knob", names, knobs, false);
  }
  for (const auto& [first, last] : group_ranges(figs)) {
    out += fmt::format("\n{}\n", printable(group_name(*figs[first].group)));
    std::vector<Row> rows;
    for (std::size_t i = first; i < last; ++i) figure_rows(c, figs[i], rows);
    append_table(out, "metric", names, rows, true);
  }
  return out;
}

std::string markdown_rows(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows) {
    std::string label = markdown_cell(r.label);
    if (r.depth > 0) label.insert(0, r.depth == 1 ? "↳ " : "↳ ↳ ");
    (out += "| ") += label;
    for (const std::string& cell : r.cells) (out += " | ") += markdown_cell(cell);
    out += " |\n";
  }
  return out;
}

std::string render_compare_markdown(const Comparison& c, const std::vector<Figure>& figs) {
  const std::vector<std::string> names = preset_names(c);
  std::string head = "|";
  std::string rule = "|";
  for (const std::string& n : names) {
    // Appended piece by piece: GCC 12 takes " " + a string here for an overlapping copy (-Wrestrict).
    (head += ' ') += markdown_cell(n);
    head += " |";
    rule += "--:|";
  }
  std::string out = markdown_cell(inputs_line(c.runs[0].report)) + "\n\n" + markdown_cell(lead_text(c)) + "\n";
  if (const std::vector<Row> knobs = knob_table(c); !knobs.empty())
    out += "\n| Knob " + head + "\n|---" + rule + "\n" + markdown_rows(knobs);
  for (const auto& [first, last] : group_ranges(figs)) {
    out += fmt::format("\n### {}\n\n| Metric {}\n|---{}\n", markdown_cell(group_name(*figs[first].group)), head, rule);
    std::vector<Row> rows;
    for (std::size_t i = first; i < last; ++i) figure_rows(c, figs[i], rows);
    out += markdown_rows(rows);
  }
  return out;
}

// ---------------------------------------------------------------------------- for machines

std::string millionths_text(std::optional<std::int64_t> v) {
  return v ? format_money_exact(Money{*v}) : std::string("null");
}

/// A knob's value in JSON: true/false, or the FX method as a string.
std::string knob_json(const DefinitionKnob& k, const DefinitionPreset& d) {
  const std::string_view text = knob_text(k, k.get(d));
  return k.fx ? json_string(text) : std::string(text);
}

std::string definitions_json(const Comparison& c, const ComparedRun& run) {
  std::string out = fmt::format("{{\"preset\":{}", json_string(run.name));
  for (const DefinitionKnob& k : definition_knobs())
    if (knob_shown(c, k)) out += fmt::format(",{}:{}", json_string(k.id), knob_json(k, run.definitions));
  return out + "}";
}

std::string attribution_json(const Comparison& c, const Figure& f, std::size_t p) {
  const Split s = split_of(c, f, p);
  const Group& g = *f.group;
  const MetricValue& m = f.record->metric;
  const ReportSettings& settings = c.runs[0].report.settings;
  std::string shares;
  for (std::size_t i = 0; i < s.knobs.size(); ++i)
    shares += fmt::format("{}{{\"knob\":{},\"value\":{},\"share\":{}}}", i ? "," : "",
                          json_string(definition_knobs()[s.knobs[i]].id),
                          millionths_text(f.values[c.switched[p][s.knobs[i]]]), millionths_text(s.a.shares[i]));
  return fmt::format("{{\"period\":{},\"segment\":{},\"by\":{},\"metric\":{},\"key\":{},\"figure\":{},\"unit\":{},"
                     "\"base\":{},\"preset\":{},\"base_value\":{},\"value\":{},\"difference\":{},\"shares\":[{}],"
                     "\"interaction\":{}}}",
                     g.period ? json_string(*g.period) : "null", json_string(g.segment),
                     segment_column(g, settings).empty() ? "null" : json_string(segment_column(g, settings)),
                     json_string(m.def->id), m.key.empty() ? "null" : json_string(m.key),
                     f.annual ? "\"annualized\"" : "\"value\"", json_string(to_string(m.def->unit)),
                     json_string(c.runs[0].name), json_string(c.runs[p].name), millionths_text(f.values[0]),
                     millionths_text(f.values[p]), millionths_text(s.a.difference), shares,
                     millionths_text(s.a.interaction));
}

std::string render_compare_json(const Comparison& c, const std::vector<Figure>& figs) {
  std::string out = render_json_head(c.runs[0].report);
  std::vector<std::string> names, knobs;
  for (const std::string& n : preset_names(c)) names.push_back(json_string(n));
  for (const DefinitionKnob& k : definition_knobs()) {
    if (!knob_shown(c, k)) continue;
    std::vector<std::string> values;
    for (std::size_t p = 0; p < c.presets; ++p)
      values.push_back(fmt::format("{}: {}", json_string(c.runs[p].name), knob_json(k, c.runs[p].definitions)));
    knobs.push_back(fmt::format("\n    {{\"id\": {}, \"name\": {}, \"values\": {{{}}}}}", json_string(k.id),
                                json_string(k.name), fmt::join(values, ", ")));
  }
  out += fmt::format("  \"compare\": {{\"base\": {}, \"presets\": [{}], \"knobs\": [{}\n  ]}},\n", names.front(),
                     fmt::join(names, ", "), fmt::join(knobs, ","));
  out += "  \"records\": [";
  bool first = true;
  for (std::size_t p = 0; p < c.presets; ++p) {
    const std::string defs = definitions_json(c, c.runs[p]);
    for (const Group& g : c.runs[p].report.groups)
      for (const Record& rec : g.records) {
        std::string json = detail::record_json(g, rec, c.runs[p].report.settings);
        json.pop_back(); // its closing brace
        out += (first ? "\n    " : ",\n    ") + json + ",\"definitions\":" + defs + "}";
        first = false;
      }
  }
  out += first ? "],\n" : "\n  ],\n";
  out += "  \"attribution\": [";
  first = true;
  for (const Figure& f : figs)
    for (std::size_t p = 1; p < c.presets; ++p) {
      if (f.values[p] == f.values[0]) continue; // no difference to explain
      out += (first ? "\n    " : ",\n    ") + attribution_json(c, f, p);
      first = false;
    }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string render_compare_csv(const Comparison& c, const std::vector<Figure>& figs, const CsvStyle& style) {
  const char d = style.delimiter;
  const auto exact = [&style](std::optional<std::int64_t> v) {
    return v ? csv_number(Quantity::of_money(Money{*v}), style) : std::string();
  };
  std::vector<std::string> header(std::begin(detail::k_record_csv_columns), std::end(detail::k_record_csv_columns));
  header.emplace_back("definitions");
  const auto knobs = definition_knobs();
  for (const DefinitionKnob& k : knobs)
    if (knob_shown(c, k)) header.emplace_back(k.id);
  std::size_t columns = 0; // of the knobs shown
  for (const DefinitionKnob& k : knobs) columns += knob_shown(c, k) ? 1U : 0U;
  for (const char* prefix : {"", "annualized_"}) {
    header.push_back(std::string(prefix) + "difference");
    for (const DefinitionKnob& k : knobs)
      if (knob_shown(c, k)) header.push_back(std::string(prefix) + "share_" + std::string(k.id));
    header.push_back(std::string(prefix) + "interaction");
  }
  std::string out = fmt::format("{}\n", fmt::join(header, std::string_view(&d, 1)));
  std::map<std::string, const Figure*> value_of, annual_of;
  for (const Figure& f : figs) (f.annual ? annual_of : value_of)[record_key(*f.group, *f.record)] = &f;
  for (std::size_t p = 0; p < c.presets; ++p) {
    const ComparedRun& run = c.runs[p];
    for (const Group& g : run.report.groups)
      for (const Record& rec : g.records) {
        std::vector<std::string> fields = detail::record_csv(g, rec, run.report.settings, style);
        fields.push_back(csv_text_cell(run.name, d));
        for (const DefinitionKnob& k : knobs)
          if (knob_shown(c, k)) fields.emplace_back(knob_text(k, k.get(run.definitions)));
        const std::string key = record_key(g, rec);
        for (const auto* index : {&value_of, &annual_of}) {
          const auto it = index->find(key);
          if (p == 0 || it == index->end()) { // the base explains nothing
            fields.insert(fields.end(), columns + 2, "");
            continue;
          }
          const Split s = split_of(c, *it->second, p);
          fields.push_back(exact(s.a.difference));
          for (std::size_t k = 0; k < knobs.size(); ++k) {
            if (!knob_shown(c, knobs[k])) continue;
            const auto at = std::find(s.knobs.begin(), s.knobs.end(), k);
            fields.push_back(at == s.knobs.end() ? ""
                                                 : exact(s.a.shares[static_cast<std::size_t>(at - s.knobs.begin())]));
          }
          fields.push_back(exact(s.a.interaction));
        }
        out += fmt::format("{}\n", fmt::join(fields, std::string_view(&d, 1)));
      }
  }
  return out;
}

} // namespace

std::string render_comparison(const Comparison& c, const std::string& format, const CsvStyle& style) {
  const std::vector<Figure> figs = figures_of(c);
  if (format == "json") return render_compare_json(c, figs);
  if (format == "csv") return render_compare_csv(c, figs, style);
  if (format == "markdown") return render_compare_markdown(c, figs);
  return render_compare_table(c, figs);
}

} // namespace cskpi
