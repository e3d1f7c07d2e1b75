// SPDX-License-Identifier: MIT
#include "app/run.hpp"

#include "app/costs.hpp"
#include "app/invoices.hpp"

#include "core/definitions.hpp"
#include "core/error.hpp"
#include "core/period.hpp"
#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace cskpi::app {

namespace {

/// More --by groups than this in one period earn a warning: likely the wrong column.
constexpr std::size_t k_many_groups = 10000;

/// Passes every problem on to the sink and counts them: whether the run goes on depends on
/// the counts, not on how many of them the sink shows.
class Counted : public DiagnosticSink {
public:
  Counted(RunSink& sink, bool skip_invalid) : m_sink(sink), m_skip_invalid(skip_invalid) {}
  void report(const Diagnostic& d) override {
    if (d.severity == Severity::error) ++(d.fatal ? m_fatal : m_row_errors);
    m_sink.report(d);
  }
  std::uint64_t fatal() const { return m_fatal; }
  std::uint64_t row_errors() const { return m_row_errors; }
  /// The errors that stop the run: with skip_invalid, a row's are not among them.
  std::uint64_t errors() const { return m_fatal + (m_skip_invalid ? 0 : m_row_errors); }

private:
  RunSink& m_sink;
  bool m_skip_invalid;
  std::uint64_t m_fatal = 0, m_row_errors = 0;
};

/// The settings the report echoes that come from the request alone. Parses the values in the
/// order their usage errors have always come: metrics, gross margin, CAC.
ReportSettings settings_of(const ReportRequest& q) {
  ReportSettings s;
  s.version = CSKPI_VERSION;
  s.metrics = parse_metric_list(q.metrics);
  if (!q.gross_margin.empty()) {
    s.gross_margin = parse_gross_margin(q.gross_margin);
    s.gross_margin_given = true;
  }
  if (!q.cac.empty()) s.cac = parse_amount_flag("--cac", q.cac);
  s.skip_invalid = q.skip_invalid;
  s.min_group = q.min_group;
  s.definitions = q.definitions;
  return s;
}

/// Whether the inputs read can be reported on; if not, notes why (the run then exits 3).
/// Notes the rows left out when they can.
bool usable(const ReportRequest& q, const Loaded& l, const Counted& diags, RunSink& sink) {
  std::uint64_t read = 0, used = 0, rejected = 0;
  for (const InputSummary& in : l.inputs) {
    read += in.rows_read;
    used += in.rows_used;
    rejected += in.rows_rejected;
  }
  const bool check = q.check_mode;
  if (diags.fatal() > 0) {
    sink.note(Severity::error,
              check ? "an input could not be read; nothing was judged"
                    : "an input could not be read; no report written");
    return false;
  }
  // A costs file, a logo cohort table, or customer records without a column any figure comes from
  // (customer_id and segment only): nothing to report on.
  const AttributeColumns* columns = l.attributes ? &l.attributes->columns : nullptr;
  const bool figures =
      columns != nullptr && (columns->any_customer() || columns->score || columns->csat || columns->ces);
  if (!l.columns.billing && !figures) {
    std::vector<std::string> files;
    bool logo = false;
    for (const InputSummary& in : l.inputs) {
      files.push_back(fmt::format("{} ({})", in.file, in.role));
      logo = logo || in.role == "logo cohorts";
    }
    sink.note(Severity::error,
              fmt::format("nothing to report on in {}: no billing rows, customer figures or survey answers{}; add a "
                          "movements file, MRR snapshots or a billing export{}",
                          fmt::join(files, ", "),
                          columns == nullptr ? ""
                                             : " (a customers file's figures are health_score, signup_date, "
                                               "first_value_date, renewal_date, renewed and churn_reason)",
                          logo ? " (cskpi forecast reads a logo cohort table)" : ""));
    return false;
  }
  if (diags.errors() > 0 && rejected == 0 && q.strict) { // every row is valid: the errors are breaks between periods
    sink.note(Severity::error,
              fmt::format("{} break{} between periods (--strict); {}", diags.row_errors(),
                          diags.row_errors() == 1 ? "" : "s",
                          check ? "an inconsistent export fails every gate"
                                : "no report written. Fix the export, or drop --strict"));
    return false;
  }
  if (diags.errors() > 0) {
    const std::string advice = check ? "an invalid export fails every gate; fix the rows"
                                     : fmt::format("no report written. Fix them, or pass --skip-invalid to report on "
                                                   "the {} valid row{}",
                                                   used, used == 1 ? "" : "s");
    sink.note(Severity::error,
              fmt::format("{} invalid row{} of {} ({} problem{}); {}", rejected, rejected == 1 ? "" : "s", read,
                          diags.row_errors(), diags.row_errors() == 1 ? "" : "s", advice));
    return false;
  }
  if (rejected > 0)
    sink.note(Severity::warning,
              fmt::format("{} of {} row{} rejected (--skip-invalid); the report covers {} row{}", rejected, read,
                          read == 1 ? "" : "s", used, used == 1 ? "" : "s"));
  if (check)
    for (const InputSummary& in : l.inputs)
      if (in.rows_read == 0) {
        sink.note(Severity::error, fmt::format("{} holds no rows; an empty export passes no gate", in.file));
        return false;
      }
  return true;
}

/// What the metrics are computed with: the columns read, the figures of the settings and the
/// period length, whose source `s` records.
MetricContext context_of(ReportSettings& s, const IngestOptions& ingest, const Loaded& l) {
  MetricContext ctx;
  ctx.columns = l.columns;
  ctx.gross_margin = s.gross_margin;
  ctx.gross_margin_given = s.gross_margin_given;
  ctx.cac = s.cac;
  ctx.min_group = s.min_group;
  ctx.transfers = s.by && l.aggregator->has_transfers();
  ctx.fx_method = ingest.fx_method;
  if (ingest.period_length) {
    ctx.period_length = *ingest.period_length;
    s.period_length_source = "--period-length";
  } else if (l.detected_length) {
    ctx.period_length = *l.detected_length;
    s.period_length_source = "detected";
  } else {
    ctx.period_length = PeriodLength::month;
    s.period_length_source = "default: no period column";
  }
  s.period_length = ctx.period_length;
  return ctx;
}

/// Warns when the busiest period has more --by values than a grouping column likely has.
void warn_many_groups(const ReportSettings& s, const Loaded& l, RunSink& sink) {
  if (!s.by) return;
  std::size_t most = 0; // distinct --by values of the busiest period
  for (const auto& [period, totals] : l.aggregator->periods()) most = std::max(most, totals.groups.size());
  if (most > k_many_groups)
    sink.note(Severity::warning,
              fmt::format("--by {} has {} distinct values in one period; the report holds a group for "
                          "each. Is {} the column you meant?",
                          *s.by, group_thousands(most), *s.by));
}

/// Joins the customer records and responses to the billing rows (issue 7) and notes what
/// the join leaves out; sets what the metrics need of them in `ctx` and `s`.
Leading join_leading(const ReportRequest& q, const Loaded& l, MetricContext& ctx, ReportSettings& s, RunSink& sink) {
  LeadingOptions lo;
  lo.scheme = health_scheme(q);
  lo.period_length = ctx.period_length;
  lo.grouped = s.by.has_value();
  if (!q.as_of.empty()) {
    lo.as_of = parse_date(q.as_of);
    if (!lo.as_of) throw usage_error(fmt::format("--as-of \"{}\" is not a date YYYY-MM-DD", q.as_of));
  }
  Leading leading = l.joiner->join(*l.attributes, lo, l.columns.period);
  ctx.attributes = l.attributes->columns;
  ctx.scheme = lo.scheme;
  s.health_scheme = lo.scheme.name;
  if (leading.summary.as_of) ctx.as_of = format_date(*leading.summary.as_of);
  if (ctx.attributes.score && l.columns.nps)
    sink.note(Severity::warning, "NPS comes from the responses file; the nps column of the billing file is not used");
  const JoinSummary& j = leading.summary;
  if (j.customers_without_billing > 0 && ctx.billing)
    sink.note(Severity::warning,
              fmt::format("{} customer record{} no billing row (first: {}); they are counted, not reported on",
                          group_thousands(j.customers_without_billing),
                          j.customers_without_billing == 1 ? " has" : "s have", j.unbilled_examples.front()));
  if (j.responses_outside > 0)
    sink.note(Severity::warning,
              fmt::format("{} response{} dated outside the billing periods, left out",
                          group_thousands(j.responses_outside), j.responses_outside == 1 ? " is" : "s are"));
  return leading;
}

/// Keeps the groups whose period lies within --period.
void select_periods(std::vector<Group>& groups, const std::string& spec) {
  const std::size_t dots = spec.find("..");
  const std::string from_text = spec.substr(0, dots),
                    to_text = dots == std::string::npos ? spec : spec.substr(dots + 2);
  const std::optional<Period> from = parse_period(from_text), to = parse_period(to_text);
  if (!from || !to)
    throw usage_error(
        fmt::format("--period \"{}\" is not a period (2026-10, 2026-Q3, 2026) or a range FROM..TO", spec));
  const MonthSpan a = month_span(*from), b = month_span(*to);
  if (a.first > b.last) throw usage_error(fmt::format("--period {}: {} comes after {}", spec, from->label, to->label));
  if (!groups.empty() && !groups.front().period)
    throw usage_error(fmt::format("--period {}: the input has no period column, so it is one period", spec));
  std::vector<std::string> all;
  for (const Group& g : groups)
    if (g.period && (all.empty() || all.back() != *g.period)) all.push_back(*g.period);
  std::erase_if(groups, [&](const Group& g) {
    const std::optional<Period> p = parse_period(*g.period);
    if (!p) return true;
    const MonthSpan s = month_span(*p);
    return s.first < a.first || s.last > b.last;
  });
  if (groups.empty() && !all.empty())
    throw usage_error(fmt::format("--period {} matches none of the input's periods ({}{})", spec, all.front(),
                                  all.size() > 1 ? " to " + all.back() : ""));
}

/// A metric --metrics names that no group holds: the input cannot give it. Said in a warning,
/// so that a report asked for NPS of a file without answers is not silently empty of it.
void warn_metrics_not_computed(const std::vector<std::string>& metrics, const std::vector<Group>& groups,
                               RunSink& sink) {
  for (const std::string& id : metrics) {
    const bool held = std::any_of(groups.begin(), groups.end(), [&id](const Group& g) {
      return std::any_of(g.records.begin(), g.records.end(),
                         [&id](const Record& r) { return r.metric.def != nullptr && r.metric.def->id == id; });
    });
    if (held) continue;
    const MetricDef* def = find_metric(id);
    const std::string_view column = def != nullptr ? needed_column(def->needs) : std::string_view{};
    sink.note(Severity::warning,
              column.empty()
                  ? fmt::format("--metrics names {0}, which this run does not give (cskpi explain {0})", id)
                  : fmt::format("--metrics names {}, which is not computed: the input has no {} column", id, column));
  }
}

/// The movers of the periods the report keeps (and of the bridge lines --metrics keeps), named
/// from the customer records where they have a name, their groups labelled as the report's are.
std::vector<MoverLine> movers_of(const MoversSink& sink, const std::vector<Group>& groups,
                                 const std::vector<std::string>& metrics, const Attributes* attrs) {
  std::vector<MoverLine> out = sink.lines();
  std::erase_if(out, [&](const MoverLine& m) {
    if (!metrics.empty() && std::find(metrics.begin(), metrics.end(), m.kind_def().line) == metrics.end()) return true;
    return std::none_of(groups.begin(), groups.end(),
                        [&](const Group& g) { return g.period.value_or("") == m.period; });
  });
  for (MoverLine& line : out) {
    if (line.whole) line.group = "all";
    else if (line.group.empty()) line.group = "(blank)";
    if (attrs != nullptr)
      for (Mover& m : line.movers)
        if (const CustomerRecord* c = attrs->find(m.customer_id); c != nullptr && !c->name.empty()) m.name = c->name;
  }
  return out;
}

/// Invoice lines come with --invoices, and --invoices gives invoice lines (issue 31).
void check_invoice_inputs(const ReportRequest& q, const Loaded& l) {
  for (std::size_t i = 0; i < q.files.size() && i < l.inputs.size(); ++i)
    if (is_invoices_input(l.inputs[i]))
      throw usage_error(fmt::format("{} holds invoice lines ({}): give it with --invoices {}", q.files[i],
                                    l.inputs[i].role, q.files[i]));
  if (q.invoices.empty() || l.inputs.size() <= q.files.size()) return;
  const InputSummary& in = l.inputs.back();
  if (!is_invoices_input(in) && !in.unreadable)
    throw usage_error(fmt::format("--invoices {}: not invoice lines (read as {}); the generic form has invoice_id, "
                                  "customer_id, invoice_date, amount, service_start and service_end (cskpi explain "
                                  "inputs)",
                                  q.invoices, in.role));
}

} // namespace

