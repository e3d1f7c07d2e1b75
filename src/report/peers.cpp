// SPDX-License-Identifier: MIT
#include "report/peers.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

namespace {

/// The group's own value in the chosen dimension, or nullopt with `why` set.
std::optional<double> company_value(const Group& g, PeerDimension d, std::string& why) {
  const double mrr = static_cast<double>(g.totals.end_mrr.micros) / static_cast<double>(Money::k_scale);
  if (d == PeerDimension::arr) return 12.0 * mrr;
  if (g.totals.ending == 0) {
    why = "no customers at the period's end to take an ARPA from";
    return std::nullopt;
  }
  const double arpa = mrr / static_cast<double>(g.totals.ending);
  return d == PeerDimension::acv ? 12.0 * arpa : arpa;
}

std::string plural_periods(PeriodLength p) {
  switch (p) {
  case PeriodLength::month: return "months";
  case PeriodLength::quarter: return "quarters";
  case PeriodLength::year: return "years";
  }
  return "periods";
}

/// Our figure on the row's horizon, or nullopt with `why` set: only where that is exact.
std::optional<double> comparable(const Record& rec, const PeerRow& row, PeriodLength length, std::string& why) {
  const MetricValue& m = rec.metric;
  if (row.horizon == PeerHorizon::month) {
    if (length == PeriodLength::month) return m.value->as_double();
    why = fmt::format("not comparable: a monthly rate there, {} here", plural_periods(length));
    return std::nullopt;
  }
  if (m.annualized && (m.method == "period" || m.method == "cohort")) return *m.annualized;
  why = fmt::format("not comparable: a 12-month cohort there, compounded from {} periods here",
                    length == PeriodLength::month ? "monthly" : "quarterly");
  return std::nullopt;
}

std::string dimension_upper(PeerDimension d) {
  std::string s(to_string(d));
  for (char& c : s) c = static_cast<char>(c - 'a' + 'A');
  return s;
}

std::string percent(double v) { return fmt::format("{}%", v); }

std::string quartiles(const PeerRow& row) {
  std::string out;
  if (row.p25) out += "p25 " + percent(*row.p25) + ", ";
  out += "median " + percent(row.median);
  if (row.p75) out += ", p75 " + percent(*row.p75);
  return out;
}

std::string position_words(PeerPosition p) {
  switch (p) {
  case PeerPosition::below_p25: return "below p25";
  case PeerPosition::below_median: return "below median";
  case PeerPosition::at_median: return "at median";
  case PeerPosition::above_median: return "above median";
  case PeerPosition::above_p75: return "above p75";
  }
  return "";
}

/// Whether the position is on the better side of the median; nullopt at the median.
std::optional<bool> better(const PeerRating& p) {
  if (!p.position || *p.position == PeerPosition::at_median) return std::nullopt;
  const bool above = *p.position == PeerPosition::above_median || *p.position == PeerPosition::above_p75;
  return above == p.row->higher_is_better;
}

std::string json_share(const std::optional<double>& v) {
  return v ? json_number(Quantity::of_real(*v)) : std::string("null");
}
std::string json_text(const std::string& s) { return s.empty() ? std::string("null") : json_string(s); }

} // namespace

void rate_against_peers(Report& report, const PeerTable& table, const PeerChoice& choice) {
  const PeriodLength length = report.settings.period_length;
  for (Group& g : report.groups) {
    std::string no_value;
    const std::optional<double> own = choice.value ? choice.value : company_value(g, choice.dimension, no_value);
    for (Record& rec : g.records) {
      const std::string_view metric = rec.metric.def->id;
      if (!rec.metric.value || !rec.metric.key.empty() || !table.rates(metric, choice.dimension)) continue;
      PeerRating p;
      p.dimension = choice.dimension;
      p.given = choice.value.has_value();
      if (!own) {
        p.reason = no_value;
        rec.peers = std::move(p);
        continue;
      }
      p.company_value = own;
      if (const PeerRow* row = table.lookup(metric, choice.dimension, *own)) p.row = *row;
      if (!p.row) {
        p.reason = fmt::format("no band for {} {} (published: {})", dimension_upper(choice.dimension),
                               peer_amount(*own), table.bands_of(metric, choice.dimension));
      } else if ((p.compared = comparable(rec, *p.row, length, p.reason))) {
        p.position = peer_position(*p.row, *p.compared);
      }
      rec.peers = std::move(p);
    }
  }
}

