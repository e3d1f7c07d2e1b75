// SPDX-License-Identifier: MIT
// Properties of the shared row rules (issue 28), per input form: adding a totals row,
// repeating a row, or padding keys with spaces never yields success with other figures.
// Each form's valid random file is read, then each hostile edit of it: the edit must be an
// error, or give exactly the figures of the original (padding must give them, and no error).
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include "random.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <functional>
#include <sstream>

namespace test_form_properties {

using namespace cskpi;

namespace {

using test::Random;

struct Errors : DiagnosticSink {
  bool any = false;
  void report(const Diagnostic& d) override { any = any || d.severity == Severity::error; }
};

/// What a file gives: success or not, and the figures (the report's records, or the
/// customer records and responses of an attributes file).
struct Outcome {
  bool ok = false;
  std::string figures;
};

/// The file's data lines as cells: header first. Cells are joined with commas.
using Table = std::vector<std::vector<std::string>>;

std::string render(const Table& t) {
  std::string out;
  for (const auto& row : t) out += fmt::format("{}\n", fmt::join(row, ","));
  return out;
}

Outcome read_report(const std::vector<std::string>& files, bool by_segment) {
  Errors diags;
  IngestOptions opts;
  if (by_segment) opts.by_column = "segment";
  Ingestor ingestor(opts, diags);
  Aggregator agg(by_segment);
  std::vector<InputSummary> inputs;
  bool ok = true;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::istringstream in(files[i]);
    inputs.push_back(ingestor.read_stream(in, fmt::format("part{}.csv", i), agg));
    ok = ok && inputs.back().rows_rejected == 0 && !inputs.back().unreadable;
  }
  Outcome o;
  o.ok = ok && !diags.any;
  if (!o.ok) return o;
  MetricContext ctx;
  ctx.columns = ingestor.columns();
  ctx.period_length = ingestor.detected_period_length().value_or(PeriodLength::month);
  ReportSettings s;
  s.period_length = ctx.period_length;
  if (by_segment) s.by = "segment";
  const std::vector<Group> groups = build_groups(agg, ctx, BandTable::builtin(), {}, by_segment);
  o.figures = render_csv(Report{s, {}, groups, std::nullopt});
  return o;
}

Outcome read_attributes(const std::string& file, bool by_segment) {
  Errors diags;
  IngestOptions opts;
  if (by_segment) opts.by_column = "segment";
  Ingestor ingestor(opts, diags);
  Aggregator agg(by_segment);
  std::istringstream in(file);
  const InputSummary sum = ingestor.read_stream(in, "part.csv", agg);
  Outcome o;
  o.ok = sum.rows_rejected == 0 && !sum.unreadable && !diags.any;
  if (!o.ok || ingestor.attributes() == nullptr) return o;
  for (const CustomerRecord& r : ingestor.attributes()->customers)
    o.figures += fmt::format("{}|{}|{}\n", r.id, r.group, r.health.value_or(-1));
  for (const ResponseRecord& r : ingestor.attributes()->responses)
    o.figures += fmt::format("{}|{}|{}|{}\n", r.customer_id, r.score, r.csat, r.ces);
  return o;
}

/// A form: its random valid file, where its key cells are, and what its totals row is.
struct FormCase {
  const char* name;
  std::function<Table(Random&)> make;
  std::vector<std::size_t> keys;                                ///< columns of key cells (ids, segment)
  std::function<std::vector<std::string>(const Table&)> totals; ///< a totals row for the table
  std::function<Outcome(const std::string&)> read;
};

std::string money(std::int64_t cents) { return fmt::format("{}.{:02}", cents / 100, cents % 100); }

const char* const k_segments[] = {"SMB", "Mid-Market", "Enterprise"};
const char* const k_months[] = {"2026-06", "2026-07", "2026-08", "2026-09"};

Table wide(Random& rnd) {
  Table t{{"customer_id", "segment", "2026-06", "2026-07", "2026-08", "2026-09"}};
  for (std::int64_t i = 0, n = 3 + rnd.below(20); i < n; ++i) {
    std::vector<std::string> row{fmt::format("C-{}", i), k_segments[rnd.below(3)]};
    for (int m = 0; m < 4; ++m) row.push_back(rnd.chance(20) ? std::string() : money(100 + rnd.below(900000)));
    t.push_back(row);
  }
  return t;
}

/// The sums of a wide table's month columns: the row a spreadsheet's SUM() would add.
std::vector<std::string> wide_totals(const Table& t, std::string label) {
  std::vector<std::string> row{std::move(label), ""};
  for (std::size_t c = 2; c < t[0].size(); ++c) {
    std::int64_t sum = 0;
    for (std::size_t r = 1; r < t.size(); ++r)
      if (!t[r][c].empty())
        sum += std::stoll(t[r][c].substr(0, t[r][c].size() - 3)) * 100 + std::stoll(t[r][c].substr(t[r][c].size() - 2));
    row.push_back(money(sum));
  }
  return row;
}

Table long_form(Random& rnd) {
  Table t{{"customer_id", "month", "mrr", "segment"}};
  for (std::int64_t i = 0, n = 3 + rnd.below(20); i < n; ++i) {
    const char* segment = k_segments[rnd.below(3)];
    for (const char* m : k_months)
      if (!rnd.chance(20)) t.push_back({fmt::format("C-{}", i), m, money(rnd.below(900000)), segment});
  }
  return t;
}

Table chargebee(Random& rnd) {
  Table t{{"customer_id", "subscription_id", "reporting_month", "mrr"}};
  static const char* const ends[] = {"2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"};
  for (std::int64_t i = 0, n = 3 + rnd.below(15); i < n; ++i)
    for (std::int64_t s = 0, subs = 1 + rnd.below(2); s < subs; ++s)
      for (const char* m : ends)
        if (!rnd.chance(20))
          t.push_back({fmt::format("cb_cust_{}", i), fmt::format("cb_sub_{}_{}", i, s), m, money(rnd.below(90000))});
  return t;
}

/// Recurly's subscriptions export (issue 32): an account's subscriptions, some expired.
Table recurly(Random& rnd) {
  Table t{{"uuid", "account_code", "state", "quantity", "unit_amount", "activated_at", "current_period_started_at",
           "current_period_ends_at", "expires_at"}};
  static const char* const starts[] = {"2026-01-15", "2026-02-03", "2026-03-20"};
  for (std::int64_t i = 0, n = 3 + rnd.below(15); i < n; ++i)
    for (std::int64_t s = 0, subs = 1 + rnd.below(2); s < subs; ++s) {
      const bool expired = rnd.chance(20);
      t.push_back({fmt::format("u{}_{}", i, s), fmt::format("acct_{}", i), expired ? "expired" : "active",
                   std::to_string(1 + rnd.below(5)), money(rnd.below(90000)), starts[rnd.below(3)], "2026-06-15",
                   "2026-07-15", expired ? "2026-05-10" : ""});
    }
  return t;
}

Table killbill(Random& rnd) { // issue 32: Kill Bill's analytics_subscription_transitions
  Table t{
      {"record_id", "account_id", "subscription_id", "event", "next_billing_period", "next_price", "next_start_date"}};
  static const char* const days[] = {"2026-06-10", "2026-07-12", "2026-08-14", "2026-09-16", "2026-10-31"};
  static const char* const periods[] = {"MONTHLY", "ANNUAL", "QUARTERLY"};
  int record = 0;
  for (std::int64_t i = 0, n = 3 + rnd.below(15); i < n; ++i)
    for (std::int64_t s = 0, subs = 1 + rnd.below(2); s < subs; ++s) {
      const std::string account = fmt::format("acc-{}", i), sub = fmt::format("sub-{}-{}", i, s);
      const std::size_t start = static_cast<std::size_t>(rnd.below(3));
      const char* period = periods[rnd.below(3)];
      t.push_back({std::to_string(++record), account, sub, "START_BILLING_BASE", period, money(100 + rnd.below(90000)),
                   days[start]});
      if (rnd.chance(40))
        t.push_back({std::to_string(++record), account, sub, "CHANGE_BASE", period, money(100 + rnd.below(90000)),
                     days[start + 1]});
      if (rnd.chance(25))
        t.push_back({std::to_string(++record), account, sub, "STOP_BILLING_BASE", "", "", days[start + 2]});
    }
  t.push_back({std::to_string(++record), "acc-last", "sub-last", "START_BILLING_BASE", "MONTHLY", "1.00", days[4]});
  return t;
}

Table chartmogul(Random& rnd) {
  Table t{{"DATE", "CUSTOMER_EXTERNAL_ID", "MRR_MOVEMENT", "MRR", "MOVEMENT_TYPE"}};
  static const char* const days[] = {"2026-06-10", "2026-07-12", "2026-08-14", "2026-09-16"};
  for (std::int64_t i = 0, n = 3 + rnd.below(15); i < n; ++i) {
    std::int64_t mrr = 0;
    for (const char* d : days) {
      const std::int64_t next = rnd.chance(25) ? 0 : 100 + rnd.below(50000);
      if (next == mrr) continue;
      const char* type = mrr == 0 ? "new_biz" : next == 0 ? "churn" : next > mrr ? "expansion" : "contraction";
      if (mrr == 0 && t.size() > 1 && t.back()[1] == fmt::format("cus_{}", i)) type = "reactivation";
      t.push_back({d, fmt::format("cus_{}", i), std::to_string(next - mrr), std::to_string(next), type});
      mrr = next;
    }
  }
  return t;
}

Table customers(Random& rnd) {
  Table t{{"customer_id", "segment", "health_score"}};
  for (std::int64_t i = 0, n = 3 + rnd.below(20); i < n; ++i)
    t.push_back({fmt::format("A-{}", i), k_segments[rnd.below(3)],
                 rnd.chance(20) ? std::string() : std::to_string(rnd.below(101))});
  return t;
}

Table responses(Random& rnd) {
  Table t{{"response_id", "customer_id", "date", "score"}};
  for (std::int64_t i = 0, n = 3 + rnd.below(30); i < n; ++i)
    t.push_back(
        {fmt::format("R-{}", i), fmt::format("A-{}", rnd.below(8)), "2026-09-01", std::to_string(rnd.below(11))});
  return t;
}

std::vector<FormCase> forms() {
  const auto report = [](const std::string& f) { return read_report({f}, true); };
  const auto attrs = [](const std::string& f) { return read_attributes(f, true); };
  return {
      {"snapshots (wide)", wide, {0, 1}, [](const Table& t) { return wide_totals(t, "Grand Total"); }, report},
      {"snapshots (wide), unlabelled sums", wide, {0, 1}, [](const Table& t) { return wide_totals(t, ""); }, report},
      {"snapshots (long)",
       long_form,
       {0, 3},
       [](const Table&) {
         return std::vector<std::string>{"Total", "2026-09", "1000.00", ""};
       },
       report},
      {"chargebee",
       chargebee,
       {0, 1},
       [](const Table&) {
         return std::vector<std::string>{"Grand Total", "", "2026-09-30", "1000.00"};
       },
       [](const std::string& f) { return read_report({f}, false); }},
      {"recurly",
       recurly,
       {0, 1},
       [](const Table&) {
         return std::vector<std::string>{"",           "Grand Total", "active",     "", "1000.00",
                                         "2026-01-15", "2026-06-15",  "2026-07-15", ""};
       },
       [](const std::string& f) { return read_report({f}, false); }},
      {"killbill",
       killbill,
       {1, 2},
       [](const Table&) {
         return std::vector<std::string>{"",        "Grand Total", "",          "START_BILLING_BASE",
                                         "MONTHLY", "1000.00",     "2026-09-30"};
       },
       [](const std::string& f) { return read_report({f}, false); }},
      {"chartmogul",
       chartmogul,
       {1},
       [](const Table&) {
         return std::vector<std::string>{"2026-09-30", "Total", "1000", "1000", "new_biz"};
       },
       [](const std::string& f) { return read_report({f}, false); }},
      {"customers",
       customers,
       {0, 1},
       [](const Table&) {
         return std::vector<std::string>{"Total", "", "50"};
       },
       attrs},
      {"responses",
       responses,
       {1},
       [](const Table&) {
         return std::vector<std::string>{"", "Total", "2026-09-01", "7"};
       },
       attrs},
  };
}

} // namespace