std::optional<Reading> read_inputs(const ReportRequest& q, const DefinitionPreset& definitions, RunSink& sink,
                                   bool ledger) {
  Reading r;
  r.settings = settings_of(q);
  r.ingest = ingest_options(q);
  apply_definitions(r.ingest, q, definitions); // --compare reads per preset
  r.settings.tolerance = r.ingest.tolerance;
  r.bands = load_bands(q.bands);
  r.settings.bands = r.bands.origin();
  if (!r.ingest.by_column.empty()) r.settings.by = r.ingest.by_column;

  Counted diags(sink, q.skip_invalid);
  IngestOptions reading = r.ingest;
  reading.progress = sink.reading();
  if (q.top) r.movers = std::make_shared<MoversSink>(*q.top, !r.ingest.by_column.empty());
  RowSink* also = r.movers.get();
  std::vector<std::string> files = files_with_costs(q, r.ingest);
  if (!q.invoices.empty()) { // issue 31: the invoice lines are one more file, read by its form
    files.push_back(q.invoices);
    r.invoice_customers = std::make_shared<InvoiceCustomersSink>();
    if (also != nullptr) r.tee = std::make_shared<TeeSink>(*also, *r.invoice_customers);
    also = r.tee ? static_cast<RowSink*>(r.tee.get()) : r.invoice_customers.get();
  }
  r.loaded = load_inputs(files, std::move(reading), diags, ledger, also);
  check_invoice_inputs(q, r.loaded);
  sink.inputs_read();
  check_costs_file(q, r.loaded);
  if (!usable(q, r.loaded, diags, sink)) return std::nullopt;
  return r;
}

