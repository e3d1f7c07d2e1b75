// SPDX-License-Identifier: MIT
#include "metrics/bands.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/money.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cskpi {

std::string_view to_string(Tier t) noexcept {
  switch (t) {
  case Tier::critical: return "critical";
  case Tier::warning: return "warning";
  case Tier::acceptable: return "acceptable";
  case Tier::good: return "good";
  case Tier::best_in_class: return "best_in_class";
  }
  return "critical";
}

std::optional<Tier> parse_tier(std::string_view text) noexcept {
  for (Tier t : {Tier::critical, Tier::warning, Tier::acceptable, Tier::good, Tier::best_in_class})
    if (to_string(t) == text) return t;
  if (text == "best") return Tier::best_in_class;
  return std::nullopt;
}

std::string_view to_string(BandOp op) noexcept {
  switch (op) {
  case BandOp::ge: return ">=";
  case BandOp::gt: return ">";
  case BandOp::le: return "<=";
  case BandOp::lt: return "<";
  case BandOp::eq: return "==";
  }
  return ">=";
}

namespace {

struct Builtin {
  std::string_view metric;
  Tier tier;
  BandOp op;
  double bound;
};

using T = Tier;
using O = BandOp;

// SPEC §3, annual basis. Edges are part of the contract.
constexpr Builtin k_builtin[] = {
    {"nrr", T::best_in_class, O::ge, 120},
    {"nrr", T::good, O::ge, 110},
    {"nrr", T::acceptable, O::ge, 100},
    {"nrr", T::warning, O::ge, 90},
    {"nrr", T::critical, O::lt, 90},
    {"grr", T::best_in_class, O::ge, 95},
    {"grr", T::good, O::ge, 90},
    {"grr", T::acceptable, O::ge, 85},
    {"grr", T::warning, O::ge, 80},
    {"grr", T::critical, O::lt, 80},
    {"logo_churn", T::best_in_class, O::lt, 5},
    {"logo_churn", T::good, O::lt, 10},
    {"logo_churn", T::acceptable, O::lt, 15},
    {"logo_churn", T::warning, O::le, 20},
    {"logo_churn", T::critical, O::gt, 20},
    // logo_churn mirrored: retention = 100 - churn.
    {"logo_retention", T::best_in_class, O::gt, 95},
    {"logo_retention", T::good, O::gt, 90},
    {"logo_retention", T::acceptable, O::gt, 85},
    {"logo_retention", T::warning, O::ge, 80},
    {"logo_retention", T::critical, O::lt, 80},
    {"expansion_rate", T::best_in_class, O::ge, 25},
    {"expansion_rate", T::good, O::ge, 15},
    {"expansion_rate", T::acceptable, O::ge, 10},
    {"expansion_rate", T::warning, O::lt, 10},
    {"expansion_mrr_rate", T::good, O::ge, 20},
    {"expansion_mrr_rate", T::acceptable, O::lt, 20},
    {"nps", T::best_in_class, O::ge, 50},
    {"nps", T::good, O::ge, 30},
    {"nps", T::acceptable, O::ge, 10},
    {"nps", T::warning, O::lt, 10},
    {"save_rate", T::best_in_class, O::ge, 70},
    {"save_rate", T::acceptable, O::ge, 50},
    {"save_rate", T::warning, O::ge, 40},
    {"save_rate", T::critical, O::lt, 40},
    {"ltv_cac", T::best_in_class, O::ge, 5},
    {"ltv_cac", T::good, O::ge, 3},
    {"ltv_cac", T::warning, O::lt, 3},
    // Issue 7. CSAT per scale: excellent, good, poor.
    {"csat:5", T::best_in_class, O::ge, 4.5},
    {"csat:5", T::good, O::ge, 4.0},
    {"csat:5", T::warning, O::lt, 4.0},
    {"csat:10", T::best_in_class, O::ge, 9},
    {"csat:10", T::good, O::ge, 8},
    {"csat:10", T::warning, O::lt, 8},
    {"ces", T::good, O::lt, 2.0},
    {"ces", T::warning, O::ge, 2.0},
    {"health_over_80", T::good, O::ge, 70},
    {"health_over_80", T::warning, O::lt, 70},
    // Time to value per go-to-market motion: within the typical range or faster is good.
    {"ttv_median:product_led", T::good, O::le, 7},
    {"ttv_median:product_led", T::warning, O::gt, 7},
    {"ttv_median:smb", T::good, O::le, 30},
    {"ttv_median:smb", T::warning, O::gt, 30},
    {"ttv_median:mid_market", T::good, O::le, 60},
    {"ttv_median:mid_market", T::warning, O::gt, 60},
    {"ttv_median:enterprise", T::good, O::le, 120},
    {"ttv_median:enterprise", T::warning, O::gt, 120},
    // Issue 31, a costs file. Burn multiple per Sacks: amazing, great, good, suspect, bad.
    {"burn_multiple", T::best_in_class, O::lt, 1},
    {"burn_multiple", T::good, O::lt, 1.5},
    {"burn_multiple", T::acceptable, O::lt, 2},
    {"burn_multiple", T::warning, O::le, 3},
    {"burn_multiple", T::critical, O::gt, 3},
    {"rule_of_40", T::good, O::ge, 40},
    {"rule_of_40", T::warning, O::lt, 40},
};

constexpr std::pair<std::string_view, std::string_view> k_sources[] = {
    {"nrr", "002 (001 agrees: 100-110 average, 120+ strong)"},
    {"grr", "002 (000: > 90 strong, < 80 structural problem)"},
    {"logo_churn", "002"},
    {"logo_retention", "001 (< 90 dig deeper, <= 85 warning sign); logo_churn mirrored"},
    {"expansion_rate", "002"},
    {"expansion_mrr_rate", "001 (strong: 20-30 %)"},
    {"nps", "002 (B2B)"},
    {"save_rate", "002 (50-60 typical, 70-80 excellent, < 40 too late)"},
    {"ltv_cac", "002 (>= 3 target, 5-7 excellent), 003"},
    {"csat:5", "002 (excellent 4.5+, good 4.0-4.5, poor < 4.0 of 5)"},
    {"csat:10", "002 (excellent 9+, good 8-9, poor < 8 of 10)"},
    {"ces", "002 (target < 2.0 on 7 points)"},
    {"health_over_80", "001 (health > 80 for >= 70 % of customers)"},
    {"ttv_median:product_led", "002 (product-led: 1-7 days)"},
    {"ttv_median:smb", "002 (SMB: 7-30 days)"},
    {"ttv_median:mid_market", "002 (mid-market: 30-60 days)"},
    {"ttv_median:enterprise", "002 (enterprise: 60-120 days)"},
    {"burn_multiple",
     "David Sacks, \"The Burn Multiple\" (Craft Ventures, 2020): < 1 amazing (best_in_class), "
     "1-1.5 great (good), 1.5-2 good (acceptable), 2-3 suspect (warning), > 3 bad (critical)"},
    {"rule_of_40", "Brad Feld, \"The Rule of 40% For a Healthy SaaS Company\" (2015): growth + profit >= 40 %"},
};

} // namespace

