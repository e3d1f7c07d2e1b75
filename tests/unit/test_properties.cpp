// SPDX-License-Identifier: MIT
// Property tests: random valid exports, and identities every report must satisfy.
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include "random.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace test_properties {

using namespace cskpi;

namespace {

using test::Random;

/// One valid row, amounts in cents.
struct Row {
  std::string id, segment, period;
  std::int64_t start = 0, expansion = 0, contraction = 0, churned = 0, new_mrr = 0, reactivation = 0;
  int nps = -1;
  bool at_risk = false, saved = false;
};

std::vector<Row> random_rows(Random& rnd, const std::vector<std::string>& periods) {
  static const char* const segments[] = {"SMB", "Mid-Market", "Enterprise", "Self serve"};
  std::vector<Row> rows;
  const std::int64_t n = 1 + rnd.below(120);
  for (std::int64_t i = 0; i < n; ++i) {
    for (const std::string& p : periods) {
      if (rnd.chance(15)) continue; // not every customer in every period
      Row r;
      r.id = fmt::format("cust-{}", i);
      r.segment = segments[rnd.below(4)];
      r.period = p;
      if (rnd.chance(15)) { // new or reactivated
        (rnd.chance(70) ? r.new_mrr : r.reactivation) = 1 + rnd.below(500000);
      } else {
        r.start = 1 + rnd.below(5000000);
        if (rnd.chance(10)) {
          r.churned = r.start;
        } else {
          if (rnd.chance(25)) r.expansion = rnd.below(300000);
          if (rnd.chance(15)) r.contraction = rnd.below(r.start + r.expansion);
        }
      }
      if (rnd.chance(40)) r.nps = static_cast<int>(rnd.below(11));
      r.at_risk = rnd.chance(10);
      r.saved = r.at_risk && r.churned == 0 && rnd.chance(60);
      rows.push_back(r);
    }
  }
  return rows;
}

/// Cents as text: "1234.56", or German style "1.234,56" for `german`.
std::string amount(std::int64_t cents, bool german) {
  const std::string digits = std::to_string(cents / 100);
  std::string units;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (german && i > 0 && (digits.size() - i) % 3 == 0) units.push_back('.');
    units.push_back(digits[i]);
  }
  return fmt::format("{}{}{:02}", units, german ? ',' : '.', cents % 100);
}

std::string render(const std::vector<Row>& rows, bool german) {
  const char d = german ? ';' : ',';
  std::string out = fmt::format("customer_id{0}segment{0}period{0}start_mrr{0}expansion_mrr{0}contraction_mrr{0}"
                                "churned_mrr{0}new_mrr{0}reactivation_mrr{0}nps{0}at_risk{0}saved\n",
                                d);
  for (const Row& r : rows)
    out += fmt::format("{1}{0}{2}{0}{3}{0}{4}{0}{5}{0}{6}{0}{7}{0}{8}{0}{9}{0}{10}{0}{11}{0}{12}\n", d, r.id, r.segment,
                       r.period, amount(r.start, german), amount(r.expansion, german), amount(r.contraction, german),
                       amount(r.churned, german), amount(r.new_mrr, german), amount(r.reactivation, german),
                       r.nps < 0 ? std::string() : std::to_string(r.nps), r.at_risk ? "yes" : "no",
                       r.saved ? "yes" : "no");
  return out;
}

struct NoProblems : DiagnosticSink {
  void report(const Diagnostic& d) override {
    // A part cut after its last row holds a header only: said, and harmless here.
    if (d.severity == Severity::warning && d.message.find("but no rows") != std::string::npos) return;
    FAIL("unexpected diagnostic: " << format_diagnostic(d));
  }
};

struct Result {
  std::vector<Group> groups;
  std::string records; ///< the report's records as CSV: what must not change
};

/// Ingests each text as one file of a single run and builds the report's groups.
Result report_of(const std::vector<std::string>& files, bool by_segment) {
  NoProblems diags;
  IngestOptions opts;
  if (by_segment) opts.by_column = "segment";
  Ingestor ingestor(opts, diags);
  Aggregator agg(by_segment);
  std::vector<InputSummary> inputs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::istringstream in(files[i]);
    inputs.push_back(ingestor.read_stream(in, fmt::format("part{}.csv", i), agg));
    REQUIRE(inputs.back().rows_rejected == 0);
  }
  MetricContext ctx;
  ctx.columns = ingestor.columns();
  ctx.period_length = ingestor.detected_period_length().value_or(PeriodLength::month);
  ReportSettings s;
  s.period_length = ctx.period_length;
  if (by_segment) s.by = "segment";
  Result res;
  res.groups = build_groups(agg, ctx, BandTable::builtin(), {}, by_segment);
  res.records = render_csv(Report{s, inputs, res.groups, std::nullopt});
  return res;
}

const MetricValue& metric(const Group& g, std::string_view id) {
  for (const Record& r : g.records)
    if (r.metric.def->id == id) return r.metric;
  FAIL("no metric " << id);
  throw std::logic_error("unreachable");
}

