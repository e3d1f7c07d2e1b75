// SPDX-License-Identifier: MIT
// Issue 28: a movements file's periods must continue one another (a customer's start_mrr is
// its MRR at the end of the period before), and keys are trimmed as amounts are.
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace test_continuity {

using namespace cskpi;

namespace {

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};

struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& text)
      : path(fmt::format("/tmp/cskpi_test_continuity_{}_{}.csv", ::getpid(), name)) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

/// The diagnostics of reading `paths` in one run (then Ingestor::finish()).
std::vector<std::string> diagnostics(const std::vector<std::string>& paths, IngestOptions o = {},
                                     Aggregator* agg = nullptr) {
  Diags d;
  Aggregator own(!o.by_column.empty());
  Ingestor ingestor(o, d);
  for (std::size_t i = 0; i < paths.size(); ++i) ingestor.read_path(paths[i], agg ? *agg : own, i + 1 == paths.size());
  ingestor.finish();
  return d.lines;
}

const std::string k_header = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";

/// `customers` customers over `periods` months from 2026-01, each period starting where the
/// one before ended; `shuffle` mixes the rows' order.
std::string continuous(int customers, int periods, bool shuffle) {
  std::vector<std::string> rows;
  for (int c = 0; c < customers; ++c) {
    std::int64_t mrr = 100 + c % 37;
    for (int p = 0; p < periods; ++p) {
      const std::int64_t expansion = (c + p) % 5 == 0 ? 7 : 0, contraction = (c + p) % 7 == 0 ? 3 : 0;
      rows.push_back(fmt::format("C-{:05},2026-{:02},{}.00,{}.00,{}.00,0\n", c, p + 1, mrr, expansion, contraction));
      mrr += expansion - contraction;
    }
  }
  if (shuffle)
    for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[(i * 7919) % i]);
  std::string text = k_header;
  for (const std::string& r : rows) text += r;
  return text;
}

} // namespace

TEST_CASE("continuity: a start that is not the end before, and a start with no row before, are named", "[continuity]") {
  const TempFile f("ac",
                   k_header +
                       "A,2026-09,100,0,0,0\n"
                       "B,2026-09,200,50,0,0\n"
                       "E,2026-09,400,0,0,400\n"
                       "A,2026-10,150,0,0,0\n"
                       "B,2026-10,250,0,20,0\n"
                       "C,2026-10,300,0,0,0\n"
                       "D,2026-10,0,0,0,0\n");
  const auto lines = diagnostics({f.path});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind(
            f.path + ":5:3: warning: customer \"A\" starts 2026-10 at 150.00, but ended 2026-09 at 100.00 (line 2)",
            0) == 0);
  CHECK(lines[1].rfind(f.path + ":7:3: warning: customer \"C\" starts 2026-10 at 300.00, but has no row in 2026-09",
                       0) == 0);
  IngestOptions strict;
  strict.strict = true;
  const auto errors = diagnostics({f.path}, strict);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find(": error: customer \"A\"") != std::string::npos);
}

TEST_CASE("continuity: a customer with MRR and no row in the next period is a break, churned and new ones are not",
          "[continuity]") {
  const TempFile f("missing",
                   k_header +
                       "A,2026-09,100,0,0,0\n"
                       "B,2026-09,80,0,0,80\n"
                       "A,2026-10,100,0,0,0\n"
                       "N,2026-10,0,0,0,0\n"
                       "Z,2026-08,10,0,0,0\n");
  const auto lines = diagnostics({f.path});
  // Z ends 2026-08 at 10 and has no row in 2026-09, where A and B start with MRR and no row
  // before; A continues into 2026-10; B churned; N is new.
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind(f.path + ":2:3: warning: customer \"A\" starts 2026-09 at 100.00, but has no row in 2026-08",
                       0) == 0);
  CHECK(lines[1].rfind(f.path + ":3:3: warning: customer \"B\" starts 2026-09 at 80.00, but has no row in 2026-08",
                       0) == 0);
  CHECK(lines[2].rfind(f.path + ":6:1: warning: customer \"Z\" ends 2026-08 at 10.00, but has no row in 2026-09", 0) ==
        0);
}

TEST_CASE("continuity: rows across the files of a run count together, a gap between periods is not checked",
          "[continuity]") {
  const TempFile sep("sep", k_header + "A,2026-09,100,0,0,0\nB,2026-09,50,0,0,0\n");
  const TempFile oct("oct", k_header + "B,2026-10,50,0,0,0\nA,2026-10,120,0,0,0\n");
  const auto lines = diagnostics({sep.path, oct.path});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind(oct.path +
                           ":3:3: warning: customer \"A\" starts 2026-10 at 120.00, but ended 2026-09 at 100.00 (" +
                           sep.path + ":2)",
                       0) == 0);
  const TempFile dec("dec", k_header + "A,2026-12,999,0,0,0\n");
  CHECK(diagnostics({sep.path, dec.path}).empty()); // 2026-10 and 2026-11 are not in the run
  const TempFile q3("q3", k_header + "A,2026-Q3,100,0,0,0\n"), q4("q4", k_header + "A,2026-Q4,100,0,0,0\n");
  CHECK(diagnostics({q3.path, q4.path}).empty());
}

