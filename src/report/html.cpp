// SPDX-License-Identifier: MIT
#include "report/html.hpp"
#include "report/movers.hpp"
#include "report/peers.hpp"

#include "report/html_assets.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace cskpi {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out.push_back(c);
    }
  }
  return out;
}

/// Code inside a <script> element: "</" cannot end it early ("<\/" in JavaScript is "</").
std::string in_script(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out.push_back(s[i]);
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out.push_back('\\');
  }
  return out;
}

/// JSON inside a <script> element: every "<" written "\u003c", so no text of the data ("</script",
/// "<!--<script") can end the element or change how the page parses it. "<" is only ever in a
/// JSON string, where "\u003c" reads back as "<".
std::string json_in_script(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    if (c == '<') out += "\\u003c";
    else out.push_back(c);
  }
  return out;
}

/// The metrics charted over the periods (MetricDisplay::trend), in table order.
std::vector<const MetricDef*> trend_metrics() {
  std::vector<const MetricDef*> out;
  for (const MetricDef& def : metric_table())
    if (def.display.trend) out.push_back(&def);
  return out;
}

/// The headline tiles (MetricDisplay::tile), in tile order.
std::vector<const MetricDef*> tile_metrics() {
  std::vector<const MetricDef*> out;
  for (const MetricDef& def : metric_table())
    if (def.display.tile > 0) out.push_back(&def);
  std::sort(out.begin(), out.end(),
            [](const MetricDef* a, const MetricDef* b) { return a->display.tile < b->display.tile; });
  return out;
}

/// A canvas per trend chart, drawn by the page's code (html_script()).
std::string trend_canvases() {
  std::string out;
  for (const MetricDef* def : trend_metrics())
    out += fmt::format("<div class=\"chart\"><canvas id=\"chart-{}\"></canvas></div>\n", def->id);
  return out;
}

/// The bands of the charted metrics as regions of the value axis, for the shading:
/// {"nrr":[{"from":null,"to":90,"tier":"critical"},...],...}.
std::string band_regions(const BandTable& bands) {
  std::string out = "{";
  bool first_metric = true;
  for (const MetricDef* def : trend_metrics()) {
    const std::string_view metric = def->id;
    const std::vector<BandRule> rules = bands.rules_for(metric);
    if (rules.empty()) continue;
    std::set<double> cuts;
    for (const BandRule& r : rules) cuts.insert(r.bound);
    std::vector<double> edges(cuts.begin(), cuts.end());
    std::string regions;
    for (std::size_t i = 0; i <= edges.size(); ++i) {
      const std::optional<double> from = i == 0 ? std::nullopt : std::optional<double>(edges[i - 1]);
      const std::optional<double> to = i == edges.size() ? std::nullopt : std::optional<double>(edges[i]);
      const double inside = i == 0 ? edges.front() - 1
          : i == edges.size()      ? edges.back() + 1
                                   : (edges[i - 1] + edges[i]) / 2;
      const std::optional<Tier> tier = bands.rate(metric, inside);
      if (!tier) continue;
      const auto num = [](const std::optional<double>& v) {
        return v ? json_number(Quantity::of_real(*v)) : std::string("null");
      };
      regions += fmt::format("{}{{\"from\":{},\"to\":{},\"tier\":\"{}\"}}", regions.empty() ? "" : ",", num(from),
                             num(to), to_string(*tier));
    }
    out += fmt::format("{}\"{}\":[{}]", first_metric ? "" : ",", metric, regions);
    first_metric = false;
  }
  return out + "}";
}

/// The latest period's whole base: the groups are sorted by period, `all` first in each.
const Group* headline_group(const Report& r) {
  const Group* g = nullptr;
  for (const Group& x : r.groups)
    if (x.whole) g = &x;
  return g;
}

/// A tier as a board reads it: "Best in class", not best_in_class (the CSS class keeps the id).
std::string tier_name(const std::optional<Tier>& t) {
  if (!t) return "";
  switch (*t) {
  case Tier::critical: return "Critical";
  case Tier::warning: return "Warning";
  case Tier::acceptable: return "Acceptable";
  case Tier::good: return "Good";
  case Tier::best_in_class: return "Best in class";
  }
  return "";
}

