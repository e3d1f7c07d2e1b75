// SPDX-License-Identifier: MIT
#include "report/baseline.hpp"

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/period.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace cskpi {

std::string with_lock(std::string json, const CustomerLedger& ledger, bool grouped) {
  // render_json ends its object with "\n}\n": the lock goes in as its last member.
  const std::size_t end = json.rfind("\n}");
  if (end == std::string::npos) return json;
  json.resize(end);
  json += fmt::format(",\n  \"lock\": {{\"version\": {}, \"hash\": \"fnv1a-64\", \"customers\": [", k_lock_version);
  for (std::size_t i = 0; i < ledger.size(); ++i) {
    const LedgerEntry& e = ledger[i];
    json +=
        fmt::format("{}\n    [{},{},{},\"{:016x}\"]", i ? "," : "", e.period.empty() ? "null" : json_string(e.period),
                    grouped ? json_string(e.group) : "null", json_string(e.customer), e.hash);
  }
  json += ledger.empty() ? "]}\n}\n" : "\n  ]}\n}\n";
  return json;
}

std::vector<std::string> Baseline::periods() const {
  std::set<std::string> seen;
  for (const BaselineFigure& f : figures) seen.insert(f.period.value_or(""));
  return {seen.begin(), seen.end()};
}

namespace {

constexpr std::string_view k_takes = "--baseline takes the output of cskpi report --format json";

/// Reads the members of a baseline document; every error names file:line:col.
struct Reader {
  const std::string& file;

  [[noreturn]] void fail(const JsonValue& at, const std::string& message) const {
    throw input_error(fmt::format("{}:{}:{}: {}", file, at.line, at.column, message));
  }
  const JsonValue& member(const JsonValue& obj, std::string_view name, JsonValue::Kind kind) const {
    const JsonValue* v = obj.find(name);
    if (v == nullptr) fail(obj, fmt::format("no \"{}\" member; {}", name, k_takes));
    if (!v->is(kind)) fail(*v, fmt::format("\"{}\" is {}, not {}", name, to_string(v->kind), to_string(kind)));
    return *v;
  }
  /// A member that is a string or null.
  std::optional<std::string> text_or_null(const JsonValue& obj, std::string_view name) const {
    const JsonValue* v = obj.find(name);
    if (v == nullptr || v->is(JsonValue::Kind::null)) return std::nullopt;
    if (!v->is(JsonValue::Kind::string)) fail(*v, fmt::format("\"{}\" is {}, not a string", name, to_string(v->kind)));
    return v->text;
  }
  /// A member that is a number or null, as written.
  std::optional<std::string> number_or_null(const JsonValue& obj, std::string_view name) const {
    const JsonValue* v = obj.find(name);
    if (v == nullptr || v->is(JsonValue::Kind::null)) return std::nullopt;
    if (!v->is(JsonValue::Kind::number)) fail(*v, fmt::format("\"{}\" is {}, not a number", name, to_string(v->kind)));
    return v->text;
  }

  BaselineFigure figure(const JsonValue& rec) const {
    if (!rec.is(JsonValue::Kind::object)) fail(rec, "a record is not an object");
    BaselineFigure f;
    f.period = text_or_null(rec, "period");
    f.segment = member(rec, "segment", JsonValue::Kind::string).text;
    f.whole = !text_or_null(rec, "by");
    f.metric = member(rec, "metric", JsonValue::Kind::string).text;
    f.key = text_or_null(rec, "key").value_or("");
    f.value = number_or_null(rec, "value");
    f.line = rec.line;
    return f;
  }

  /// One [period, group, customer, hash] of a lock.
  LedgerEntry entry(const JsonValue& e) const {
    if (!e.is(JsonValue::Kind::array) || e.items.size() != 4 || !e.items[2].is(JsonValue::Kind::string) ||
        !e.items[3].is(JsonValue::Kind::string) || e.items[3].text.size() != 16)
      fail(e, "a lock entry is [period, group, customer, 16 hex digits]");
    LedgerEntry entry;
    for (std::size_t i = 0; i < 2; ++i) {
      const JsonValue& part = e.items[i];
      if (!part.is(JsonValue::Kind::string) && !part.is(JsonValue::Kind::null))
        fail(part, "a lock entry's period and group are strings or null");
      (i == 0 ? entry.period : entry.group) = part.text;
    }
    entry.customer = e.items[2].text;
    const std::string& hex = e.items[3].text;
    const auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), entry.hash, 16);
    if (ec != std::errc() || ptr != hex.data() + hex.size()) fail(e.items[3], "a lock hash is 16 hex digits");
    return entry;
  }

  /// Checks the lock's version and sorts its entries (read by entry() as they came).
  CustomerLedger ledger(const JsonValue& lock, CustomerLedger entries) const {
    if (!lock.is(JsonValue::Kind::object)) fail(lock, "\"lock\" is not an object");
    const JsonValue& version = member(lock, "version", JsonValue::Kind::number);
    if (version.text != std::to_string(k_lock_version))
      fail(version,
           fmt::format("lock version {}: this cskpi reads version {}; save the baseline again with it", version.text,
                       k_lock_version));
    member(lock, "customers", JsonValue::Kind::array);
    std::sort(entries.begin(), entries.end(), [](const LedgerEntry& a, const LedgerEntry& b) {
      return std::tie(a.period, a.customer, a.group) < std::tie(b.period, b.customer, b.group);
    });
    return entries;
  }
};

} // namespace