double band_tolerance(double bound, int decimals) noexcept {
  double last = 1.0; // the bound's last written decimal place
  for (int i = 0; i < decimals; ++i) last /= 10.0;
  return std::min(1e-9 * std::max(1.0, std::fabs(bound)), last / 100.0);
}

int written_decimals(Money bound) noexcept {
  int decimals = 6;
  for (std::int64_t m = bound.micros; decimals > 0 && m % 10 == 0; m /= 10) --decimals;
  return decimals;
}

bool compare(double value, BandOp op, double bound, int decimals) noexcept {
  const double eps = band_tolerance(bound, decimals);
  const bool equal = std::fabs(value - bound) <= eps;
  switch (op) {
  case BandOp::ge: return equal || value > bound;
  case BandOp::gt: return !equal && value > bound;
  case BandOp::le: return equal || value < bound;
  case BandOp::lt: return !equal && value < bound;
  case BandOp::eq: return equal;
  }
  return false;
}

namespace {

std::optional<BandOp> parse_op(std::string_view text) {
  for (BandOp op : {BandOp::ge, BandOp::gt, BandOp::le, BandOp::lt})
    if (to_string(op) == text) return op;
  return std::nullopt;
}

} // namespace

BandTable BandTable::builtin() {
  BandTable t;
  t.m_rules.reserve(std::size(k_builtin)); // one block each, not a doubling vector's copies
  t.m_sources.reserve(std::size(k_sources));
  for (const Builtin& b : k_builtin) {
    const Money exact{std::llround(b.bound * static_cast<double>(Money::k_scale))};
    t.m_rules.push_back(BandRule{std::string(b.metric), b.tier, b.op, b.bound, written_decimals(exact)});
  }
  for (const auto& [metric, source] : k_sources) t.m_sources.emplace_back(metric, source);
  return t;
}

