// SPDX-License-Identifier: MIT
// The parallel passes over movements and long snapshots files (issue 13): for any number
// of threads and any chunk size, the same totals, the same diagnostics in the same order
// and the same row accounting as one thread reading line by line. The files are small;
// tiny chunks make every case cross chunk boundaries.
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/cohorts.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace test_parallel {

using namespace cskpi;

namespace {

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};

std::string show(const Totals& t) {
  return fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}", t.customers, t.new_customers,
                     t.cohort, t.churned_logos, t.expanding, t.start.micros, t.expansion.micros, t.contraction.micros,
                     t.churned.micros, t.new_mrr.micros, t.reactivation.micros, t.at_risk_mrr.micros, t.cac_sum.micros,
                     t.cac_count, t.at_risk, t.saved, t.promoters, t.passives, t.detractors, t.responses());
}

/// As a chunk size: no parallel pass, every line read one by one.
constexpr std::uint64_t k_line_by_line = ~std::uint64_t{0};

/// Under a sanitizer (CI's ThreadSanitizer and AddressSanitizer runs) the 1-byte chunks, a
/// chunk per line, are left out of the big property loops: they take minutes there, and the
/// other chunk sizes start and merge the same threads. The release run keeps them.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool k_sanitized = true;
#else
constexpr bool k_sanitized = false;
#endif
/// Whether a property loop skips this chunk size (see k_sanitized).
constexpr bool skip_chunk(std::uint64_t chunk) { return k_sanitized && chunk == 1; }

/// Everything a run tells: the totals of every period and group, the diagnostics and the
/// accounting of every file. `last`: the last file is read as the last (its passes keep
/// their keys' words only, and read the lines again when a key is asked for).
std::vector<std::string> outcome(const std::vector<std::string>& paths, int threads, std::uint64_t chunk_bytes,
                                 const std::string& by = "segment", IngestOptions o = {}, bool last = true) {
  o.threads = threads;
  o.parallel_bytes = chunk_bytes == k_line_by_line ? k_line_by_line : 0; // else every file, however small
  o.chunk_bytes = chunk_bytes == k_line_by_line ? 0 : chunk_bytes;
  o.by_column = by;
  o.by_optional = true;
  Diags d;
  Aggregator agg(!by.empty());
  std::vector<std::string> out;
  {
    Ingestor ingestor(o, d);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const InputSummary s = ingestor.read_path(paths[i], agg, last && i + 1 == paths.size());
      out.push_back(fmt::format("{}: read {} used {} rejected {} warnings {} unreadable {} currency {} derived {}",
                                s.file, s.rows_read, s.rows_used, s.rows_rejected, s.warnings, s.unreadable, s.currency,
                                s.derived_rows));
      CHECK(s.rows_read == s.rows_used + s.rows_rejected);
    }
    if (const SnapshotTable* t = ingestor.snapshots()) { // the whole history, customer by customer
      for (std::uint32_t c = 0; c < t->customers(); ++c) {
        std::string line = fmt::format("{} {} {}", c, t->id(c), t->group(c));
        for (MonthIndex m = t->first(); m <= t->last(); ++m) line += fmt::format(" {}", t->at(c, m).micros);
        out.push_back(line);
      }
      out.push_back(fmt::format("cells {}", t->cells()));
      const AnnualCohorts cohorts =
          annual_cohorts(*t, PeriodLength::month, !by.empty(), true, static_cast<unsigned>(threads));
      for (const auto& [period, f] : cohorts.all)
        out.push_back(fmt::format("cohort {} {} {} {} {} {}", period, f.start.micros, f.end.micros, f.capped_end.micros,
                                  f.customers, f.retained));
      for (const auto& [key, f] : cohorts.groups)
        out.push_back(fmt::format("cohort {} {} {} {} {} {} {}", key.first, key.second, f.start.micros, f.end.micros,
                                  f.capped_end.micros, f.customers, f.retained));
    }
  }
  for (const std::string& line : d.lines) out.push_back(line);
  for (const auto& [period, totals] : agg.periods()) {
    out.push_back(fmt::format("{} all {}", period, show(totals.all)));
    for (const auto& [group, t] : totals.groups) out.push_back(fmt::format("{} {} {}", period, group, show(t)));
  }
  return out;
}