Baseline parse_baseline(std::string_view text, const std::string& file) {
  // The records and the lock's entries are taken as they are read: a big baseline never
  // becomes a tree of JSON values.
  const Reader r{file};
  std::vector<BaselineFigure> figures;
  CustomerLedger entries;
  const std::vector<JsonStream> streams{{{"records"}, [&](JsonValue&& rec) { figures.push_back(r.figure(rec)); }},
                                        {{"lock", "customers"}, [&](JsonValue&& e) { entries.push_back(r.entry(e)); }}};
  JsonValue doc;
  try {
    doc = parse_json(text, streams);
  } catch (const JsonError& e) {
    throw input_error(fmt::format("{}:{}:{}: not JSON ({}); {}", file, e.line(), e.column(), e.what(), k_takes));
  }
  if (!doc.is(JsonValue::Kind::object)) r.fail(doc, fmt::format("not a cskpi report; {}", k_takes));
  const JsonValue* tool = doc.find("tool");
  const JsonValue* name = tool != nullptr ? tool->find("name") : nullptr;
  if (name == nullptr || name->text != "cskpi")
    r.fail(tool != nullptr ? *tool : doc,
           fmt::format("not a cskpi report (no \"tool\": {{\"name\": \"cskpi\"}}); {}", k_takes));
  Baseline b;
  b.file = file;
  b.tool_version = r.text_or_null(*tool, "version").value_or("");
  const JsonValue& schema = r.member(doc, "schema_version", JsonValue::Kind::number);
  const bool known = schema.text.size() == 1 && schema.text[0] >= '2' && schema.text[0] <= '9' &&
      schema.text[0] - '0' <= k_report_schema_version;
  if (!known)
    r.fail(schema,
           fmt::format("schema_version {}: this cskpi (schema {}) reads baselines of schema 2 to {}; save the "
                       "baseline again with cskpi {}",
                       schema.text, k_report_schema_version, k_report_schema_version, CSKPI_VERSION));
  b.schema_version = schema.text[0] - '0';
  if (doc.find("records") == nullptr && doc.find("verdicts") != nullptr)
    r.fail(doc, fmt::format("this is the output of cskpi check, not of cskpi report; {}", k_takes));
  b.by = r.text_or_null(doc, "by");
  b.period_length = r.member(doc, "period_length", JsonValue::Kind::string).text;
  const JsonValue& options = r.member(doc, "options", JsonValue::Kind::object);
  b.definitions = r.member(options, "definitions", JsonValue::Kind::string).text;
  b.gross_margin = r.member(options, "gross_margin", JsonValue::Kind::number).text;
  b.cac = r.number_or_null(options, "cac");
  b.reactivation = r.text_or_null(options, "reactivation");
  const JsonValue& records = r.member(doc, "records", JsonValue::Kind::array);
  if (figures.empty()) r.fail(records, "the baseline holds no figures, so it would lock nothing");
  b.figures = std::move(figures);
  if (const JsonValue* lock = doc.find("lock")) b.ledger = r.ledger(*lock, std::move(entries));
  return b;
}

void check_compatible(const Baseline& b, const ReportSettings& s) {
  std::vector<std::string> differ;
  const auto compare = [&](std::string_view flag, const std::string& then, const std::string& now) {
    if (then != now) differ.push_back(fmt::format("{} {} (this run: {})", flag, then, now));
  };
  compare("--by", b.by.value_or("none"), s.by.value_or("none"));
  compare("--period-length", b.period_length, std::string(to_string(s.period_length)));
  compare("--definitions", b.definitions, s.definitions);
  compare("--gross-margin", b.gross_margin, format_money_exact(s.gross_margin));
  compare("--cac", b.cac.value_or("none"), s.cac ? format_money_exact(*s.cac) : "none");
  if (b.reactivation && s.include_reactivation)
    compare("--reactivation", *b.reactivation, *s.include_reactivation ? "include" : "exclude");
  if (differ.empty()) return;
  throw usage_error(fmt::format("{} was made with other choices than this run, so its figures differ for that alone: "
                                "{}. Run check with the baseline's choices",
                                b.file, fmt::join(differ, "; ")));
}