TEST_CASE("properties: a totals row, a repeated row or padded keys never give other figures with success",
          "[properties][rules]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 16));
  for (const FormCase& form : forms()) {
    Random rnd{seed};
    const Table t = form.make(rnd);
    INFO(form.name << ", seed " << seed << "\n" << render(t));
    const Outcome base = form.read(render(t));
    REQUIRE(base.ok);

    Table totals = t;
    totals.push_back(form.totals(t));
    const Outcome with_totals = form.read(render(totals));
    CHECK_FALSE(with_totals.ok); // a totals row is always an error, whatever its figures

    Table repeated = t;
    const std::size_t r = 1 + static_cast<std::size_t>(rnd.below(static_cast<std::int64_t>(t.size()) - 1));
    const auto after =
        static_cast<std::size_t>(rnd.below(static_cast<std::int64_t>(t.size() - r))); // anywhere after it
    repeated.insert(repeated.begin() + static_cast<std::ptrdiff_t>(r + after + 1), t[r]);
    const Outcome twice = form.read(render(repeated));
    CHECK((!twice.ok || twice.figures == base.figures));

    Table padded = t;
    for (std::size_t i = 1; i < padded.size(); ++i)
      for (const std::size_t k : form.keys)
        if (!padded[i][k].empty() && rnd.chance(50))
          padded[i][k] = rnd.chance(50) ? " " + padded[i][k] : padded[i][k] + "  ";
    const Outcome spaced = form.read(render(padded));
    CHECK(spaced.ok);
    CHECK(spaced.figures == base.figures);
  }
}

} // namespace test_form_properties