std::string peer_note(const PeerRating& p) {
  if (!p.row) return "vs peers: " + p.reason;
  const std::string cite = fmt::format("{}, {}", p.row->source, p.row->band_label());
  if (!p.position) return fmt::format("vs peers: {} ({})", p.reason, cite);
  const std::optional<bool> b = better(p);
  return fmt::format("vs peers: {}{} ({}, {})", position_words(*p.position), b ? (*b ? ", better" : ", worse") : "",
                     cite, quartiles(*p.row));
}

std::string peer_tile(const PeerRating& p) {
  if (!p.position) return p.row ? "peers: not comparable" : "peers: no band";
  const std::optional<bool> b = better(p);
  return fmt::format("{}{} vs {}", position_words(*p.position), b ? (*b ? ", better" : ", worse") : "", p.row->source);
}

std::string peer_json(const PeerRating& p) {
  const PeerRow* r = p.row ? &*p.row : nullptr;
  const std::optional<bool> b = p.position ? better(p) : std::nullopt;
  return fmt::format(
      "{{\"dimension\":{},\"company_value\":{},\"company_value_from\":{},\"source\":{},\"year\":{},\"band\":{},"
      "\"from\":{},\"to\":{},\"p25\":{},\"median\":{},\"p75\":{},\"horizon\":{},\"compared\":{},\"position\":{},"
      "\"better\":{},\"reason\":{},\"definition\":{},\"caveat\":{},\"sample\":{},\"url\":{}}}",
      json_string(to_string(p.dimension)), json_share(p.company_value), json_string(p.given ? "given" : "report"),
      r ? json_string(r->source) : "null", r ? json_text(r->year) : "null", r ? json_string(r->band_label()) : "null",
      r ? json_share(r->from) : "null", r ? json_share(r->to) : "null", r ? json_share(r->p25) : "null",
      r ? json_number(Quantity::of_real(r->median)) : "null", r ? json_share(r->p75) : "null",
      r ? json_string(to_string(r->horizon)) : "null", json_share(p.compared),
      p.position ? json_string(to_string(*p.position)) : "null", b ? (*b ? "true" : "false") : "null",
      json_text(p.reason), r ? json_text(r->definition) : "null", r ? json_text(r->caveat) : "null",
      r ? json_text(r->sample) : "null", r ? json_text(r->url) : "null");
}

namespace {

std::string cell(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }
std::string peer_shown(const std::optional<double>& v) { return v ? percent(*v) : std::string("-"); }
std::string metric_name(const PeerRow& r) {
  const MetricDef* def = find_metric(r.metric);
  return def != nullptr ? std::string(def->name) : r.metric;
}
bool same_peer_block(const PeerRow& a, const PeerRow& b) {
  return a.metric == b.metric && a.dimension == b.dimension && a.source == b.source;
}

std::string peer_csv(const PeerTable& table) {
  std::string out = std::string(k_peer_columns) + "\n";
  for (const PeerRow& r : table.rows()) {
    const std::string fields[] = {r.metric,
                                  std::string(to_string(r.dimension)),
                                  cell(r.from),
                                  cell(r.to),
                                  cell(r.p25),
                                  cell(r.median),
                                  cell(r.p75),
                                  std::string(to_string(r.horizon)),
                                  r.higher_is_better ? "higher" : "lower",
                                  csv_quote(r.source),
                                  csv_quote(r.year),
                                  csv_quote(r.sample),
                                  csv_quote(r.definition),
                                  csv_quote(r.caveat),
                                  csv_quote(r.url)};
    out += fmt::format("{}\n", fmt::join(fields, ","));
  }
  return out;
}

std::string peer_markdown(const PeerTable& table) {
  std::string out = "| Metric | Band | p25 | Median | p75 | Horizon | Better | Source | Data year |\n"
                    "|---|---|--:|--:|--:|---|---|---|---|\n";
  for (const PeerRow& r : table.rows())
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(r.metric),
                       markdown_cell(r.band_label()), peer_shown(r.p25), percent(r.median), peer_shown(r.p75),
                       to_string(r.horizon), r.higher_is_better ? "higher" : "lower", markdown_cell(r.source),
                       markdown_cell(r.year));
  out += "\nSources, definitions and where they differ from cskpi's:\n\n";
  const std::vector<PeerRow>& rows = table.rows();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && same_peer_block(rows[i - 1], rows[i])) continue;
    const PeerRow& r = rows[i];
    out +=
        fmt::format("- **{}, {} by {}**: {}. Sample: {}. Differs: {}. {}\n", markdown_cell(r.source),
                    markdown_cell(r.metric), to_string(r.dimension), markdown_cell(r.definition),
                    markdown_cell(r.sample), markdown_cell(r.caveat.empty() ? "no" : r.caveat), markdown_cell(r.url));
  }
  return out;
}