namespace {

std::optional<double> to_double(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  double d = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), d);
  if (ec != std::errc()) return std::nullopt;
  return d;
}

std::string shown_or_na(std::optional<double> v, Unit unit) { return v ? display_number(*v, unit) : "n/a"; }

/// "+0.75 points", "-1,200.00": how far a figure moved.
std::string baseline_change(double was, double now, Unit unit) {
  const double d = now - was;
  const char* sign = d < 0 ? "-" : "+";
  // A change that rounds to nothing at two decimals still shows that it is there.
  const bool tiny = unit != Unit::count && std::fabs(d) < 0.005;
  if (unit == Unit::percent)
    return tiny ? fmt::format("{}<0.01 points", sign) : fmt::format("{}{:.2f} points", sign, std::fabs(d));
  return tiny ? fmt::format("{}<0.01", sign) : sign + display_number(std::fabs(d), unit);
}

/// The figure's key in the index of the run's records.
std::string figure_key(std::string_view period, bool whole, std::string_view segment, std::string_view metric,
                       std::string_view key) {
  return fmt::format("{}\x1f{}\x1f{}\x1f{}", period, whole ? std::string_view("\x1e") : segment, metric, key);
}

/// Per customer, what it holds in the ledger for one period and group (every group for the
/// whole base): "group=hash;..." in group order.
std::map<std::string, std::string> holdings(const CustomerLedger& ledger, const std::string& period, bool whole,
                                            const std::string& segment) {
  std::map<std::string, std::string> out;
  auto it = std::lower_bound(ledger.begin(), ledger.end(), period,
                             [](const LedgerEntry& e, const std::string& p) { return e.period < p; });
  for (; it != ledger.end() && it->period == period; ++it)
    if (whole || it->group == segment) out[it->customer] += fmt::format("{}={:016x};", it->group, it->hash);
  return out;
}

/// The customers whose movements in one period and group differ between the ledgers, sorted;
/// "(added)" marks one that is new since the close, "(removed)" one that is gone.
std::vector<std::string> differing(const CustomerLedger& then, const CustomerLedger& now, const std::string& period,
                                   bool whole, const std::string& segment) {
  const auto a = holdings(then, period, whole, segment), b = holdings(now, period, whole, segment);
  std::vector<std::string> out;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) out.push_back((i++)->first + " (removed)");
    else if (i == a.end() || j->first < i->first) out.push_back((j++)->first + " (added)");
    else {
      if (i->second != j->second) out.push_back(i->first);
      ++i, ++j;
    }
  }
  return out;
}

struct Index {
  std::map<std::string, const Record*, std::less<>> records;
  std::set<std::string, std::less<>> periods;
  std::set<std::string, std::less<>> groups; ///< "period\x1fsegment" of the --by groups
};

Index index_of(const Report& report) {
  Index ix;
  for (const Group& g : report.groups) {
    const std::string period = g.period.value_or("");
    ix.periods.insert(period);
    if (!g.whole) ix.groups.insert(period + "\x1f" + g.segment);
    for (const Record& rec : g.records)
      ix.records.emplace(figure_key(period, g.whole, g.segment, rec.metric.def->id, rec.metric.key), &rec);
  }
  return ix;
}

/// The verdict on one figure that changed; `rec` is its record now (nullptr: not computed).
Verdict changed_figure(const Baseline& b, const BaselineFigure& f, const Record* rec, const Index& ix,
                       const BaselineOptions& opts) {
  const MetricDef* def = rec != nullptr ? rec->metric.def : find_metric(f.metric);
  Verdict v;
  v.baseline = true;
  v.status = Verdict::Status::fail;
  v.metric = f.metric;
  v.rule = fmt::format("{}{} as closed", f.metric, f.key.empty() ? "" : "[" + f.key + "]");
  v.period = f.period;
  v.segment = f.segment;
  v.unit = def != nullptr ? def->unit : Unit::ratio;
  v.was = to_double(f.value);
  if (rec != nullptr && rec->metric.value) v.value = rec->metric.value->as_double();
  v.expect = fmt::format("{}{} ({})", shown_or_na(v.was, v.unit),
                         opts.tolerance.micros > 0 ? " ± " + format_money_exact(opts.tolerance) : "", b.file);
  v.reason = fmt::format("was {} at close", shown_or_na(v.was, v.unit));
  if (v.was && v.value) v.reason += fmt::format(" ({})", baseline_change(*v.was, *v.value, v.unit));
  if (rec == nullptr) {
    const std::string period = f.period.value_or("");
    v.reason += f.whole || ix.groups.count(period + "\x1f" + f.segment) > 0
        ? "; not computed now"
        : fmt::format("; the group {} is not in the data now", f.segment);
  }
  return v;
}