TEST_CASE("continuity: --tolerance applies", "[continuity]") {
  const TempFile f("tol", k_header + "A,2026-09,100,0,0,0\nA,2026-10,100.01,0,0,0\n");
  CHECK(diagnostics({f.path}).size() == 1);
  IngestOptions o;
  o.tolerance = Money{10'000};
  CHECK(diagnostics({f.path}, o).empty());
}

TEST_CASE("continuity: the same breaks on every path and thread count, and none in a continuous file",
          "[continuity][parallel]") {
  for (const bool shuffle : {false, true}) {
    std::string text = continuous(3'000, 4, shuffle);
    const TempFile clean("clean", text);
    // A break: C-01234 starts 2026-03 one cent higher than it ended 2026-02.
    const std::size_t at = text.find("C-01234,2026-03,");
    REQUIRE(at != std::string::npos);
    const std::size_t amount = at + 16, dot = text.find('.', amount);
    text.replace(dot, 3, ".01");
    const TempFile broken("broken", text);
    for (const int threads : {1, 2, 3})
      for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{4'096}}) {
        INFO("shuffled " << shuffle << ", threads " << threads << ", chunk " << chunk);
        IngestOptions o;
        o.threads = threads;
        o.parallel_bytes = chunk == 0 ? ~std::uint64_t{0} : 0;
        o.chunk_bytes = chunk;
        CHECK(diagnostics({clean.path}, o).empty());
        // Its end of 2026-03 is a cent higher too: 2026-04 starts lower than that.
        const auto lines = diagnostics({broken.path}, o);
        REQUIRE(lines.size() == 2);
        const auto told = [&](const std::string& what) {
          return std::any_of(lines.begin(), lines.end(),
                             [&](const std::string& l) { return l.find(what) != std::string::npos; });
        };
        CHECK(told(".01, but ended 2026-02 at "));
        CHECK(told(".00, but ended 2026-03 at "));
        CHECK(told("customer \"C-01234\" starts 2026-04 at "));
      }
  }
}

TEST_CASE("continuity: a file read from a stream is told by period, as it cannot be read again", "[continuity]") {
  Diags d;
  Aggregator agg(false);
  Ingestor ingestor({}, d);
  std::istringstream in(k_header + "A,2026-09,100,0,0,0\nA,2026-10,150,0,0,0\n");
  ingestor.read_stream(in, "<stdin>", agg);
  ingestor.finish();
  REQUIRE(d.lines.size() == 1);
  CHECK(d.lines[0].find("start_mrr in 2026-10 does not continue the MRR at the end of 2026-09") != std::string::npos);
}

TEST_CASE("keys are trimmed: padded ids are one customer, padded segments one group, on every path", "[ingest][trim]") {
  std::string text = "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  for (int i = 0; i < 2'000; ++i) text += fmt::format("C-{},SMB,2026-10,100.00,0,0,0\n", i);
  text += "C-7 ,SMB,2026-10,100.00,0,0,0\n";   // line 2002
  text += "\tC-8,SMB ,2026-10,100.00,0,0,0\n"; // line 2003
  text += "\"C-9 \",SMB,2026-10,100.00,0,0,0\n";
  text += "D-1, SMB,2026-10,100.00,0,0,0\n";
  text += "D-2,\"SMB \",2026-10,100.00,0,0,0\n";
  const TempFile f("padded", text);
  for (const int threads : {1, 2})
    for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{4'096}}) {
      INFO("threads " << threads << ", chunk " << chunk);
      IngestOptions o;
      o.threads = threads;
      o.parallel_bytes = chunk == 0 ? ~std::uint64_t{0} : 0;
      o.chunk_bytes = chunk;
      o.by_column = "segment";
      Aggregator agg(true);
      const auto lines = diagnostics({f.path}, o, &agg);
      REQUIRE(lines.size() == 3);
      CHECK(lines[0].find(":2002:1: error: customer_id \"C-7\" appears twice in period 2026-10 (first at line 9)") !=
            std::string::npos);
      CHECK(lines[1].find(":2003:1: error: customer_id \"C-8\" appears twice") != std::string::npos);
      CHECK(lines[2].find(":2004:1: error: customer_id \"C-9\" appears twice") != std::string::npos);
      REQUIRE(agg.periods().count("2026-10") == 1);
      const PeriodTotals& t = agg.periods().at("2026-10");
      REQUIRE(t.groups.size() == 1);
      CHECK(t.groups.begin()->first == "SMB");
      CHECK(t.groups.begin()->second.customers == 2'002);
    }
}

} // namespace test_continuity