/// The tiers' names for the page's code, {"best_in_class":"Best in class",...}.
std::string tier_names_json() {
  std::string out = "{";
  for (const Tier t : {Tier::critical, Tier::warning, Tier::acceptable, Tier::good, Tier::best_in_class})
    out += fmt::format("{}\"{}\":\"{}\"", out.size() > 1 ? "," : "", to_string(t), tier_name(t));
  return out + "}";
}

/// What the amounts are in: the inputs' currency when they name one (after --fx, the one
/// converted to), else `fallback` (the --currency value), else "units".
std::string page_currency(const Report& r, std::string_view fallback) {
  for (const InputSummary& in : r.inputs)
    if (!in.currency.empty()) return in.currency;
  std::string code(fallback); // --currency usd is USD
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return code.empty() ? "units" : code;
}

/// A tile's figure. Money of a million and more is shown in millions, billions or trillions
/// ("159.61 M", "1.20 bn", "3.40 tn"), so that an ARR of hundreds of millions fits a tile a
/// board pack prints; the exact figure is in the tile's title and in the table below.
std::string tile_value(const Record& rec) {
  if (rec.metric.value && rec.metric.def->unit == Unit::currency) {
    const double v = rec.metric.value->as_double();
    if (std::fabs(v) >= 1e12) return fmt::format("{:.2f} tn", v / 1e12);
    if (std::fabs(v) >= 1e9) return fmt::format("{:.2f} bn", v / 1e9);
    if (std::fabs(v) >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  }
  return display_value(rec);
}

std::string tiles(const Group& g, std::string_view currency) {
  std::string out = "<div class=\"tiles\">\n";
  for (const MetricDef* def : tile_metrics())
    for (const Record& rec : g.records)
      if (rec.metric.def == def && rec.metric.key.empty()) {
        std::vector<std::string> under; // the annual figure and the tier
        if (const std::string annual = display_annual(rec); !annual.empty())
          under.push_back("annual " + escape(annual));
        if (rec.tier) under.push_back(tier_name(rec.tier));
        if (rec.peers) // report --peers (issue 31): the peer standing next to the seed tier
          under.push_back(fmt::format("<span title=\"{}\">{}</span>", escape(peer_note(*rec.peers)),
                                      escape(peer_tile(*rec.peers))));
        const std::string unit =
            def->unit == Unit::currency ? fmt::format(" <span class=\"u\">{}</span>", escape(currency)) : "";
        out += fmt::format("<div class=\"tile {}\"><div class=\"n\">{}</div><div class=\"v\" title=\"{}\">{}{}</div>"
                           "<div class=\"a\">{}</div></div>\n",
                           rec.tier ? to_string(*rec.tier) : "", escape(rec.metric.def->name),
                           escape(display_value(rec)), escape(tile_value(rec)), unit, fmt::join(under, " · "));
      }
  return out + "</div>\n";
}

/// A note with its tiers' ids written as words ("best in class at >= 120").
std::string humane_note(std::string note) {
  for (std::size_t at = note.find("best_in_class"); at != std::string::npos; at = note.find("best_in_class", at))
    note.replace(at, 13, "best in class");
  return note;
}

std::string kpi_table(const Group& g) {
  std::string out = "<table "
                    "class=\"kpis\"><thead><tr><th>Metric</th><th>Period</th><th>Annual</th><th>Tier</th><th>Note</"
                    "th></tr></thead><tbody>\n";
  std::optional<Section> section;
  for (const Record& rec : g.records) {
    if (section != rec.metric.def->section) {
      section = rec.metric.def->section;
      out += fmt::format("<tr class=\"section\"><td colspan=\"5\">{}</td></tr>\n", escape(to_string(*section)));
    }
    out +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"note\">{}</td></tr>\n",
                    escape(display_name(rec)), escape(display_value(rec)), escape(display_annual(rec)),
                    rec.tier ? to_string(*rec.tier) : "", tier_name(rec.tier), escape(humane_note(display_note(rec))));
  }
  return out + "</tbody></table>\n";
}