/// Names the customers behind a changed figure in its reason, at most `shown` of them.
void name_customers(Verdict& v, const Baseline& b, const CustomerLedger* now, const BaselineFigure& f,
                    std::map<std::string, std::vector<std::string>>& cache, std::size_t shown) {
  if (!b.ledger || now == nullptr) {
    v.reason += fmt::format("; the customers are not known: {} was saved without --lock", b.file);
    return;
  }
  const std::string period = f.period.value_or("");
  const std::string key = period + "\x1f" + (f.whole ? std::string("\x1e") : f.segment);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, differing(*b.ledger, *now, period, f.whole, f.segment)).first;
  v.customers = it->second;
  if (v.customers.empty()) {
    v.reason += "; no customer's movements differ (the change comes from the options, a customers or responses file, "
                "or another cskpi version)";
    return;
  }
  const std::size_t n = std::min(shown, v.customers.size());
  v.reason += fmt::format("; customers whose movements differ: {}",
                          fmt::join(v.customers.begin(), v.customers.begin() + static_cast<std::ptrdiff_t>(n), ", "));
  if (v.customers.size() > n) v.reason += fmt::format(" and {} more", v.customers.size() - n);
}

} // namespace

std::vector<Verdict> judge_baseline(const Baseline& b, const Report& report, const CustomerLedger* now,
                                    const BaselineOptions& opts) {
  const Index ix = index_of(report);
  const double tolerance = static_cast<double>(opts.tolerance.micros) / static_cast<double>(Money::k_scale);
  const std::string version_note = !b.tool_version.empty() && b.tool_version != CSKPI_VERSION
      ? fmt::format("; {} was made by cskpi {}, this is {}", b.file, b.tool_version, CSKPI_VERSION)
      : std::string();
  std::map<std::string, std::vector<std::string>> cache; // the customers that differ, per period and group
  std::vector<Verdict> out;
  for (const std::string& period : b.periods()) {
    Verdict head;
    head.baseline = true;
    head.rule = fmt::format("as closed in {}", b.file);
    head.metric = "figures";
    if (!period.empty()) head.period = period;
    head.segment = "every group";
    head.expect = fmt::format("unchanged since {}", b.file);
    if (ix.periods.count(period) == 0) {
      head.status = opts.allow_missing ? Verdict::Status::skip : Verdict::Status::fail;
      head.shown = "missing";
      head.reason = fmt::format("{} is in {} but not in the data, so its figures cannot be compared",
                                period.empty() ? "the whole history" : period, b.file);
      out.push_back(std::move(head));
      continue;
    }
    std::size_t figures = 0, within = 0;
    const std::size_t first_failure = out.size();
    for (const BaselineFigure& f : b.figures) {
      if (f.period.value_or("") != period) continue;
      ++figures;
      const auto it = ix.records.find(figure_key(period, f.whole, f.segment, f.metric, f.key));
      const Record* rec = it != ix.records.end() ? it->second : nullptr;
      const std::optional<Quantity>& value = rec != nullptr ? rec->metric.value : std::nullopt;
      if (rec != nullptr && (value ? std::optional<std::string>(json_number(*value)) : std::nullopt) == f.value)
        continue; // the same figure, to the last digit
      const std::optional<double> then = to_double(f.value);
      if (rec != nullptr && value && then && std::fabs(value->as_double() - *then) <= tolerance) {
        ++within;
        continue;
      }
      Verdict v = changed_figure(b, f, rec, ix, opts);
      name_customers(v, b, now, f, cache, opts.customers_shown);
      v.reason += version_note;
      out.push_back(std::move(v));
    }
    if (out.size() > first_failure) continue;
    head.status = Verdict::Status::pass;
    head.shown = fmt::format("{} figure{}", figures, figures == 1 ? "" : "s");
    if (within > 0) head.reason = fmt::format("{} within ± {}", within, format_money_exact(opts.tolerance));
    out.push_back(std::move(head));
  }
  return out;
}

} // namespace cskpi