Report compute_report(const ReportRequest& q, const Reading& r, const DefinitionPreset& definitions, RunSink& sink,
                      Drawing* drawing, CustomerLedger* ledger) {
  ReportSettings s = r.settings;
  s.definitions = definitions.name;
  const Loaded& l = r.loaded;
  const BandTable& bands = r.bands;
  if (drawing != nullptr) drawing->bands = bands;
  MetricContext ctx = context_of(s, r.ingest, l);
  warn_many_groups(s, l, sink);
  std::optional<AnnualCohorts> cohorts;
  if (l.snapshots) {
    const bool reactivation = q.reactivation.empty() ? definitions.cohort_reactivation : q.reactivation == "include";
    cohorts = annual_cohorts(*l.snapshots, ctx.period_length, s.by.has_value(), reactivation, thread_count(q.threads));
    s.include_reactivation = cohorts->include_reactivation;
  }
  ctx.billing = l.columns.billing;
  std::string motion;
  if (!q.motion.empty()) {
    const std::optional<std::string> m = parse_motion(q.motion);
    if (!m)
      throw usage_error(fmt::format("--motion \"{}\" is not product-led, smb, mid-market or enterprise", q.motion));
    motion = *m;
  }
  std::optional<Leading> leading;
  if (l.attributes) leading = join_leading(q, l, ctx, s, sink);
  std::optional<InvoiceBook> invoices;
  if (r.invoice_customers) {
    std::vector<std::string> labels;
    for (const auto& [label, totals] : l.aggregator->periods()) labels.push_back(label);
    invoices = book_run_invoices(l.invoices, labels, *r.invoice_customers, s.by.has_value(), l.columns.period, sink);
    ctx.invoices = true;
  }
  const std::optional<CostsJoin> costs = join_run_costs(l, ctx, sink);
  Report report{s, l.inputs,
                build_groups(*l.aggregator, ctx, bands, s.metrics, s.by.has_value(), cohorts ? &*cohorts : nullptr,
                             leading ? &*leading : nullptr, motion, invoices ? &*invoices : nullptr,
                             costs ? &*costs : nullptr),
                std::nullopt};
  if (leading) report.join = leading->summary;
  if (!q.period.empty()) select_periods(report.groups, q.period);
  warn_metrics_not_computed(s.metrics, report.groups, sink);
  if (costs) warn_missing_costs(*costs, report.groups, sink);
  if (r.movers) report.movers = movers_of(*r.movers, report.groups, s.metrics, l.attributes.get());
  if (drawing != nullptr && l.snapshots) drawing->cohorts = cohort_table(*l.snapshots, false);
  if (ledger != nullptr) *ledger = l.ledger->ledger();
  return report;
}

std::optional<Report> run_report(const ReportRequest& q, RunSink& sink, Drawing* drawing, CustomerLedger* ledger) {
  const DefinitionPreset* definitions = find_definition_preset(q.definitions);
  if (definitions == nullptr) { // the usage errors in the order they have always come
    settings_of(q);
    ingest_options(q); // names the preset
  }
  const std::optional<Reading> r = read_inputs(q, *definitions, sink, ledger != nullptr);
  if (!r) return std::nullopt;
  return compute_report(q, *r, *definitions, sink, drawing, ledger);
}

} // namespace cskpi::app