Error SettingsRecord::fail(std::size_t column, const std::string& message) const {
  return usage_error(fmt::format("{}:{}:{}: {}", file, line, column, message));
}

void each_settings_record(std::string_view text, const std::string& file, std::size_t min_fields,
                          std::size_t max_fields, std::string_view expected,
                          const std::function<void(const SettingsRecord&)>& take) {
  std::vector<std::string_view> fields;
  std::string scratch;
  std::size_t line_no = 0;
  bool header_seen = false;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = trim_spaces(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const SettingsRecord rec{fields, file, line_no};
    if (split_record(line, ',', fields, scratch).status != SplitResult::Status::ok || fields.size() < min_fields ||
        fields.size() > max_fields)
      throw rec.fail(1, fmt::format("expected {}", expected));
    if (!header_seen) {
      header_seen = true;
      if (normalise_column_name(fields[0]) == "metric") continue;
    }
    take(rec);
  }
}

void BandTable::override_from_csv(std::string_view text, const std::string& name,
                                  bool (*known_metric)(std::string_view)) {
  std::vector<BandRule> replacement;
  std::vector<std::pair<std::string, std::string>> sources;
  each_settings_record(
      text, name, 4, 5, "the fields metric,tier,bound,direction[,source]", [&](const SettingsRecord& rec) {
        const std::vector<std::string_view>& fields = rec.fields;
        const auto fail = [&](std::size_t col, const std::string& msg) { return rec.fail(col, msg); };
        const std::string metric(trim_spaces(fields[0]));
        if (!known_metric(metric)) throw fail(1, fmt::format("unknown metric \"{}\" (see cskpi explain)", metric));
        const auto tier = parse_tier(trim_spaces(fields[1]));
        if (!tier)
          throw fail(2,
                     fmt::format("unknown tier \"{}\" (best_in_class, good, acceptable, warning, critical)",
                                 trim_spaces(fields[1])));
        const ParsedMoney bound = parse_money(fields[2], DecimalStyle::point);
        if (bound.status != ParsedMoney::Status::ok)
          throw fail(3, fmt::format("bound \"{}\" is not a number", trim_spaces(fields[2])));
        if (bound.rounded) throw fail(3, fmt::format("bound \"{}\" has more than 6 decimals", trim_spaces(fields[2])));
        const auto op = parse_op(trim_spaces(fields[3]));
        if (!op) throw fail(4, fmt::format("direction \"{}\" is not one of >=, >, <=, <", trim_spaces(fields[3])));
        replacement.push_back(BandRule{metric, *tier, *op,
                                       static_cast<double>(bound.value.micros) / static_cast<double>(Money::k_scale),
                                       written_decimals(bound.value)});
        if (fields.size() == 5 && !trim_spaces(fields[4]).empty())
          sources.emplace_back(metric, std::string(trim_spaces(fields[4])));
      });
  if (replacement.empty()) throw usage_error(fmt::format("{}: no band rules found", name));
  for (const BandRule& r : replacement) {
    std::erase_if(m_rules, [&](const BandRule& old) { return old.metric == r.metric; });
    std::erase_if(m_sources, [&](const auto& s) { return s.first == r.metric; });
  }
  for (auto& s : sources)
    if (std::none_of(m_sources.begin(), m_sources.end(), [&](const auto& o) { return o.first == s.first; }))
      m_sources.push_back(std::move(s));
  for (const BandRule& r : replacement) {
    m_rules.push_back(r);
    if (std::none_of(m_sources.begin(), m_sources.end(), [&](const auto& s) { return s.first == r.metric; }))
      m_sources.emplace_back(r.metric, name);
  }
  m_origin = name;
}