std::vector<std::string> months() { return {"2026-07", "2026-08", "2026-09"}; }

} // namespace

TEST_CASE("properties: nrr - grr is the expansion MRR rate, and logo churn + retention is 100", "[properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 41));
  Random rnd{seed};
  const Result r = report_of({render(random_rows(rnd, months()), false)}, true);
  for (const Group& g : r.groups) {
    INFO("seed " << seed << ", " << g.period.value_or("") << " " << g.segment);
    const MetricValue& nrr = metric(g, "nrr");
    const MetricValue& grr = metric(g, "grr");
    const MetricValue& exp = metric(g, "expansion_mrr_rate");
    if (g.totals.start.micros == 0) {
      CHECK(!nrr.value);
      CHECK(!exp.value);
      continue;
    }
    REQUIRE(nrr.numerator);
    Money diff = nrr.numerator->money;
    REQUIRE(checked_sub(diff, grr.numerator->money));
    CHECK(diff == exp.numerator->money);
    CHECK(nrr.denominator->money == exp.denominator->money);
    CHECK(grr.denominator->money == exp.denominator->money);
    const MetricValue& churn = metric(g, "logo_churn");
    const MetricValue& kept = metric(g, "logo_retention");
    CHECK(churn.numerator->count + kept.numerator->count == churn.denominator->count);
    CHECK(churn.value->as_double() + kept.value->as_double() == Approx(100.0).margin(1e-9));
  }
}

TEST_CASE("properties: splitting a file in two, or shuffling its rows, leaves the report unchanged", "[properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 31));
  Random rnd{seed};
  std::vector<Row> rows = random_rows(rnd, months());
  const std::string whole = report_of({render(rows, false)}, true).records;
  const auto cut = static_cast<std::ptrdiff_t>(rnd.below(static_cast<std::int64_t>(rows.size()) + 1));
  const std::vector<Row> first(rows.begin(), rows.begin() + cut), second(rows.begin() + cut, rows.end());
  INFO("seed " << seed << ", cut after " << cut << " of " << rows.size());
  CHECK(report_of({render(first, false), render(second, false)}, true).records == whole);
  for (std::size_t i = rows.size(); i > 1; --i)
    std::swap(rows[i - 1], rows[static_cast<std::size_t>(rnd.below(static_cast<std::int64_t>(i)))]);
  CHECK(report_of({render(rows, false)}, true).records == whole);
}

TEST_CASE("properties: the --by segment groups sum to the all group", "[properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 31));
  Random rnd{seed};
  const Result r = report_of({render(random_rows(rnd, months()), false)}, true);
  const Group* all = nullptr;
  Totals sum;
  auto compare = [&] {
    if (all == nullptr) return;
    INFO("seed " << seed << ", period " << all->period.value_or(""));
    const Totals& a = all->totals;
    CHECK(sum.customers == a.customers);
    CHECK(sum.new_customers == a.new_customers);
    CHECK(sum.cohort == a.cohort);
    CHECK(sum.churned_logos == a.churned_logos);
    CHECK(sum.expanding == a.expanding);
    CHECK(sum.start == a.start);
    CHECK(sum.expansion == a.expansion);
    CHECK(sum.contraction == a.contraction);
    CHECK(sum.churned == a.churned);
    CHECK(sum.new_mrr == a.new_mrr);
    CHECK(sum.reactivation == a.reactivation);
    CHECK(sum.at_risk_mrr == a.at_risk_mrr);
    CHECK(sum.at_risk == a.at_risk);
    CHECK(sum.saved == a.saved);
    CHECK(sum.promoters == a.promoters);
    CHECK(sum.passives == a.passives);
    CHECK(sum.detractors == a.detractors);
  };
  for (const Group& g : r.groups) {
    if (g.segment == "all") {
      compare();
      all = &g;
      sum = Totals{};
    } else {
      REQUIRE(sum.merge(g.totals));
    }
  }
  compare();
}

TEST_CASE("properties: annualising a yearly file is the identity", "[properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 21));
  Random rnd{seed};
  const Result r = report_of({render(random_rows(rnd, {"2025", "2026"}), false)}, false);
  int annual = 0;
  for (const Group& g : r.groups)
    for (const Record& rec : g.records) {
      if (!rec.metric.annualized) continue;
      INFO("seed " << seed << ", " << rec.metric.def->id);
      REQUIRE(rec.metric.value);
      CHECK(*rec.metric.annualized == rec.metric.value->as_double());
      ++annual;
    }
  CHECK(annual > 0);
}

TEST_CASE("properties: semicolons and decimal commas give the same report as commas and points", "[properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 21));
  Random rnd{seed};
  const std::vector<Row> rows = random_rows(rnd, months());
  INFO("seed " << seed);
  CHECK(report_of({render(rows, true)}, true).records == report_of({render(rows, false)}, true).records);
}

} // namespace test_properties
