// SPDX-License-Identifier: MIT
// Anomaly gates (issue 32): the median and MAD judgement, and the annotations file.
#include "core/error.hpp"
#include "ingest/annotations.hpp"
#include "metrics/anomaly.hpp"
#include "report/anomaly.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace test_anomaly {

using namespace cskpi;

namespace {

using Series = std::vector<std::optional<double>>;

std::string annotation_error(std::string_view text) {
  try {
    ingest::parse_annotations(text, "ev.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("median_of: odd and even counts", "[anomaly]") {
  const std::vector<double> odd{5, 1, 3};
  const std::vector<double> even{4, 1, 3, 2};
  CHECK(median_of(odd) == 3);
  CHECK(median_of(even) == 2.5);
}

TEST_CASE("judge_anomaly: the scaled MAD and K", "[anomaly]") {
  // history 1..12: median 6.5, absolute deviations 0.5..5.5 (each twice), MAD 3
  Series history;
  for (int i = 1; i <= 12; ++i) history.emplace_back(i);
  const AnomalyJudgement in = judge_anomaly(6.5 + 3.5 * 1.4826 * 3 - 0.01, history, 3.5);
  CHECK(in.kind == AnomalyJudgement::Kind::normal);
  CHECK(in.median == 6.5);
  CHECK(in.deviation == Approx(1.4826 * 3));
  CHECK(in.history == 12);
  const AnomalyJudgement out = judge_anomaly(6.5 - 3.5 * 1.4826 * 3 - 0.01, history, 3.5);
  CHECK(out.kind == AnomalyJudgement::Kind::anomaly);
  CHECK(out.score == Approx(3.5).epsilon(0.01));
  // The modified z-score 0.6745 (x - median) / MAD of Iglewicz & Hoaglin is the same figure.
  CHECK(out.score == Approx(0.6745 * std::fabs(out.median - (6.5 - 3.5 * 1.4826 * 3 - 0.01)) / 3).epsilon(0.001));
  // A smaller K flags what 3.5 let through.
  CHECK(judge_anomaly(6.5 + 3 * 1.4826 * 3, history, 2).kind == AnomalyJudgement::Kind::anomaly);
}

TEST_CASE("judge_anomaly: only the last 12 trailing periods count", "[anomaly]") {
  Series history(30, 1000.0); // far in the past, out of the window
  for (int i = 1; i <= 12; ++i) history.emplace_back(i);
  const AnomalyJudgement j = judge_anomaly(7, history, 3.5);
  CHECK(j.history == 12);
  CHECK(j.median == 6.5);
  CHECK(j.kind == AnomalyJudgement::Kind::normal);
}

TEST_CASE("judge_anomaly: a constant history flags any change", "[anomaly]") {
  const Series history(12, 4.0);
  const AnomalyJudgement same = judge_anomaly(4.0, history, 3.5);
  CHECK(same.kind == AnomalyJudgement::Kind::normal);
  CHECK(same.constant);
  CHECK(same.deviation == 0);
  const AnomalyJudgement moved = judge_anomaly(4.01, history, 3.5);
  CHECK(moved.kind == AnomalyJudgement::Kind::anomaly);
  CHECK(moved.constant);
  CHECK(std::isinf(moved.score));
  // More than half the history one value: MAD 0 too, not constant, a change is still flagged.
  Series mostly(8, 4.0);
  mostly.insert(mostly.end(), {1.0, 2.0, 9.0, 10.0});
  const AnomalyJudgement m = judge_anomaly(5.0, mostly, 3.5);
  CHECK(m.kind == AnomalyJudgement::Kind::anomaly);
  CHECK_FALSE(m.constant);
}

TEST_CASE("judge_anomaly: fewer than 6 values, or a null latest figure, is no judgement", "[anomaly]") {
  const Series five{1.0, 2.0, 3.0, 4.0, 5.0};
  CHECK(judge_anomaly(100.0, five, 3.5).kind == AnomalyJudgement::Kind::no_judgement);
  const Series six{1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  CHECK(judge_anomaly(100.0, six, 3.5).kind == AnomalyJudgement::Kind::anomaly);
  // Nulls are skipped and counted: 6 periods, 2 of them undefined, leave 4 values.
  const Series holes{1.0, std::nullopt, 3.0, 4.0, std::nullopt, 6.0};
  const AnomalyJudgement j = judge_anomaly(100.0, holes, 3.5);
  CHECK(j.kind == AnomalyJudgement::Kind::no_judgement);
  CHECK(j.history == 4);
  CHECK(j.undefined == 2);
  const AnomalyJudgement null_latest = judge_anomaly(std::nullopt, six, 3.5);
  CHECK(null_latest.kind == AnomalyJudgement::Kind::no_judgement);
  CHECK(null_latest.latest_undefined);
}

TEST_CASE("annotations: dates, months, trimmed cells, labels of one date joined", "[anomaly][annotations]") {
  const std::vector<Annotation> a = ingest::parse_annotations(
      "Date , Label\r\n2026-10-14,Price change\r\n 2026-10-14 ,  Migration \r\n\r\n2025-03,Webinar\r\n", "ev.csv");
  REQUIRE(a.size() == 2);
  CHECK(a[0].date == "2026-10-14");
  CHECK(a[0].label == "Price change; Migration");
  CHECK(a[0].month == 2026 * 12 + 9);
  CHECK(a[1].label == "Webinar");
  CHECK(annotation_labels(a, "2026-10") == "Price change; Migration");
  CHECK(annotation_labels(a, "2026-Q4") == "Price change; Migration");
  CHECK(annotation_labels(a, "2025") == "Webinar");
  CHECK(annotation_labels(a, "2026-09").empty());
}

TEST_CASE("annotations: hostile rows are errors at file:line:col", "[anomaly][annotations]") {
  CHECK(annotation_error("date,label\n2026-02-29,Leap?\n") ==
        "ev.csv:2:1: date \"2026-02-29\" is not a date: write YYYY-MM-DD (or YYYY-MM for a month)");
  CHECK(annotation_error("date,label\n2024-02-29,Leap\n") == "no error");
  CHECK(annotation_error("label,date\n,2026-01-02\n") ==
        "ev.csv:2:1: label is empty: say what happened, it is what a flagged figure is explained by");
  CHECK(annotation_error("date,label\n2026-01-02,A\n2026-01-03,B\n2026-01-02, A \n") ==
        "ev.csv:4:1: the event 2026-01-02 \"A\" appears twice: lines 2 and 4; keep one");
  CHECK(annotation_error("date,label\n2026-01-02,A\nTotal,1\n") ==
        "ev.csv:3:1: \"Total\" looks like a totals row, not an event: delete the line");
  CHECK(annotation_error("day,what\n") ==
        "ev.csv:1:1: an annotations file needs the columns date and label (found: day, what)");
  CHECK(annotation_error("") == "ev.csv: empty: an annotations file needs a header date,label");
}

namespace {

/// Periods 2025-01.. with one `all` group each holding logo_churn (nullopt: undefined) and
/// customers_churned.
std::vector<Group> churn_history(const std::vector<std::optional<double>>& churn) {
  std::vector<Group> groups;
  for (std::size_t i = 0; i < churn.size(); ++i) {
    Group g;
    g.period = fmt::format("{}-{:02}", 2025 + static_cast<int>(i / 12), static_cast<int>(i % 12) + 1);
    g.segment = "all";
    g.whole = true;
    Record rate;
    rate.metric.def = find_metric("logo_churn");
    if (churn[i]) rate.metric.value = Quantity::of_real(*churn[i]);
    else rate.metric.note = "no starting customers";
    Record count;
    count.metric.def = find_metric("customers_churned");
    count.metric.value = Quantity::of_count(7);
    g.records = {rate, count};
    groups.push_back(std::move(g));
  }
  return groups;
}

} // namespace

TEST_CASE("judge_anomalies: verdicts of the latest period, expected by an annotation", "[anomaly]") {
  std::vector<std::optional<double>> churn{2.0, 2.2, std::nullopt, 1.8, 2.1, 1.9, 2.0, 2.3, 1.7, 2.0, 2.1, 1.9, 2.0};
  churn.push_back(9.0); // 2026-02: a spike
  const std::vector<Group> groups = churn_history(churn);
  std::vector<Verdict> v = judge_anomalies(groups, 3.5, {});
  REQUIRE(v.size() == 2);
  CHECK(v[0].rule == "anomaly: logo_churn");
  CHECK(v[0].period == std::optional<std::string>("2026-02"));
  CHECK(v[0].status == Verdict::Status::fail);
  REQUIRE(v[0].anomaly);
  CHECK(v[0].anomaly->history == 11); // 2025-02..2026-01 has one undefined month
  CHECK(v[0].anomaly->undefined == 1);
  CHECK(v[0].reason.find(", 1 undefined skipped") != std::string::npos);
  // customers_churned was 7 every month: a constant history, unchanged, passes.
  CHECK(v[1].status == Verdict::Status::pass);
  CHECK(v[1].anomaly->constant);

  const std::vector<Annotation> events{{"2026-02-10", 2026 * 12 + 1, "Price change", 2}};
  v = judge_anomalies(groups, 3.5, events);
  CHECK(v[0].status == Verdict::Status::pass);
  CHECK(v[0].anomaly->expected == "Price change");
  CHECK(v[0].reason.rfind("expected: Price change; ", 0) == 0);
  CHECK(anomaly_json(v[0]).find("\"expected\":\"Price change\"") != std::string::npos);
  CHECK(v[1].anomaly->expected.empty()); // not flagged: nothing to excuse
}

TEST_CASE("judge_anomalies: a change from a constant history, and too short a history", "[anomaly]") {
  std::vector<Group> groups = churn_history(std::vector<std::optional<double>>(8, 2.0));
  groups.back().records[1].metric.value = Quantity::of_count(8);
  const std::vector<Verdict> v = judge_anomalies(groups, 3.5, {});
  CHECK(v[0].status == Verdict::Status::pass);
  CHECK(v[1].status == Verdict::Status::fail);
  CHECK(v[1].reason == "history is constant at 7 over 7 trailing periods: any change is flagged");
  CHECK(anomaly_json(v[1]).find("\"robust_deviation\":0,\"score\":null") != std::string::npos);
  const std::vector<Verdict> short_history = judge_anomalies(churn_history({2.0, 2.0, 2.0, 2.0, 2.0, 9.0}), 3.5, {});
  CHECK(short_history[0].status == Verdict::Status::skip);
  CHECK(short_history[0].reason == "no judgement: 5 of the trailing periods (up to 12) have a value, 6 needed");
}

} // namespace test_anomaly