std::optional<Tier> BandTable::rate(std::string_view metric, double value) const {
  for (const BandRule& r : m_rules)
    if (r.metric == metric && compare(value, r.op, r.bound, r.decimals)) return r.tier;
  return std::nullopt;
}

std::vector<BandRule> BandTable::rules_for(std::string_view metric) const {
  std::vector<BandRule> out;
  for (const BandRule& r : m_rules)
    if (r.metric == metric) out.push_back(r);
  return out;
}

namespace {

struct Reference {
  std::string_view number; ///< the file's number in shared/reference/
  std::string_view cite;   ///< how a source names it
  std::string_view title;  ///< with the author or date where the article gives one
};
constexpr Reference k_references[] = {
    {"000", "\"Nicht jeder CS-Wert zählt\"",
     "\"Nicht jeder CS-Wert zählt. Diese fünf wirklich machen den Unterschied\" (by Claudius)"},
    {"001", "\"Warum Customer Success in SaaS ...\"",
     "\"Warum Customer Success in SaaS über Erfolg oder Scheitern entscheidet\""},
    {"002", "\"Post-Sale Metrics Guide\"", "\"Post-Sale Metrics Guide: Wesentliche KPIs für Customer Success Teams\""},
    {"003", "\"SaaS-Kundenerfolg messen\"",
     "\"SaaS-Kundenerfolg messen: Eine Schritt-für-Schritt-Anleitung\" (by Maddalena Ferracin)"},
    {"004", "\"Customer Success: Diese 6 Metriken ...\"",
     "\"Customer Success: Diese 6 Metriken schlüsseln Ihren Erfolg auf\" (9 November 2021)"},
};

/// Where `number` stands alone in `text` (not inside "1002"), from `from`; npos when nowhere.
std::size_t find_reference(std::string_view text, std::string_view number, std::size_t from = 0) {
  for (std::size_t at = text.find(number, from); at != std::string_view::npos; at = text.find(number, at + 1)) {
    const bool alone = (at == 0 || !std::isdigit(static_cast<unsigned char>(text[at - 1]))) &&
        (at + 3 == text.size() || !std::isdigit(static_cast<unsigned char>(text[at + 3])));
    if (alone) return at;
  }
  return std::string_view::npos;
}

} // namespace

std::string_view reference_title(std::string_view number) noexcept {
  for (const Reference& r : k_references)
    if (r.number == number) return r.title;
  return {};
}

std::vector<std::pair<std::string_view, std::string_view>> cited_references(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (const Reference& r : k_references)
    if (find_reference(text, r.number) != std::string_view::npos) out.emplace_back(r.cite, r.title);
  return out;
}

std::string cite_sources(std::string_view text) {
  std::string out(text);
  for (const Reference& r : k_references)
    for (std::size_t at = find_reference(out, r.number); at != std::string::npos;
         at = find_reference(out, r.number, at + r.cite.size()))
      out.replace(at, r.number.size(), r.cite);
  return out;
}

std::string reference_legend(std::string_view text) {
  std::string out;
  for (const auto& [cite, title] : cited_references(text)) out += fmt::format("  {:<42} {}\n", cite, title);
  return out.empty() ? out : "sources (German articles):\n" + out;
}

std::string_view BandTable::source_for(std::string_view metric) const {
  for (const auto& [m, s] : m_sources)
    if (m == metric) return s;
  return {};
}

std::vector<std::string> BandTable::rated_metrics() const {
  std::vector<std::string> out;
  for (const BandRule& r : m_rules)
    if (std::find(out.begin(), out.end(), r.metric) == out.end()) out.push_back(r.metric);
  return out;
}

std::string describe_bound(const BandRule& rule) { return fmt::format("{} {}", to_string(rule.op), rule.bound); }

} // namespace cskpi
