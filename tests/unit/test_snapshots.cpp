// SPDX-License-Identifier: MIT
#include "core/snapshot_table.hpp"
#include "metrics/cohorts.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>

namespace test_snapshots {

using namespace cskpi;

namespace {

Money units(std::int64_t u) { return Money::from_units(u); }

struct Rows : RowSink {
  struct Kept {
    std::string id, period, group;
    Money start, expansion, contraction, churned, new_mrr, reactivation;
  };
  std::vector<Kept> rows;
  void add(const MovementRow& r) override {
    rows.push_back({std::string(r.customer_id), std::string(r.period), std::string(r.group), r.start, r.expansion,
                    r.contraction, r.churned, r.new_mrr, r.reactivation});
  }
  const Kept* find(std::string_view id, std::string_view period) const {
    for (const Kept& k : rows)
      if (k.id == id && k.period == period) return &k;
    return nullptr;
  }
};

/// A table from {id: [mrr per month from 2025-01]} (units).
SnapshotTable table(const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& history,
                    const std::string& group = "") {
  SnapshotTable t;
  const MonthIndex first = *parse_month("2025-01");
  for (const auto& [id, mrr] : history) {
    const std::uint32_t c = t.customer(id, group);
    for (std::size_t m = 0; m < mrr.size(); ++m) REQUIRE(t.set(c, first + static_cast<MonthIndex>(m), units(mrr[m])));
  }
  t.close_range();
  return t;
}

} // namespace

TEST_CASE("parse_month reads YYYY-MM, ISO dates and month names", "[snapshots]") {
  CHECK(parse_month("2026-01") == 2026 * 12);
  CHECK(parse_month(" 2026-12-31 ") == 2026 * 12 + 11);
  CHECK(parse_month("2026-02-28T10:00:00Z") == 2026 * 12 + 1);
  CHECK(parse_month("Jan 2026") == 2026 * 12);
  CHECK(parse_month("september 2025") == 2025 * 12 + 8);
  CHECK(parse_month("Sept 2025") == 2025 * 12 + 8);
  CHECK(!parse_month("2026-13"));
  CHECK(!parse_month("2026-02-30"));
  CHECK(!parse_month("2026-Q1"));
  CHECK(!parse_month("Jan"));
  CHECK(!parse_month("Ja 2026"));
  CHECK(!parse_month("mrr"));
  CHECK(month_label(2026 * 12 + 2) == "2026-03");
  CHECK(period_label(2026 * 12 + 4, PeriodLength::quarter) == "2026-Q2");
  CHECK(period_label(2026 * 12 + 4, PeriodLength::year) == "2026");
}

TEST_CASE("written() tells a month the file held from one it never named", "[snapshots]") {
  SnapshotTable t;
  const MonthIndex jan = *parse_month("2025-01");
  CHECK(!t.written(jan));
  const std::uint32_t a = t.customer("a", ""), b = t.customer("b", "");
  REQUIRE(t.set(a, jan, units(10)));
  REQUIRE(t.set(b, jan + 3, units(0))); // a month whose only cell is 0 was still written
  t.close_range();
  CHECK(t.written(jan));
  CHECK(!t.written(jan + 1));
  CHECK(!t.written(jan + 2));
  CHECK(t.written(jan + 3));
  CHECK(!t.written(jan - 1));
  CHECK(!t.written(jan + 4));
  CHECK(t.at(a, jan + 1) == Money{}); // read as 0 all the same: why a form must refuse the gap
}

TEST_CASE("classify follows the derivation rules", "[snapshots]") {
  CHECK(classify(units(0), units(0), false) == Movement::none);
  CHECK(classify(units(0), units(5), false) == Movement::new_business);
  CHECK(classify(units(0), units(5), true) == Movement::reactivation);
  CHECK(classify(units(5), units(7), true) == Movement::expansion);
  CHECK(classify(units(5), units(3), true) == Movement::contraction);
  CHECK(classify(units(5), units(0), true) == Movement::churn);
  CHECK(classify(units(5), units(5), true) == Movement::flat);
}

TEST_CASE("derived movements: first month, churn then reactivation, gaps, a single month", "[snapshots]") {
  // 2025-01 .. 2025-05
  const SnapshotTable t = table({{"steady", {100, 100, 120, 90, 90}},
                                 {"back", {50, 0, 0, 40, 40}},
                                 {"late", {0, 0, 10, 10, 0}},
                                 {"once", {0, 30, 0, 0, 0}}});
  Rows rows;
  CHECK(derive_movements(t, PeriodLength::month, "t.csv", rows) == 12);
  // The first month only opens the history: no 2025-01 rows.
  CHECK(rows.find("steady", "2025-01") == nullptr);
  const auto* r = rows.find("steady", "2025-03");
  REQUIRE(r);
  CHECK((r->start == units(100) && r->expansion == units(20)));
  r = rows.find("steady", "2025-04");
  CHECK((r->start == units(120) && r->contraction == units(30)));
  r = rows.find("steady", "2025-05"); // flat: a row with start only
  CHECK((r->start == units(90) && r->expansion == Money{} && r->contraction == Money{}));
  r = rows.find("back", "2025-02");
  CHECK((r->start == units(50) && r->churned == units(50)));
  CHECK(rows.find("back", "2025-03") == nullptr); // 0 -> 0: no row
  r = rows.find("back", "2025-04");
  CHECK((r->start == Money{} && r->reactivation == units(40) && r->new_mrr == Money{}));
  r = rows.find("late", "2025-03");
  CHECK((r->start == Money{} && r->new_mrr == units(10)));
  r = rows.find("late", "2025-05");
  CHECK((r->start == units(10) && r->churned == units(10)));
  r = rows.find("once", "2025-02"); // present in one month only: new, then churned
  CHECK(r->new_mrr == units(30));
  CHECK(rows.find("once", "2025-03")->churned == units(30));
  CHECK(rows.find("once", "2025-04") == nullptr);
}

TEST_CASE("quarters compare the snapshots before and at the end of each quarter", "[snapshots]") {
  // 2025-01 .. 2025-07: Q1 lacks its opening snapshot (2024-12); Q2 is whole; Q3 is not.
  const SnapshotTable t =
      table({{"a", {100, 0, 0, 0, 0, 80, 80}}, {"b", {0, 0, 10, 20, 0, 0, 0}}, {"c", {0, 0, 0, 5, 0, 0, 9}}});
  const std::vector<DerivedPeriod> periods = derivable_periods(t, PeriodLength::quarter);
  REQUIRE(periods.size() == 1);
  CHECK(periods[0].label == "2025-Q2");
  Rows rows;
  derive_movements(t, PeriodLength::quarter, "t.csv", rows);
  // a: 0 at the end of March, 80 at the end of June, paid before: reactivation.
  REQUIRE(rows.rows.size() == 2);
  CHECK((rows.find("a", "2025-Q2")->reactivation == units(80)));
  // b: 10 at the end of March, 0 at the end of June: churned within the quarter.
  CHECK((rows.find("b", "2025-Q2")->churned == units(10)));
  CHECK(rows.find("c", "2025-Q2") == nullptr); // joined and left inside the quarter
}

TEST_CASE("trailing-12-month cohorts are exact, with and without reactivation", "[snapshots]") {
  // 13 months, 2025-01 .. 2026-01: the cohort is everyone paying in 2025-01.
  std::vector<std::int64_t> grow(13, 100), shrink(13, 100), gone(13, 100), back(13, 100), fresh(13, 0);
  grow[12] = 150;
  shrink[12] = 60;
  for (std::size_t m = 5; m < 13; ++m) gone[m] = 0;
  back[6] = 0;
  back[12] = 200;
  fresh[12] = 1000; // not in the cohort
  const SnapshotTable t =
      table({{"grow", grow}, {"shrink", shrink}, {"gone", gone}, {"back", back}, {"fresh", fresh}}, "SMB");
  const AnnualCohorts in = annual_cohorts(t, PeriodLength::month, true, true);
  const CohortFigures* f = in.find("2026-01", nullptr);
  REQUIRE(f);
  CHECK(f->start == units(400));
  CHECK(f->end == units(410));        // 150 + 60 + 0 + 200
  CHECK(f->capped_end == units(260)); // 100 + 60 + 0 + 100
  CHECK(f->customers == 4);
  CHECK(f->retained == 3);
  CHECK(in.find("2025-12", nullptr) == nullptr); // only 11 months before it
  const std::string smb = "SMB";
  REQUIRE(in.find("2026-01", &smb));
  CHECK(in.find("2026-01", &smb)->end == units(410));

  const AnnualCohorts out = annual_cohorts(t, PeriodLength::month, false, false);
  f = out.find("2026-01", nullptr);
  REQUIRE(f);
  CHECK(f->end == units(210)); // "back" churned inside the window: left out
  CHECK(f->retained == 2);

  // The report's annual figures come from the cohort.
  Totals totals;
  totals.cohort = 4;
  totals.start = units(400);
  MetricContext ctx;
  const CohortFigures cohort = *in.find("2026-01", nullptr);
  for (const MetricValue& m : compute_metrics(totals, ctx, &cohort)) {
    if (m.def->id == "nrr") CHECK((m.annualized == Approx(102.5) && m.method == "cohort"));
    if (m.def->id == "grr") CHECK(m.annualized == Approx(65.0));
    if (m.def->id == "logo_retention") CHECK(m.annualized == Approx(75.0));
    if (m.def->id == "logo_churn") CHECK(m.annualized == Approx(25.0));
    if (m.def->id == "expansion_mrr_rate") CHECK(m.annualized == Approx(37.5));
    if (m.def->id == "expansion_rate") CHECK(m.method != "cohort");
  }
}

TEST_CASE("the cohort table follows each acquisition month", "[snapshots]") {
  const SnapshotTable t = table({{"a", {100, 100, 50}}, {"b", {0, 40, 60}}, {"c", {0, 60, 0}}});
  const std::vector<CohortRow> revenue = cohort_table(t, false);
  REQUIRE(revenue.size() == 2);
  CHECK(revenue[0].before_data);
  CHECK(revenue[0].retention == std::vector<std::optional<double>>{100.0, 100.0, 50.0});
  CHECK(!revenue[1].before_data);
  CHECK(revenue[1].customers == 2);
  CHECK(revenue[1].start == units(100));
  CHECK(revenue[1].retention == std::vector<std::optional<double>>{100.0, 60.0});
  const std::vector<CohortRow> logos = cohort_table(t, true);
  CHECK(logos[1].retention == std::vector<std::optional<double>>{100.0, 50.0});
}

TEST_CASE("ChartMogul logs accumulate movements into MRR and refuse a negative MRR", "[snapshots]") {
  SnapshotTable t;
  const MonthIndex jan = *parse_month("2025-01");
  const std::uint32_t a = t.customer("a", "");
  REQUIRE(t.add(a, jan, units(100)));
  REQUIRE(t.add(a, jan + 2, units(-30)));
  REQUIRE(t.add(a, jan + 2, units(10)));
  CHECK(!t.accumulate());
  CHECK(t.at(a, jan + 1) == units(100)); // no movement: MRR carries on
  CHECK(t.at(a, jan + 2) == units(80));
  SnapshotTable bad;
  const std::uint32_t b = bad.customer("b", "");
  REQUIRE(bad.add(b, jan, units(-5)));
  const auto where = bad.accumulate();
  REQUIRE(where);
  CHECK(where->second == jan);
}

TEST_CASE("properties: derived movements reconcile, and annual NRR is the brute-force definition",
          "[snapshots][properties]") {
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 26));
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL;
  const auto next = [&state](std::uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % n;
  };
  const int months = 13 + static_cast<int>(next(12));
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> history;
  const auto customers = 1 + next(40);
  for (std::uint64_t c = 0; c < customers; ++c) {
    std::vector<std::int64_t> mrr(static_cast<std::size_t>(months), 0);
    std::int64_t v = next(3) == 0 ? 0 : static_cast<std::int64_t>(1 + next(1000));
    for (int m = 0; m < months; ++m) {
      switch (next(6)) {
      case 0: v = 0; break;
      case 1: v = static_cast<std::int64_t>(next(1000)); break;
      case 2: v = v + static_cast<std::int64_t>(next(50)); break;
      default: break;
      }
      mrr[static_cast<std::size_t>(m)] = v;
    }
    history.emplace_back(fmt::format("c{}", c), mrr);
  }
  const SnapshotTable t = table(history);
  INFO("seed " << seed << ", " << months << " months, " << customers << " customers");

  Rows rows;
  derive_movements(t, PeriodLength::month, "t.csv", rows);
  std::map<std::pair<std::string, std::string>, Money> end_of;
  for (std::uint32_t c = 0; c < t.customers(); ++c)
    for (MonthIndex m = t.first(); m <= t.last(); ++m) end_of[{t.id(c), month_label(m)}] = t.at(c, m);
  for (const Rows::Kept& r : rows.rows) {
    const std::int64_t end = r.start.micros + r.new_mrr.micros + r.reactivation.micros + r.expansion.micros -
        r.contraction.micros - r.churned.micros;
    CHECK(end == end_of[{r.id, r.period}].micros);
    const int movements = (r.new_mrr.micros > 0) + (r.reactivation.micros > 0) + (r.expansion.micros > 0) +
        (r.contraction.micros > 0) + (r.churned.micros > 0);
    CHECK(movements <= 1);
  }

  const AnnualCohorts cohorts = annual_cohorts(t, PeriodLength::month, false, true);
  for (MonthIndex end = t.first() + 12; end <= t.last(); ++end) {
    std::int64_t start_sum = 0, end_sum = 0;
    for (const auto& [id, mrr] : history) {
      const auto s = mrr[static_cast<std::size_t>(end - 12 - t.first())];
      if (s > 0) {
        start_sum += s;
        end_sum += mrr[static_cast<std::size_t>(end - t.first())];
      }
    }
    const CohortFigures* f = cohorts.find(month_label(end), nullptr);
    REQUIRE(f);
    CHECK(f->start == units(start_sum));
    CHECK(f->end == units(end_sum));
  }
}

} // namespace test_snapshots