/// "  label: text" in lines of at most 100 columns, continued under the text's start.
std::string wrapped(std::string_view label, const std::string& text) {
  std::string out;
  const std::size_t indent = 2 + label.size();
  for (const std::string& line : wrap_words(text, 100 - indent))
    out += out.empty() ? fmt::format("  {}{}\n", label, line) : fmt::format("{:{}}{}\n", "", indent, line);
  return out;
}

/// One object per row, the csv's columns as keys (numbers as numbers, an open edge or an
/// unpublished quartile null) plus the band's label: for jq.
std::string peer_json_rows(const PeerTable& table) {
  std::string out = "[";
  for (const PeerRow& r : table.rows())
    out +=
        fmt::format("{}\n  {{\"metric\": {}, \"dimension\": {}, \"band\": {}, \"from\": {}, \"to\": {}, \"p25\": {}, "
                    "\"median\": {}, \"p75\": {}, \"horizon\": {}, \"better\": {}, \"source\": {}, \"year\": {}, "
                    "\"sample\": {}, \"definition\": {}, \"caveat\": {}, \"url\": {}}}",
                    out.size() > 1 ? "," : "", json_string(r.metric), json_string(to_string(r.dimension)),
                    json_string(r.band_label()), json_share(r.from), json_share(r.to), json_share(r.p25),
                    json_number(Quantity::of_real(r.median)), json_share(r.p75), json_string(to_string(r.horizon)),
                    json_string(r.higher_is_better ? "higher" : "lower"), json_string(r.source), json_text(r.year),
                    json_text(r.sample), json_text(r.definition), json_text(r.caveat), json_text(r.url));
  return out + "\n]\n";
}

std::string peer_table_text(const PeerTable& table) {
  std::string out = fmt::format(
      "Peer bands ({}): published figures of peer companies by size, for cskpi report --peers. They stand next to\n"
      "the seed bands (cskpi bands), which still give every tier. Figures as published; bands in USD.\n",
      table.origin());
  const std::vector<PeerRow>& rows = table.rows();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const PeerRow& r = rows[i];
    if (i == 0 || !same_peer_block(rows[i - 1], r)) {
      out += fmt::format("\n{} ({}) by {}: {}, data year {}\n", metric_name(r), r.metric, dimension_upper(r.dimension),
                         r.source, r.year);
      out += fmt::format("  {}, {} is better\n", r.horizon == PeerHorizon::month ? "monthly rate" : "12-month cohort",
                         r.higher_is_better ? "higher" : "lower");
      out += fmt::format("  {:<22} {:>7} {:>7} {:>7}\n", "band", "p25", "median", "p75");
    }
    out += fmt::format("  {:<22} {:>7} {:>7} {:>7}\n", r.band_label(), peer_shown(r.p25), percent(r.median),
                       peer_shown(r.p75));
    if (i + 1 < rows.size() && same_peer_block(r, rows[i + 1])) continue;
    std::vector<std::string> caveats; // a block's rows may differ in their caveats (MRR bands kept as ARR)
    for (std::size_t j = i + 1; j-- > 0 && same_peer_block(rows[j], r);)
      if (std::find(caveats.begin(), caveats.end(), rows[j].caveat) == caveats.end()) caveats.push_back(rows[j].caveat);
    std::reverse(caveats.begin(), caveats.end());
    out += wrapped("sample: ", r.sample) + wrapped("definition: ", r.definition);
    for (const std::string& c : caveats)
      if (!c.empty()) out += wrapped("differs from ours: ", c);
    out += wrapped("source: ", r.url);
  }
  return out;
}

} // namespace

std::string render_peer_bands(const PeerTable& table, const std::string& format) {
  if (format == "csv") return peer_csv(table);
  if (format == "json") return peer_json_rows(table);
  if (format == "markdown") return peer_markdown(table);
  return peer_table_text(table);
}

} // namespace cskpi
