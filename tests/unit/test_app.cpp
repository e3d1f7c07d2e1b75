// SPDX-License-Identifier: MIT
// The report pipeline without the command line (issue 29): a request in, a report out, and
// what the run says through a RunSink.
#include "app/run.hpp"

#include "app_sinks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace test_app {

using namespace cskpi;

namespace {

/// Collects what a run tells.
struct Collected : app::RunSink {
  std::vector<Diagnostic> problems;
  std::vector<std::pair<Severity, std::string>> notes;
  int inputs_read_calls = 0;
  void report(const Diagnostic& d) override { problems.push_back(d); }
  void inputs_read() override { ++inputs_read_calls; }
  void note(Severity severity, const std::string& text) override { notes.emplace_back(severity, text); }
};

using testing::write_file;

const std::string k_header = "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr\n";

} // namespace

TEST_CASE("app: run_report computes a report from a request", "[app]") {
  app::ReportRequest q;
  q.files = {
      write_file("cskpi_test_app_ok.csv", k_header + "a,SMB,2026-10,100,10,0,0,110\nb,SMB,2026-10,100,0,0,100,0\n")};
  q.by = "segment";
  q.metrics = {"NRR", " grr"};
  Collected sink;
  app::Drawing drawing;
  const std::optional<Report> r = app::run_report(q, sink, &drawing);
  REQUIRE(r);
  CHECK(sink.problems.empty());
  CHECK(sink.notes.empty());
  CHECK(sink.inputs_read_calls == 1);
  CHECK(r->settings.metrics == std::vector<std::string>{"nrr", "grr"});
  CHECK(r->settings.by == "segment");
  CHECK(r->settings.period_length_source == "detected");
  REQUIRE(r->groups.size() == 2); // all, SMB
  CHECK(r->groups[0].whole);
  CHECK(r->groups[1].segment == "SMB");
  REQUIRE(r->groups[0].records.size() == 2);
  CHECK(r->groups[0].records[0].metric.def->id == "nrr");
  CHECK(r->groups[0].records[0].metric.value->as_double() == Approx(55.0));
  CHECK(drawing.bands.origin() == "builtin");
}

TEST_CASE("app: invalid rows stop the run with a note, or are left out with skip_invalid", "[app]") {
  app::ReportRequest q;
  q.files = {
      write_file("cskpi_test_app_bad.csv", k_header + "a,SMB,2026-10,100,10,0,0,110\nb,SMB,2026-10,1x0,0,0,0,0\n")};
  Collected sink;
  CHECK_FALSE(app::run_report(q, sink));
  REQUIRE(sink.problems.size() == 1);
  CHECK(sink.problems[0].severity == Severity::error);
  REQUIRE(sink.notes.size() == 1);
  CHECK(sink.notes[0].first == Severity::error);
  CHECK(sink.notes[0].second.starts_with("1 invalid row of 2 (1 problem); no report written."));

  q.check_mode = true;
  Collected gate;
  CHECK_FALSE(app::run_report(q, gate));
  CHECK(gate.notes.at(0).second.ends_with("an invalid export fails every gate; fix the rows"));

  q.check_mode = false;
  q.skip_invalid = true;
  Collected skipping;
  const std::optional<Report> r = app::run_report(q, skipping);
  REQUIRE(r);
  REQUIRE(skipping.notes.size() == 1);
  CHECK(skipping.notes[0].first == Severity::warning);
  CHECK(skipping.notes[0].second == "1 of 2 rows rejected (--skip-invalid); the report covers 1 row");
  CHECK(r->settings.skip_invalid);
}

TEST_CASE("app: a bad option value is a usage error, raised where the run reaches it", "[app]") {
  app::ReportRequest q;
  q.files = {write_file("cskpi_test_app_period.csv", k_header + "a,SMB,2026-10,100,10,0,0,110\n")};
  Collected sink;
  q.gross_margin = "1.5";
  CHECK_THROWS_WITH(app::run_report(q, sink), Catch::Contains("--gross-margin \"1.5\""));
  CHECK(sink.inputs_read_calls == 0); // before any file is read
  q.gross_margin.clear();
  q.period = "2027-01";
  CHECK_THROWS_WITH(app::run_report(q, sink),
                    Catch::Contains("--period 2027-01 matches none of the input's periods (2026-10)"));
  CHECK(sink.inputs_read_calls == 1); // after reading: the periods are the input's
}

} // namespace test_app