std::string cohort_heatmap(const std::vector<CohortRow>& rows) {
  std::size_t ages = 0;
  for (const CohortRow& c : rows) ages = std::max(ages, c.retention.size());
  std::string out = "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>cohort</th><th>customers</th>";
  for (std::size_t a = 0; a < ages; ++a) out += fmt::format("<th>m{}</th>", a);
  out += "</tr></thead><tbody>\n";
  for (const CohortRow& c : rows) {
    out += fmt::format("<tr><td>{}{}</td><td>{}</td>", month_label(c.month), c.before_data ? " (before)" : "",
                       c.customers);
    for (std::size_t a = 0; a < ages; ++a) {
      if (a >= c.retention.size() || !c.retention[a]) {
        out += "<td></td>";
        continue;
      }
      const double v = *c.retention[a];
      // Green for kept or grown MRR, fading to red at 50 % and below.
      const double t = std::clamp((v - 50.0) / 50.0, 0.0, 1.0);
      out += fmt::format("<td style=\"background:rgba({},{},90,.35)\">{:.0f}</td>", static_cast<int>(220 - 130 * t),
                         static_cast<int>(80 + 110 * t), v);
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

/// The sections charted over the periods and by segment, for a billing run.
std::string chart_sections(const Report& r, const Group* head) {
  std::set<std::string> periods_seen, segments;
  for (const Group& g : r.groups) {
    if (g.period) periods_seen.insert(*g.period);
    segments.insert(g.segment);
  }
  std::string out;
  const bool billing = head != nullptr && head->billing;
  if (billing && periods_seen.size() > 1)
    out += "<section id=\"trends\">\n<h2>Retention over the periods (annual figures; the shading is the benchmark "
           "bands)</h2>\n<div class=\"charts\">\n" +
        trend_canvases() + "</div>\n</section>\n";
  // NRR and GRR as dots around 100 % on their bands; churn and expansion rates as bars from 0.
  if (billing && segments.size() > 1)
    out += "<section id=\"segments\">\n<h2>Segments side by side</h2>\n<div class=\"charts\">\n"
           "<div class=\"chart\"><canvas id=\"chart-segment-nrr\"></canvas></div>\n"
           "<div class=\"chart\"><canvas id=\"chart-segment-grr\"></canvas></div>\n"
           "<div class=\"chart\"><canvas id=\"chart-segment-churn\"></canvas></div>\n"
           "</div>\n</section>\n";
  return out;
}

/// The health, time-to-value and NPS charts, where the run has those figures.
std::string leading_section(const Report& r) {
  bool health = false, ttv = false, nps = false;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      health = health || rec.metric.def->id == "health_green";
      ttv = ttv || rec.metric.def->id == "ttv_median";
      nps = nps || rec.metric.def->id == "nps";
    }
  if (!health && !ttv && !nps) return "";
  std::string out = "<section id=\"leading\">\n<h2>Health, time to value and NPS</h2>\n<div class=\"charts\">\n";
  if (health) out += "<div class=\"chart\"><canvas id=\"chart-health\"></canvas></div>\n";
  if (ttv) out += "<div class=\"chart\"><canvas id=\"chart-ttv\"></canvas></div>\n";
  if (nps) out += "<div class=\"chart\"><canvas id=\"chart-nps\"></canvas></div>\n";
  return out + "</div>\n</section>\n";
}

/// What the page's code needs besides the records and bands: the currency, the tiers'
/// names, and the trend charts, [["nrr","Net revenue retention"],...].
/// With annotations (issue 32), also the events' labels by period, [["2026-10","Price change"],...].
std::string page_json(std::string_view currency, const Report& r, const std::vector<Annotation>& annotations) {
  std::string trends;
  for (const MetricDef* def : trend_metrics())
    trends += fmt::format("{}[{},{}]", trends.empty() ? "" : ",", json_string(def->id), json_string(def->name));
  std::string events;
  std::set<std::string> done;
  for (const Group& g : r.groups) {
    if (annotations.empty() || !g.period || !done.insert(*g.period).second) continue;
    if (const std::string labels = annotation_labels(annotations, *g.period); !labels.empty())
      events += fmt::format("{}[{},{}]", events.empty() ? "" : ",", json_string(*g.period), json_string(labels));
  }
  if (events.empty()) // the page of a run without annotations is as it was
    return fmt::format("{{\"currency\":{},\"tiers\":{},\"trends\":[{}]}}", json_string(currency), tier_names_json(),
                       trends);
  return fmt::format("{{\"currency\":{},\"tiers\":{},\"trends\":[{}],\"events\":[{}]}}", json_string(currency),
                     tier_names_json(), trends, events);
}

} // namespace

std::string render_html(const Report& r, const BandTable& bands, std::string_view chart_js,
                        const std::vector<CohortRow>* cohorts, std::string_view currency_flag,
                        const std::vector<Annotation>& annotations) {
  std::string periods; // "2026-10", or "2024-12 to 2026-10"
  if (!r.groups.empty() && r.groups.front().period) {
    periods = *r.groups.front().period;
    if (*r.groups.back().period != periods) periods += " to " + *r.groups.back().period;
  }
  const std::string currency = page_currency(r, currency_flag);
  const Group* head = headline_group(r);
  std::string out =
      fmt::format("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"cskpi {}\">\n<title>cskpi "
                  "report{}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n"
                  "<body data-errors=\"0\">\n<h1>cskpi report{}</h1>\n<p class=\"inputs\">{}</p>\n",
                  escape(r.settings.version), periods.empty() ? "" : " · " + escape(periods), html_style(),
                  in_script(chart_js), periods.empty() ? "" : " · " + escape(periods), escape(inputs_line(r)));
  if (head != nullptr && head->billing)
    out += fmt::format("<p class=\"inputs\">Money in {}{}.</p>\n", escape(currency),
                       currency == "units" ? " of the input (no currency column; name one with --currency)" : "");
  const std::string where = head != nullptr && head->period ? *head->period + " · all" : "all";
  if (head != nullptr) {
    out += fmt::format("<section id=\"headline\">\n<h2>{}</h2>\n", escape(where));
    out += tiles(*head, currency);
    if (head->billing)
      out += "<div class=\"chart\"><canvas id=\"chart-bridge\" aria-label=\"MRR bridge\"></canvas></div>\n";
    out += "</section>\n";
  }
  // The movers of each bridge line (issue 30): the page's code fills this slot from the records'
  // "movers" array when the run has one (report --top N), and leaves it hidden otherwise.
  if (head != nullptr && head->billing)
    out += fmt::format("<section id=\"movers\" hidden>\n<h2>Who moved MRR, {}</h2>\n<div class=\"movers\"></div>\n"
                       "</section>\n",
                       escape(where));
  out += chart_sections(r, head) + leading_section(r);
  if (cohorts != nullptr && !cohorts->empty())
    out += "<section id=\"cohorts\">\n<h2>Cohorts: MRR kept, % of each cohort's first month</h2>\n" +
        cohort_heatmap(*cohorts) + "</section>\n";
  if (head != nullptr)
    out += fmt::format("<section id=\"kpis\">\n<h2>Every KPI, {}</h2>\n", escape(where)) + kpi_table(*head) +
        "</section>\n";
  out += "<script type=\"application/json\" id=\"cskpi-data\">\n" + json_in_script(render_json(r)) + "</script>\n";
  out += "<script type=\"application/json\" id=\"cskpi-bands\">" + json_in_script(band_regions(bands)) + "</script>\n";
  out += "<script type=\"application/json\" id=\"cskpi-page\">" + json_in_script(page_json(currency, r, annotations)) +
      "</script>\n";
  out += fmt::format("<script>{}</script>\n</body>\n</html>\n", html_script());
  return out;
}

std::string html_escape(std::string_view s) { return escape(s); }
std::string html_in_script(std::string_view s) { return in_script(s); }
std::string html_json_in_script(std::string_view json) { return json_in_script(json); }

} // namespace cskpi
