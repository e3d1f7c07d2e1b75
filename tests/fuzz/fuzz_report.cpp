// SPDX-License-Identifier: MIT
// libFuzzer target over the whole path of a report: bytes -> ingest -> exact sums ->
// metrics -> every renderer. Besides "no crash, no sanitizer report" it checks:
//   - rows_read == rows_used + rows_rejected;
//   - the fast path and the general path give the same diagnostics, summary and report;
//   - two threads give the same as one, and so do three reading the text as a file in
//     small chunks (the parallel pass of issue 13); the same rows sorted read in chunks as
//     line by line (a sorted file's first pass keeps no keys).
// A leading byte below 0x10 is not data but option bits (1: --by segment, 2: decimal
// comma, 4: tolerance 0.01 and quarters for snapshot files, 8: --encoding cp1252,
// --date-format DD/MM/YYYY and --map start_mrr=mrr_start), so the fuzzer explores the
// options too; any other first byte
// is data, which lets samples/ serve as seeds unchanged.
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/cohorts.hpp"
#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"
#include "report/report.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace cskpi;

namespace {

struct Diags : DiagnosticSink {
  std::string text;
  void report(const Diagnostic& d) override {
    text += format_diagnostic(d);
    text += d.fatal ? " [fatal]\n" : "\n";
  }
};

struct Outcome {
  std::string diagnostics;
  std::string report;
};

[[noreturn]] void fail(const char* what, const Outcome& a, const Outcome& b) {
  std::fprintf(stderr,
               "fuzz_report: %s\n--- diagnostics A\n%s--- diagnostics B\n%s--- report A\n%s\n--- report B\n%s\n", what,
               a.diagnostics.c_str(), b.diagnostics.c_str(), a.report.c_str(), b.report.c_str());
  std::abort();
}

/// `path`: read the text from this file (the parallel pass reads files only), else from a
/// stream; `last`: as the run's last file (a pass keeps its keys' words only), else as one
/// more files may follow (whole keys with their lines).
Outcome run(std::string_view text, const IngestOptions& opts, const char* path = nullptr, bool last = true) {
  Outcome o;
  Diags diags;
  const bool grouped = !opts.by_column.empty();
  Aggregator agg(grouped);
  Ingestor ingestor(opts, diags);
  Joiner joiner(agg, [&ingestor] { return ingestor.attributes(); });
  std::istringstream in{std::string(text)};
  InputSummary summary;
  try {
    summary = path != nullptr ? ingestor.read_path(path, joiner, last) : ingestor.read_stream(in, "fuzz.csv", joiner);
  } catch (const Error& e) { // money sums overflowing int64 micro-units
    o.diagnostics = diags.text + "error: " + e.what() + "\n";
    return o;
  }
  if (summary.rows_read != summary.rows_used + summary.rows_rejected) {
    std::fprintf(stderr, "fuzz_report: rows_read %llu != used %llu + rejected %llu\n",
                 static_cast<unsigned long long>(summary.rows_read), static_cast<unsigned long long>(summary.rows_used),
                 static_cast<unsigned long long>(summary.rows_rejected));
    std::abort();
  }
  o.diagnostics = std::move(diags.text);

  MetricContext ctx;
  ctx.columns = ingestor.columns();
  ctx.period_length = ingestor.detected_period_length().value_or(PeriodLength::month);
  ReportSettings s;
  s.version = "fuzz";
  s.period_length = ctx.period_length;
  s.period_length_source = "detected";
  if (grouped) s.by = opts.by_column;
  s.tolerance = opts.tolerance;
  std::optional<AnnualCohorts> cohorts;
  if (const SnapshotTable* t = ingestor.snapshots()) { // snapshot files: exact cohorts and the cohort table too
    cohorts = annual_cohorts(*t, ctx.period_length, grouped, true);
    s.include_reactivation = true;
    for (const bool logos : {false, true})
      for (const char* format : {"table", "csv", "json", "markdown"})
        o.report += render_cohorts(cohort_table(*t, logos), logos, "fuzz.csv", format, "fuzz");
  }
  // Customers and responses files (issue 7): the join, with or without billing rows.
  ctx.billing = ctx.columns.billing;
  std::optional<Leading> leading;
  if (const Attributes* a = ingestor.attributes()) {
    LeadingOptions lo;
    lo.grouped = grouped;
    lo.period_length = ctx.period_length;
    leading = joiner.join(*a, lo, ctx.columns.period);
    ctx.attributes = a->columns;
  }
  Report r{s,
           {summary},
           build_groups(agg, ctx, BandTable::builtin(), {}, grouped, cohorts ? &*cohorts : nullptr,
                        leading ? &*leading : nullptr, "smb"),
           std::nullopt};
  if (leading) r.join = leading->summary;
  o.report += render_json(r) + render_jsonl(r) + render_csv(r) + render_markdown(r) + render_table(r, false);
  return o;
}

void same(const char* what, const Outcome& a, const Outcome& b) {
  if (a.diagnostics != b.diagnostics || a.report != b.report) fail(what, a, b);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  unsigned flags = 0;
  if (!text.empty() && static_cast<unsigned char>(text[0]) < 0x10) {
    flags = static_cast<unsigned char>(text[0]);
    text.remove_prefix(1);
  }
  IngestOptions opts;
  opts.threads = 1;
  if ((flags & 1U) != 0) opts.by_column = "segment";
  if ((flags & 2U) != 0) opts.decimal_comma = true;
  if ((flags & 4U) != 0) {
    opts.tolerance = Money{10000};
    opts.period_length = PeriodLength::quarter;
  }
  if ((flags & 8U) != 0) {
    opts.encoding = "cp1252";
    opts.date_format = "DD/MM/YYYY";
    opts.column_map = {{"start_mrr", "mrr_start"}};
    opts.map_optional = true;
  }

  const Outcome fast = run(text, opts);
  opts.fast_path = false;
  same("the general path disagrees with the fast path", fast, run(text, opts));
  opts.fast_path = true;
  opts.threads = 2;
  same("two threads disagree with one", fast, run(text, opts));

  // The parallel pass (issue 13): the text as a file in memory, read in chunks of a size the
  // data chooses on 1 thread as the last file and on 3 threads as one more may follow.
  if ((flags & 8U) == 0) { // a transcoded file is read line by line anyway
    static const int fd = ::memfd_create("fuzz.csv", 0);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
      std::abort();
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    opts.threads = 1;
    opts.parallel_bytes = ~std::uint64_t{0}; // line by line
    const Outcome lines = run(text, opts, path.c_str());
    opts.parallel_bytes = 0;
    opts.chunk_bytes = 1 + (size * 131 % 997);
    same("the parallel pass on one thread disagrees with reading line by line", lines, run(text, opts, path.c_str()));
    opts.threads = 3;
    same("the parallel pass on three threads disagrees with reading line by line", lines,
         run(text, opts, path.c_str(), false));

    // The same rows sorted, as exports often are: the first pass keeps no keys for chunks
    // whose rows' keys increase (their ranges show there is no repeat).
    std::vector<std::string_view> rows;
    for (std::size_t at = text.find('\n'); at != std::string_view::npos && at + 1 < text.size();) {
      const std::size_t next = text.find('\n', at + 1);
      rows.push_back(text.substr(at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1));
      at = next;
    }
    std::sort(rows.begin(), rows.end());
    std::string sorted(text.substr(0, text.find('\n')));
    for (const std::string_view row : rows) (sorted += '\n') += row;
    if (!rows.empty() && text.back() == '\n') sorted += '\n';
    if (sorted != text) {
      if (::ftruncate(fd, 0) != 0 ||
          ::pwrite(fd, sorted.data(), sorted.size(), 0) != static_cast<ssize_t>(sorted.size()))
        std::abort();
      opts.threads = 1;
      opts.parallel_bytes = ~std::uint64_t{0};
      const Outcome sorted_lines = run(sorted, opts, path.c_str());
      opts.parallel_bytes = 0;
      same("sorted rows: the parallel pass on one thread disagrees with reading line by line", sorted_lines,
           run(sorted, opts, path.c_str()));
      opts.threads = 2;
      same("sorted rows: the parallel pass on two threads disagrees with reading line by line", sorted_lines,
           run(sorted, opts, path.c_str()));
    }
  }
  return 0;
}
