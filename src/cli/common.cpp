// SPDX-License-Identifier: MIT
#include "common.hpp"

#include "cskpi/csv.hpp"
#include "cskpi/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace cskpi::cli {

void add_input_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("files", o.files, "CSV files to read; - reads standard input")->required()->type_name("FILE");
  cmd.add_option("--delimiter", o.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.decimal_comma_option =
      cmd.add_flag("--decimal-comma", o.decimal_comma,
                   "Numbers use a decimal comma: 1234,56 and 1.234,56 (default: on for ; files); --decimal-comma=false turns it off");
  cmd.add_option("--max-errors", o.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd.add_option("--tolerance", o.tolerance, "Allowed rounding slack when reconciling end_mrr, e.g. 0.01 (default: exact)")
      ->type_name("AMOUNT");
  cmd.add_option("--by", o.by, "Also report per value of this column, e.g. segment")->type_name("COLUMN");
  cmd.add_option("--period-length", o.period_length, "month, quarter or year (default: from the period values)")
      ->type_name("LENGTH");
  cmd.add_option("-o,--output", o.output, "Write to FILE instead of standard output")->type_name("FILE");
}

void StderrDiagnostics::report(const Diagnostic& d) {
  Diagnostic shown = d;
  ++m_total;
  if (d.severity == Severity::error) {
    if (d.fatal) ++m_fatal;
    else ++m_row_errors;
    if (m_downgrade && !d.fatal) shown.severity = Severity::warning;
    else ++m_errors;
  }
  if (collect) collected.push_back(shown);
  if (!print) return;
  if (m_limit != 0 && m_shown >= m_limit && !d.fatal) return;
  ++m_shown;
  const std::string line = format_diagnostic(shown) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

IngestOptions ingest_options(const RunOptions& o) {
  IngestOptions in;
  if (!o.delimiter.empty()) {
    if (o.delimiter == "," || o.delimiter == "comma") in.delimiter = ',';
    else if (o.delimiter == ";" || o.delimiter == "semicolon") in.delimiter = ';';
    else if (o.delimiter == "\t" || o.delimiter == "tab" || o.delimiter == "\\t") in.delimiter = '\t';
    else throw usage_error(fmt::format("--delimiter \"{}\" is not one of , ; tab", o.delimiter));
  }
  if (o.decimal_comma_option != nullptr && o.decimal_comma_option->count() > 0) in.decimal_comma = o.decimal_comma;
  if (!o.tolerance.empty()) in.tolerance = parse_amount_flag("--tolerance", o.tolerance);
  if (!o.by.empty()) in.by_column = normalise_column_name(o.by);
  return in;
}

Loaded load_inputs(const RunOptions& o, StderrDiagnostics& diags) {
  Loaded l;
  const IngestOptions opts = ingest_options(o);
  if (std::count(o.files.begin(), o.files.end(), std::string("-")) > 1)
    throw usage_error("standard input (-) can be read only once");
  Ingestor ingestor(opts, diags);
  l.aggregator = std::make_unique<Aggregator>(!opts.by_column.empty());
  for (const std::string& f : o.files) l.inputs.push_back(ingestor.read_path(f, *l.aggregator));
  l.columns = ingestor.columns();
  l.detected_length = ingestor.detected_period_length();
  return l;
}

Money parse_amount_flag(const std::string& flag, const std::string& text) {
  const ParsedMoney p = parse_money(text, DecimalStyle::point);
  if (p.status != ParsedMoney::Status::ok || p.value.micros < 0)
    throw usage_error(fmt::format("{} \"{}\" is not a non-negative number (use a decimal point: 0.8)", flag, text));
  return p.value;
}

namespace {

bool known_metric(std::string_view id) { return find_metric(id) != nullptr; }

} // namespace

BandTable load_bands(const std::string& path) {
  BandTable bands = BandTable::builtin();
  if (path.empty()) return bands;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open bands file: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  bands.override_from_csv(text.str(), path, known_metric);
  return bands;
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty()) {
    const std::size_t n = std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0 || n != text.size()) {
      if (errno == EPIPE) std::exit(0); // like xsv: a closed pipe is the reader's choice
      throw input_error(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    }
    return;
  }
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  const std::size_t n = std::fwrite(text.data(), 1, text.size(), f);
  const bool flushed = std::fflush(f) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (n != text.size() || !flushed || !closed)
    throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(err != 0 ? err : errno)));
}

bool use_color(const std::string& mode, const std::string& output) {
  if (mode == "always") return true;
  if (mode == "never" || !output.empty()) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      prev = cur;
    }
  }
  return row[b.size()];
}

} // namespace

std::string nearest_metric(const std::string& id) {
  std::string best;
  std::size_t best_d = 4; // suggest only close matches
  for (const MetricDef& m : metric_table()) {
    const std::size_t d = edit_distance(id, m.id);
    if (d < best_d) {
      best_d = d;
      best = m.id;
    }
  }
  return best;
}

} // namespace cskpi::cli