/// "" when the outcomes agree, else the first line where they differ: a failure names it.
std::string difference(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    const std::string g = i < got.size() ? got[i] : "(nothing)", w = i < want.size() ? want[i] : "(nothing)";
    if (g != w) {
      if (std::getenv("CSKPI_DUMP")) {
        std::ofstream a("/tmp/got.txt"), b("/tmp/want.txt");
        for (const auto& l : got) a << l << "\n";
        for (const auto& l : want) b << l << "\n";
      }
      return fmt::format("line {}: got {} want {}", i, g, w);
    }
  }
  return "";
}

struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& text)
      : path(fmt::format("/tmp/cskpi_test_parallel_{}_{}.csv", ::getpid(), name)) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

/// A file of `rows` rows from a seed, with problems sprinkled in as `trouble` asks. `sorted`:
/// ids of six digits, so the rows are sorted by customer (and by period, then customer, up
/// to the 8,400th row, where the periods start again).
std::string generated(std::uint64_t seed, int rows, bool trouble, int period_base = 0, bool sorted = false) {
  std::string text =
      "customer_id,company,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,nps,at_risk\n";
  std::uint64_t state = seed;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  std::uint64_t start_sum = 0, expansion_sum = 0;
  for (int i = 0; i < rows; ++i) {
    const std::uint64_t r = next();
    const auto id_of = [&](int n) { return sorted ? fmt::format("C-{:06}", n) : fmt::format("C-{}", n); };
    std::string id = id_of(i);
    if (trouble && r % 701 == 0) id = id_of(i / 2); // a duplicate, maybe chunks before
    std::string company = r % 7 == 0 ? "\"Acme, \"\"Inc\"\"\"" : r % 11 == 0 ? "Müller GmbH" : "Acme";
    const std::string segment = r % 3 == 0 ? "SMB" : r % 3 == 1 ? "Mid" : "Ent";
    std::string period = fmt::format("2026-{:02}", 1 + (period_base + i / 700) % 12);
    std::uint64_t cents = 1'000 + r % 90'000, expansion = r % 5 == 0 ? r % 5'000 : 0;
    std::string start = fmt::format("{}.{:02}", cents / 100, cents % 100);
    std::string exp = fmt::format("{}.{:02}", expansion / 100, expansion % 100);
    if (trouble) {
      if (r % 997 == 0) start = "12x";                // invalid
      if (r % 1'201 == 0) start = "\"1,234.50\"";     // the general path reads it
      if (r % 1'499 == 0) period = "2026-Q3";         // another period length
      if (r % 1'777 == 0) period = "10/31/2026";      // a date
      if (r % 2'003 == 0) company = "\"unterminated"; // a quote not closed
      if (r % 2'111 == 0) id = "Total";               // a totals label
      if (r % 2'500 == 0) {                           // a row repeating the sums above
        text += fmt::format("SUM-{},Acme,SMB,{},{}.{:02},{}.{:02},0,0,,0\n", i, period, start_sum / 100,
                            start_sum % 100, expansion_sum / 100, expansion_sum % 100);
      }
      if (r % 89 == 0) text += "\n";
      if (r % 97 == 0) text += "   \r\n";
    }
    const bool churn = r % 50 == 0 && expansion == 0;
    const std::string line =
        fmt::format("{},{},{},{},{},{},0,{},{},{}", id, company, segment, period, start, exp, churn ? start : "0",
                    r % 3 == 0 ? std::to_string(r % 11) : "", r % 13 == 0 ? 1 : 0);
    text += line + (r % 5 == 0 ? "\r\n" : "\n");
    if (start.find_first_not_of("0123456789.") == std::string::npos && id.rfind("C-", 0) == 0 && id != "Total") {
      start_sum += cents;
      expansion_sum += expansion;
    }
  }
  return text;
}

} // namespace

TEST_CASE("a clean file: any number of threads and any chunk size give the same totals", "[ingest][parallel]") {
  const TempFile f("clean", generated(7, 20'000, false));
  const auto one = outcome({f.path}, 1, k_line_by_line);
  REQUIRE(one.size() > 10);
  CHECK(one[0].find("read 20000 used 20000 rejected 0") != std::string::npos);
  for (const int threads : {1, 2, 3, 8})
    for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{97}, std::uint64_t{4096}}) {
      INFO("threads " << threads << ", chunks of " << chunk << " bytes");
      CHECK(outcome({f.path}, threads, chunk) == one);
    }
}

TEST_CASE("problems anywhere: the same diagnostics in the same order for any number of threads", "[ingest][parallel]") {
  const TempFile f("dirty", generated(11, 30'000, true));
  const auto one = outcome({f.path}, 1, k_line_by_line);
  REQUIRE(one.size() > 100); // many diagnostics
  for (const int threads : {1, 2, 4})
    for (const std::uint64_t chunk :
         {std::uint64_t{1}, std::uint64_t{313}, std::uint64_t{8192}, std::uint64_t{100'000}})
      for (const bool last : {true, false}) { // keys kept as words, or whole
        if (skip_chunk(chunk)) continue;
        INFO("threads " << threads << ", chunks of " << chunk << " bytes, last " << last);
        CHECK(outcome({f.path}, threads, chunk, "segment", {}, last) == one);
      }
}

TEST_CASE("rows sorted by key: the same totals and diagnostics for any number of threads", "[ingest][parallel]") {
  // The first pass over a sorted file keeps no keys: each chunk's range shows it has no
  // repeat. A repeat, a bad row or a range that overlaps another makes the chunks keep keys.
  for (const bool trouble : {false, true}) {
    const TempFile f("sorted", generated(17, 20'000, trouble, 0, true));
    const auto one = outcome({f.path}, 1, k_line_by_line);
    REQUIRE(one.size() > (trouble ? 60u : 10u));
    for (const int threads : {1, 2, 3})
      for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{977}, std::uint64_t{50'000}})
        for (const bool last : {true, false}) {
          if (skip_chunk(chunk)) continue;
          INFO("trouble " << trouble << ", threads " << threads << ", chunks of " << chunk << " bytes, last " << last);
          CHECK(difference(outcome({f.path}, threads, chunk, "segment", {}, last), one) == "");
        }
  }
}

TEST_CASE("sorted chunks whose ranges overlap are checked key by key", "[ingest][parallel]") {
  // Even ids, then odd ones: every chunk is sorted, but the halves' ranges overlap. With
  // `repeat`, the second half also holds one id of the first.
  for (const bool repeat : {false, true}) {
    std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
    for (int i = 0; i < 3'000; ++i) text += fmt::format("C-{:06},2026-10,100,0,0,0\n", 2 * i);
    for (int i = 0; i < 3'000; ++i)
      text += fmt::format("C-{:06},2026-10,100,0,0,0\n", repeat && i == 2'000 ? 2'222 : 2 * i + 1);
    const TempFile f("overlap", text);
    const auto one = outcome({f.path}, 1, k_line_by_line, "");
    CHECK(std::count_if(one.begin(), one.end(), [](const std::string& l) {
            return l.find("(first at line 1113)") != std::string::npos;
          }) == (repeat ? 1 : 0));
    for (const int threads : {1, 2})
      for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{2'000}, std::uint64_t{40'000}}) {
        INFO("repeat " << repeat << ", threads " << threads << ", chunks of " << chunk << " bytes");
        CHECK(difference(outcome({f.path}, threads, chunk, ""), one) == "");
      }
  }
}

TEST_CASE("keys read before an ordered pass are looked for in its chunks' ranges", "[ingest][parallel]") {
  // The first rows, read one by one, come again later among sorted rows: a pass over them
  // keeps no keys, and each such repeat must still name its first line.
  std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  for (int i = 0; i < 200; ++i) text += fmt::format("C-{:06},2026-10,100,0,0,0\n", 5'000 + i);
  for (int i = 0; i < 10'000; ++i) text += fmt::format("C-{:06},2026-10,100,0,0,0\n", i);
  const TempFile f("before", text);
  const auto one = outcome({f.path}, 1, k_line_by_line, "");
  CHECK(std::count_if(one.begin(), one.end(),
                      [](const std::string& l) { return l.find("appears twice") != std::string::npos; }) == 200);
  for (const int threads : {1, 2})
    for (const std::uint64_t chunk :
         {std::uint64_t{0}, std::uint64_t{500}, std::uint64_t{2'000}, std::uint64_t{30'000}}) {
      INFO("threads " << threads << ", chunks of " << chunk << " bytes");
      CHECK(difference(outcome({f.path}, threads, chunk, ""), one) == "");
    }
}

TEST_CASE("a row repeating the sums above it is found across chunks", "[ingest][parallel]") {
  std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  for (int i = 0; i < 3'000; ++i) text += fmt::format("C-{},2026-10,{},{},0,0\n", i, 100 + i % 7, i % 10 == 0 ? 5 : 0);
  std::uint64_t start = 0, expansion = 0;
  for (int i = 0; i < 3'000; ++i) {
    start += static_cast<std::uint64_t>(100 + i % 7);
    expansion += i % 10 == 0 ? 5u : 0u;
  }
  text += fmt::format("ZZ,2026-10,{},{},0,0\n", start, expansion); // the sums of every row above
  for (int i = 3'000; i < 4'000; ++i) text += fmt::format("C-{},2026-10,100,0,0,0\n", i);
  const TempFile f("sums", text);
  const auto one = outcome({f.path}, 1, k_line_by_line, "");
  REQUIRE(std::count_if(one.begin(), one.end(), [](const std::string& l) {
            return l.find("looks like a totals row") != std::string::npos;
          }) == 1);
  for (const std::uint64_t chunk : {std::uint64_t{1}, std::uint64_t{1000}, std::uint64_t{50'000}})
    CHECK(outcome({f.path}, 2, chunk, "") == one);
}

TEST_CASE("duplicates across files and passes name the first line", "[ingest][parallel]") {
  const TempFile a("a", generated(3, 5'000, false));
  const TempFile b("b", generated(5, 5'000, false)); // the same ids and periods: every row repeats one of a
  const TempFile c("c", generated(5, 5'000, false, 6));
  const auto one = outcome({a.path, b.path, c.path}, 1, k_line_by_line);
  REQUIRE(std::count_if(one.begin(), one.end(),
                        [](const std::string& l) { return l.find("appears twice") != std::string::npos; }) > 100);
  for (const std::uint64_t chunk : {std::uint64_t{1}, std::uint64_t{5000}, std::uint64_t{0}})
    CHECK(outcome({a.path, b.path, c.path}, 3, chunk) == one);
}

TEST_CASE("a currency column: one currency passes, a second one is reported as without threads", "[ingest][parallel]") {
  std::string text = "customer_id,period,currency,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  for (int i = 0; i < 4'000; ++i) text += fmt::format("C-{},2026-10,{},100,0,0,0\n", i, i == 3'333 ? "USD" : "EUR");
  const TempFile f("currency", text);
  const auto one = outcome({f.path}, 1, k_line_by_line, "");
  CHECK(outcome({f.path}, 2, 1000, "") == one);
  CHECK(outcome({f.path}, 2, 0, "") == one);
}

TEST_CASE("a duplicate of a row a pass kept names its line, however far down it is met", "[ingest][parallel]") {
  // Ten bad rows from row 3,000 on end the passes (a file gets eight), so the end of the file
  // is read line by line: its keys need every kept key whole, lines included. Repeats of
  // rows the first pass read come right after a bad row and at the very end. With sorted
  // ids, the first pass keeps no keys (its chunks are ordered): a repeat is looked for in
  // the one chunk whose range holds it, read again, by the line-by-line path and by the
  // later passes.
  for (const bool sorted : {false, true}) {
    const auto id_of = [&](int n) { return sorted ? fmt::format("C-{:06}", n) : fmt::format("C-{}", n); };
    std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
    for (int i = 0; i < 20'000; ++i) {
      std::string id = id_of(i);
      if (i == 3'002) id = id_of(10);
      if (i == 3'600) id = id_of(1'500); // in a later pass, unless the passes end sooner
      if (i == 19'990) id = id_of(5);
      if (i == 19'991) id = id_of(2'999);
      text += fmt::format("{},2026-10,{},0,0,0\n", id, i >= 3'000 && i % 500 == 0 && i < 8'000 ? "x" : "100");
    }
    const TempFile f("far", text);
    const auto one = outcome({f.path}, 1, k_line_by_line, "");
    for (const char* first : {"first at line 12)", "first at line 1502)", "first at line 7)", "first at line 3001)"})
      CHECK(std::count_if(one.begin(), one.end(),
                          [&](const std::string& l) { return l.find(first) != std::string::npos; }) == 1);
    for (const int threads : {1, 2, 3})
      for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{1'000}, std::uint64_t{30'000}})
        for (const bool last : {true, false}) {
          INFO("sorted " << sorted << ", threads " << threads << ", chunks of " << chunk << " bytes, last " << last);
          CHECK(difference(outcome({f.path}, threads, chunk, "", {}, last), one) == "");
        }
  }
}

TEST_CASE("a file that changes between the pass and reading its keys again is reported", "[ingest][parallel]") {
  // Row 2,500 repeats row 1,050's key: the pass's chunk that holds it is read again, and
  // between the two readings something rewrites row 1,100. (The first 1,000 rows are read
  // one by one; the pass's first chunk holds rows 1,000 to about 1,150, and the file is read
  // again for each later chunk.) Its ids in order, that chunk keeps no keys: it is read
  // again right after the pass, as the repeat's row (or, without padded ids, a row read
  // before the pass) lies in its range; or, with a bad row at 2,000, when a later pass
  // meets the repeat. Else the line-by-line path asks for its keys.
  for (const int variant : {0, 1, 2}) {
    const bool sorted = variant > 0;
    const auto id_of = [&](int n) { return sorted ? fmt::format("C-{:06}", n) : fmt::format("C-{}", n); };
    std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
    std::uint64_t row1100 = 0;
    for (int i = 0; i < 3'000; ++i) {
      if (i == 1'100) row1100 = text.size();
      text +=
          fmt::format("{},2026-10,{},0,0,0\n", id_of(i == 2'500 ? 1'050 : i), variant == 2 && i == 2'000 ? "x" : "100");
    }
    const TempFile f("changed", text);
    for (const bool change : {false, true}) {
      INFO("variant " << variant << ", the file changes: " << change);
      IngestOptions o;
      o.threads = 1;
      o.parallel_bytes = 0;
      o.chunk_bytes = 4'096;
      bool changed = false;
      std::uint64_t furthest = 0;
      // The line-by-line reader's blocks report ever more bytes; it reads past the 1,000 rows
      // it takes, so the pass's first block, which holds its first chunk's lines then, is the
      // first to report no more than that.
      o.progress = [&](const std::string&, std::uint64_t done, std::uint64_t) {
        const bool pass = done <= furthest;
        furthest = std::max(furthest, done);
        if (!change || changed || !pass) return;
        std::fstream file(f.path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(row1100));
        file << 'D'; // C-1100 becomes D-1100: same length, another key
        changed = true;
      };
      Diags d;
      Aggregator agg(false);
      InputSummary s;
      {
        Ingestor ingestor(o, d);
        s = ingestor.read_path(f.path, agg, true);
      }
      REQUIRE(changed == change);
      const auto told = [&](const char* what) {
        return std::any_of(d.lines.begin(), d.lines.end(),
                           [&](const std::string& l) { return l.find(what) != std::string::npos; });
      };
      CHECK(told("changed while it was read") == change);
      CHECK(told("appears twice in period 2026-10 (first at line 1052)") != change);
      CHECK(s.unreadable == change);
      CHECK(s.rows_read == s.rows_used + s.rows_rejected);
      std::ofstream(f.path, std::ios::binary) << text; // as it was
    }
  }
}

TEST_CASE("a line that is not UTF-8 stops the file at the same line", "[ingest][parallel]") {
  std::string text = generated(13, 3'000, false);
  text.insert(text.find("\nC-2500,") + 5, 1, '\xE9');
  const TempFile f("latin1", text);
  const auto one = outcome({f.path}, 1, k_line_by_line);
  REQUIRE(
      std::any_of(one.begin(), one.end(), [](const std::string& l) { return l.find("UTF-8") != std::string::npos; }));
  CHECK(outcome({f.path}, 2, 1000) == one);
  CHECK(outcome({f.path}, 4, 1) == one);
}

namespace {

/// A long snapshots file: `customers` customers over 15 months, mostly one run of rows per
/// customer, with problems sprinkled in as `trouble` asks.
std::string snapshots(std::uint64_t seed, int customers, bool trouble, bool currency = false) {
  std::string text = currency ? "customer_id,segment,month,currency,mrr\n" : "customer_id,segment,month,mrr\n";
  std::uint64_t state = seed;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  for (int i = 0; i < customers; ++i) {
    const std::uint64_t r = next();
    const std::string segment = r % 3 == 0 ? "SMB" : r % 3 == 1 ? "Mid" : "Ent";
    const int first = static_cast<int>(r % 6), last = 8 + static_cast<int>(r % 7);
    for (int m = first; m <= last; ++m) {
      const std::uint64_t x = next();
      std::string id = fmt::format("S-{}", i);
      std::string month = fmt::format("{}-{:02}", 2025 + m / 12, m % 12 + 1);
      std::string mrr = x % 17 == 0
          ? "0"
          : fmt::format("{}.{:02}", 100 + (r + x % 3 * static_cast<std::uint64_t>(m % 4)) % 900, x % 100);
      std::string cur = "EUR";
      if (trouble) {
        if (x % 1'009 == 0) id = fmt::format("S-{}", i / 2); // maybe a second row for a customer and month
        if (x % 1'301 == 0) mrr = "12x";                     // invalid
        if (x % 1'601 == 0) mrr = "\"1,234.50\"";            // the general path reads it
        if (x % 1'907 == 0) month = "2025-03-31";            // a date: the general path reads it
        if (x % 2'203 == 0) mrr = "-5";                      // negative
        if (x % 2'503 == 0) id = "";                         // empty
        if (x % 2'801 == 0) cur = "eur";                     // the same currency, other text
        if (x % 3'001 == 0) mrr = "1.0000005";               // rounded: a warning
        if (x % 1'103 == 0) id = " " + id + " ";             // padded: the same customer (issue 28)
        if (x % 1'409 == 0) mrr = "";                        // empty: an error, not 0
        if (x % 3'203 == 0) id = "Total";                    // a totals row
        if (x % 113 == 0) text += "\n";
        if (x % 127 == 0) text += "  \r\n";
      }
      text += currency ? fmt::format("{},{},{},{},{}", id, segment, month, cur, mrr)
                       : fmt::format("{},{},{},{}", id, segment, month, mrr);
      text += x % 5 == 0 ? "\r\n" : "\n";
    }
    if (trouble && r % 97 == 0)
      text += fmt::format("S-{},{},2025-0{},1\n", i, segment, 1 + r % 9); // a month again, later
  }
  return text;
}

} // namespace

TEST_CASE("long snapshots: the same history, movements and cohorts for any number of threads", "[ingest][parallel]") {
  // Tiny chunks (a line or less each) on a small file: each chunk costs a hand-over, and a
  // million of them would only make the test slow (minutes under the sanitizers).
  for (const int customers : {2'000, 150}) {
    const TempFile f("snapshots", snapshots(17, customers, false));
    const auto one = outcome({f.path}, 1, k_line_by_line);
    REQUIRE(one.size() > static_cast<std::size_t>(customers));
    CHECK(one[0].find("rejected 0") != std::string::npos);
    const std::vector<std::uint64_t> chunks =
        customers > 1'000 ? std::vector<std::uint64_t>{0, 8192} : std::vector<std::uint64_t>{1, 211};
    for (const int threads : {1, 2, 3, 8})
      for (const std::uint64_t chunk : chunks) {
        INFO(customers << " customers, threads " << threads << ", chunks of " << chunk << " bytes");
        CHECK(difference(outcome({f.path}, threads, chunk), one) == "");
      }
  }
}

TEST_CASE("long snapshots with problems anywhere: the same diagnostics in the same order", "[ingest][parallel]") {
  const TempFile f("snapshots_dirty", snapshots(19, 3'000, true, true));
  const auto one = outcome({f.path}, 1, k_line_by_line);
  REQUIRE(std::count_if(one.begin(), one.end(),
                        [](const std::string& l) { return l.find("already has MRR") != std::string::npos; }) > 10);
  REQUIRE(std::count_if(one.begin(), one.end(),
                        [](const std::string& l) { return l.find("not a number") != std::string::npos; }) > 10);
  for (const int threads : {1, 2, 4})
    for (const std::uint64_t chunk :
         {std::uint64_t{1}, std::uint64_t{257}, std::uint64_t{8192}, std::uint64_t{100'000}}) {
      if (skip_chunk(chunk)) continue;
      INFO("threads " << threads << ", chunks of " << chunk << " bytes");
      CHECK(difference(outcome({f.path}, threads, chunk), one) == "");
    }
}

TEST_CASE("long snapshots: padded ids and segments are the same customers on every path", "[ingest][parallel]") {
  const std::string clean = snapshots(23, 1'500, false);
  std::string padded;
  std::size_t n = 0;
  for (std::size_t at = 0; at < clean.size();) { // every other data line's id, every third one's segment
    const std::size_t end = clean.find('\n', at) + 1;
    std::string line = clean.substr(at, end - at);
    if (n > 0 && n % 2 == 0) line = " " + line;
    if (n > 0 && n % 3 == 0) line.replace(line.find(','), 1, " \t,");
    if (n > 0 && n % 5 == 0) line.insert(line.find(',', line.find(',') + 1), "  ");
    padded += line;
    at = end;
    ++n;
  }
  const TempFile a("snapshots_clean", clean), b("snapshots_padded", padded);
  auto want = outcome({a.path}, 1, k_line_by_line);
  want.erase(want.begin()); // the file's name
  for (const int threads : {1, 2})
    for (const std::uint64_t chunk : {k_line_by_line, std::uint64_t{211}, std::uint64_t{8192}}) {
      INFO("threads " << threads << ", chunks of " << chunk << " bytes");
      auto got = outcome({b.path}, threads, chunk);
      got.erase(got.begin());
      CHECK(difference(got, want) == "");
    }
}

TEST_CASE("long snapshots: cents, a decimal comma and a second currency read as without threads",
          "[ingest][parallel]") {
  std::string text = "customer_id;month;currency;mrr\n";
  for (int i = 0; i < 3'000; ++i)
    text +=
        fmt::format("C-{};2026-0{};{};{},{:02}\n", i / 3, 1 + i % 3, i == 2'222 ? "USD" : "EUR", 100 + i % 50, i % 100);
  const TempFile f("snapshots_comma", text);
  IngestOptions cents;
  cents.amounts_in_cents = true;
  for (const IngestOptions& o : {IngestOptions{}, cents}) {
    const auto one = outcome({f.path}, 1, k_line_by_line, "", o);
    CHECK(difference(outcome({f.path}, 2, 500, "", o), one) == "");
    CHECK(difference(outcome({f.path}, 3, 0, "", o), one) == "");
  }
}

TEST_CASE("a file cut short or written anew while it is read is an error on every path",
          "[ingest][parallel][changed]") {
  // Issue 28: an export run again over the file being read truncates it and writes it anew.
  // Rows from the first version, then from the half-written second: each row is fine, the
  // report covers a fraction of the customers. The size and modification time taken when
  // the file was opened are compared after its last read, whatever path read it.
  const std::string movements = generated(23, 20'000, false), snapshot = snapshots(29, 2'000, false);
  struct Path {
    const char* name;
    int threads;
    std::uint64_t chunk;
  };
  for (const std::string* text : {&movements, &snapshot})
    for (const Path path : {Path{"line by line", 1, k_line_by_line}, Path{"chunks, 1 thread", 1, 4'096},
                            Path{"chunks, 2 threads", 2, 4'096}, Path{"chunks, 3 threads", 3, 8'192}})
      for (const int how : {0, 1, 2, 3}) { // nothing; cut short; written anew shorter; written anew as it was
        INFO((text == &movements ? "movements, " : "long snapshots, ") << path.name << ", change " << how);
        const TempFile f("cut", *text);
        IngestOptions o;
        o.threads = path.threads;
        o.parallel_bytes = path.chunk == k_line_by_line ? k_line_by_line : 0;
        o.chunk_bytes = path.chunk == k_line_by_line ? 0 : path.chunk;
        bool done = false;
        // The first call comes after the first block is read: the line-by-line reader has the
        // whole file then, and a pass has not started.
        o.progress = [&](const std::string&, std::uint64_t, std::uint64_t) {
          if (done || how == 0) return;
          done = true;
          if (how == 1) {
            REQUIRE(::truncate(f.path.c_str(), static_cast<off_t>(text->size() * 2 / 5)) == 0);
            return;
          }
          std::ofstream out(f.path, std::ios::binary | std::ios::trunc);
          out << (how == 2 ? text->substr(0, text->find('\n', text->size() / 3) + 1) : *text);
        };
        if (how == 3) ::usleep(20'000); // a modification time the clock tells apart, however coarse
        Diags d;
        Aggregator agg(false);
        InputSummary s;
        {
          Ingestor ingestor(o, d);
          s = ingestor.read_path(f.path, agg, true);
        }
        const bool told = std::any_of(d.lines.begin(), d.lines.end(), [](const std::string& l) {
          return l.find("changed while it was read") != std::string::npos &&
              l.find("read a copy that nothing writes to") != std::string::npos;
        });
        CHECK(told == (how != 0));
        CHECK(s.unreadable == (how != 0));
        CHECK(s.rows_read == s.rows_used + s.rows_rejected);
        if (how == 1 || how == 2)
          CHECK(std::any_of(d.lines.begin(), d.lines.end(), [&](const std::string& l) {
            return l.find(fmt::format("size {} -> ", text->size())) != std::string::npos;
          }));
        if (how == 3)
          CHECK(std::any_of(d.lines.begin(), d.lines.end(),
                            [](const std::string& l) { return l.find("modified at") != std::string::npos; }));
      }
}

} // namespace test_parallel
